"""The LoginChallenge: what it is, how it is read, described and spent.

A challenge lives 5 minutes. Its OneTouch push lives 2, so a push that is denied or
left to expire still leaves time for a code. Every change of state is a conditional
update, so parallel requests can never hand out two sessions for one challenge.
"""

import math

from pynamodb.exceptions import DoesNotExist, UpdateError

from chalicelib import audit, clock, requestlog, sessions, storage, tokens
from chalicelib.errors import ChallengeExpired, ChallengeInvalid, ChallengeUsed
from chalicelib.models import LoginChallenge, User

CHALLENGE_SECONDS = 300
ONETOUCH_SECONDS = 120
MAX_CODE_ATTEMPTS = 5
MAX_SENDS = 5
RESEND_SECONDS = 30


def new_challenge(user, purpose, context, now):
    """An unsaved challenge for ``user``; returns ``(token, challenge)``."""
    token = tokens.new_token()
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
    requestlog.note(challenge_id=challenge.challenge_id)
    return token, challenge


def load_challenge(token):
    """The live challenge behind a bearer token; expiry is checked here, not left to TTL."""
    if not token:
        raise ChallengeInvalid()
    try:
        challenge = LoginChallenge.get(tokens.hash_token(token), consistent_read=True)
    except DoesNotExist:
        raise ChallengeInvalid() from None
    requestlog.note(challenge_id=challenge.challenge_id)
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


def resend_in(challenge, now):
    """Seconds until another code may be sent for this challenge."""
    if challenge.last_send_at is None:
        return 0
    return max(0, math.ceil(challenge.last_send_at + RESEND_SECONDS - now))


def describe(challenge, now=None):
    """What the browser needs to show the challenge."""
    now = clock.now() if now is None else now
    return {
        "status": status_of(challenge, now),
        "method": challenge.method,
        "expires_in": max(0, math.ceil(challenge.expires_at - now)),
        "attempts_left": max(0, MAX_CODE_ATTEMPTS - challenge.code_attempts),
        "resend_in": resend_in(challenge, now),
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
            "fallback_reason": challenge.fallback_reason,
        }
    }


def update_if(challenge, actions, condition):
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
    if not update_if(
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
            User.failed_codes.set(0),
            User.push_pending_until.remove(),  # logged in: a push still out is moot
        ],
        condition=User.email.exists(),
    )
    audit.record_for(challenge, challenge.email, "login_succeeded", method)
    requestlog.note(outcome="session")
    return sessions.issue_session(challenge.email)
