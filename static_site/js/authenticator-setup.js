// Adding an authenticator app: the key as a QR code (painted from the rows of modules the
// API sends: no image, no markup from the server) and as text, then the app's first code.

import { request } from "./api.js";
import { clearFieldErrors, el, notify, setBusy, setFieldError } from "./ui.js";

const MODULE = 5; // pixels a module
const QUIET = 4; // modules of margin, as the QR standard wants

function paintQr(rows) {
  const size = (rows.length + 2 * QUIET) * MODULE;
  const canvas = el("canvas", {
    width: size,
    height: size,
    class: "qr",
    role: "img",
    "aria-label": "QR code of the key, for your authenticator app to scan",
  });
  const pen = canvas.getContext("2d");
  pen.fillStyle = "#fff";
  pen.fillRect(0, 0, size, size);
  pen.fillStyle = "#000";
  rows.forEach((row, y) => {
    [...row].forEach((dark, x) => {
      if (dark === "1") pen.fillRect((x + QUIET) * MODULE, (y + QUIET) * MODULE, MODULE, MODULE);
    });
  });
  return canvas;
}

/** Show the setup in `container`; `begin()` asks the API for a key, onAdded() when done. */
export async function startAuthenticatorSetup(container, token, { begin, onAdded }) {
  let shown;
  try {
    shown = await begin();
  } catch (err) {
    return notify(err.message, "error");
  }
  const input = el("input", {
    id: "authenticator-code",
    type: "text",
    inputmode: "numeric",
    autocomplete: "one-time-code",
    maxlength: "12",
    "aria-describedby": "authenticator-code-error",
  });
  const confirm = el("button", { type: "submit", class: "primary" }, "Confirm");
  const form = el(
    "form",
    { method: "post", novalidate: true },
    el(
      "div",
      { class: "field" },
      el("label", { for: "authenticator-code" }, "Code from the app"),
      input,
      el("p", { class: "field-error", id: "authenticator-code-error", "aria-live": "polite" }),
    ),
    confirm,
  );
  container.replaceChildren(
    el("p", {}, "Scan this with your authenticator app, or type the key into it:"),
    paintQr(shown.qr),
    el("p", { class: "secret-key" }, el("code", { id: "authenticator-key" }, shown.key)),
    form,
  );
  container.hidden = false;
  input.focus();

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    const code = input.value.replace(/\s/g, "");
    if (!/^\d{6,10}$/.test(code)) return setFieldError(input, "Enter the 6-digit code the app shows.");
    setBusy(confirm, true, "Checking…");
    try {
      await request("/account/authenticator/confirm", { method: "POST", token, body: { code } });
    } catch (err) {
      setBusy(confirm, false);
      if (err.code === "invalid_code") return setFieldError(input, "That code isn't right yet.");
      return notify(err.message, "error");
    }
    container.hidden = true;
    container.replaceChildren();
    onAdded();
  });
}
