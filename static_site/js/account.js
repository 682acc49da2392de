import { request } from "./api.js";
import { clearTokens, sessionToken, setFlash } from "./session.js";
import { el, notify, setBusy, startPage } from "./ui.js";

const details = document.getElementById("account-details");
const loading = document.getElementById("account-loading");
const retry = document.getElementById("retry");
const logout = document.getElementById("logout");

const METHODS = {
  onetouch: "approved in the Authy app",
  code: "with a verification code",
  sms: "with a texted code",
  call: "with a code by phone call",
};

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
  loading.hidden = true;
  details.hidden = false;
  logout.hidden = false;
}

async function load(token) {
  retry.hidden = true;
  loading.hidden = false;
  try {
    show(await request("/account", { token }));
  } catch (err) {
    if (err.status === 401) return toLogIn("Your session has ended. Please log in again.");
    loading.hidden = true;
    notify(err.message, "error");
    retry.hidden = false;
    retry.focus();
  }
}

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

startPage(async () => {
  const token = sessionToken();
  if (!token) return toLogIn("Please log in to see your account.");
  retry.addEventListener("click", () => load(token));
  logout.addEventListener("click", () => logOut(token));
  await load(token);
});
