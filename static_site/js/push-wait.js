// Waiting for the push: the panel with the request code and the push's own countdown, and
// how the page hears the answer (the WebSocket, with a slow safety poll; polling when there
// is no socket). It decides nothing: it reports a status, a session, or trouble.

import { request } from "./api.js";
import { formatDuration, startCountdown } from "./countdown.js";
import { watchChallenge } from "./push-socket.js";
import { loadConfig } from "./settings.js";
import { el, notify } from "./ui.js";

const POLL_MS = 1000;
// While the WebSocket watches the push, one slow poll still runs: a poll is how the server
// notices an expired push, or asks the vendor about one whose callback never came. The
// server sets its pace (`poll_ms`): 10 s, or 2 s once it has seen callbacks go missing.
const SAFETY_POLL_MS = 10000;
const FASTEST_SAFETY_POLL_MS = 2000;
const SLOWEST_SAFETY_POLL_MS = 30000;
const MAX_BACKOFF_MS = 30000;

/** The push panel; `useCode` is the button that opens the code form instead. */
export function pushPanel(requestCode) {
  const code = el("p", { class: "request-code", id: "request-code" });
  if (requestCode) code.textContent = requestCode;
  else code.hidden = true;
  const expiry = el("span", { class: "countdown", id: "push-countdown" });
  const useCode = el("button", { type: "button", class: "secondary" }, "Use a code instead");
  const root = el(
    "div",
    { class: "panel", id: "push-panel" },
    el(
      "p",
      {},
      "We sent a request to the app on your phone. Check that it shows this code, " +
        "then tap Approve.",
    ),
    code,
    el(
      "p",
      { class: "waiting" },
      el("span", { class: "spinner", "aria-hidden": "true" }),
      el("span", {}, "Waiting for your approval. Expires in ", expiry, "."),
    ),
    useCode,
  );
  return { root, expiry, useCode };
}

/**
 * Follow the challenge `token` until its push ends. Calls onStatus(statusBody) for every
 * answer of GET /login/status (pending ones included, the session with an approval),
 * onSocketStatus(status, message) for what the socket says (an approval's message may
 * bring the session and the account), and onTrouble(error) when polling fails for good.
 * Returns {stop, pollNow}.
 */
export function waitForPush(
  panel,
  { token, pushExpiresAt, pollMs, onStatus, onSocketStatus, onTrouble },
) {
  let stopped = false;
  let safetyMs = safetyPace(pollMs);
  let timer = null;
  let polling = false; // a GET /login/status is on its way
  let again = false; // ...and there is news, so ask once more as soon as it answers
  let socket = null;
  let failures = 0;

  const countdown = startCountdown(pushExpiresAt, {
    onTick(left) {
      panel.expiry.textContent = formatDuration(left);
    },
    onDone: () => pollNow(), // the server says "expired" and the code form opens
  });

  function schedule(delay) {
    clearTimeout(timer);
    if (!stopped) timer = setTimeout(pollNow, delay);
  }

  async function pollNow() {
    clearTimeout(timer);
    if (stopped) return;
    if (polling) {
      again = true;
      return;
    }
    polling = true;
    again = false;
    let status;
    try {
      status = await request("/login/status", { token });
    } catch (err) {
      polling = false;
      if (!stopped) failed(err);
      return;
    }
    polling = false;
    if (stopped) return;
    if (failures > 0) {
      failures = 0;
      notify("");
    }
    if (status.status === "pending" && status.method === "onetouch") {
      safetyMs = safetyPace(status.poll_ms ?? safetyMs);
      schedule(again ? 0 : socket ? safetyMs : POLL_MS);
    }
    onStatus(status);
  }

  function failed(err) {
    if (!err.transient) return onTrouble(err);
    failures += 1;
    const delay = err.retryAfter
      ? err.retryAfter * 1000
      : Math.min(POLL_MS * 2 ** failures, MAX_BACKOFF_MS);
    notify(`${err.message} Trying again in ${Math.round(delay / 1000)} s.`, "error");
    schedule(delay);
  }

  function closeSocket() {
    socket?.close();
    socket = null;
  }

  function stop() {
    stopped = true;
    clearTimeout(timer);
    closeSocket();
    countdown.stop();
  }

  loadConfig()
    .catch(() => ({ wsUrl: null }))
    .then(({ wsUrl }) => {
      if (stopped) return;
      socket = watchChallenge(wsUrl, token, {
        onStatus(status, message) {
          if (stopped || status === "pending") return; // "pending": the server has our watch
          closeSocket(); // the push is over, one way or another
          onSocketStatus(status, message);
        },
        onLost() {
          socket = null;
          if (!stopped) pollNow(); // back to asking every second, from now
        },
      });
      if (socket) schedule(safetyMs);
      else pollNow();
    });

  return { stop, pollNow };
}

/** The server's pace for the safety poll, between one request every 2 s and every 30 s. */
function safetyPace(ms) {
  if (!Number.isFinite(ms)) return SAFETY_POLL_MS;
  return Math.min(Math.max(ms, FASTEST_SAFETY_POLL_MS), SLOWEST_SAFETY_POLL_MS);
}
