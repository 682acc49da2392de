// The code form: type a code (texted, spoken, or the authenticator app's), or ask for one
// by text or call within the resend wait and the sends left. It reports a session, or that
// the login can't go on; everything else it shows itself.

import { request } from "./api.js";
import { formatDuration, startCountdown } from "./countdown.js";
import { clearFieldErrors, el, notify, setBusy, setFieldError } from "./ui.js";

function attemptsText(left) {
  if (left === null || left === undefined) return "Please try again.";
  return left === 1 ? "1 attempt left." : `${left} attempts left.`;
}

function buildForm() {
  const input = el("input", {
    id: "verification-code",
    type: "text",
    autocomplete: "one-time-code",
    inputmode: "numeric",
    pattern: "[0-9]*",
    maxlength: "12",
    spellcheck: "false",
    "aria-describedby": "verification-code-hint verification-code-error",
  });
  const verify = el("button", { type: "submit", class: "primary" }, "Verify");
  const sms = el("button", { type: "button", class: "secondary" }, "Text me a code");
  const call = el("button", { type: "button", class: "secondary" }, "Call me");
  const cooldown = el("p", { class: "hint cooldown", id: "resend-cooldown" });
  const expiry = el("span", { class: "countdown", id: "code-countdown" });
  const root = el(
    "form",
    { class: "panel", id: "code-panel", method: "post", novalidate: true, hidden: true },
    el(
      "div",
      { class: "field" },
      el("label", { for: "verification-code" }, "Verification code"),
      input,
      el(
        "p",
        { class: "hint", id: "verification-code-hint" },
        "6 to 10 digits. The code in your authenticator app works too.",
      ),
      el("p", { class: "field-error", id: "verification-code-error", "aria-live": "polite" }),
    ),
    verify,
    el(
      "div",
      { class: "resend", role: "group", "aria-labelledby": "resend-label" },
      el("p", { id: "resend-label" }, "Didn't get a code?"),
      el("div", { class: "button-row" }, sms, call),
      cooldown,
    ),
    el("p", { class: "hint" }, "This step expires in ", expiry, "."),
  );
  return { root, input, verify, sms, call, cooldown, expiry };
}

/**
 * The code form for the challenge `token`. onFinished(answer) when a code is right (a
 * session, or a step-up's proof);
 * onEnd(error) when the login can't go on (gone, locked, superseded). Returns
 * {root, expiry, focus, applyLimits(status), refresh(), stop()}.
 */
export function codeForm({ token, onFinished, onEnd }) {
  const view = buildForm();
  let cooldown = null;
  let stopped = false;

  function setResendEnabled(enabled) {
    const focused = document.activeElement;
    view.sms.disabled = !enabled;
    view.call.disabled = !enabled;
    // A disabled button drops keyboard focus: hand it to the code field instead.
    if (!enabled && (focused === view.sms || focused === view.call)) view.input.focus();
  }

  function startCooldown(seconds) {
    cooldown?.stop();
    cooldown = null;
    if (!(seconds > 0)) {
      view.cooldown.textContent = "";
      setResendEnabled(true);
      return;
    }
    setResendEnabled(false);
    cooldown = startCountdown(Date.now() + seconds * 1000, {
      onTick(left) {
        view.cooldown.textContent = `You can ask for another code in ${formatDuration(left)}.`;
      },
      onDone() {
        view.cooldown.textContent = "";
        setResendEnabled(true);
      },
    });
  }

  function noMoreSends() {
    cooldown?.stop();
    cooldown = null;
    setResendEnabled(false);
    view.cooldown.textContent =
      "That's all the codes we can send for this login. Your authenticator app's code still works.";
  }

  /** Show the resend wait and the sends left that /login/status (or a send) reported. */
  function applyLimits({ resend_in: resendIn, sends_left: sendsLeft }) {
    if (sendsLeft === 0) noMoreSends();
    else if (Number.isFinite(resendIn)) startCooldown(resendIn);
  }

  /** Ask the API for the send limits when the form opens without them. */
  async function refresh() {
    try {
      const status = await request("/login/status", { token });
      if (stopped) return;
      if (status.status === "approved" && (status.session || status.step_up)) {
        return onFinished(status);
      }
      if (["locked", "superseded"].includes(status.status)) return onEnd({ code: status.status });
      applyLimits(status);
    } catch (err) {
      // Otherwise the buttons stay usable; a send will tell us if it is too soon.
      if (err.challengeGone || err.code === "account_locked") onEnd(err);
    }
  }

  function ends(err) {
    return (
      err.challengeGone || ["challenge_locked", "account_locked"].includes(err.code) || undefined
    );
  }

  async function send(via, button) {
    setResendEnabled(false);
    setBusy(button, true, via === "sms" ? "Sending…" : "Calling…");
    let answer;
    try {
      answer = await request("/login/token", { method: "POST", token, body: { via } });
    } catch (err) {
      setBusy(button, false);
      return sendFailed(err);
    }
    setBusy(button, false);
    if (stopped) return;
    const sent =
      via === "call"
        ? "We're calling your phone now. Listen for the code."
        : "We texted a new code to your phone.";
    notify(sent, "success");
    applyLimits({ resend_in: answer.resend_in ?? 0, sends_left: answer.sends_left });
  }

  async function sendFailed(err) {
    if (stopped) return;
    if (ends(err)) return onEnd(err);
    notify(err.message, "error");
    if (err.code === "too_many_sends") return noMoreSends();
    if (err.status !== 429) return setResendEnabled(true);
    let wait = err.retryAfter;
    if (wait === null) {
      try {
        wait = (await request("/login/status", { token })).resend_in;
      } catch {
        wait = null;
      }
    }
    startCooldown(Number.isFinite(wait) ? wait : 30);
  }

  async function verify(event) {
    event.preventDefault();
    if (view.verify.disabled) return;
    clearFieldErrors(view.root);
    const code = view.input.value.replace(/[\s-]/g, "");
    notify("");
    if (!/^\d{6,10}$/.test(code)) {
      setFieldError(view.input, "Enter the 6 to 10 digit code.");
      view.input.focus();
      return;
    }
    setBusy(view.verify, true, "Checking…");
    let answer;
    try {
      answer = await request("/login/verify", { method: "POST", token, body: { token: code } });
    } catch (err) {
      setBusy(view.verify, false);
      return verifyFailed(err);
    }
    if (answer.session?.token || answer.step_up) return onFinished(answer);
    setBusy(view.verify, false);
    notify("The server sent an answer we couldn't read. Please try again.", "error");
  }

  function verifyFailed(err) {
    if (stopped) return;
    if (ends(err) || err.attemptsLeft === 0) return onEnd(err);
    if (err.code === "invalid_code") {
      setFieldError(view.input, `That code isn't right. ${attemptsText(err.attemptsLeft)}`);
    } else if (err.status === 400) {
      setFieldError(view.input, "Enter the 6 to 10 digit code.");
    } else {
      notify(err.message, "error");
    }
    view.input.select();
    view.input.focus();
  }

  view.sms.addEventListener("click", () => send("sms", view.sms));
  view.call.addEventListener("click", () => send("call", view.call));
  view.root.addEventListener("submit", verify);

  return {
    root: view.root,
    expiry: view.expiry,
    focus: () => view.input.focus(),
    applyLimits,
    refresh,
    stop() {
      stopped = true;
      cooldown?.stop();
    },
  };
}
