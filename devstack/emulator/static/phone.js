// The virtual phone page: polls the emulator's control API every second and updates in
// place. Authy users' phones are here; Verify's numbers, the mailboxes and the
// authenticator app have modules of their own.

import { refreshAuthenticator, setUpAuthenticator } from "./authenticator.js";
import { api, clone, formatLeft, showConnection } from "./common.js";
import { updateInbox } from "./inbox.js";
import { updateMailboxes } from "./mailboxes.js";
import { updateNumbers } from "./numbers.js";

const POLL_MS = 1000;
const phones = new Map(); // authy_id -> {root, parts, requests: Map(uuid -> card), messageIds}
const busy = new Set(); // keys of controls with a request in flight

function createPhone(user) {
  const root = clone("phone-template");
  const part = (name) => root.querySelector(`.${name}`);
  const parts = {
    clock: part("clock"),
    email: part("owner-email"),
    phone: part("owner-phone"),
    appSwitch: part("app-switch"),
    app: part("app"),
    totp: part("totp"),
    totpCode: part("totp-code"),
    totpProgress: part("totp-progress"),
    totpLeft: part("totp-left"),
    appMissing: part("app-missing"),
    requests: part("requests"),
    inboxEmpty: part("inbox-empty"),
    messages: part("messages"),
  };
  root.dataset.authyId = user.authy_id;
  parts.appSwitch.addEventListener("change", () => toggleApp(user.authy_id, parts.appSwitch));
  document.getElementById("phones").append(root);
  return { root, parts, requests: new Map(), messageIds: new Set() };
}

async function toggleApp(authyId, input) {
  const key = `app:${authyId}`;
  busy.add(key);
  input.disabled = true;
  try {
    await api(`/users/${authyId}/app`, {
      method: "POST",
      body: JSON.stringify({ installed: input.checked }),
    });
  } catch (error) {
    input.checked = !input.checked;
    showConnection(error.message);
  } finally {
    input.disabled = false;
    busy.delete(key);
  }
}

function updatePhone(phone, user, totp) {
  const { root, parts } = phone;
  root.setAttribute("aria-label", `Phone of ${user.email}`);
  parts.clock.textContent = new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  parts.email.textContent = user.email;
  parts.phone.textContent = user.masked_phone;
  if (!busy.has(`app:${user.authy_id}`)) {
    parts.appSwitch.checked = user.app_installed;
  }
  parts.totp.hidden = !(user.app_installed && totp);
  parts.appMissing.hidden = user.app_installed;
  parts.requests.hidden = !user.app_installed;
  if (user.app_installed && totp) {
    parts.totpCode.textContent = totp.code;
    parts.totpProgress.value = totp.seconds_left;
    parts.totpLeft.textContent = `changes in ${totp.seconds_left} s`;
  }
}

function createRequestCard(request) {
  const card = clone("request-template");
  card.setAttribute("aria-label", `OneTouch request: ${request.message}`);
  card.dataset.uuid = request.uuid;
  card.querySelector(".request-message").textContent = request.message;
  const logo = (request.logos || []).find((l) => l.res === "default") || (request.logos || [])[0];
  if (logo) {
    card.querySelector(".request-logo img").src = logo.url;
    card.querySelector(".request-logo").hidden = false;
  }
  const details = card.querySelector(".request-details");
  for (const [label, value] of Object.entries(request.details || {})) {
    const dt = document.createElement("dt");
    dt.textContent = label;
    const dd = document.createElement("dd");
    dd.textContent = value;
    details.append(dt, dd);
  }
  card.querySelector(".approve").addEventListener("click", () => answer(card, request.uuid, "approve"));
  card.querySelector(".deny").addEventListener("click", () => answer(card, request.uuid, "deny"));
  return card;
}

async function answer(card, uuid, action) {
  busy.add(`request:${uuid}`);
  const buttons = card.querySelectorAll("button");
  buttons.forEach((button) => { button.disabled = true; });
  const outcome = card.querySelector(".request-outcome");
  try {
    await api(`/approval_requests/${uuid}/${action}`, { method: "POST" });
    outcome.textContent = action === "approve" ? "Approved" : "Denied";
    card.classList.add(action === "approve" ? "is-approved" : "is-denied");
  } catch (error) {
    outcome.textContent = `Could not ${action}: ${error.message}`;
    buttons.forEach((button) => { button.disabled = false; });
  } finally {
    setTimeout(() => busy.delete(`request:${uuid}`), POLL_MS);
  }
}

function updateRequests(phone, pending) {
  const seen = new Set();
  for (const request of pending) {
    seen.add(request.uuid);
    let card = phone.requests.get(request.uuid);
    if (!card) {
      card = createRequestCard(request);
      phone.requests.set(request.uuid, card);
      phone.parts.requests.prepend(card);
    }
    const left = request.seconds_left;
    card.querySelector(".request-expiry").textContent = left === null ? "" : `expires in ${formatLeft(left)}`;
  }
  for (const [uuid, card] of phone.requests) {
    if (!seen.has(uuid) && !busy.has(`request:${uuid}`)) {
      card.remove();
      phone.requests.delete(uuid);
    }
  }
}

function updateMessages(phone, messages) {
  updateInbox(phone.parts.messages, phone.parts.inboxEmpty, phone.messageIds, messages);
}

async function totpFor(user) {
  if (!user.app_installed) return null;
  try {
    return await api(`/users/${user.authy_id}/totp`);
  } catch {
    return null; // the app was uninstalled between two reads
  }
}

async function refresh() {
  const [{ users }, { approval_requests: pending }, { messages }, { emails }] = await Promise.all([
    api("/users"),
    api("/approval_requests?status=pending"),
    api("/messages"),
    api("/emails"),
  ]);
  const codes = await Promise.all(users.map(totpFor));
  const live = new Set();
  users.forEach((user, index) => {
    live.add(user.authy_id);
    const phone = phones.get(user.authy_id) || createPhone(user);
    phones.set(user.authy_id, phone);
    updatePhone(phone, user, codes[index]);
    updateRequests(phone, pending.filter((r) => r.authy_id === user.authy_id));
    updateMessages(phone, messages.filter((m) => m.vendor === "authy" && m.authy_id === user.authy_id));
  });
  const numbers = updateNumbers(messages);
  const mailboxes = updateMailboxes(emails);
  await refreshAuthenticator();
  for (const [authyId, phone] of phones) {
    if (!live.has(authyId)) {
      phone.root.remove();
      phones.delete(authyId);
    }
  }
  document.getElementById("no-users").hidden = users.length + numbers + mailboxes > 0;
}

async function poll() {
  try {
    await refresh();
    showConnection(null);
  } catch (error) {
    showConnection(error.message);
  } finally {
    setTimeout(poll, POLL_MS);
  }
}

setUpAuthenticator();
poll();
