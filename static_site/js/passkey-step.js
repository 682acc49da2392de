// "Use your passkey": the second step answered by one of the account's passkeys, offered
// first when the account has one. Nothing was sent to the phone; the other ways (a code
// by text or call, the app's code, a recovery code) are one tap away.

import { request } from "./api.js";
import { getPasskey } from "./passkey.js";
import { el, notify, setBusy } from "./ui.js";

/**
 * The panel for the challenge `token`. onFinished(answer) with a session (or a step-up's
 * proof); onEnd(error) when the login can't go on; onOtherWay() for "Use a code instead".
 */
export function passkeyPanel({ token, onFinished, onEnd, onOtherWay }) {
  const use = el("button", { type: "button", class: "primary", id: "use-passkey" }, "Use your passkey");
  const other = el("button", { type: "button", class: "link-button" }, "Use a code instead");
  const root = el(
    "div",
    { class: "panel", id: "passkey-panel", hidden: true },
    el("p", {}, "Your device will ask for its screen lock, fingerprint or face."),
    use,
    el("p", { class: "hint" }, "No passkey on this device? ", other),
  );

  async function run() {
    if (use.disabled) return;
    notify("");
    setBusy(use, true, "Waiting for your passkey…");
    let answer;
    try {
      const begun = await request("/login/passkey/options", { method: "POST", token });
      const credential = await getPasskey(begun.options);
      const body = { ceremony: begun.ceremony, credential };
      answer = await request("/login/passkey", { method: "POST", token, body });
    } catch (err) {
      setBusy(use, false);
      if (err.challengeGone || err.code === "account_locked") return onEnd(err);
      notify(err.message, err.cancelled ? "info" : "error");
      return use.focus();
    }
    onFinished(answer);
  }

  use.addEventListener("click", run);
  other.addEventListener("click", onOtherWay);
  return { root, focus: () => use.focus() };
}
