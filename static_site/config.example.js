// /config.js is written by the deploy and by devstack's site server; it is never committed.
// wsUrl names the WebSocket API that tells the login page how its push ended (null, or no
// config.js at all: the page polls). The API is on the site's own origin at /api; only a
// site hosted elsewhere adds apiBase: "https://<api>/api" (and sets CORS_ORIGIN on the API).
export const config = { wsUrl: null };
