// What the second step says to a person, in one place: headings, and why it shows what it
// shows. The API gives reasons as codes (fallback_reason, unsent_reason, status); these
// are the sentences for them.

export const HEADINGS = {
  passkey: "Use your passkey",
  push: "Approve the request on your phone",
  code: "Enter your verification code",
  app: "Enter the code from your authenticator app",
  locked: "This login is locked",
  recovery: "Use a recovery code",
};

export const REASONS = {
  denied: "The request was denied on your phone. Use a verification code instead.",
  expired: "The request on your phone expired. Use a verification code instead.",
  sms: "We texted a verification code to your phone.",
  smsFailed:
    "We couldn't text you a code. Ask us to call you, or use the code in your authenticator app.",
  app: "Open your authenticator app and type the code it shows for Twofold.",
  unreachable: "We couldn't check on the request. Use a verification code instead.",
  timedOut: "Your verification step timed out. Please log in again.",
  usedElsewhere: "This login was already finished in another window. Please log in again.",
  locked: "Too many wrong codes.",
  superseded:
    "A newer login for this account started, so this one was stopped. " +
    "If it wasn't you, change your password.",
  useCode: "Enter the code from your authenticator app, or ask us to text or call you.",
  accountLocked:
    "This account is locked after too many wrong codes. A recovery code unlocks it; " +
    "without one, contact support.",
  recovery: "Type one of the recovery codes you saved when you set up your account.",
};

// Why the login texted a code instead of sending a push.
const FALLBACKS = {
  push_limit:
    "We've sent several requests to your phone in the last 15 minutes, so this time we " +
    "texted a code instead. If you didn't try to log in that often, change your password.",
  push_paused:
    "A request on your phone was denied in the last 10 minutes, so we texted a code " +
    "instead. If the denied request wasn't yours, someone may know your password: change it.",
  push_unavailable: "We couldn't reach the app on your phone, so we texted a code instead.",
};

// Why no code was texted.
const UNSENT = {
  send_limit:
    "We can't text this phone right now: it has had as many codes as we allow for a while. " +
    "Use the code in your authenticator app, or try again later.",
};

/** The sentence the code form opens with, and how loud, for a challenge that did not push. */
export function codeIntro(challenge) {
  if (challenge.method === "app") return { text: REASONS.app, kind: "info" };
  const sent = challenge.codeSent
    ? REASONS.sms
    : (UNSENT[challenge.unsentReason] ?? REASONS.smsFailed);
  const why = FALLBACKS[challenge.fallbackReason];
  if (!why) return { text: sent, kind: challenge.codeSent ? "info" : "warning" };
  return { text: challenge.codeSent ? why : `${why} ${sent}`, kind: "warning" };
}
