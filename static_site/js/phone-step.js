// The phone-proving step shared by sign up and log in: wait for the OneTouch push to be
// approved, or take a code (SMS, voice call or the Authy app). It owns its markup so both
// pages show exactly the same thing.

import { request } from "./api.js";
import { formatDuration, startCountdown } from "./countdown.js";
import { watchChallenge } from "./push-socket.js";
import { clearChallenge, saveSession, updateChallengeExpiry } from "./session.js";
import { loadConfig } from "./settings.js";
import { clearFieldErrors, el, notify, setBusy, setFieldError } from "./ui.js";

const POLL_MS = 1000;
// While the WebSocket watches the push, one slow poll still runs: a poll is how the server
// notices an expired push, or asks Authy about one whose callback never came.
const SAFETY_POLL_MS = 10000;
const MAX_BACKOFF_MS = 30000;

const HEADINGS = {
  push: "Approve the request on your phone",
  code: "Enter your verification code",
  locked: "This login is locked",
};

const REASONS = {
  denied: "The request was denied on your phone. Use a verification code instead.",
  expired: "The request on your phone expired. Use a verification code instead.",
  sms: "We texted a verification code to your phone.",
  smsFailed: "We couldn't text you a code. Ask us to call you, or use the code in the Authy app.",
  unreachable: "We couldn't check on the request. Use a verification code instead.",
  timedOut: "Your verification step timed out. Please log in again.",
  usedElsewhere: "This login was already finished in another window. Please log in again.",
  locked: "Too many wrong codes.",
};

