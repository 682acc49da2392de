// Small DOM helpers shared by every page. Text goes in with textContent, never as HTML.

import { loadConfig } from "./settings.js";
import { takeFlash } from "./session.js";

/** Build an element: el("p", {class: "hint"}, "text", child, ...). Strings become text. */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    node.setAttribute(name, value === true ? "" : String(value));
  }
  node.append(...children.filter((child) => child !== null && child !== undefined));
  return node;
}

/**
 * Show (and announce) a message in the page's banners: kind "error" goes to the
 * role=alert banner, anything else to the role=status one. An empty text clears both.
 */
export function notify(text, kind = "info") {
  const error = document.getElementById("error");
  const status = document.getElementById("status");
  error.textContent = kind === "error" ? text : "";
  status.textContent = kind === "error" ? "" : text;
  status.dataset.kind = kind;
}

export function clearNotice() {
  notify("");
}

function errorSlot(input) {
  return document.getElementById(`${input.id}-error`);
}

/** Mark a field invalid with a reason shown next to it (and read with the field). */
export function setFieldError(input, text) {
  const slot = errorSlot(input);
  if (slot) slot.textContent = text;
  input.setAttribute("aria-invalid", "true");
}

export function clearFieldErrors(form) {
  for (const input of form.querySelectorAll("[aria-invalid]")) {
    input.removeAttribute("aria-invalid");
    const slot = errorSlot(input);
    if (slot) slot.textContent = "";
  }
}

/** Disable a button while its request runs, with a label saying so. */
export function setBusy(button, busy, busyLabel = "Please wait…") {
  if (busy) {
    button.dataset.label ??= button.textContent;
    button.textContent = busyLabel;
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
  } else {
    if (button.dataset.label !== undefined) button.textContent = button.dataset.label;
    delete button.dataset.label;
    button.disabled = false;
    button.removeAttribute("aria-busy");
  }
}

/** Run a page's main(config) once its settings are loaded, after showing any flash. */
export async function startPage(main) {
  const flash = takeFlash();
  if (flash) notify(flash.text, flash.kind);
  await main(await loadConfig());
  // Submit buttons start disabled, so nothing is sent natively before the script is wired.
  for (const control of document.querySelectorAll("[data-ready]")) {
    control.disabled = false;
    control.removeAttribute("data-ready");
  }
}
