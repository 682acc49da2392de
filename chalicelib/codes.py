"""One-time codes: texted or called (with send limits against SMS pumping), and checked.

A challenge takes five codes at most, each reserved before Authy is asked, so parallel
guesses cannot exceed five; an account takes 100 wrong codes in a row (NIST SP 800-63B)
before it is locked until someone resets it.
"""

import logging

from chalicelib import audit, clock, ratelimits, requestlog
from chalicelib.accounts import MAX_FAILED_CODES
from chalicelib.challenges import (
    MAX_CODE_ATTEMPTS,
    MAX_SENDS,
    RESEND_SECONDS,
    complete,
    load_challenge,
    resend_in,
    status_of,
    update_if,
)
from chalicelib.errors import (
    AccountLocked,
    ChallengeLocked,
    InvalidCode,
    RateLimited,
    ResendTooSoon,
    TooManySends,
    VendorUnavailable,
)
from chalicelib.models import LoginChallenge, User
from chalicelib.vendors import authy

log = logging.getLogger(__name__)

_SEND_LIMITS = (ratelimits.SENDS_PER_ACCOUNT, ratelimits.SENDS_PER_IP)


def _take_send_limits(email, ip):
    taken = []
    try:
        for limit, subject in zip(_SEND_LIMITS, (email, ip), strict=True):
            ratelimits.take(limit, subject)
            taken.append((limit, subject))
    except RateLimited:
        _give_back(taken)
        raise
    return taken


def _give_back(taken):
    for limit, subject in taken:
        ratelimits.give_back(limit, subject)


def send_first_code(challenge, now):
    """Text the first code of a challenge; when that fails the challenge still stands."""
    try:
        taken = _take_send_limits(challenge.email, challenge.ip)
    except RateLimited:
        challenge.fallback_reason = challenge.fallback_reason or "send_limit"
        return
    try:
        authy.client().send_code(challenge.authy_id, "sms")
    except VendorUnavailable:
        log.warning("challenge %s: first SMS failed", challenge.challenge_id)
        _give_back(taken)
        return
    challenge.sends = 1
    challenge.last_send_at = now
    audit.record_for(challenge, challenge.email, "code_sent", "sms")


def send_code(token, via, context):
    """Text or call a code: 30 s apart, five per challenge, and within account/IP limits."""
    challenge = load_challenge(token)
    now = clock.now()
    if status_of(challenge, now) == "locked":
        raise ChallengeLocked()
    if challenge.sends >= MAX_SENDS:
        raise TooManySends()
    wait = resend_in(challenge, now)
    if wait:
        raise ResendTooSoon(retry_after=wait, extra={"resend_in": wait})
    taken = _take_send_limits(challenge.email, context.ip)
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
        _give_back(taken)
        raise ResendTooSoon(retry_after=RESEND_SECONDS, extra={"resend_in": RESEND_SECONDS})
    try:
        authy.client().send_code(challenge.authy_id, via)
    except VendorUnavailable:
        _give_back(taken)
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


def verify_code(token, code, context):
    """Check a code (SMS, voice or Authy app); the fifth wrong one locks the challenge."""
    challenge = load_challenge(token)
    # Reserve the attempt before asking Authy, so parallel guesses cannot exceed five.
    if not update_if(
        challenge,
        [LoginChallenge.code_attempts.add(1)],
        (LoginChallenge.code_attempts < MAX_CODE_ATTEMPTS) & (LoginChallenge.used == False),  # noqa: E712
    ):
        load_challenge(token)  # raises ChallengeUsed / ChallengeExpired when that is the cause
        raise ChallengeLocked()
    try:
        valid = authy.client().verify_code(challenge.authy_id, code)
    except VendorUnavailable:
        update_if(
            challenge, [LoginChallenge.code_attempts.add(-1)], LoginChallenge.code_attempts > 0
        )
        raise
    if valid:
        return {"session": complete(challenge, "code")}
    _count_wrong_code(challenge, context)
    attempts_left = max(0, MAX_CODE_ATTEMPTS - challenge.code_attempts)
    if attempts_left == 0:
        audit.record_for(context, challenge.email, "challenge_locked")
        raise ChallengeLocked()
    raise InvalidCode(extra={"attempts_left": attempts_left})


def _count_wrong_code(challenge, context):
    user = User(email=challenge.email)
    user.update(actions=[User.failed_codes.add(1)], condition=User.email.exists())
    audit.record_for(context, challenge.email, "code_failed")
    if user.failed_codes >= MAX_FAILED_CODES:
        if user.failed_codes == MAX_FAILED_CODES:
            audit.record_for(context, challenge.email, "account_locked")
        raise AccountLocked()
