"""The LoginChallenge: what it is, how it is read, described, superseded and spent.

A challenge lives 5 minutes. Its OneTouch push lives 2, so a push that is denied or left
to expire still leaves time for a code. An account has one live challenge at a time
(``User.live_challenge``): a newer one supersedes the rest, which can then never become a
session. Spending a challenge, checking the account and saving the session are one
transaction, so parallel requests can never hand out two sessions for one challenge.
"""

import math

from pynamodb.exceptions import DoesNotExist

from chalicelib import audit, clock, lockout, requestlog, sessions, storage, tokens
from chalicelib.errors import (
    AccountLocked,
    ChallengeExpired,
    ChallengeInvalid,
    ChallengeSuperseded,
    ChallengeUsed,
    SessionInvalid,
)
from chalicelib.models import LoginChallenge, Session, User
from chalicelib.second_step import lost_callbacks

CHALLENGE_SECONDS = 300
ONETOUCH_SECONDS = 120
MAX_CODE_ATTEMPTS = 5
MAX_SENDS = 5
RESEND_SECONDS = 30
SPEND_WRITES = frozenset({"challenge", "account", "session", "audit"})  # spend()'s own


def new_challenge(user, purpose, context, now, session_hash=None):
    """An unsaved challenge for ``user``; returns ``(token, challenge)``.

    A step-up's challenge names the session it proves again (``session_hash``); a login's
    or signup's, the session it will open (``opens_session``), whose token is derived from
    the challenge's (``session_token``).
    """
    token = tokens.new_token()
    opens = None if session_hash else tokens.hash_token(tokens.session_token_for(token))
    challenge = LoginChallenge(
        token_hash=tokens.hash_token(token),
        challenge_id=tokens.new_id(),
        purpose=purpose,
        email=user.email,
        authy_id=user.authy_id,
        user_id=user.user_id,
        app_factor=user.app_factor,
        phone=user.phone,
        method="sms",
        request_code=tokens.new_request_code(),
        session_hash=session_hash,
        opens_session=opens,
        ip=context.ip,
        user_agent=context.user_agent,
        created_at=now,
        expires_at=now + CHALLENGE_SECONDS,
        ttl=clock.at(now + CHALLENGE_SECONDS),
    )
    requestlog.note(challenge_id=challenge.challenge_id)
    return token, challenge


def save_as_live(challenge, user, transaction=None):
    """Store the new challenge and make it the account's one live challenge, together
    with whatever else the login writes (``transaction``: its audit events, say)."""
    transaction = transaction or storage.Transaction()
    transaction.save("challenge", challenge, LoginChallenge.token_hash.does_not_exist())
    transaction.update(
        "account",
        User(email=user.email),
        [User.live_challenge.set(challenge.token_hash)],
        User.email.exists(),
    )
    if transaction.commit():
        raise ChallengeInvalid()  # a token collision or a vanished account: never expected


def supersede(token_hash):
    """Mark an older challenge as overtaken; return it if it was live until now, else None."""
    older = LoginChallenge(token_hash=token_hash)
    overtaken = storage.write_if(
        older.update,
        actions=[LoginChallenge.superseded.set(True)],
        condition=LoginChallenge.token_hash.exists()
        & (LoginChallenge.used == False)  # noqa: E712 - a DynamoDB condition, not a bool test
        & (LoginChallenge.superseded == False)  # noqa: E712
        & (LoginChallenge.expires_at > clock.now()),
    )
    return older if overtaken else None


def load_challenge(token, spent=False):
    """The live challenge behind a bearer token; expiry is checked here, not left to TTL.

    A spent one is refused (ChallengeUsed) unless ``spent``: then it is returned, ``used``.
    """
    if not token:
        raise ChallengeInvalid()
    return _load(tokens.hash_token(token), spent)


def _load(token_hash, spent=False):
    try:
        challenge = LoginChallenge.get(token_hash, consistent_read=True)
    except DoesNotExist:
        raise ChallengeInvalid() from None
    requestlog.note(challenge_id=challenge.challenge_id)
    if challenge.used and not spent:
        raise ChallengeUsed()
    if clock.now() >= challenge.expires_at:
        raise ChallengeExpired()
    return challenge


def load_answerable(token):
    """``load_challenge``, refusing a superseded one: it can never be answered."""
    return _answerable(load_challenge(token))


