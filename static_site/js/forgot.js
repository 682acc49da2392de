// "Forgot your password?": one answer for every email, so the page can't tell anyone
// which emails have an account.

import { request } from "./api.js";
import { clearFieldErrors, notify, setBusy, setFieldError, startPage } from "./ui.js";

const form = document.getElementById("forgot-form");
const email = document.getElementById("email");
const submit = form.querySelector("button[type=submit]");

const SENT =
  "If an account uses this email, we sent a link to it. It works once, for 30 minutes. " +
  "Nothing there? Check your spam folder; only a confirmed address gets the link.";

async function sendLink(event) {
  event.preventDefault();
  if (submit.disabled) return;
  clearFieldErrors(form);
  const typed = email.value.trim();
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(typed)) {
    setFieldError(email, typed ? "Enter an email address like name@example.com." : "Enter your email.");
    notify("Please check your email.", "error");
    email.focus();
    return;
  }
  notify("");
  setBusy(submit, true, "Sending…");
  try {
    await request("/password/forgot", { method: "POST", body: { email: typed } });
  } catch (err) {
    setBusy(submit, false);
    if (err.fields.email) setFieldError(email, "Enter an email address like name@example.com.");
    const wait = err.status === 429 && err.retryAfter ? ` Try again in ${Math.ceil(err.retryAfter / 60)} min.` : "";
    notify(err.message + wait, "error");
    email.focus();
    return;
  }
  setBusy(submit, false);
  notify(SENT, "success");
}

startPage(() => {
  form.addEventListener("submit", sendLink);
  email.focus();
});
