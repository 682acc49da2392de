// Copy to config.js (not committed) and point apiBase at the API's origin; wsUrl names the
// WebSocket API that tells the login page how its push ended (null: the page polls).
// devstack's static server writes /config.js itself; a deploy step writes it for the cloud.
export const config = { apiBase: "http://127.0.0.1:8000", wsUrl: null };
