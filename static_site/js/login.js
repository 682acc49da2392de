import { prepareAccountPage } from "./account-open.js";
import { request } from "./api.js";
import { getPasskey, passkeysSupported } from "./passkey.js";
import { startPhoneStep } from "./phone-step.js";
import {
  browserToken,
  clearTokens,
  loadChallenge,
  saveChallenge,
  saveSession,
} from "./session.js";
import { clearFieldErrors, notify, setBusy, setFieldError, startPage } from "./ui.js";

const loginSection = document.getElementById("login-section");
const phoneSection = document.getElementById("phone-section");
const form = document.getElementById("login-form");
const email = document.getElementById("email");
const password = document.getElementById("password");
const submit = form.querySelector("button[type=submit]");
const passkeyBox = document.getElementById("passkey-login");
const passkeyButton = document.getElementById("passkey-login-button");

function noFocus() {
  return !document.activeElement || document.activeElement === document.body;
}

function showLoginForm(message) {
  phoneSection.hidden = true;
  phoneSection.replaceChildren();
  loginSection.hidden = false;
  setBusy(submit, false);
  notify(message ?? "", "error");
  password.value = "";
  (email.value ? password : email).focus();
}

function showPhoneStep(challenge) {
  loginSection.hidden = true;
  prepareAccountPage(); // shown in place once the phone says yes
  startPhoneStep(phoneSection, challenge, { onRestart: showLoginForm });
}

function checkFields() {
  const missing = [];
  if (!email.value.trim()) missing.push([email, "Enter your email."]);
  if (!password.value) missing.push([password, "Enter your password."]);
  for (const [input, text] of missing) setFieldError(input, text);
  return missing;
}

async function logIn(event) {
  event.preventDefault();
  if (submit.disabled) return;
  clearFieldErrors(form);
  const missing = checkFields();
  if (missing.length) {
    notify("Please enter your email and password.", "error");
    missing[0][0].focus();
    return;
  }
  notify("");
  setBusy(submit, true, "Logging in…");
  let answer;
  try {
    const body = { email: email.value.trim(), password: password.value };
    const browser = browserToken();
    if (browser) body.browser = browser; // a remembered browser skips the second step
    answer = await request("/login", { method: "POST", body });
  } catch (err) {
    setBusy(submit, false);
    const wait = err.status === 429 && err.retryAfter ? ` Try again in ${err.retryAfter} s.` : "";
    notify(err.message + wait, "error");
    if (err.code === "invalid_credentials") password.select();
    (err.code === "invalid_credentials" ? password : email).focus();
    return;
  }
  if (answer.session?.token) {
    password.value = "";
    clearTokens();
    saveSession(answer.session, answer.account);
    notify("This browser is remembered. Opening your account…", "success");
    location.replace("account.html");
    return;
  }
  if (!answer.challenge?.token) {
    setBusy(submit, false);
    notify("The server sent an answer we couldn't read. Please try again.", "error");
    return;
  }
  password.value = "";
  clearTokens(); // a new login replaces whatever this tab held
  showPhoneStep(saveChallenge(answer.challenge, "login"));
}

/** "Log in with a passkey": no password; the passkey is both factors. */
async function logInWithPasskey() {
  if (passkeyButton.disabled) return;
  clearFieldErrors(form);
  notify("");
  setBusy(passkeyButton, true, "Waiting for your passkey…");
  let answer;
  try {
    const begun = await request("/login/passkey/options", { method: "POST" });
    const credential = await getPasskey(begun.options);
    const body = { ceremony: begun.ceremony, credential };
    answer = await request("/login/passkey", { method: "POST", body });
  } catch (err) {
    setBusy(passkeyButton, false);
    notify(err.message, err.cancelled ? "info" : "error");
    return passkeyButton.focus();
  }
  clearTokens();
  saveSession(answer.session, answer.account);
  notify("You're logged in with your passkey. Opening your account…", "success");
  location.replace("account.html");
}

startPage(() => {
  form.addEventListener("submit", logIn);
  passkeyBox.hidden = !passkeysSupported();
  passkeyButton.addEventListener("click", logInWithPasskey);
  // A reload in the middle of the phone step picks it up again.
  const pending = loadChallenge("login");
  if (pending) showPhoneStep(pending);
  // Only where nobody has started typing yet: focus must not jump while they fill a field.
  else if (!document.getElementById("error").textContent && noFocus()) email.focus();
});
