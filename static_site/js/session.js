// Tokens live only in sessionStorage: gone when the tab closes, never in a URL. The one
// exception is a remembered browser's token, in localStorage: remembering is its point.

const CHALLENGE = "twofold.challenge";
const SESSION = "twofold.session";
const FLASH = "twofold.flash";
const BROWSER = "twofold.browser";
const ACCOUNT = "twofold.account"; // the account page that came with a session, shown once

function read(key) {
  try {
    const raw = sessionStorage.getItem(key);
    return raw === null ? null : JSON.parse(raw);
  } catch {
    return null;
  }
}

function write(key, value) {
  sessionStorage.setItem(key, JSON.stringify(value));
}

/** Keep a challenge from POST /signup or POST /login ("signup" | "login"), deadline local. */
export function saveChallenge(challenge, purpose) {
  const stored = challengeView(challenge, purpose);
  write(CHALLENGE, stored);
  return stored;
}

/** What the phone step needs of a challenge from the API, with its deadlines made local. */
export function challengeView(challenge, purpose) {
  return {
    purpose,
    token: challenge.token,
    method: challenge.method,
    requestCode: challenge.request_code ?? null,
    codeSent: challenge.code_sent !== false,
    fallbackReason: challenge.fallback_reason ?? null,
    unsentReason: challenge.unsent_reason ?? null,
    passkey: challenge.passkey === true, // the account has one: it is offered first
    // A push's session, named in advance: its approval opens it, and the socket that says
    // so carries no token.
    sessionToken: typeof challenge.session_token === "string" ? challenge.session_token : null,
    expiresAt: Date.now() + Number(challenge.expires_in) * 1000,
    // How often to ask about a pending push while a socket watches it: 10 s, or 2 s
    // when the server has seen push callbacks go missing.
    pollMs: Number.isFinite(challenge.poll_ms) ? challenge.poll_ms : null,
    pushExpiresAt: Number.isFinite(challenge.push_expires_in)
      ? Date.now() + challenge.push_expires_in * 1000
      : null,
  };
}

/** The stored challenge for `purpose`, or null when there is none or its life has run out. */
export function loadChallenge(purpose) {
  const stored = read(CHALLENGE);
  if (!stored || typeof stored.token !== "string" || !(stored.expiresAt > Date.now())) {
    sessionStorage.removeItem(CHALLENGE);
    return null;
  }
  return stored.purpose === purpose ? stored : null;
}

export function updateChallengeExpiry(expiresAt) {
  const stored = read(CHALLENGE);
  if (stored) write(CHALLENGE, { ...stored, expiresAt });
}

export function clearChallenge() {
  sessionStorage.removeItem(CHALLENGE);
}

/** Keep a session; `account` is the account page that came with it (every answer that
 * hands out a login's session brings one), for account.html to show without asking again. */
export function saveSession(session, account = null) {
  write(SESSION, {
    token: session.token,
    expiresAt: Date.now() + Number(session.expires_in ?? 0) * 1000,
  });
  if (account && typeof account === "object") write(ACCOUNT, account);
  else sessionStorage.removeItem(ACCOUNT);
}

/** The account page kept with the session, once; null when there is none. */
export function takeAccount() {
  const account = read(ACCOUNT);
  sessionStorage.removeItem(ACCOUNT);
  return account && typeof account === "object" && !Array.isArray(account) ? account : null;
}

/** The session token, or null when there is none (the API decides whether it is still good). */
export function sessionToken() {
  const stored = read(SESSION);
  return stored && typeof stored.token === "string" ? stored.token : null;
}

/** Forget every token this tab holds. */
export function clearTokens() {
  sessionStorage.removeItem(CHALLENGE);
  sessionStorage.removeItem(SESSION);
  sessionStorage.removeItem(ACCOUNT);
}

/** Leave a message for the next page this tab opens ("Please log in"). */
export function setFlash(text, kind = "info") {
  write(FLASH, { text, kind });
}

/** The message left by the previous page, once. */
export function takeFlash() {
  const flash = read(FLASH);
  sessionStorage.removeItem(FLASH);
  return flash && typeof flash.text === "string" ? flash : null;
}

/** The token of this browser, if the account remembers it (localStorage: it outlives tabs). */
export function browserToken() {
  try {
    const token = localStorage.getItem(BROWSER);
    return token && token.length <= 256 ? token : null;
  } catch {
    return null;
  }
}

export function keepBrowserToken(token) {
  localStorage.setItem(BROWSER, token);
}

export function dropBrowserToken() {
  localStorage.removeItem(BROWSER);
}
