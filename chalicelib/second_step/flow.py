"""The second step of signup and login: start it, follow it, answer it with a code."""

from chalicelib import clock
from chalicelib.second_step import authenticator, code, push, watchers
from chalicelib.second_step import challenge as challenges


def start(user, purpose, context):
    """Open the account's new challenge and reach the person the best way there is.

    A push if the vendor has them and the phone's app can take one; else the code of an
    authenticator app the user added, if any; else a texted code. The new challenge
    supersedes any older live one of the account (whoever started it): that one can no
    longer become a session, and its page is told. If the text fails, the challenge still
    stands, so the user can ask for a call or use the app's code.
    """
    now = clock.now()
    token, challenge = challenges.new_challenge(user, purpose, context, now)
    reason = push.send_push(challenge, user, context, now)
    unsent = None
    if reason is not None:
        if authenticator.asked_first(user):
            challenge.method = "app"
        else:
            challenge.fallback_reason = None if reason == push.NO_PUSHES else reason
            unsent = code.send_first_code(challenge, context, now)
    challenges.save_as_live(challenge, user)
    if user.live_challenge and user.live_challenge != challenge.token_hash:
        older = challenges.supersede(user.live_challenge)
        if older is not None:
            watchers.notify(older, "superseded")
    return challenges.summary(token, challenge, unsent)


def poll(token):
    """The challenge's status; the first caller to see an approval gets the session."""
    challenge = challenges.load_challenge(token)
    push.settle(challenge)
    body = challenges.describe(challenge)
    if body["status"] == "approved":
        body["session"] = challenges.complete(challenge, "onetouch")
    return body


def verify(token, typed, context):
    """A typed code: texted, spoken, or the app's."""
    return code.check(challenges.load_answerable(token), typed, context)
