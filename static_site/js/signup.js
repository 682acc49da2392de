import { prepareAccountPage } from "./account-open.js";
import { request } from "./api.js";
import { startPhoneStep } from "./phone-step.js";
import { clearTokens, loadChallenge, saveChallenge, setFlash } from "./session.js";
import { clearFieldErrors, notify, setBusy, setFieldError, startPage } from "./ui.js";

const signupSection = document.getElementById("signup-section");
const phoneSection = document.getElementById("phone-section");
const form = document.getElementById("signup-form");
const submit = form.querySelector("button[type=submit]");
const inputs = {
  name: document.getElementById("name"),
  email: document.getElementById("email"),
  password: document.getElementById("password"),
  country_code: document.getElementById("country_code"),
  phone: document.getElementById("phone"),
};

const LABELS = {
  name: "Full name",
  email: "Email",
  password: "Password",
  country_code: "Country code",
  phone: "Mobile phone",
};

// The API's reasons read as the end of a sentence ("is required"): give them a subject.
function fieldMessage(field, reason) {
  const text = String(reason);
  return /^(is|must|should|can|has) /.test(text) ? `${LABELS[field]} ${text}.` : text;
}

function values() {
  return {
    name: inputs.name.value.trim(),
    email: inputs.email.value.trim(),
    password: inputs.password.value,
    country_code: inputs.country_code.value,
    phone: inputs.phone.value.trim(),
  };
}

/** The checks worth making before a round trip; the API has the last word. */
function problems(form) {
  const found = {};
  if (!form.name) found.name = "Enter your full name.";
  if (!form.email) found.email = "Enter your email.";
  else if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(form.email)) {
    found.email = "Enter an email address like name@example.com.";
  }
  const length = [...form.password].length;
  if (length < 8 || length > 128) found.password = "Use 8 to 128 characters.";
  if (!form.phone) found.phone = "Enter your mobile phone number.";
  else if (!/^[0-9 ()./-]+$/.test(form.phone)) {
    found.phone = "Use digits only, without the country code.";
  } else if (form.phone.replace(/\D/g, "").length < 4) found.phone = "That number looks too short.";
  return found;
}

function showProblems(found, summary = null) {
  const fields = Object.keys(found).filter((name) => name in inputs);
  for (const name of fields) setFieldError(inputs[name], fieldMessage(name, found[name]));
  const names = fields.map((name) => LABELS[name]).join(", ");
  notify(summary ?? (names ? `Please check: ${names}.` : "Please check the form."), "error");
  if (fields.length) inputs[fields[0]].focus();
}

function toLogIn(message) {
  if (message) setFlash(message, "error");
  location.assign("login.html");
}

function showPhoneStep(challenge) {
  signupSection.hidden = true;
  prepareAccountPage(); // shown in place once the phone is proven
  // The account exists now; if the phone step can't finish, log in proves the phone.
  startPhoneStep(phoneSection, challenge, { onRestart: toLogIn });
}

async function signUp(event) {
  event.preventDefault();
  if (submit.disabled) return;
  clearFieldErrors(form);
  const body = values();
  const found = problems(body);
  if (Object.keys(found).length) return showProblems(found);

  notify("");
  setBusy(submit, true, "Creating your account…");
  let answer;
  try {
    answer = await request("/signup", { method: "POST", body });
  } catch (err) {
    setBusy(submit, false);
    if (err.code === "email_taken") {
      return showProblems({ email: "This email already has an account. Log in instead." }, err.message);
    }
    if (Object.keys(err.fields).length) return showProblems(err.fields);
    return notify(err.message, "error");
  }
  if (!answer.challenge?.token) {
    setBusy(submit, false);
    return notify("The server sent an answer we couldn't read. Please log in.", "error");
  }
  inputs.password.value = "";
  clearTokens();
  showPhoneStep(saveChallenge(answer.challenge, "signup"));
}

startPage(() => {
  form.addEventListener("submit", signUp);
  const pending = loadChallenge("signup");
  if (pending) showPhoneStep(pending);
});
