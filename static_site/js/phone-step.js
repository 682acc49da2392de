// The second step shared by sign up, log in and a step-up on the account page: the
// passkey panel (passkey-step.js), the push panel (push-wait.js), the code form
// (code-form.js), the recovery code form (recovery-form.js) and the locked panel; this
// module only decides which one shows and where the person goes next. It owns its markup
// so every page shows the same thing.

import { openAccountPage } from "./account-open.js";
import { request } from "./api.js";
import { codeForm } from "./code-form.js";
import { formatDuration, startCountdown } from "./countdown.js";
import { passkeyPanel } from "./passkey-step.js";
import { pushPanel, waitForPush } from "./push-wait.js";
import { recoveryForm } from "./recovery-form.js";
import { clearChallenge, keepBrowserToken, saveSession, updateChallengeExpiry } from "./session.js";
import { codeIntro, HEADINGS, REASONS } from "./step-words.js";
import { el, notify } from "./ui.js";

function lockedPanel() {
  const loginAgain = el("a", { class: "button primary", href: "login.html" }, "Log in again");
  const root = el(
    "div",
    { class: "panel", id: "locked-panel", hidden: true },
    el("p", {}, "For your safety this login can't go on. Log in again to get a new request."),
    loginAgain,
  );
  return { root, loginAgain };
}

function rememberBox() {
  const box = el("input", { type: "checkbox", id: "remember-browser" });
  const root = el(
    "p",
    { class: "remember" },
    box,
    " ",
    el("label", { for: "remember-browser" }, "Remember this browser for 30 days"),
  );
  return { root, box };
}

/** After a login's second step: remember this browser, if asked (a failure only says so). */
async function remember(session) {
  try {
    const answer = await request("/account/browsers", { method: "POST", token: session.token });
    keepBrowserToken(answer.token);
  } catch {
    // The login stands; the next one asks for the second step again.
  }
}

/**
 * Show the step in `container` for a challenge ({token, method, requestCode, expiresAt,
 * pushExpiresAt, …}). A login or signup stores the session and opens the account page;
 * a step-up calls onDone(answer) instead. When the challenge can no longer be used it
 * calls onRestart(message). Returns a function that stops it.
 */
