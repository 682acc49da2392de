// The account page's passkeys: each listed with its name, when it was added and last used,
// and "Remove"; "Add a passkey" asks for a name (the browser's description unless another
// is typed) and then the browser makes it. Every change goes through a fresh proof. Filled
// in from the security section's `security-loaded` event (GET /account's `security`).

import { request } from "./api.js";
import { createPasskey, passkeysSupported } from "./passkey.js";
import { when } from "./security.js";
import { clearFieldErrors, el, notify, setBusy, setFieldError } from "./ui.js";

const MAX_PASSKEYS = 10;
const MAX_NAME = 64;

function namingForm() {
  const input = el("input", {
    id: "passkey-name",
    type: "text",
    autocomplete: "off",
    maxlength: String(MAX_NAME),
    "aria-describedby": "passkey-name-hint passkey-name-error",
  });
  const create = el("button", { type: "submit", class: "primary" }, "Create the passkey");
  const cancel = el("button", { type: "button", class: "secondary" }, "Cancel");
  const root = el(
    "form",
    { class: "passkey-naming", id: "passkey-naming", method: "post", novalidate: true, hidden: true },
    el(
      "div",
      { class: "field" },
      el("label", { for: "passkey-name" }, "Name for the new passkey"),
      input,
      el("p", { class: "hint", id: "passkey-name-hint" }, "So you can tell your passkeys apart."),
      el("p", { class: "field-error", id: "passkey-name-error", "aria-live": "polite" }),
    ),
    el("div", { class: "button-row" }, create, cancel),
  );
  return { root, input, create, cancel };
}

function describe(passkey) {
  const used = passkey.last_used_at ? `last used ${when(passkey.last_used_at)}` : "not used yet";
  return `Added ${when(passkey.created_at)}, ${used}`;
}

/** Fill the #passkeys section for the session `token`; `security` is startSecurity's. */
export function startPasskeysSection(token, { fresh, reload }) {
  const section = document.getElementById("passkeys");
  const state = el("p", { id: "passkeys-state" });
  const list = el("ul", { class: "browser-list", id: "passkey-list" });
  const add = el("button", { type: "button", class: "secondary", id: "passkey-add" }, "Add a passkey");
  const naming = namingForm();
  section.append(state, list, add, naming.root);
  let begun = null; // the ceremony the naming form will finish

  /** After a change: the section again, and the account's activity, which now lists it. */
  function changed() {
    reload();
    section.dispatchEvent(new CustomEvent("security-changed", { bubbles: true }));
  }

  function render(passkeys) {
    const supported = passkeysSupported();
    state.textContent = passkeys.length
      ? "Logins offer your passkey first. It only works on this site, so a fake site can't use it."
      : "A passkey logs you in with your device's screen lock, fingerprint or face: no password, and nothing a fake site can steal.";
    if (!supported) state.textContent += " This browser can't make passkeys.";
    if (passkeys.length >= MAX_PASSKEYS) state.textContent += " Ten is the most an account can have.";
    list.replaceChildren(...passkeys.map(item));
    add.hidden = !supported || passkeys.length >= MAX_PASSKEYS || !naming.root.hidden;
  }

  function item(passkey) {
    const remove = el("button", { type: "button", class: "secondary" }, "Remove");
    remove.setAttribute("aria-label", `Remove ${passkey.name}`);
    remove.addEventListener("click", () => removePasskey(passkey, remove));
    return el(
      "li",
      { class: "browser" },
      el("span", { class: "browser-name" }, passkey.name),
      el("span", { class: "hint" }, describe(passkey)),
      remove,
    );
  }

  function closeNaming() {
    begun = null;
    naming.root.hidden = true;
    add.hidden = false;
    setBusy(naming.create, false);
  }

  async function begin() {
    setBusy(add, true, "Starting…");
    try {
      begun = await fresh(() => request("/account/passkeys/options", { method: "POST", token }));
    } catch (err) {
      setBusy(add, false);
      return notify(err.message, "error");
    }
    setBusy(add, false);
    add.hidden = true;
    clearFieldErrors(naming.root);
    naming.input.value = begun.default_name ?? "";
    naming.root.hidden = false;
    naming.input.focus();
    naming.input.select();
  }

  async function create(event) {
    event.preventDefault();
    if (naming.create.disabled || !begun) return;
    clearFieldErrors(naming.root);
    const name = naming.input.value.trim();
    if (name.length > MAX_NAME) return setFieldError(naming.input, `Use at most ${MAX_NAME} characters.`);
    setBusy(naming.create, true, "Waiting for your device…");
    let answer;
    try {
      const credential = await createPasskey(begun.options);
      const body = { ceremony: begun.ceremony, credential, name };
      answer = await fresh(() => request("/account/passkeys", { method: "POST", token, body }));
    } catch (err) {
      setBusy(naming.create, false);
      if (err.fields?.name) return setFieldError(naming.input, "Use a name without special characters.");
      if (String(err.code).startsWith("ceremony_") || err.code === "too_many_passkeys") closeNaming();
      return notify(err.message, err.cancelled ? "info" : "error");
    }
    closeNaming();
    notify(`Your passkey "${answer.passkey.name}" is added. You can log in with it, no password needed.`, "success");
    changed();
  }

  async function removePasskey(passkey, button) {
    setBusy(button, true, "Removing…");
    try {
      await fresh(() =>
        request(`/account/passkeys/${encodeURIComponent(passkey.id)}`, { method: "DELETE", token }),
      );
    } catch (err) {
      setBusy(button, false);
      return notify(err.message, "error");
    }
    notify(`The passkey "${passkey.name}" is removed. It can't log you in any more.`, "success");
    changed();
  }

  document
    .getElementById("security")
    .addEventListener("security-loaded", (event) => render(event.detail.passkeys ?? []));
  add.addEventListener("click", begin);
  naming.root.addEventListener("submit", create);
  naming.cancel.addEventListener("click", closeNaming);
}
