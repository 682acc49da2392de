"""The second step of signup and login: start it, and follow it to a session."""

from chalicelib import clock
from chalicelib.second_step import challenge as challenges
from chalicelib.second_step import code, push, watchers


def start(user, purpose, context):
    """Open the account's new challenge and reach the phone: a push if possible, else a text.

    The new challenge supersedes any older live one of the account (whoever started it):
    that one can no longer become a session, and its page is told. If the text fails too,
    the challenge still stands, so the user can ask for a call or use the app's code.
    """
    now = clock.now()
    token, challenge = challenges.new_challenge(user, purpose, context, now)
    reason = push.send_push(challenge, user, context, now)
    unsent = None
    if reason is not None:
        challenge.fallback_reason = reason
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
