import { ApiError, request } from "./api.js";
import { startPasskeysSection } from "./passkeys-section.js";
import { startSecurity } from "./security.js";
import { clearTokens, sessionToken, setFlash, takeAccount } from "./session.js";
import { el, notify, setBusy, startPage } from "./ui.js";

const details = document.getElementById("account-details");
const loading = document.getElementById("account-loading");
const retry = document.getElementById("retry");
const logout = document.getElementById("logout");
const activity = {
  section: document.getElementById("activity"),
  loading: document.getElementById("activity-loading"),
  list: document.getElementById("activity-list"),
  empty: document.getElementById("activity-empty"),
  failed: document.getElementById("activity-failed"),
  retry: document.getElementById("activity-retry"),
};

const METHODS = {
  onetouch: "approved in the Authy app",
  code: "with a verification code",
  recovery_code: "with a recovery code",
  remembered_browser: "from a remembered browser",
  passkey: "with a passkey",
  sms: "with a texted code",
  call: "with a code by phone call",
};

// How each audit event reads; `methods` say more where the event's method tells how.
// `alert` marks what the owner should look at twice if it wasn't them.
const EVENTS = {
  signup: { label: "Account created" },
  login_succeeded: {
    label: "Logged in",
    methods: {
      onetouch: "Logged in, approved in the Authy app",
      code: "Logged in with a verification code",
      passkey: "Logged in with a passkey",
    },
  },
  login_failed: { label: "Login failed: wrong password", alert: true },
  push_sent: { label: "Login request sent to the Authy app" },
  push_approved: { label: "Login request approved on your phone" },
  push_denied: { label: "Login request denied on your phone", alert: true },
  push_expired: { label: "Login request expired unanswered" },
  code_sent: {
    label: "Verification code sent",
    methods: {
      sms: "Verification code texted to your phone",
      call: "Verification code sent by phone call",
    },
  },
  code_failed: { label: "Wrong verification code entered", alert: true },
  challenge_locked: { label: "Login locked after too many wrong codes", alert: true },
  account_locked: { label: "Account locked after too many wrong codes", alert: true },
  logout: { label: "Logged out" },
  account_unlocked: { label: "Account unlocked" },
  recovery_codes_created: { label: "New recovery codes made", alert: true },
  recovery_code_used: { label: "A recovery code was used", alert: true },
  step_up_succeeded: {
    label: "Proved it's you for a security change",
    methods: { passkey: "Proved it's you with a passkey for a security change" },
  },
  browser_remembered: { label: "A browser was remembered for 30 days", alert: true },
  browser_forgotten: { label: "A remembered browser was forgotten" },
  password_changed: { label: "Password changed", alert: true },
  password_change_failed: { label: "Password change refused: wrong current password", alert: true },
  authenticator_added: { label: "Authenticator app added", alert: true },
  authenticator_removed: { label: "Authenticator app removed", alert: true },
  email_link_sent: {
    label: "Link to confirm your email sent",
    methods: {
      signup: "Link to confirm your email sent at signup",
      resend: "Link to confirm your email sent again",
    },
  },
  email_proven: { label: "Email address confirmed" },
  address_released: {
    label: "Email address released",
    alert: true,
    methods: {
      link: "Email address released from the link in its email",
      expired: "Email address released: no one confirmed it within 24 hours",
    },
  },
  password_reset_requested: {
    label: "Password reset asked for",
    alert: true,
    methods: {
      email: "Password reset link emailed",
      unproven: "Password reset asked for: no link, the email is unconfirmed",
      limit: "Password reset asked for: no link, too many today",
    },
  },
  password_reset: { label: "Password reset with a link from your email", alert: true },
  passkey_added: { label: "Passkey added", alert: true },
  passkey_removed: { label: "Passkey removed", alert: true },
  passkey_refused: { label: "A passkey login was refused", alert: true },
};

const GARBLED = "The server sent an answer we couldn't read. Please try again.";

function toLogIn(message, kind = "info") {
  clearTokens();
  setFlash(message, kind);
  location.replace("login.html");
}

/** A <time> for an ISO timestamp, in the reader's own locale and time zone. */
function timeElement(iso, options) {
  const when = new Date(iso);
  if (!iso || Number.isNaN(when.getTime())) return document.createTextNode("Unknown");
  return el("time", { datetime: when.toISOString() }, new Intl.DateTimeFormat(undefined, options).format(when));
}

/** What went wrong, in words for the page: an ApiError's own, or "couldn't read" otherwise. */
function failed(err) {
  if (err instanceof ApiError) return err;
  return new ApiError({ status: 200, code: "bad_response", message: GARBLED });
}

// --- the account ----------------------------------------------------------------------

function show(account) {
  document.getElementById("account-heading").textContent = `Hello, ${account.name}`;
  document.getElementById("account-name").textContent = account.name;
  document.getElementById("account-email").textContent = account.email;
  document.getElementById("account-phone").textContent = account.phone;
  document
    .getElementById("account-member-since")
    .replaceChildren(timeElement(account.member_since, { dateStyle: "long" }));
  const last = account.last_login ?? {};
  const lastLogin = document.getElementById("account-last-login");
  if (last.at) {
    const method = METHODS[last.method] ?? (last.method ? `by ${last.method}` : "");
    lastLogin.replaceChildren(
      timeElement(last.at, { dateStyle: "medium", timeStyle: "short" }),
      method ? `, ${method}` : "",
    );
  } else {
    lastLogin.textContent = "This is your first login.";
  }
  showEmailProof(account);
  loading.hidden = true;
  details.hidden = false;
  logout.hidden = false;
  activity.section.hidden = false; // the activity reads as part of the account
}

// --- an unconfirmed email -------------------------------------------------------------

