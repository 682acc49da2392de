// The page a reset link opens: choose a new password. Setting it logs no one in; the
// person then logs in with it and the phone, as always.

import { request } from "./api.js";
import { takeLinkToken } from "./link-token.js";
import { clearTokens, setFlash } from "./session.js";
import { clearFieldErrors, notify, setBusy, setFieldError, startPage } from "./ui.js";

const heading = document.getElementById("reset-heading");
const form = document.getElementById("reset-form");
const password = document.getElementById("new-password");
const submit = form.querySelector("button[type=submit]");

const PROBLEMS = {
  missing: ["This link isn't complete", "Open the link from the email again, or ask for a new one."],
  link_expired: ["This link has expired", "A reset link works for 30 minutes. Ask for a new one."],
  link_invalid: [
    "This link doesn't work any more",
    "It was already used, or your password changed since it was sent. Ask for a new link if you still need one.",
  ],
};

function showProblem(kind) {
  const [title, text] = PROBLEMS[kind];
  heading.textContent = title;
  document.getElementById("reset-section").hidden = true;
  document.getElementById("link-problem-text").textContent = text;
  document.getElementById("link-problem").hidden = false;
  notify("");
  heading.focus();
}

async function setPassword(link, event) {
  event.preventDefault();
  if (submit.disabled) return;
  clearFieldErrors(form);
  const length = [...password.value].length;
  if (length < 8 || length > 128) {
    setFieldError(password, "Use 8 to 128 characters.");
    notify("Please check your new password.", "error");
    password.focus();
    return;
  }
  notify("");
  setBusy(submit, true, "Setting your password…");
  try {
    await request("/password/reset", {
      method: "POST",
      body: { token: link.token, new_password: password.value },
    });
  } catch (err) {
    setBusy(submit, false);
    if (err.code in PROBLEMS) return showProblem(err.code);
    if (err.fields.new_password) setFieldError(password, "Use 8 to 128 characters.");
    notify(err.message, "error");
    password.focus();
    return;
  }
  password.value = "";
  clearTokens(); // whatever this tab held ended with every other session
  setFlash("Your password is changed. Log in with it; we'll still ask for your phone.", "success");
  location.assign("login.html");
}

startPage(() => {
  const link = takeLinkToken("token");
  if (!link) return showProblem("missing");
  form.addEventListener("submit", (event) => setPassword(link, event));
  password.focus();
});
