// Every call to the API goes through request(): JSON in and out, a bearer token in the
// Authorization header (never in a URL), and one ApiError for every way a call can fail.

import { loadConfig } from "./settings.js";

const NETWORK_MESSAGE = "We couldn't reach the server. Check your connection and try again.";
const GARBLED_MESSAGE = "The server sent an answer we couldn't read. Please try again.";

// Our own words for the errors people meet; anything else falls back to the API's message.
const MESSAGES = {
  invalid_credentials: "That email and password don't match an account.",
  email_taken: "An account with this email already exists.",
  invalid_input: "Please check the fields marked below.",
  invalid_code: "That code isn't right.",
  resend_too_soon: "Please wait a moment before asking for another code.",
  too_many_sends: "We can't send more codes for this login. Use the code in the Authy app.",
  challenge_locked: "Too many wrong codes. For your safety this login is now locked.",
  challenge_expired: "Your verification step timed out. Please log in again.",
  challenge_used: "That verification step is already finished. Please log in again.",
  challenge_invalid: "That verification step isn't valid any more. Please log in again.",
  challenge_superseded:
    "A newer login for this account started, so this one was stopped. " +
    "If it wasn't you, change your password.",
  send_limit:
    "We can't send more codes to this phone for now. Use the code in the Authy app, " +
    "or try again later.",
  account_locked:
    "This account is locked after too many wrong codes. Contact support to unlock it.",
  session_invalid: "Your session has ended. Please log in again.",
  email_unavailable: "We couldn't send the email just now. Please try again in a moment.",
  passkey_refused: "That passkey didn't work here. Try another way to log in.",
  ceremony_expired: "The passkey request took too long. Please try again.",
  ceremony_invalid: "The passkey request is no longer valid. Please try again.",
  too_many_passkeys: "Your account already has ten passkeys. Remove one first.",
  passkey_taken: "This passkey is already added to your account.",
  last_factor: "This is the last way you can prove it's you. Add another one first.",
  security_changed: "Your security settings changed meanwhile. Please try again.",
};

const STATUS_MESSAGES = {
  413: "That's more than we can accept. Please shorten what you typed.",
  429: "Too many tries. Please wait a little and try again.",
  503: "The service is busy or unavailable. Please try again in a moment.",
};

export class ApiError extends Error {
  constructor({ status, code, message, fields = {}, retryAfter = null, attemptsLeft = null }) {
    super(message);
    this.name = "ApiError";
    this.status = status; // 0 when the server was never reached
    this.code = code;
    this.fields = fields;
    this.retryAfter = retryAfter; // seconds, when the API said how long to wait
    this.attemptsLeft = attemptsLeft;
  }

  /** True when waiting and trying again may help (network trouble, 5xx, 429). */
  get transient() {
    return this.status === 0 || this.status === 429 || this.status >= 500;
  }

  /** True for a challenge that is unknown, spent or past its life: start again from log in. */
  get challengeGone() {
    return this.status === 401 && String(this.code).startsWith("challenge_");
  }
}

async function readJson(response) {
  const text = await response.text().catch(() => "");
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function seconds(value) {
  const number = Number.parseInt(value, 10);
  return Number.isFinite(number) && number >= 0 ? number : null;
}

function errorFrom(response, data) {
  const error = data && typeof data.error === "object" && data.error ? data.error : {};
  const code = typeof error.code === "string" ? error.code : `http_${response.status}`;
  const serverMessage = typeof error.message === "string" ? error.message : null;
  return new ApiError({
    status: response.status,
    code,
    message:
      MESSAGES[code] ??
      serverMessage ??
      STATUS_MESSAGES[response.status] ??
      "Something went wrong. Please try again.",
    fields: error.fields && typeof error.fields === "object" ? error.fields : {},
    // Retry-After is only readable cross-origin when the API exposes it (CORS); the body is
    // the fallback.
    retryAfter:
      seconds(response.headers.get("Retry-After")) ??
      seconds(error.retry_after) ??
      seconds(error.resend_in),
    attemptsLeft: seconds(error.attempts_left) ?? seconds(data?.attempts_left),
  });
}

/**
 * Call the API and resolve to its JSON answer (null for 204). Rejects with ApiError.
 * options: {method = "GET", body, token}
 */
export async function request(path, { method = "GET", body, token } = {}) {
  const { apiBase } = await loadConfig();
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (token) headers.Authorization = `Bearer ${token}`;

  let response;
  try {
    response = await fetch(apiBase + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "omit",
      // No `cache: "no-store"` here: the API already answers Cache-Control: no-store (and
      // for a site hosted elsewhere it would make Chromium skip its preflight cache).
      referrerPolicy: "no-referrer",
    });
  } catch {
    throw new ApiError({ status: 0, code: "network_error", message: NETWORK_MESSAGE });
  }

  const data = await readJson(response);
  if (!response.ok) throw errorFrom(response, data);
  if (response.status === 204) return null;
  if (data === undefined || data === null || typeof data !== "object") {
    throw new ApiError({ status: response.status, code: "bad_response", message: GARBLED_MESSAGE });
  }
  return data;
}
