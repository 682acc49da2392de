"""One-time codes: texted or called (within budgets against SMS pumping), and checked.

A challenge takes five codes at most and an account 100 wrong codes in a row (see
``lockout``); both are reserved in one transaction before the vendor is asked, so
parallel guesses cannot pass either. Sends are budgeted per challenge (5, 30 s apart), per
account, per network and per destination number across all accounts.
"""

import logging

from chalicelib import audit, clock, lockout, ratelimits, requestlog, storage
from chalicelib.errors import (
    AccountLocked,
    ChallengeLocked,
    InvalidCode,
    RateLimited,
    ResendTooSoon,
    TooManySends,
    VendorUnavailable,
)
from chalicelib.models import LoginChallenge
from chalicelib.second_step.challenge import (
    MAX_CODE_ATTEMPTS,
    MAX_SENDS,
    RESEND_SECONDS,
    complete,
    load_answerable,
    resend_in,
    status_of,
    update_if,
)
from chalicelib.vendors import authy

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


def send_first_code(challenge, context, now):
    """Text the first code of a challenge; return None, or why it was not sent.

    Either way the challenge stands: a call, or the app's code, may still work.
    """
    try:
        taken = _send_budgets(challenge, context)
    except RateLimited as limited:
        return limited.code
    try:
        authy.client().send_code(challenge.authy_id, "sms")
    except VendorUnavailable:
        log.warning("challenge %s: first SMS failed", challenge.challenge_id)
        ratelimits.give_all_back(taken)
        return "unavailable"
    challenge.sends = 1
    challenge.last_send_at = now
    audit.record_for(context, challenge.email, "code_sent", "sms")
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
        authy.client().send_code(challenge.authy_id, via)
    except VendorUnavailable:
        ratelimits.give_all_back(taken)
        _refund_send(challenge, previous)
        other = "a call" if via == "sms" else "a text"
        raise VendorUnavailable(
            f"We could not send the code. Try {other}, or the code in the Authy app."
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


def _reserve_check(challenge, token):
    """Count this check on the challenge and on the account, or say why it may not be made."""
    transaction = storage.Transaction()
    transaction.update(
        "challenge",
        challenge,
        [LoginChallenge.code_attempts.add(1)],
        LoginChallenge.token_hash.exists()
        & (LoginChallenge.code_attempts < MAX_CODE_ATTEMPTS)
        & (LoginChallenge.used == False)  # noqa: E712 - a DynamoDB condition, not a bool test
        & (LoginChallenge.superseded == False),  # noqa: E712
    )
    lockout.reserve_check(transaction, challenge.email)
    failed = transaction.commit()
    if "account" in failed:
        raise AccountLocked()
    if failed:
        load_answerable(token)  # raises ChallengeUsed / Expired / Superseded when that is why
        raise ChallengeLocked()
    challenge.code_attempts += 1


def _refund_check(challenge):
    update_if(challenge, [LoginChallenge.code_attempts.add(-1)], LoginChallenge.code_attempts > 0)
    lockout.refund_check(challenge.email)


def verify_code(token, code, context):
    """Check a code (SMS, voice or Authy app); the fifth wrong one locks the challenge."""
    challenge = load_answerable(token)
    _reserve_check(challenge, token)
    try:
        valid = authy.client().verify_code(challenge.authy_id, code)
    except VendorUnavailable:
        _refund_check(challenge)
        raise
    if valid:
        return {"session": complete(challenge, "code")}
    audit.record_for(context, challenge.email, "code_failed")
    lockout.after_wrong_code(challenge.email, context)
    attempts_left = max(0, MAX_CODE_ATTEMPTS - challenge.code_attempts)
    if attempts_left == 0:
        audit.record_for(context, challenge.email, "challenge_locked")
        raise ChallengeLocked()
    raise InvalidCode(extra={"attempts_left": attempts_left})
