"""Proving the phone: a LoginChallenge is answered by a OneTouch approval or a code.

A challenge lives 5 minutes. Its OneTouch push lives 2 minutes, so a push that is denied
or left to expire still leaves time for a code. Every change of state is a conditional
update, so parallel requests can never hand out two sessions for one challenge.
"""

import logging
import math

from pynamodb.exceptions import DoesNotExist, UpdateError

from chalicelib import authy, clock, sessions, storage, tokens
from chalicelib.config import settings
from chalicelib.errors import (
    AuthyUnavailable,
    ChallengeExpired,
    ChallengeInvalid,
    ChallengeLocked,
    ChallengeUsed,
    InvalidCode,
    ResendTooSoon,
    TooManySends,
)
from chalicelib.models import LoginChallenge, User

log = logging.getLogger(__name__)

CHALLENGE_SECONDS = 300
ONETOUCH_SECONDS = 120
MAX_CODE_ATTEMPTS = 5
MAX_SENDS = 5
RESEND_SECONDS = 30
CHECK_AUTHY_AFTER = 3  # seconds with no callback before the status call asks Authy itself
CHECK_AUTHY_EVERY = 5
FINAL_ONETOUCH = ("approved", "denied", "expired")


def start_challenge(user, purpose, context):
    """Create a challenge for ``user`` and reach their phone; return ``(token, challenge)``.

    A OneTouch push when Authy says the user has the app, else (or when the push cannot be
    sent) a texted code. If the text fails too, the challenge is still made, so the user
    can ask for a call or read the code in the Authy app.
    """
    token = tokens.new_token()
    now = clock.now()
    challenge = LoginChallenge(
        token_hash=tokens.hash_token(token),
        challenge_id=tokens.new_id(),
        purpose=purpose,
        email=user.email,
        authy_id=user.authy_id,
        method="sms",
        request_code=tokens.new_request_code(),
        ip=context.ip,
        user_agent=context.user_agent,
        created_at=now,
        expires_at=now + CHALLENGE_SECONDS,
        ttl=clock.at(now + CHALLENGE_SECONDS),
    )
    if not _send_push(challenge, user, context, now):
        _send_first_code(challenge, now)
    challenge.save(condition=LoginChallenge.token_hash.does_not_exist())
    return token, challenge


def _send_push(challenge, user, context, now):
    client = authy.client()
    try:
        if not client.has_app(user.authy_id):
            return False
        uuid = client.create_approval_request(
            user.authy_id,
            message=f"Log in to {settings().app_name}?",
            details={
                "Email": user.email,
                "Browser": context.browser,
                "IP address": context.ip,
                "Time": clock.iso(now).replace("T", " ").replace("Z", " UTC"),
                "Request code": challenge.request_code,
            },
            hidden_details={"challenge_id": challenge.challenge_id},
            seconds=ONETOUCH_SECONDS,
        )
    except AuthyUnavailable:
        log.warning("challenge %s: OneTouch unavailable, texting a code", challenge.challenge_id)
        return False
    challenge.method = "onetouch"
    challenge.onetouch_uuid = uuid
    challenge.onetouch_status = "pending"
    challenge.onetouch_expires_at = now + ONETOUCH_SECONDS
    return True


def _send_first_code(challenge, now):
    try:
        authy.client().send_code(challenge.authy_id, "sms")
    except AuthyUnavailable:
        log.warning("challenge %s: first SMS failed", challenge.challenge_id)
        return
    challenge.sends = 1
    challenge.last_send_at = now


def load_challenge(token):
    """The live challenge behind a bearer token; expiry is checked here, not left to TTL."""
    if not token:
        raise ChallengeInvalid()
    try:
        challenge = LoginChallenge.get(tokens.hash_token(token), consistent_read=True)
    except DoesNotExist:
        raise ChallengeInvalid() from None
    if challenge.used:
        raise ChallengeUsed()
    if clock.now() >= challenge.expires_at:
        raise ChallengeExpired()
    return challenge


def status_of(challenge, now=None):
    """pending | approved | denied | expired | locked, as the browser sees it."""
    now = clock.now() if now is None else now
    if challenge.code_attempts >= MAX_CODE_ATTEMPTS:
        return "locked"
    if challenge.method != "onetouch":
        return "pending"
    if challenge.onetouch_status == "pending" and now >= challenge.onetouch_expires_at:
        return "expired"
    return challenge.onetouch_status


def describe(challenge, now=None):
    """What the browser needs to show the challenge."""
    now = clock.now() if now is None else now
    return {
        "status": status_of(challenge, now),
        "method": challenge.method,
        "expires_in": max(0, math.ceil(challenge.expires_at - now)),
        "attempts_left": max(0, MAX_CODE_ATTEMPTS - challenge.code_attempts),
        "resend_in": _resend_in(challenge, now),
        "sends_left": max(0, MAX_SENDS - challenge.sends),
    }


def summary(token, challenge):
    """The answer to signup and login."""
    return {
        "challenge": {
            "token": token,
            "method": challenge.method,
            "expires_in": CHALLENGE_SECONDS,
            "request_code": challenge.request_code,
            "code_sent": challenge.sends > 0,
        }
    }


def _resend_in(challenge, now):
    if challenge.last_send_at is None:
        return 0
    return max(0, math.ceil(challenge.last_send_at + RESEND_SECONDS - now))


