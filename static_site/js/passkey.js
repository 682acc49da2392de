// Passkeys in the browser: the API's WebAuthn options in (binary values as base64url),
// navigator.credentials.create / get, the answer out as JSON, and the browser's errors
// in words a person understands.

// What the browser's DOMException names mean to the person holding the device.
const WORDS = {
  NotAllowedError: "The passkey request was cancelled or timed out. Try again when you're ready.",
  AbortError: "The passkey request was stopped. Try again when you're ready.",
  InvalidStateError: "This device already has a passkey for your account.",
  ConstraintError:
    "This device can't check it's you (a screen lock, PIN or fingerprint), which passkeys need here.",
  NotSupportedError: "This device can't make a passkey our site can use.",
  SecurityError: "Passkeys can't be used on this address.",
};
const UNSUPPORTED = "This browser can't use passkeys.";
const FAILED = "Your passkey didn't answer. Please try again.";

/** Why a passkey ceremony stopped, in words for the page. */
export class PasskeyError extends Error {
  constructor(message, cancelled = false) {
    super(message);
    this.name = "PasskeyError";
    this.cancelled = cancelled; // the person (or the time) stopped it: nothing went wrong
  }
}

export function passkeysSupported() {
  return typeof window.PublicKeyCredential === "function" && Boolean(navigator.credentials);
}

function toBuffer(base64url) {
  const base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
  const binary = atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0)).buffer;
}

function toBase64url(buffer) {
  let binary = "";
  for (const byte of new Uint8Array(buffer)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function descriptors(list = []) {
  return list.map((descriptor) => ({ ...descriptor, id: toBuffer(descriptor.id) }));
}

async function ceremony(run) {
  if (!passkeysSupported()) throw new PasskeyError(UNSUPPORTED);
  let credential;
  try {
    credential = await run();
  } catch (err) {
    const name = err?.name;
    throw new PasskeyError(WORDS[name] ?? FAILED, name === "NotAllowedError" || name === "AbortError");
  }
  if (!credential) throw new PasskeyError(FAILED);
  return credential;
}

function common(credential, response) {
  return {
    id: credential.id,
    rawId: toBase64url(credential.rawId),
    type: credential.type,
    response,
    authenticatorAttachment: credential.authenticatorAttachment ?? null,
    clientExtensionResults: {},
  };
}

/** Make a passkey for the options of POST /account/passkeys/options; its JSON answer. */
export async function createPasskey(options) {
  const publicKey = {
    ...options,
    challenge: toBuffer(options.challenge),
    user: { ...options.user, id: toBuffer(options.user.id) },
    excludeCredentials: descriptors(options.excludeCredentials),
  };
  const credential = await ceremony(() => navigator.credentials.create({ publicKey }));
  const { response } = credential;
  return common(credential, {
    clientDataJSON: toBase64url(response.clientDataJSON),
    attestationObject: toBase64url(response.attestationObject),
    transports: typeof response.getTransports === "function" ? response.getTransports() : [],
  });
}

/** Answer the options of POST /login/passkey/options with a passkey; its JSON answer. */
export async function getPasskey(options) {
  const publicKey = {
    ...options,
    challenge: toBuffer(options.challenge),
    allowCredentials: descriptors(options.allowCredentials),
  };
  const credential = await ceremony(() => navigator.credentials.get({ publicKey }));
  const { response } = credential;
  return common(credential, {
    clientDataJSON: toBase64url(response.clientDataJSON),
    authenticatorData: toBase64url(response.authenticatorData),
    signature: toBase64url(response.signature),
    userHandle: response.userHandle ? toBase64url(response.userHandle) : null,
  });
}
