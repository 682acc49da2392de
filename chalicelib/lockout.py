"""The account-wide lock on wrong codes (NIST SP 800-63B: at most 100 in a row).

Every code check is counted on the user *before* the vendor is asked, with a conditional
write that refuses once the count is at the limit, so parallel guesses from any number of
challenges can never pass it. A wrong code leaves its count in place; a right one (or a
push approval) resets it, but never on a locked account. Unlocking is an operator's act
(``make unlock``) or the account owner's, with a recovery code.
"""

from chalicelib import audit, clock, storage
from chalicelib.errors import AccountLocked
from chalicelib.models import User

MAX_FAILED_CODES = 100


def is_locked(user):
    return (user.failed_codes or 0) >= MAX_FAILED_CODES


def _below_limit():
    return User.failed_codes.does_not_exist() | (User.failed_codes < MAX_FAILED_CODES)


def reserve_check(transaction, email):
    """Add to ``transaction`` the count of one more code check; it fails on a locked account."""
    transaction.update(
        "account",
        User(email=email),
        [User.failed_codes.add(1)],
        User.email.exists() & _below_limit(),
    )


def refund_check(email):
    """Take back a reserved check that never reached a verdict (the vendor failed)."""
    storage.write_if(
        User(email=email).update,
        actions=[User.failed_codes.add(-1)],
        condition=User.failed_codes > 0,
    )


UNLOCKS = "recovery_code"  # the one way in that lifts the lock (the owner's own proof)


def may_finish(method):
    """The condition on the user under which a challenge answered by ``method`` may end.

    A code's own check is already in the count, and it could only be reserved below the
    limit, so its success may reset the count; a recovery code lifts the lock; any other
    way in must find the count below the limit.
    """
    if method == UNLOCKS:
        return User.email.exists()
    if method == "code":
        return User.failed_codes.does_not_exist() | (User.failed_codes <= MAX_FAILED_CODES)
    return _below_limit()


def after_wrong_code(email, context):
    """Raise AccountLocked when this wrong code used up the account's last check."""
    user = User.get(email, consistent_read=True)
    if not is_locked(user):
        return
    if storage.write_if(
        user.update,
        actions=[User.locked_at.set(clock.now())],
        condition=User.locked_at.does_not_exist(),
    ):
        audit.record_for(context, email, "account_locked")
    raise AccountLocked()


def unlock(email, by, context=None):
    """Lift the lock (an operator, or the owner with a recovery code); False: no such user."""
    if not storage.write_if(
        User(email=email).update,
        actions=[User.failed_codes.set(0), User.locked_at.remove()],
        condition=User.email.exists(),
    ):
        return False
    if context is None:
        audit.record(email, "account_unlocked", method=by)
    else:
        audit.record_for(context, email, "account_unlocked", by)
    return True