function showEmailProof(account) {
  const unproven = account.email_proven === false;
  document.getElementById("email-unproven").hidden = !unproven;
  document.getElementById("email-proof").hidden = !unproven;
  if (!unproven) return;
  const until = account.email_unproven_until;
  const release = until
    ? el(
        "span",
        {},
        " If no one opens it by ",
        timeElement(until, { dateStyle: "medium", timeStyle: "short" }),
        ", the address is released and this account deleted.",
      )
    : "";
  document
    .getElementById("email-proof-text")
    .replaceChildren(
      `We emailed ${account.email} a link to confirm it. Until you open it, we can't send a link there if you forget your password.`,
      release,
    );
}

async function resendLink(token, button) {
  setBusy(button, true, "Sending…");
  try {
    await request("/account/email/resend", { method: "POST", token });
  } catch (err) {
    setBusy(button, false);
    if (err.status === 401) return toLogIn("Your session has ended. Please log in again.");
    if (err.code === "email_already_proven") {
      document.getElementById("email-proof").hidden = true;
      document.getElementById("email-unproven").hidden = true;
      return notify("Your email is already confirmed.", "success");
    }
    const wait = err.status === 429 && err.retryAfter ? ` Try again in ${Math.ceil(err.retryAfter / 60)} min.` : "";
    return notify(err.message + wait, "error");
  }
  setBusy(button, false);
  notify("We sent a new link. Open it from your inbox to confirm your email.", "success");
}

async function load(token, security, kept = null) {
  retry.hidden = true;
  loading.hidden = false;
  activity.failed.hidden = true;
  activity.retry.hidden = true;
  let answer;
  try {
    answer = kept ?? (await request("/account", { token }));
    show(answer);
  } catch (err) {
    if (err.status === 401) return toLogIn("Your session has ended. Please log in again.");
    loading.hidden = true;
    notify(failed(err).message, "error");
    retry.hidden = false;
    retry.focus();
    return;
  }
  // One answer holds the account, its security and its recent activity: one round trip.
  security.render(answer.security);
  try {
    showActivity(answer);
  } catch (err) {
    activityFailed(err);
  }
}

// --- recent activity ------------------------------------------------------------------

/** "Nov 27, 9:23 PM" (with the year when it is not this one). */
function eventTime(iso) {
  const options = { month: "short", day: "numeric", hour: "numeric", minute: "2-digit" };
  if (new Date(iso).getFullYear() !== new Date().getFullYear()) options.year = "numeric";
  return timeElement(iso, options);
}

function describeEvent({ event, method }) {
  const known = EVENTS[event];
  if (known) return { label: known.methods?.[method] ?? known.label, alert: known.alert === true };
  // An event newer than this page: its name, made readable, beats hiding it.
  const words = typeof event === "string" ? event.replace(/_/g, " ").trim() : "";
  return { label: words ? words[0].toUpperCase() + words.slice(1) : "Account event", alert: false };
}

function eventItem(event) {
  const { label, alert } = describeEvent(event);
  const ip = event.ip === "unknown" ? null : event.ip;
  const where = [event.browser, ip].filter((part) => typeof part === "string" && part).join(", ");
  return el(
    "li",
    { class: alert ? "activity-item activity-alert" : "activity-item" },
    el("span", { class: "activity-what" }, label),
    el("span", { class: "activity-where" }, where ? `${where} — ` : "", eventTime(event.at)),
  );
}

function showActivity(answer) {
  const events = Array.isArray(answer.events) ? answer.events : null;
  if (!events || !events.every((event) => event && typeof event === "object")) {
    throw new ApiError({ status: 200, code: "bad_response", message: GARBLED });
  }
  activity.list.replaceChildren(...events.map(eventItem));
  activity.loading.hidden = true;
  activity.list.hidden = events.length === 0;
  activity.empty.hidden = events.length !== 0;
}

async function loadActivity(token) {
  activity.retry.hidden = true;
  activity.failed.hidden = true;
  activity.loading.hidden = false;
  try {
    showActivity(await request("/account/activity", { token }));
  } catch (err) {
    if (err.status === 401) return toLogIn("Your session has ended. Please log in again.");
    activityFailed(err);
  }
}

function activityFailed(err) {
  activity.loading.hidden = true;
  activity.failed.hidden = false;
  notify(failed(err).message, "error");
  activity.retry.hidden = false;
  if (!activity.section.hidden) activity.retry.focus();
}

// --- logging out ----------------------------------------------------------------------

async function logOut(token) {
  setBusy(logout, true, "Logging out…");
  let message = "You've logged out.";
  try {
    await request("/logout", { method: "POST", token });
  } catch (err) {
    // 401: the session had already ended, which is what we wanted. Otherwise the server
    // may still hold it until it times out; this tab forgets it either way.
    if (err.status !== 401) message = "You've logged out on this device.";
  }
  toLogIn(message, "success");
}

function again(loader, token) {
  return () => {
    notify("");
    loader(token);
  };
}

startPage(async () => {
  const token = sessionToken();
  if (!token) return toLogIn("Please log in to see your account.");
  const security = startSecurity(token, {
    onSessionEnded: () => toLogIn("Your session has ended. Please log in again."),
  });
  startPasskeysSection(token, security);
  // A change in the security section is in the activity now: show it there too.
  document.getElementById("security").addEventListener("security-changed", () => loadActivity(token));
  retry.addEventListener("click", again((t) => load(t, security), token));
  activity.retry.addEventListener("click", again(loadActivity, token));
  logout.addEventListener("click", () => logOut(token));
  const resend = document.getElementById("email-resend");
  resend.addEventListener("click", () => resendLink(token, resend));
  // The login's last answer brought the account page with the session: no second ask.
  await load(token, security, takeAccount());
});
