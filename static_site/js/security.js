// The account page's security section: the ways in (phone, authenticator app, passkeys,
// recovery codes, remembered browsers) and the changes to them, each behind a fresh proof.

import { ApiError, request } from "./api.js";
import { startAuthenticatorSetup } from "./authenticator-setup.js";
import { withFreshProof } from "./step-up.js";
import { clearFieldErrors, el, notify, setBusy, setFieldError } from "./ui.js";

const $ = (id) => document.getElementById(id);

/** An ISO time as the reader's locale writes a date and a time ("" when there is none). */
export function when(iso) {
  const date = new Date(iso);
  if (!iso || Number.isNaN(date.getTime())) return "";
  return new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" }).format(date);
}

/**
 * The security section for the session `token`: render(security) shows what GET /account
 * brought; reload() asks GET /account/security after a change. Returns {render, reload}.
 */
export function startSecurity(token, { onSessionEnded }) {
  const section = $("security");
  const stepUpBox = $("step-up");
  const fresh = (action) => withFreshProof(stepUpBox, token, action);
  let current = null;

  async function load() {
    try {
      current = await request("/account/security", { token });
    } catch (err) {
      if (err.status === 401) return onSessionEnded();
      $("security-loading").textContent = "We couldn't load your security settings.";
      return;
    }
    render(current);
  }

  function render(security) {
    section.hidden = false;
    $("security-loading").hidden = true;
    $("security-body").hidden = false;
    $("phone-factor").textContent = `Texts and calls to ${security.phone.number}.`;
    renderAuthenticator(security.authenticator);
    renderRecovery(security.recovery_codes_left);
    renderBrowsers(security.browsers);
    section.dispatchEvent(new CustomEvent("security-loaded", { detail: security }));
  }

  function renderAuthenticator(state) {
    $("authenticator-factor").hidden = !state.offered;
    if (!state.offered) return;
    $("authenticator-state").textContent = state.added
      ? `Added ${when(state.added_at)}. Logins ask for its code first.`
      : "Not added. Any authenticator app works: Google Authenticator, 1Password, the Authy app…";
    $("authenticator-add").textContent = state.added
      ? "Replace the authenticator app"
      : "Add an authenticator app";
    $("authenticator-remove").hidden = !state.added;
  }

  function renderRecovery(left) {
    $("recovery-left").textContent =
      left === 0
        ? "You have no recovery codes. Make some: they get you in if you lose your phone."
        : `${left} unused recovery ${left === 1 ? "code" : "codes"} left.`;
    $("recovery-create").textContent = left === 0 ? "Create recovery codes" : "Get new recovery codes";
  }

  function renderBrowsers(browsers) {
    $("browsers-empty").hidden = browsers.length > 0;
    $("browser-list").replaceChildren(
      ...browsers.map((browser) => {
        const forget = el("button", { type: "button", class: "secondary" }, "Forget");
        forget.addEventListener("click", () => forgetBrowser(browser, forget));
        const where = [browser.ip, `last used ${when(browser.last_used)}`].filter(Boolean);
        return el(
          "li",
          { class: "browser" },
          el("span", { class: "browser-name" }, browser.description),
          el("span", { class: "hint" }, where.join(", ")),
          forget,
        );
      }),
    );
  }

  async function forgetBrowser(browser, button) {
    setBusy(button, true, "Forgetting…");
    try {
      await request(`/account/browsers/${encodeURIComponent(browser.id)}`, {
        method: "DELETE",
        token,
      });
      notify(`${browser.description} will be asked for the second step again.`, "success");
    } catch (err) {
      setBusy(button, false);
      return notify(err.message, "error");
    }
    load();
  }

  async function createRecoveryCodes() {
    const button = $("recovery-create");
    setBusy(button, true, "Making codes…");
    let answer;
    try {
      answer = await fresh(() => request("/account/recovery-codes", { method: "POST", token }));
    } catch (err) {
      setBusy(button, false);
      return notify(err.message, "error");
    }
    setBusy(button, false);
    const codes = answer.codes;
    $("recovery-list").replaceChildren(...codes.map((code) => el("li", {}, el("code", {}, code))));
    const text = `Twofold recovery codes (each works once)\n\n${codes.join("\n")}\n`;
    const link = $("recovery-download");
    if (link.href.startsWith("blob:")) URL.revokeObjectURL(link.href);
    link.href = URL.createObjectURL(new Blob([text], { type: "text/plain" }));
    $("recovery-codes").hidden = false;
    $("recovery-copy").onclick = async () => {
      try {
        await navigator.clipboard.writeText(text);
        notify("The codes are copied.", "success");
      } catch {
        notify("We couldn't copy them: download them, or write them down.", "error");
      }
    };
    renderRecovery(codes.length);
    notify("Here are your new recovery codes. Any older ones no longer work.", "success");
  }

  async function changePassword(event) {
    event.preventDefault();
    const form = $("password-form");
    const currentInput = $("current-password");
    const next = $("new-password");
    clearFieldErrors(form);
    if (!currentInput.value) return setFieldError(currentInput, "Enter your current password.");
    if (next.value.length < 8) return setFieldError(next, "Use at least 8 characters.");
    const button = $("password-change");
    setBusy(button, true, "Changing…");
    const body = { current_password: currentInput.value, new_password: next.value };
    try {
      await fresh(() => request("/account/password", { method: "POST", token, body }));
    } catch (err) {
      setBusy(button, false);
      if (err instanceof ApiError && err.fields?.current_password) {
        return setFieldError(currentInput, "That isn't your current password.");
      }
      if (err instanceof ApiError && err.fields?.new_password) {
        return setFieldError(next, "Use 8 to 128 characters.");
      }
      return notify(err.message, "error");
    }
    setBusy(button, false);
    form.reset();
    notify("Your password is changed. Your other sessions have ended.", "success");
    load();
  }

  async function removeAuthenticator() {
    const button = $("authenticator-remove");
    setBusy(button, true, "Removing…");
    try {
      await fresh(() => request("/account/authenticator", { method: "DELETE", token }));
    } catch (err) {
      setBusy(button, false);
      return notify(err.message, "error");
    }
    setBusy(button, false);
    notify("The authenticator app is removed. Logins text you a code again.", "success");
    load();
  }

  function addAuthenticator() {
    startAuthenticatorSetup($("authenticator-setup"), token, {
      begin: () => fresh(() => request("/account/authenticator", { method: "POST", token })),
      onAdded() {
        notify("The authenticator app is added. Logins ask for its code first.", "success");
        load();
      },
    });
  }

  $("recovery-create").addEventListener("click", createRecoveryCodes);
  $("password-form").addEventListener("submit", changePassword);
  $("authenticator-add").addEventListener("click", addAuthenticator);
  $("authenticator-remove").addEventListener("click", removeAuthenticator);
  return { render, reload: load, fresh };
}