export function startPhoneStep(container, challenge, { onRestart, onDone = null }) {
  const token = challenge.token;
  const heading = el("h1", { id: "phone-heading", tabindex: "-1" }, HEADINGS.push);
  const push = pushPanel(challenge.requestCode);
  const code = codeForm({ token, onFinished: finish, onEnd: ended });
  const recovery = recoveryForm({ token, onFinished: finish, onEnd: ended });
  const passkey = challenge.passkey
    ? passkeyPanel({ token, onFinished: finish, onEnd: ended, onOtherWay: () => showOtherWay() })
    : null;
  const locked = lockedPanel();
  const remembering = onDone ? null : rememberBox();
  const useRecovery = el("button", { type: "button", class: "link-button" }, "Use a recovery code");
  const usePasskey = el("button", { type: "button", class: "link-button" }, "Use your passkey");
  const startOver = el("button", { type: "button", class: "link-button" }, "Start over");
  const footer = el(
    "div",
    { class: "step-footer" },
    remembering?.root,
    passkey ? el("p", {}, "Have your passkey? ", usePasskey) : null,
    el("p", {}, "Lost your phone? ", useRecovery),
    el("p", {}, "Not you, or want to stop? ", startOver),
  );
  container.replaceChildren(
    el(
      "div",
      { class: "phone-step" },
      heading,
      passkey?.root,
      push.root,
      code.root,
      recovery.root,
      locked.root,
      footer,
    ),
  );
  container.hidden = false;

  let state = null;
  let stopped = false;
  let waiting = null; // the push being waited on, while it is

  const expiry = startCountdown(challenge.expiresAt, {
    onTick(left) {
      code.expiry.textContent = formatDuration(left);
    },
    onDone: () => restart(REASONS.timedOut),
  });

  function setState(next) {
    state = next;
    heading.textContent = HEADINGS[next];
    if (passkey) passkey.root.hidden = next !== "passkey";
    push.root.hidden = next !== "push";
    code.root.hidden = next !== "code" && next !== "app";
    recovery.root.hidden = next !== "recovery";
    locked.root.hidden = next !== "locked";
    footer.hidden = next === "locked";
    useRecovery.parentElement.hidden = next === "recovery";
    if (passkey) usePasskey.parentElement.hidden = next === "passkey";
  }

  function stop() {
    stopped = true;
    waiting?.stop();
    waiting = null;
    expiry.stop();
    code.stop();
  }

  function restart(message) {
    if (stopped) return;
    stop();
    clearChallenge();
    onRestart(message);
  }

  async function finish(answer) {
    if (stopped) return;
    stop();
    clearChallenge();
    if (onDone) return onDone(answer);
    if (!answer.session?.token) return restart(REASONS.usedElsewhere);
    const remembers = remembering?.box.checked === true;
    // The account page that came with the session is shown at once, unless remembering
    // this browser is about to change it.
    saveSession(answer.session, remembers ? null : answer.account);
    notify("You're verified. Opening your account…", "success");
    if (remembers) await remember(answer.session);
    await openAccountPage();
  }

  function showLocked(message = REASONS.locked) {
    stop();
    clearChallenge();
    setState("locked");
    notify(message, "error");
    locked.loginAgain.focus();
  }

  /** The login can't go on: a form or the push says why. */
  function ended(err) {
    if (stopped) return;
    if (err.code === "superseded") return restart(REASONS.superseded);
    if (err.code === "account_locked") return showLocked(err.message);
    if (err.challengeGone) return restart(err.message);
    return showLocked();
  }

  /** Open the code form saying `reason`; `keepWatching` leaves the push's watch running. */
  function showCode(reason, status = null, { kind = "warning", keepWatching = false } = {}) {
    const entering = state !== "code" && state !== "app";
    if (!keepWatching) {
      waiting?.stop();
      waiting = null;
    }
    if (entering) {
      setState(challenge.method === "app" ? "app" : "code");
      code.focus();
    }
    if (reason) notify(reason, kind);
    if (status && Number.isFinite(status.resend_in)) code.applyLimits(status);
    else if (entering) code.refresh();
  }

  function showPasskey() {
    waiting?.stop();
    waiting = null;
    setState("passkey");
    notify("");
    passkey.focus();
  }

  /** From the passkey panel: the code form, where a code can be texted, called or typed. */
  function showOtherWay() {
    showCode(REASONS.useCode, null, { kind: "info" });
  }

  function showRecovery(reason, kind = "info") {
    setState("recovery");
    notify(reason, kind);
    recovery.focus();
  }

  function pushStatus(status) {
    if (Number.isFinite(status.expires_in)) {
      const expiresAt = Date.now() + status.expires_in * 1000;
      expiry.setDeadline(expiresAt);
      updateChallengeExpiry(expiresAt);
    }
    switch (status.status) {
      case "pending":
        return;
      case "approved":
        if (status.session?.token || status.step_up) return finish(status);
        return restart(REASONS.usedElsewhere);
      case "denied":
      case "expired":
        return showCode(REASONS[status.status], status);
      case "locked":
        return showLocked();
      case "superseded":
        return restart(REASONS.superseded);
      default:
        return showCode(REASONS.unreachable, null, { kind: "error" });
    }
  }

  function socketStatus(status, message) {
    if (status === "approved") {
      // What the approval opened came with it: the session (its token is the one the push
      // came with) or the step-up. Without it, the status poll hands it out, or says why not.
      if (message.step_up) return finish(message);
      if (message.session && challenge.sessionToken) {
        const session = { ...message.session, token: challenge.sessionToken };
        return finish({ ...message, session });
      }
      return waiting?.pollNow();
    }
    if (status === "locked") return showLocked();
    if (status === "superseded") return restart(REASONS.superseded);
    showCode(REASONS[status]);
  }

  function pushTrouble(err) {
    if (err.challengeGone || err.code === "account_locked" || err.code === "challenge_locked") {
      return ended(err);
    }
    showCode(REASONS.unreachable, null, { kind: "error" });
  }

  push.useCode.addEventListener("click", () =>
    showCode(REASONS.useCode, null, { kind: "info", keepWatching: true }),
  );
  useRecovery.addEventListener("click", () => showRecovery(REASONS.recovery));
  usePasskey.addEventListener("click", showPasskey);
  startOver.addEventListener("click", () => restart(""));

  if (challenge.method === "recovery") {
    showRecovery(REASONS.accountLocked, "error");
  } else if (passkey && challenge.method === "passkey") {
    showPasskey();
  } else if (challenge.method === "onetouch") {
    setState("push");
    heading.focus();
    waiting = waitForPush(push, {
      token,
      pushExpiresAt: challenge.pushExpiresAt ?? challenge.expiresAt,
      pollMs: challenge.pollMs,
      onStatus: pushStatus,
      onSocketStatus: socketStatus,
      onTrouble: pushTrouble,
    });
  } else {
    const intro = codeIntro(challenge);
    showCode(intro.text, null, { kind: intro.kind });
  }
  return stop;
}
