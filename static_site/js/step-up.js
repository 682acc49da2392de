// A step-up: the second step again, inline on the account page, before a security change
// when the last proof is more than ten minutes old. Resolves once it is proven; rejects
// with a message when the person stops or the step can't go on.

import { request } from "./api.js";
import { startPhoneStep } from "./phone-step.js";
import { challengeView } from "./session.js";
import { el } from "./ui.js";

/** Prove a second factor again for the session `token`, in `container`. */
export async function stepUp(container, token) {
  const { challenge } = await request("/account/step-up", { method: "POST", token });
  return new Promise((resolve, reject) => {
    const done = (outcome) => {
      container.hidden = true;
      container.replaceChildren();
      outcome();
    };
    startPhoneStep(container, challengeView(challenge, "step_up"), {
      onRestart: (message) => done(() => reject(new Error(message || "Stopped."))),
      onDone: () => done(resolve),
    });
    container.prepend(
      el("p", { class: "step-up-intro" }, "Before this change, prove it's you again."),
    );
    container.scrollIntoView?.({ block: "start" });
  });
}

/**
 * Run `action()`; when the API asks for a step-up first, do one in `container` and run
 * `action()` again. Errors of either are the caller's.
 */
export async function withFreshProof(container, token, action) {
  try {
    return await action();
  } catch (err) {
    if (err.code !== "step_up_required") throw err;
  }
  await stepUp(container, token);
  return action();
}
