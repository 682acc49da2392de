"""The second step of signup and login: start it, follow it, answer it."""

import logging

from chalicelib import browsers, clock, lockout, ratelimits, storage
from chalicelib.errors import AppError, ChallengeUsed
from chalicelib.second_step import authenticator, code, passkey, push, recovery, watchers
from chalicelib.second_step import challenge as challenges

log = logging.getLogger(__name__)

REMEMBERED = "remembered_browser"


def log_in(user, context, browser_token=None, failures=()):
    """After the right password: a session straight away for a remembered browser, else
    the second step. ``failures``, the counters the password was reserved on, are given
    back in the login's own write."""
    writes = storage.Transaction()
    ratelimits.give_back_in(writes, failures)
    if not lockout.is_locked(user) and browsers.recognise(user, browser_token):
        return challenges.open_session(user.email, REMEMBERED, context, writes)
    return start(user, "login", context, writes=writes)


def step_up(user, session, context):
    """The second step again, to prove this session's holder before a security change."""
    return start(user, "step_up", context, session_hash=session.token_hash)


def start(user, purpose, context, session_hash=None, writes=None):
    """Open the account's new challenge and reach the person the best way there is.

    A user with a passkey is offered it first, and nothing is sent: the page offers the
    passkey, with texts, calls, the app's code and recovery codes beside it. Otherwise a
    push if the vendor has them and the phone's app can take one; else the code of an
    authenticator app the user added, if any; else a texted code. The new challenge
    supersedes any older live one of the account (whoever started it): that one can no
    longer become a session, and its page is told. If the text fails, the challenge still
    stands, so the user can ask for a call or use the app's code. Everything the start
    writes (the challenge, the account's pointer, its audit events) is one write.
    """
    now = clock.now()
    writes = writes or storage.Transaction()
    token, challenge = challenges.new_challenge(user, purpose, context, now, session_hash)
    if lockout.is_locked(user):
        challenge.method = "recovery"  # only a recovery code can finish it, and unlock
        challenges.save_as_live(challenge, user, writes)
        return challenges.summary(token, challenge)
    unsent = _reach(challenge, user, context, now, writes)
    challenges.save_as_live(challenge, user, writes)
    if user.live_challenge and user.live_challenge != challenge.token_hash:
        older = challenges.supersede(user.live_challenge)
        if older is not None:
            watchers.notify(older, {"status": "superseded"})
    return challenges.summary(token, challenge, unsent, passkey=passkey.asked_first(user))


def _reach(challenge, user, context, now, writes):
    """Choose how the challenge asks (``challenge.method``); why no text went, if one didn't."""
    if passkey.asked_first(user):
        challenge.method = passkey.METHOD
        return None
    reason = push.send_push(challenge, user, context, now, writes)
    if reason is None:
        return None
    if authenticator.asked_first(user):
        challenge.method = "app"
        return None
    challenge.fallback_reason = None if reason == push.NO_PUSHES else reason
    return code.send_first_code(challenge, context, now, writes)


def poll(token):
    """The challenge's status, and once its push is approved the session it opened.

    The vendor's callback usually opens it (and tells the page over its socket); a poll
    opens it when the callback has not come, and answers it again to the challenge's
    holder, who may not have heard the socket.
    """
    challenge = challenges.load_challenge(token, spent=True)
    if challenge.used:
        opened = challenges.approval_result(challenge)
        body = {**challenges.describe(challenge), "status": "approved", **opened}
        return challenges.with_session_token(body, token)
    push.settle(challenge)
    body = challenges.describe(challenge)
    if body["status"] == "approved":
        try:
            body.update(challenges.complete(challenge, "onetouch"))
        except ChallengeUsed:  # spent meanwhile, by the callback or a parallel poll
            spent = challenges.load_challenge(token, spent=True)
            body.update(challenges.approval_result(spent))
    return challenges.with_session_token(body, token)


def approve(challenge, delivery):
    """For the vendor's callback, an approval: record it and, in the same write, spend the
    challenge and open its session (or prove its step-up). Returns ``(refused, news)``:
    why the approval was not recorded (push.LATE or push.DUPLICATE) or None, and what the
    page is told over its socket: the status, the session without its token (the page
    holds it since the push was sent) or the step-up, and the account page.

    When the account refuses (a superseded challenge, a locked account), the challenge is
    locked by wrong codes, or it was made before sessions were named in advance, the
    approval is recorded alone and the news is just the status the callback knows; on
    "approved" the page polls, which gives it the rest, or why not.
    """
    if challenge.opens_session or challenge.session_hash:
        try:
            news = _approve_and_open(challenge, delivery)
        except (AppError, storage.Refused):
            pass
        except Exception:  # noqa: BLE001 - record the approval alone; a poll opens the session
            log.exception("challenge %s: approval not opened", challenge.challenge_id)
        else:
            return None, news
    refused = push.record_result(challenge, "approved", delivery, tell_watchers=False)
    return refused, {"status": challenges.status_of(challenge)}


def _approve_and_open(challenge, delivery):
    now = clock.now()
    writes = storage.Transaction()
    push.result_writes(challenge, "approved", delivery, now, writes)
    actions, condition = push.result_terms("approved", now)
    answer, opened = challenges.spend(
        challenge,
        "onetouch",
        challenge_actions=actions,
        challenge_condition=condition,
        writes=writes,
    )
    challenge.onetouch_status, challenge.used = "approved", True
    news = {"status": "approved", **answer}
    if opened is not None and challenge.watchers:  # no socket watches: a poll brings it
        from chalicelib import accounts

        try:
            # Read only: an account past its unproven day is released by its own request.
            news["account"] = accounts.page(opened, challenge, releasing=False)
        except Exception as error:  # noqa: BLE001 - the session stands; the page asks for its account
            log.warning("no account page with the pushed session: %s", type(error).__name__)
    return news


def verify(token, typed, context):
    """A typed code: texted, spoken, or the app's."""
    answer = code.check(challenges.load_answerable(token), typed, context)
    return challenges.with_session_token(answer, token)


def use_recovery_code(token, typed, context):
    answer = recovery.check(challenges.load_answerable(token), typed, context)
    return challenges.with_session_token(answer, token)


def passkey_options(token, context):
    """Begin a passkey login: by itself without a challenge, else as its second step."""
    challenge = None if token is None else challenges.load_answerable(token)
    return passkey.login_options(context, challenge)


def use_passkey(token, ceremony, credential, context):
    """A passkey's answer: a session by itself, or the challenge's second step."""
    if token is None:
        return passkey.log_in(ceremony, credential, context)
    answer = passkey.answer(challenges.load_answerable(token), ceremony, credential, context)
    return challenges.with_session_token(answer, token)
