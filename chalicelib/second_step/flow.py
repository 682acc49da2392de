"""The second step of signup and login: start it, follow it, answer it."""

from chalicelib import browsers, clock, lockout, ratelimits, storage
from chalicelib.second_step import authenticator, code, passkey, push, recovery, watchers
from chalicelib.second_step import challenge as challenges

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
            watchers.notify(older, "superseded")
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
    """The challenge's status; the first caller to see an approval gets the session."""
    challenge = challenges.load_challenge(token)
    push.settle(challenge)
    body = challenges.describe(challenge)
    if body["status"] == "approved":
        body.update(challenges.complete(challenge, "onetouch"))
    return body


def verify(token, typed, context):
    """A typed code: texted, spoken, or the app's."""
    return code.check(challenges.load_answerable(token), typed, context)


def use_recovery_code(token, typed, context):
    return recovery.check(challenges.load_answerable(token), typed, context)


def passkey_options(token, context):
    """Begin a passkey login: by itself without a challenge, else as its second step."""
    challenge = None if token is None else challenges.load_answerable(token)
    return passkey.login_options(context, challenge)


def use_passkey(token, ceremony, credential, context):
    """A passkey's answer: a session by itself, or the challenge's second step."""
    if token is None:
        return passkey.log_in(ceremony, credential, context)
    return passkey.answer(challenges.load_answerable(token), ceremony, credential, context)
