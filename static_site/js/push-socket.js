// The WebSocket that tells the phone step how its OneTouch push ended, so the page need
// not ask the API. The challenge token travels in the first message, never in the URL.
// An approval usually comes with what it opened (the session, without its token, which
// the page has had since the push was sent, and the account page). Anything unexpected
// ends the watch, and the page polls instead.

// No status from the server by then (a socket stuck opening, a watch never answered):
// polling is more use than waiting on.
const ANSWER_TIMEOUT_MS = 5000;
const STATUSES = new Set(["pending", "approved", "denied", "expired", "locked", "superseded"]);

/**
 * Watch the challenge `token` on the WebSocket at `url`: onStatus(status, message) for
 * each status the server sends ("pending", then "approved" | "denied" | "expired" |
 * "locked" | "superseded"; `message` is the whole of what came), and
 * onLost(reason) once if the socket fails before close() is called (it could not open,
 * broke, closed, sent an error or something unreadable, or said nothing in time).
 * Returns {close}, or null when there is no socket to open.
 */
export function watchChallenge(url, token, { onStatus, onLost }) {
  if (typeof url !== "string" || !url || typeof WebSocket !== "function") return null;
  let socket;
  try {
    socket = new WebSocket(url);
  } catch {
    return null; // not a ws: or wss: URL
  }
  let over = false;
  const timer = setTimeout(() => lose("no_answer"), ANSWER_TIMEOUT_MS);

  function close() {
    if (over) return;
    over = true;
    clearTimeout(timer);
    socket.onopen = socket.onmessage = socket.onerror = socket.onclose = null;
    if (socket.readyState === WebSocket.CONNECTING || socket.readyState === WebSocket.OPEN) {
      socket.close(1000);
    }
  }

  function lose(reason) {
    if (over) return;
    close();
    onLost(reason);
  }

  socket.onopen = () => socket.send(JSON.stringify({ action: "watch", token }));
  socket.onmessage = (event) => {
    let message = null;
    try {
      message = JSON.parse(event.data);
    } catch {
      // unreadable: handled below like any other message we can't use
    }
    if (message && typeof message === "object" && "error" in message) {
      return lose(String(message.error));
    }
    if (!STATUSES.has(message?.status)) return lose("unreadable");
    clearTimeout(timer);
    onStatus(message.status, message);
  };
  socket.onerror = () => lose("error");
  socket.onclose = () => lose("closed");
  return { close };
}