def _answerable(challenge):
    if challenge.superseded:
        raise ChallengeSuperseded()
    return challenge


def reload_answerable(challenge):
    """Read ``challenge`` again, raising why it can no longer be answered if it cannot."""
    return _answerable(_load(challenge.token_hash))


def status_of(challenge, now=None):
    """pending | approved | denied | expired | locked | superseded, as the browser sees it."""
    now = clock.now() if now is None else now
    if challenge.superseded:
        return "superseded"
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
    body = {
        "status": status_of(challenge, now),
        "method": challenge.method,
        "expires_in": max(0, math.ceil(challenge.expires_at - now)),
        "attempts_left": max(0, MAX_CODE_ATTEMPTS - challenge.code_attempts),
        "resend_in": resend_in(challenge, now),
        "sends_left": max(0, MAX_SENDS - challenge.sends),
    }
    if challenge.method == "onetouch":
        body["push_expires_in"] = max(0, math.ceil(challenge.onetouch_expires_at - now))
        body["poll_ms"] = lost_callbacks.poll_ms(now)
    return body


def summary(token, challenge, unsent_reason=None, passkey=False):
    """The answer to signup and login; ``passkey``: the account has one to answer with."""
    answer = {
        "token": token,
        "method": challenge.method,
        "expires_in": CHALLENGE_SECONDS,
        "request_code": challenge.request_code,
        "code_sent": challenge.sends > 0,
        "fallback_reason": challenge.fallback_reason,
        "unsent_reason": unsent_reason,
        "passkey": passkey,
    }
    if challenge.method == "onetouch":
        answer["push_expires_in"] = ONETOUCH_SECONDS
        answer["poll_ms"] = lost_callbacks.poll_ms(clock.now())
        if challenge.opens_session:
            # The push's answer comes over the WebSocket, from the vendor's callback,
            # which has no token to send: the page holds the session's in advance.
            answer["session_token"] = tokens.session_token_for(token)
    return {"challenge": answer}


def with_session_token(answer, token):
    """``answer`` with the token of the session it hands out, derived from the challenge's
    ``token`` when the session was the challenge's own (named when it was made)."""
    if "session" in answer and "token" not in answer["session"]:
        answer["session"] = {"token": tokens.session_token_for(token), **answer["session"]}
    return answer


def approval_result(challenge):
    """What an approved push that was already spent gave: ``{"session": …}`` (its token left
    to ``with_session_token``) or ``{"step_up": …}``; ChallengeUsed if it gave nothing that
    is still alive (the session ended, or a code, not the push, spent the challenge)."""
    now = clock.now()
    if challenge.onetouch_status == "approved":
        if challenge.opens_session:
            session = sessions.find(challenge.opens_session)
            if session is not None and session.email == challenge.email:
                return {"session": sessions.client_view(session, now)}
        elif challenge.session_hash:
            session = sessions.find(challenge.session_hash)
            if session is not None and session.proven_at >= challenge.created_at:
                left = int(session.proven_at + sessions.STEP_UP_SECONDS - now)
                if left > 0:
                    return {"step_up": {"proven_for": left}}
    raise ChallengeUsed()


def update_if(challenge, actions, condition):
    """Apply ``actions`` to a stored challenge if ``condition`` holds; False if not."""
    return storage.write_if(
        challenge.update, actions=actions, condition=LoginChallenge.token_hash.exists() & condition
    )


def complete(challenge, method, **terms):
    """``spend``, for what the client gets: ``{"session": …}`` or ``{"step_up": …}``."""
    return spend(challenge, method, **terms)[0]


