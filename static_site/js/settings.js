// The site's settings. The API is on the site's own origin, at /api (CloudFront in the
// cloud, devstack's site server locally), so there is nothing to configure for it and no
// CORS preflight. /config.js, written by the deploy and by devstack (see
// config.example.js), names the WebSocket; without it the pages poll instead.

export const API_BASE = "/api";

let loading = null;

function text(value) {
  return typeof value === "string" && value ? value : null;
}

function settingsFrom(config) {
  // Only a site hosted away from the API names it (and the API's CORS_ORIGIN names the site).
  const apiBase = text(config?.apiBase) ?? API_BASE;
  return { apiBase: apiBase.replace(/\/+$/, ""), wsUrl: text(config?.wsUrl) };
}

/** Resolve to {apiBase, wsUrl}; never rejects: without config.js there is just no socket. */
export function loadConfig() {
  loading ??= import("../config.js").then(
    ({ config }) => settingsFrom(config),
    () => settingsFrom(null),
  );
  return loading;
}
