"""The phone-proving step of signup and login: start it, and follow it to a session."""

from chalicelib import challenges, clock, codes, pushes
from chalicelib.models import LoginChallenge


def start(user, purpose, context):
    """Create a challenge and reach the user's phone: a push if possible, else a text.

    If the text fails too, the challenge is still made, so the user can ask for a call or
    read the code in the Authy app.
    """
    now = clock.now()
    token, challenge = challenges.new_challenge(user, purpose, context, now)
    reason = pushes.send_push(challenge, user, context, now)
    if reason is not None:
        challenge.fallback_reason = reason
        codes.send_first_code(challenge, now)
    challenge.save(condition=LoginChallenge.token_hash.does_not_exist())
    return challenges.summary(token, challenge)


def poll(token):
    """The challenge's status; the first caller to see an approval gets the session."""
    challenge = challenges.load_challenge(token)
    pushes.settle(challenge)
    body = challenges.describe(challenge)
    if body["status"] == "approved":
        body["session"] = challenges.complete(challenge, "onetouch")
    return body
