// The phone's authenticator app: paste a key or an otpauth:// URI, read the codes.
// Codes come from the emulator, so they follow the emulator's clock.

import { api, clone } from "./common.js";

const cards = new Map(); // account id -> card

function card(account) {
  const item = clone("account-template");
  item.dataset.id = account.id;
  const name = account.issuer ? `${account.issuer}: ${account.label}` : account.label;
  item.setAttribute("aria-label", `Authenticator account ${name}`);
  item.querySelector(".account-name").textContent = name;
  item.querySelector(".account-remove").addEventListener("click", () => remove(account.id));
  document.getElementById("accounts").append(item);
  return item;
}

function show(account) {
  const item = cards.get(account.id) || card(account);
  cards.set(account.id, item);
  item.querySelector(".account-code").textContent = account.code;
  const progress = item.querySelector(".account-progress");
  progress.max = account.period;
  progress.value = account.seconds_left;
  item.querySelector(".account-left").textContent = `changes in ${account.seconds_left} s`;
}

export function showAccounts(accounts) {
  const live = new Set(accounts.map((account) => account.id));
  accounts.forEach(show);
  for (const [id, item] of cards) {
    if (!live.has(id)) {
      item.remove();
      cards.delete(id);
    }
  }
  document.getElementById("no-accounts").hidden = accounts.length > 0;
}

async function remove(id) {
  await api(`/authenticator/accounts/${id}`, { method: "DELETE" });
  showAccounts((await api("/authenticator/accounts")).accounts);
}

async function add(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const problem = document.getElementById("authenticator-problem");
  const body = { key: form.elements.key.value, label: form.elements.label.value || null };
  form.querySelector("button").disabled = true;
  try {
    const { account } = await api("/authenticator/accounts", { method: "POST", body: JSON.stringify(body) });
    show(account);
    document.getElementById("no-accounts").hidden = true;
    form.reset();
    problem.textContent = "";
  } catch (error) {
    problem.textContent = error.detail || error.message;
  } finally {
    form.querySelector("button").disabled = false;
  }
}

export function setUpAuthenticator() {
  document.getElementById("authenticator-form").addEventListener("submit", add);
}

export async function refreshAuthenticator() {
  showAccounts((await api("/authenticator/accounts")).accounts);
}
