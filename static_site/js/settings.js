// The site's settings live in /config.js, which is never committed: devstack's static
// server generates it, and a deploy writes it (see config.example.js).

export class ConfigMissingError extends Error {}

let loading = null;

/** Resolve to {apiBase, wsUrl}; reject with ConfigMissingError when config.js is absent. */
export function loadConfig() {
  loading ??= import("../config.js").then(
    ({ config }) => {
      if (!config || typeof config.apiBase !== "string" || !config.apiBase) {
        throw new ConfigMissingError("config.js does not export config.apiBase.");
      }
      return { apiBase: config.apiBase.replace(/\/+$/, ""), wsUrl: config.wsUrl ?? null };
    },
    () => {
      throw new ConfigMissingError("config.js is missing.");
    },
  );
  return loading;
}
