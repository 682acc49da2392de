// Verify's recipients: one phone (or mail inbox) per number or address that was sent a
// code, with everything it received.

import { clone } from "./common.js";
import { updateInbox } from "./inbox.js";

const numbers = new Map(); // to -> {root, list, empty, seen}

function createNumber(to) {
  const root = clone("number-template");
  root.setAttribute("aria-label", `Phone of ${to}`);
  root.dataset.to = to;
  root.querySelector(".owner-phone").textContent = to;
  document.getElementById("numbers").append(root);
  return {
    root,
    list: root.querySelector(".messages"),
    empty: root.querySelector(".inbox-empty"),
    seen: new Set(),
  };
}

export function updateNumbers(messages) {
  const byNumber = new Map();
  for (const message of messages) {
    if (message.vendor !== "verify") continue;
    if (!byNumber.has(message.to)) byNumber.set(message.to, []);
    byNumber.get(message.to).push(message);
  }
  const clock = new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  for (const [to, received] of byNumber) {
    const phone = numbers.get(to) || createNumber(to);
    numbers.set(to, phone);
    phone.root.querySelector(".clock").textContent = clock;
    updateInbox(phone.list, phone.empty, phone.seen, received);
  }
  for (const [to, phone] of numbers) {
    if (!byNumber.has(to)) {
      phone.root.remove();
      numbers.delete(to);
    }
  }
  return byNumber.size;
}
