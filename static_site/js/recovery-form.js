// "Use a recovery code": one of the ten single-use codes from the account page, typed
// instead of proving the phone (and the one way into a locked account).

import { request } from "./api.js";
import { clearFieldErrors, el, notify, setBusy, setFieldError } from "./ui.js";

/** The form; onFinished(answer) with a session (or a step-up), onEnd(error) if it can't go on. */
export function recoveryForm({ token, onFinished, onEnd }) {
  const input = el("input", {
    id: "recovery-code",
    type: "text",
    autocomplete: "off",
    autocapitalize: "characters",
    spellcheck: "false",
    maxlength: "32",
    "aria-describedby": "recovery-code-hint recovery-code-error",
  });
  const submit = el("button", { type: "submit", class: "primary" }, "Use this code");
  const root = el(
    "form",
    { class: "panel", id: "recovery-panel", method: "post", novalidate: true, hidden: true },
    el(
      "div",
      { class: "field" },
      el("label", { for: "recovery-code" }, "Recovery code"),
      input,
      el(
        "p",
        { class: "hint", id: "recovery-code-hint" },
        "One of the ten codes you saved, like ABCD-EFGH-JKMN-PQRT. Each works once.",
      ),
      el("p", { class: "field-error", id: "recovery-code-error", "aria-live": "polite" }),
    ),
    submit,
  );

  async function use(event) {
    event.preventDefault();
    if (submit.disabled) return;
    clearFieldErrors(root);
    notify("");
    const code = input.value.trim();
    if (!code) {
      setFieldError(input, "Enter one of your recovery codes.");
      return input.focus();
    }
    setBusy(submit, true, "Checking…");
    let answer;
    try {
      answer = await request("/login/recovery", { method: "POST", token, body: { code } });
    } catch (err) {
      setBusy(submit, false);
      if (err.challengeGone || err.code === "challenge_locked" || err.attemptsLeft === 0) {
        return onEnd(err);
      }
      if (err.code === "invalid_code") {
        const left = err.attemptsLeft === 1 ? "1 attempt left." : `${err.attemptsLeft} attempts left.`;
        setFieldError(input, `That isn't one of your unused recovery codes. ${left}`);
      } else {
        notify(err.message, "error");
      }
      input.select();
      return input.focus();
    }
    onFinished(answer);
  }

  root.addEventListener("submit", use);
  return { root, focus: () => input.focus() };
}