function buildView() {
  const heading = el("h1", { id: "phone-heading", tabindex: "-1" }, HEADINGS.push);

  const requestCode = el("p", { class: "request-code", id: "request-code" });
  const pushExpiry = el("span", { class: "countdown", id: "push-countdown" });
  const useCode = el("button", { type: "button", class: "secondary" }, "Use a code instead");
  const push = el(
    "div",
    { class: "panel", id: "push-panel" },
    el(
      "p",
      {},
      "We sent a request to the Authy app on your phone. Check that it shows this code, " +
        "then tap Approve.",
    ),
    requestCode,
    el(
      "p",
      { class: "waiting" },
      el("span", { class: "spinner", "aria-hidden": "true" }),
      el("span", {}, "Waiting for your approval. Expires in ", pushExpiry, "."),
    ),
    useCode,
  );

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
  const codeExpiry = el("span", { class: "countdown", id: "code-countdown" });
  const form = el(
    "form",
    { class: "panel", id: "code-panel", method: "post", novalidate: true, hidden: true },
    el("div", { class: "field" },
      el("label", { for: "verification-code" }, "Verification code"),
      input,
      el(
        "p",
        { class: "hint", id: "verification-code-hint" },
        "6 to 10 digits. The code shown in the Authy app works too.",
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
    el("p", { class: "hint" }, "This step expires in ", codeExpiry, "."),
  );

  const loginAgain = el("a", { class: "button primary", href: "login.html" }, "Log in again");
  const locked = el(
    "div",
    { class: "panel", id: "locked-panel", hidden: true },
    el("p", {}, "For your safety this login can't go on. Log in again to get a new request."),
    loginAgain,
  );

  const startOver = el("button", { type: "button", class: "link-button" }, "Start over");
  const footer = el("p", { class: "step-footer" }, "Not you, or want to stop? ", startOver);

  const root = el("div", { class: "phone-step" }, heading, push, form, locked, footer);
  return {
    root, heading, push, requestCode, pushExpiry, useCode, form, input, verify, sms, call,
    cooldown, codeExpiry, locked, loginAgain, footer, startOver,
  };
}

function attemptsText(left) {
  if (left === null || left === undefined) return "Please try again.";
  return left === 1 ? "1 attempt left." : `${left} attempts left.`;
}

/**
 * Show the step in `container` for a stored challenge ({token, method, requestCode,
 * expiresAt}). On a session it stores it and opens the account page; when the challenge
 * can no longer be used it calls onRestart(message). Returns a function that stops it.
 */
export function startPhoneStep(container, challenge, { onRestart }) {
  const view = buildView();
  const token = challenge.token;
  let state = "push";
  let stopped = false;
  let pollTimer = null;
  let polling = false; // a GET /login/status of poll() is on its way
  let pollAgain = false; // ...and the push has news, so ask again as soon as it answers
  let socket = null; // the push's WebSocket, while it watches and is healthy
  let failures = 0;
  let cooldown = null;

  container.replaceChildren(view.root);
  container.hidden = false;

  const expiry = startCountdown(challenge.expiresAt, {
    onTick(left) {
      view.pushExpiry.textContent = formatDuration(left);
      view.codeExpiry.textContent = formatDuration(left);
    },
    onDone: () => restart(REASONS.timedOut),
  });

  function stop() {
    stopped = true;
    clearTimeout(pollTimer);
    closeSocket();
    expiry.stop();
    cooldown?.stop();
  }

  function restart(message) {
    if (stopped) return;
    stop();
    clearChallenge();
    onRestart(message);
  }

  function finish(session) {
    stop();
    saveSession(session);
    clearChallenge();
    state = "done";
    notify("You're verified. Opening your account…", "success");
    location.assign("account.html");
  }

  // --- the push ---------------------------------------------------------------------

  /** Hear how the push ends over the WebSocket when there is one; poll when there isn't. */
  async function watchPush() {
    const { wsUrl } = await loadConfig();
    if (stopped) return;
    socket = watchChallenge(wsUrl, token, { onStatus: socketStatus, onLost: socketLost });
    if (socket) schedulePoll(SAFETY_POLL_MS);
    else poll();
  }

  function socketStatus(status) {
    if (stopped || status === "pending") return; // "pending": the server has our watch
    closeSocket(); // the push is over, one way or another
    if (status === "approved") return poll(); // the session is only handed out there
    if (status === "locked") return showLocked();
    showCode(REASONS[status]);
  }

  function socketLost() {
    socket = null;
    if (!stopped) poll(); // back to asking every second, from now
  }

  function closeSocket() {
    socket?.close();
    socket = null;
  }

  function schedulePoll(delay) {
    clearTimeout(pollTimer);
    if (!stopped) pollTimer = setTimeout(poll, delay);
  }

  async function poll() {
    clearTimeout(pollTimer);
    if (stopped) return;
    if (polling) {
      pollAgain = true;
      return;
    }
    polling = true;
    pollAgain = false;
    let status;
    try {
      status = await request("/login/status", { token });
    } catch (err) {
      polling = false;
      if (!stopped) pollFailed(err);
      return;
    }
    polling = false;
    if (stopped) return;
    if (failures > 0) {
      failures = 0;
      notify("");
    }
    applyStatus(status);
  }

  function pollFailed(err) {
    if (err.challengeGone) return restart(err.message);
    if (err.code === "challenge_locked") return showLocked();
    if (!err.transient) return showCode(REASONS.unreachable, null, { kind: "error" });
    failures += 1;
    const delay = err.retryAfter
      ? err.retryAfter * 1000
      : Math.min(POLL_MS * 2 ** failures, MAX_BACKOFF_MS);
    notify(`${err.message} Trying again in ${Math.round(delay / 1000)} s.`, "error");
    schedulePoll(delay);
  }

  function applyStatus(status) {
    if (Number.isFinite(status.expires_in)) {
      const expiresAt = Date.now() + status.expires_in * 1000;
      expiry.setDeadline(expiresAt);
      updateChallengeExpiry(expiresAt);
    }
    switch (status.status) {
      case "pending":
        if (status.method === "sms") return showCode(state === "push" ? REASONS.sms : "", status);
        return schedulePoll(pollAgain ? 0 : socket ? SAFETY_POLL_MS : POLL_MS);
      case "approved":
        if (status.session?.token) return finish(status.session);
        return restart(REASONS.usedElsewhere);
      case "denied":
        return showCode(REASONS.denied, status);
      case "expired":
        return showCode(REASONS.expired, status);
      case "locked":
        return showLocked();
      default:
        return pollFailed({ transient: true, message: "We got an unexpected answer." });
    }
  }

  // --- the code form ----------------------------------------------------------------

  function setState(next) {
    state = next;
    view.heading.textContent = HEADINGS[next];
    view.push.hidden = next !== "push";
    view.form.hidden = next !== "code";
    view.locked.hidden = next !== "locked";
    view.footer.hidden = next === "locked";
  }

  /** Show the code form with why; `status` (from /login/status) sets the resend wait. */
  function showCode(reason, status = null, { kind = "warning", keepWatching = false } = {}) {
    const entering = state !== "code";
    // "Use a code instead" keeps watching the push, so approving on the phone still works.
    if (!keepWatching) {
      clearTimeout(pollTimer);
      closeSocket();
    }
    if (entering) {
      setState("code");
      view.input.focus();
    }
    if (reason) notify(reason, kind);
    if (status && Number.isFinite(status.resend_in)) applySendLimits(status);
    else if (entering) refreshCodeInfo();
  }

  async function refreshCodeInfo() {
    try {
      const status = await request("/login/status", { token });
      if (stopped) return;
      if (status.status === "locked") return showLocked();
      if (status.status === "approved" && status.session?.token) return finish(status.session);
      applySendLimits(status);
    } catch (err) {
      if (err.challengeGone) restart(err.message);
      // Otherwise the buttons stay usable; a send will tell us if it is too soon.
    }
  }

  function applySendLimits({ resend_in: resendIn, sends_left: sendsLeft }) {
    if (sendsLeft === 0) noMoreSends();
    else if (Number.isFinite(resendIn)) startCooldown(resendIn);
  }

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

  async function sendCode(via, button) {
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
    applySendLimits({ resend_in: answer.resend_in ?? 0, sends_left: answer.sends_left });
  }

  async function sendFailed(err) {
    if (stopped) return;
    if (err.challengeGone) return restart(err.message);
    if (err.code === "challenge_locked") return showLocked();
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

  function noMoreSends() {
    cooldown?.stop();
    cooldown = null;
    setResendEnabled(false);
    view.cooldown.textContent =
      "That's all the codes we can send for this login. The Authy app's code still works.";
  }

  async function verifyCode(event) {
    event.preventDefault();
    if (view.verify.disabled) return;
    clearFieldErrors(view.form);
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
    if (answer.session?.token) return finish(answer.session);
    setBusy(view.verify, false);
    notify("The server sent an answer we couldn't read. Please try again.", "error");
  }

  function verifyFailed(err) {
    if (stopped) return;
    if (err.challengeGone) return restart(err.message);
    if (err.code === "challenge_locked" || err.attemptsLeft === 0) return showLocked();
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

  function showLocked() {
    stop();
    clearChallenge();
    setState("locked");
    notify(REASONS.locked, "error");
    view.loginAgain.focus();
  }

  // --- wiring -----------------------------------------------------------------------

  view.useCode.addEventListener("click", () =>
    showCode("Enter the code from the Authy app, or ask us to text or call you.", null, {
      kind: "info",
      keepWatching: true,
    }),
  );
  view.sms.addEventListener("click", () => sendCode("sms", view.sms));
  view.call.addEventListener("click", () => sendCode("call", view.call));
  view.form.addEventListener("submit", verifyCode);
  view.startOver.addEventListener("click", () => restart(""));

  if (challenge.requestCode) {
    view.requestCode.textContent = challenge.requestCode;
  } else {
    view.requestCode.hidden = true;
  }

  if (challenge.method === "sms") {
    showCode(challenge.codeSent ? REASONS.sms : REASONS.smsFailed);
  } else {
    view.heading.focus();
    watchPush();
  }
  return stop;
}
