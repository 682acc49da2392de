"""Every typed answer is a guess, counted before it is checked.

A challenge takes five (``MAX_CODE_ATTEMPTS``), an account 100 wrong ones in a row
(``lockout``); both counts are reserved in one transaction before the vendor (or our own
store) is asked, so parallel guesses can never pass either. A guess that got no verdict
(the vendor failed) is given back; a wrong one stays counted.
"""

from chalicelib import audit, lockout, storage
from chalicelib.errors import AccountLocked, ChallengeLocked, InvalidCode
from chalicelib.models import LoginChallenge
from chalicelib.second_step.challenge import MAX_CODE_ATTEMPTS, reload_answerable, update_if


def reserve(challenge, account_wide=True):
    """Count one guess on the challenge (and the account), or say why it may not be made.

    A recovery code is not counted on the account: it may be what unlocks it.
    """
    transaction = storage.Transaction()
    transaction.update(
        "challenge",
        challenge,
        [LoginChallenge.code_attempts.add(1)],
        LoginChallenge.token_hash.exists()
        & (LoginChallenge.code_attempts < MAX_CODE_ATTEMPTS)
        & (LoginChallenge.used == False)  # noqa: E712 - a DynamoDB condition, not a bool test
        & (LoginChallenge.superseded == False),  # noqa: E712
    )
    if account_wide:
        lockout.reserve_check(transaction, challenge.email)
    failed = transaction.commit()
    if "account" in failed:
        raise AccountLocked()
    if failed:
        reload_answerable(challenge)  # raises ChallengeUsed / Expired / Superseded if so
        raise ChallengeLocked()
    challenge.code_attempts += 1


def give_back(challenge):
    """The guess got no verdict: it counts neither on the challenge nor on the account."""
    update_if(challenge, [LoginChallenge.code_attempts.add(-1)], LoginChallenge.code_attempts > 0)
    lockout.refund_check(challenge.email)


def wrong(challenge, context, account_wide=True):
    """A wrong guess: the error that says how many are left, or what is locked now."""
    audit.record_for(context, challenge.email, "code_failed")
    if account_wide:
        lockout.after_wrong_code(challenge.email, context)
    attempts_left = max(0, MAX_CODE_ATTEMPTS - challenge.code_attempts)
    if attempts_left == 0:
        audit.record_for(context, challenge.email, "challenge_locked")
        return ChallengeLocked()
    return InvalidCode(extra={"attempts_left": attempts_left})
