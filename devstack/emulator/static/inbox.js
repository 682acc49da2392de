// A phone's inbox: texts, calls, WhatsApp messages and emails, newest first, each with
// its code. Shared by the Authy phones and the Verify numbers.

import { clone, formatTime } from "./common.js";

const KINDS = {
  sms: "Text",
  call: "Voice call",
  whatsapp: "WhatsApp message",
  email: "Email",
};

function messageKind(message) {
  const kind = KINDS[message.via] || message.via;
  return message.vendor === "authy" && message.via === "sms" ? "Text from Authy" : kind;
}

function messageText(message) {
  if (message.via === "call") {
    return "A recorded voice reads your verification code aloud:";
  }
  return message.text || "Your verification code is:";
}

// Add the messages this inbox has not shown yet; ``seen`` holds the ids shown.
export function updateInbox(list, empty, seen, messages) {
  for (const message of messages) {
    if (seen.has(message.id)) continue;
    seen.add(message.id);
    const item = clone("message-template");
    item.classList.add(message.via === "call" ? "is-call" : "is-sms");
    item.querySelector(".message-kind").textContent = messageKind(message);
    const time = item.querySelector("time");
    time.dateTime = new Date(message.at * 1000).toISOString();
    time.textContent = formatTime(message.at);
    item.querySelector(".message-text").textContent = messageText(message);
    const code = document.createElement("strong");
    code.className = "message-code";
    code.textContent = message.code;
    item.append(code);
    list.prepend(item);
  }
  empty.hidden = seen.size > 0;
}
