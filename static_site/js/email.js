// The page the signup email's links open: "#token=" confirms the address at once;
// "#release=" asks first (a mail scanner that opens links must not delete an account),
// then releases it. A used, expired or forged link gets a page that says so.

import { request } from "./api.js";
import { takeLinkToken } from "./link-token.js";
import { notify, setBusy, startPage } from "./ui.js";

const heading = document.getElementById("email-heading");
const text = document.getElementById("email-text");
const releaseSection = document.getElementById("release-section");
const releaseButton = document.getElementById("release");
const actions = document.getElementById("email-actions");

const PAGES = {
  proven: [
    "Your email is confirmed",
    "Thank you. If you ever forget your password, we can now send a link to this address.",
  ],
  ask: [
    "Release this address?",
    "Someone signed up with this address and hasn't confirmed it. If it wasn't you, release it.",
  ],
  released: [
    "The address is released",
    "The account that used it is deleted. You can sign up with the address yourself now.",
  ],
  link_expired: [
    "This link has expired",
    "Links in this email work for 24 hours. An address no one confirmed in that time is " +
      "released, so you can sign up with it again; if your account still exists, log in " +
      "and use \u201cSend the link again\u201d on your account page.",
  ],
  link_invalid: ["This link doesn't work", ""],
  missing: ["This link isn't complete", "Open the link from the email again."],
};

function show(page, detail) {
  const [title, words] = PAGES[page];
  heading.textContent = title;
  text.textContent = detail || words;
  releaseSection.hidden = page !== "ask";
  actions.hidden = page === "ask";
  document.title = `${title} · Twofold`;
}

function failed(err) {
  if (err.code === "link_expired") return show("link_expired");
  if (err.code === "link_invalid") return show("link_invalid", err.message);
  // Trouble on the way (the network, a busy service): the link may still be good.
  heading.textContent = "We couldn't check your link";
  text.textContent = "Please open it again in a moment.";
  notify(err.message, "error");
}

async function prove(token) {
  try {
    await request("/email/prove", { method: "POST", body: { token } });
  } catch (err) {
    return failed(err);
  }
  show("proven");
}

async function release(token) {
  setBusy(releaseButton, true, "Releasing…");
  try {
    await request("/email/release", { method: "POST", body: { token } });
  } catch (err) {
    setBusy(releaseButton, false);
    releaseSection.hidden = true;
    return failed(err);
  }
  show("released");
  heading.focus();
}

startPage(async () => {
  const link = takeLinkToken("token", "release");
  if (!link) return show("missing");
  if (link.name === "release") {
    show("ask");
    releaseButton.addEventListener("click", () => release(link.token), { once: true });
    return;
  }
  await prove(link.token);
});