def poll(token):
    """The challenge's status; the first caller to see an approval gets the session."""
    challenge = load_challenge(token)
    _check_authy_if_quiet(challenge)
    body = describe(challenge)
    if body["status"] == "approved":
        body["session"] = complete(challenge, "onetouch")
    return body


def _check_authy_if_quiet(challenge):
    """Ask Authy about a push whose callback has not come, at most every few seconds."""
    now = clock.now()
    if challenge.method != "onetouch" or status_of(challenge, now) != "pending":
        return
    if now - challenge.created_at < CHECK_AUTHY_AFTER:
        return
    last = challenge.onetouch_checked_at
    if last is not None and now - last < CHECK_AUTHY_EVERY:
        return
    # Claim the check, so parallel pollers make one Authy call between them.
    if not _conditional_update(
        challenge,
        [LoginChallenge.onetouch_checked_at.set(now)],
        LoginChallenge.onetouch_checked_at.does_not_exist()
        | (LoginChallenge.onetouch_checked_at <= now - CHECK_AUTHY_EVERY),
    ):
        return
    try:
        status, authy_id = authy.client().approval_status(challenge.onetouch_uuid)
    except AuthyUnavailable:
        return
    if status in FINAL_ONETOUCH and str(authy_id) == str(challenge.authy_id):
        record_onetouch_result(challenge, status)


def record_onetouch_result(challenge, status):
    """Store Authy's final answer for the push; the first final state wins. True if stored."""
    now = clock.now()
    return _conditional_update(
        challenge,
        [LoginChallenge.onetouch_status.set(status)],
        (LoginChallenge.onetouch_status == "pending")
        & (LoginChallenge.used == False)  # noqa: E712 - a DynamoDB condition, not a bool test
        & (LoginChallenge.expires_at > now)
        & (LoginChallenge.onetouch_expires_at > now),
    )


def _conditional_update(challenge, actions, condition):
    """Apply ``actions`` if ``condition`` holds (refreshing ``challenge``); False if not."""
    try:
        challenge.update(actions=actions, condition=LoginChallenge.token_hash.exists() & condition)
    except UpdateError as exc:
        if storage.condition_failed(exc):
            return False
        raise
    return True


def complete(challenge, method):
    """Spend the challenge and open a session; only one caller can ever get here."""
    now = clock.now()
    if not _conditional_update(
        challenge,
        [LoginChallenge.used.set(True)],
        (LoginChallenge.used == False) & (LoginChallenge.expires_at > now),  # noqa: E712
    ):
        raise ChallengeUsed()
    User(email=challenge.email).update(  # no read first: one write, not two operations
        actions=[
            User.last_login_at.set(now),
            User.last_login_method.set(method),
            User.phone_verified.set(True),
        ],
        condition=User.email.exists(),
    )
    return sessions.issue_session(challenge.email)


def send_code(token, via):
    """Text or call a code: 30 s apart, at most five per challenge."""
    challenge = load_challenge(token)
    now = clock.now()
    if status_of(challenge, now) == "locked":
        raise ChallengeLocked()
    if challenge.sends >= MAX_SENDS:
        raise TooManySends()
    wait = _resend_in(challenge, now)
    if wait:
        raise ResendTooSoon(retry_after=wait, extra={"resend_in": wait})
    previous = challenge.last_send_at
    reserved = _conditional_update(
        challenge,
        [LoginChallenge.sends.add(1), LoginChallenge.last_send_at.set(now)],
        (LoginChallenge.sends < MAX_SENDS)
        & (
            LoginChallenge.last_send_at.does_not_exist()
            | (LoginChallenge.last_send_at <= now - RESEND_SECONDS)
        ),
    )
    if not reserved:
        raise ResendTooSoon(retry_after=RESEND_SECONDS, extra={"resend_in": RESEND_SECONDS})
    try:
        authy.client().send_code(challenge.authy_id, via)
    except AuthyUnavailable:
        _refund_send(challenge, previous)
        other = "a call" if via == "sms" else "a text"
        raise AuthyUnavailable(
            f"We could not send the code. Try {other}, or the code in the Authy app."
        ) from None
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
    _conditional_update(
        challenge, [LoginChallenge.sends.add(-1), restore], LoginChallenge.sends > 0
    )


def verify_code(token, code):
    """Check a code (SMS, voice or Authy app); the fifth wrong one locks the challenge."""
    challenge = load_challenge(token)
    # Reserve the attempt before asking Authy, so parallel guesses cannot exceed five.
    reserved = _conditional_update(
        challenge,
        [LoginChallenge.code_attempts.add(1)],
        (LoginChallenge.code_attempts < MAX_CODE_ATTEMPTS) & (LoginChallenge.used == False),  # noqa: E712
    )
    if not reserved:
        load_challenge(token)  # raises ChallengeUsed / ChallengeExpired when that is the cause
        raise ChallengeLocked()
    try:
        valid = authy.client().verify_code(challenge.authy_id, code)
    except AuthyUnavailable:
        _conditional_update(
            challenge, [LoginChallenge.code_attempts.add(-1)], LoginChallenge.code_attempts > 0
        )
        raise
    if valid:
        return {"session": complete(challenge, "code")}
    attempts_left = max(0, MAX_CODE_ATTEMPTS - challenge.code_attempts)
    if attempts_left == 0:
        log.info(
            "challenge %s locked after %s wrong codes", challenge.challenge_id, MAX_CODE_ATTEMPTS
        )
        raise ChallengeLocked()
    raise InvalidCode(extra={"attempts_left": attempts_left})
