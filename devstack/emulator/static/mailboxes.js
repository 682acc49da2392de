// The mailboxes: one per address the site emailed, newest email first, with its links
// clickable. What the email says goes in as text; only http(s) links become links.

import { clone, formatTime } from "./common.js";

const boxes = new Map(); // address -> {root, list, seen}

function createBox(address) {
  const root = clone("mailbox-template");
  root.setAttribute("aria-label", `Mailbox of ${address}`);
  root.dataset.address = address;
  root.querySelector(".mailbox-address").textContent = address;
  document.getElementById("mailboxes").append(root);
  return { root, list: root.querySelector(".emails"), seen: new Set() };
}

function linkItem(url) {
  const item = document.createElement("li");
  let parsed = null;
  try {
    parsed = new URL(url);
  } catch {
    // not a URL: shown as text below
  }
  if (parsed && (parsed.protocol === "http:" || parsed.protocol === "https:")) {
    const anchor = document.createElement("a");
    anchor.href = parsed.href;
    anchor.target = "_blank";
    anchor.rel = "noopener noreferrer";
    anchor.textContent = url;
    item.append(anchor);
  } else {
    item.textContent = url;
  }
  return item;
}

function emailItem(email) {
  const item = clone("email-template");
  item.querySelector(".email-subject").textContent = email.subject;
  item.querySelector(".email-from").textContent = email.from;
  const time = item.querySelector("time");
  if (email.at) {
    time.dateTime = new Date(email.at * 1000).toISOString();
    time.textContent = formatTime(email.at);
  }
  item.querySelector(".email-text").textContent = email.text;
  item.querySelector(".email-links").append(...email.links.map(linkItem));
  return item;
}

// Show the emails not shown yet, each in the mailbox of every address it went to;
// returns how many mailboxes there are.
export function updateMailboxes(emails) {
  for (const email of emails) {
    for (const address of email.to) {
      const box = boxes.get(address) || createBox(address);
      boxes.set(address, box);
      if (box.seen.has(email.id)) continue;
      box.seen.add(email.id);
      box.list.prepend(emailItem(email));
    }
  }
  return boxes.size;
}