def spend(
    challenge,
    method,
    *,
    account_actions=(),
    account_condition=None,
    account_refusal=None,
    challenge_actions=(),
    challenge_condition=None,
    writes=None,
):
    """Spend the challenge and open a session (or prove a step-up), if the account lets it.

    One transaction: the challenge must be unspent and unexpired (and, for an approved
    push, not locked by wrong codes: a code's own last try is counted), the account must still
    name it as its live challenge and must not be locked (a recovery code may unlock it);
    then the session is saved, or for a step-up the session's proof is renewed. A way of
    answering that spends something of the account's (a recovery code) adds its own
    ``account_actions`` and ``account_condition`` to the same write, and the error for
    when only that condition fails (``account_refusal``). The vendor's callback records
    the push's answer in the same write: its ``challenge_actions`` and
    ``challenge_condition`` join the challenge's, and its other ``writes`` (a Transaction
    whose names are not these) come along; if one of those is refused, storage.Refused.
    Returns what the client gets (``{"session": …}`` or ``{"step_up": …}``) and the
    session opened (None for a step-up).
    """
    now = clock.now()
    transaction = writes or storage.Transaction()
    spendable = (
        LoginChallenge.token_hash.exists()
        & (LoginChallenge.used == False)  # noqa: E712
        & (LoginChallenge.expires_at > now)
    )
    if method == "onetouch":  # five wrong codes lock the challenge: no approval ends it then
        spendable &= LoginChallenge.code_attempts < MAX_CODE_ATTEMPTS
    if challenge_condition is not None:
        spendable &= challenge_condition
    transaction.update(
        "challenge", challenge, [LoginChallenge.used.set(True), *challenge_actions], spendable
    )
    step_up = challenge.purpose == "step_up"
    opened = None
    actions = [
        User.phone_verified.set(True),
        User.failed_codes.set(0),
        User.locked_at.remove(),
        User.live_challenge.remove(),
        *account_actions,
    ]
    if not step_up:
        actions += [User.last_login_at.set(now), User.last_login_method.set(method)]
    condition = (
        User.email.exists()
        & (User.live_challenge == challenge.token_hash)
        & lockout.may_finish(method)
    )
    if account_condition is not None:
        condition &= account_condition
    transaction.update("account", User(email=challenge.email), actions, condition)
    if step_up:
        answer = {"step_up": {"proven_for": sessions.STEP_UP_SECONDS}}
        transaction.update(
            "session",
            Session(token_hash=challenge.session_hash),
            [Session.proven_at.set(now)],
            Session.token_hash.exists(),
        )
    else:
        client_session, opened = sessions.new_session(challenge.email, now, challenge.opens_session)
        answer = {"session": client_session}
        transaction.save("session", opened, Session.token_hash.does_not_exist())
    kind = "step_up_succeeded" if step_up else "login_succeeded"
    transaction.save("audit", audit.event_for(challenge, challenge.email, kind, method))
    failed = transaction.commit()
    if failed - SPEND_WRITES:
        raise storage.Refused(failed)
    if "challenge" in failed:
        raise ChallengeUsed()
    if "session" in failed:
        raise SessionInvalid()  # the session being stepped up ended meanwhile
    if failed:
        raise _why_refused(challenge, method, account_refusal)
    requestlog.note(outcome="step_up" if step_up else "session")
    return answer, opened


def open_session(email, method, context, transaction=None, *, account_condition=None, refusal=None):
    """A session with no challenge: the second factor was proven some other way.

    A remembered browser, or a passkey (which is both factors at once). The account must
    not be locked, and must meet ``account_condition`` if one is given (else ``refusal``
    is raised); the login is recorded as by ``method``, in the same write as the session
    and whatever else the login writes (``transaction``).
    """
    now = clock.now()
    client_session, session = sessions.new_session(email, now)
    transaction = transaction or storage.Transaction()
    condition = User.email.exists() & lockout.may_finish(method)
    if account_condition is not None:
        condition &= account_condition
    transaction.update(
        "account",
        User(email=email),
        [User.last_login_at.set(now), User.last_login_method.set(method)],
        condition,
    )
    transaction.save("session", session, Session.token_hash.does_not_exist())
    transaction.save("audit", audit.event_for(context, email, "login_succeeded", method))
    if transaction.commit():
        user = storage.get_or_none(User, email)
        locked = user is not None and lockout.is_locked(user)
        raise AccountLocked() if locked or refusal is None else refusal
    requestlog.note(outcome="session")
    return {"session": client_session}


def _why_refused(challenge, method, account_refusal):
    """Why the account refused a challenge: superseded, locked, or the answer's own reason."""
    try:
        user = User.get(challenge.email, consistent_read=True)
    except DoesNotExist:
        return ChallengeInvalid()
    if user.live_challenge != challenge.token_hash:
        return ChallengeSuperseded()
    if method != lockout.UNLOCKS and lockout.is_locked(user):
        return AccountLocked()
    return account_refusal or ChallengeSuperseded()
