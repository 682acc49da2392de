"""One-time codes: texted or called (within budgets against SMS pumping), and checked.

Sends are budgeted per challenge (5, 30 s apart), per account, per network and per
destination number across all accounts. A typed code is a guess (``guesses``): the
vendor checks it against the code it sent, or the app's own.
"""

import logging

from chalicelib import audit, clock, ratelimits, requestlog
from chalicelib.errors import (
    ChallengeLocked,
    CodeExpired,
    RateLimited,
    ResendTooSoon,
    TooManySends,
    VendorUnavailable,
)
from chalicelib.models import LoginChallenge
from chalicelib.second_step import guesses
from chalicelib.second_step.challenge import (
    MAX_SENDS,
    RESEND_SECONDS,
    complete,
    load_answerable,
    resend_in,
    status_of,
    update_if,
)
from chalicelib.vendors import Person, vendor

log = logging.getLogger(__name__)


def _send_budgets(challenge, context):
    return ratelimits.take_all(
        [
            (ratelimits.SENDS_PER_ACCOUNT, challenge.email),
            (ratelimits.SENDS_PER_NETWORK, context.network),
            (ratelimits.SENDS_PER_NUMBER, challenge.phone),
            (ratelimits.SENDS_PER_NUMBER_DAY, challenge.phone),
        ]
    )


def send_first_code(challenge, context, now, writes):
    """Text the first code of a challenge; return None, or why it was not sent.

    Either way the challenge stands: a call, or the app's code, may still work. Its audit
    event joins ``writes``, the login's one write.
    """
    try:
        taken = _send_budgets(challenge, context)
    except RateLimited as limited:
        return limited.code
    try:
        vendor().send_code(Person.of(challenge), "sms")
    except VendorUnavailable:
        log.warning("challenge %s: first SMS failed", challenge.challenge_id)
        ratelimits.give_all_back(taken)
        return "unavailable"
    challenge.sends = 1
    challenge.last_send_at = now
    writes.save("audit code_sent", audit.event_for(context, challenge.email, "code_sent", "sms"))
    return None


def send_code(token, via, context):
    """Text or call a code: 30 s apart, five per challenge, and within every budget."""
    challenge = load_answerable(token)
    now = clock.now()
    if status_of(challenge, now) == "locked":
        raise ChallengeLocked()
    if challenge.sends >= MAX_SENDS:
        raise TooManySends()
    wait = resend_in(challenge, now)
    if wait:
        raise ResendTooSoon(retry_after=wait, extra={"resend_in": wait})
    taken = _send_budgets(challenge, context)
    previous = challenge.last_send_at
    if not update_if(
        challenge,
        [LoginChallenge.sends.add(1), LoginChallenge.last_send_at.set(now)],
        (LoginChallenge.sends < MAX_SENDS)
        & (
            LoginChallenge.last_send_at.does_not_exist()
            | (LoginChallenge.last_send_at <= now - RESEND_SECONDS)
        ),
    ):
        ratelimits.give_all_back(taken)
        raise ResendTooSoon(retry_after=RESEND_SECONDS, extra={"resend_in": RESEND_SECONDS})
    try:
        vendor().send_code(Person.of(challenge), via)
    except VendorUnavailable:
        ratelimits.give_all_back(taken)
        _refund_send(challenge, previous)
        other = "a call" if via == "sms" else "a text"
        raise VendorUnavailable(
            f"We could not send the code. Try {other}, or the code in your app."
        ) from None
    audit.record_for(context, challenge.email, "code_sent", via)
    requestlog.note(method=via)
    return {
        "sent": True,
        "via": via,
        "resend_in": RESEND_SECONDS,
        "sends_left": max(0, MAX_SENDS - challenge.sends),
    }


def _refund_send(challenge, previous):
    restore = (
        LoginChallenge.last_send_at.set(previous)
        if previous is not None
        else LoginChallenge.last_send_at.remove()
    )
    update_if(challenge, [LoginChallenge.sends.add(-1), restore], LoginChallenge.sends > 0)


def check(challenge, typed, context):
    """The session for a right code (texted, spoken or the app's), else the right error."""
    guesses.reserve(challenge)
    try:
        right = vendor().check_code(Person.of(challenge), typed, texted=challenge.sends > 0)
    except (VendorUnavailable, CodeExpired):
        guesses.give_back(challenge)
        raise
    if right:
        return complete(challenge, "code")
    raise guesses.wrong(challenge, context)
