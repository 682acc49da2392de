"""Recovery codes: ten single-use codes for the day the phone is lost.

Made ten at a time on the account page (a new set replaces the old), shown once and kept
only as digests on the user. In the second step one works instead of the phone: it is
spent in the same transaction that opens the session, by removing its digest under the
condition that it is there, so each works once however many requests race for it. A
recovery code also lifts the account's wrong-code lock (the owner proves themselves).

A code is 16 letters and digits from a 27-character alphabet (76 bits), so a digest is a
plain SHA-256 with the account's email as salt: guessing one, online or offline, is out
of reach, and no slow hash is needed.
"""

import hashlib
import re
import secrets

from chalicelib import audit, clock, lockout
from chalicelib.errors import InvalidCode
from chalicelib.models import User
from chalicelib.second_step import guesses
from chalicelib.second_step.challenge import complete
from chalicelib.tokens import REQUEST_CODE_ALPHABET

COUNT = 10
LENGTH = 16
_SHAPE = re.compile(rf"^[{REQUEST_CODE_ALPHABET}]{{{LENGTH}}}$")


def normalise(typed):
    """``abcd-efgh jkmn pqrs`` → ``ABCDEFGHJKMNPQRS``; None when it cannot be a code."""
    code = re.sub(r"[\s-]+", "", typed or "").upper()
    return code if _SHAPE.match(code) else None


def digest(email, code):
    return hashlib.sha256(f"{email}\n{code}".encode()).hexdigest()


def _new_code():
    code = "".join(secrets.choice(REQUEST_CODE_ALPHABET) for _ in range(LENGTH))
    return "-".join(code[i : i + 4] for i in range(0, LENGTH, 4))


def renew(user, context):
    """Replace the account's recovery codes with ten new ones; return them (shown once)."""
    codes = [_new_code() for _ in range(COUNT)]
    now = clock.now()
    digests = {digest(user.email, normalise(code)): now for code in codes}
    User(email=user.email).update(
        actions=[User.recovery_codes.set(digests)], condition=User.email.exists()
    )
    audit.record_for(context, user.email, "recovery_codes_created")
    return codes


def left(user):
    """How many unused recovery codes the account has."""
    return len(user.recovery_codes.as_dict()) if user.recovery_codes else 0


def check(challenge, typed, context):
    """Spend a recovery code on the challenge: the session, or the right error."""
    code = normalise(typed)
    guesses.reserve(challenge, account_wide=False)  # the account may be locked: this unlocks it
    if code is None:
        raise guesses.wrong(challenge, context, account_wide=False)
    key = digest(challenge.email, code)
    was_locked = lockout.is_locked(User.get(challenge.email, consistent_read=True))
    try:
        answer = complete(
            challenge,
            lockout.UNLOCKS,
            account_actions=[User.recovery_codes[key].remove()],
            account_condition=User.recovery_codes[key].exists(),
            account_refusal=InvalidCode(),
        )
    except InvalidCode:
        raise guesses.wrong(challenge, context, account_wide=False) from None
    audit.record_for(context, challenge.email, "recovery_code_used")
    if was_locked:
        audit.record_for(context, challenge.email, "account_unlocked", lockout.UNLOCKS)
    return answer
