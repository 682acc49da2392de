"""The account's second factors, counted, so that no removal can leave it with none.

A factor is a way to answer the second step by itself: the phone (texts and calls), an
authenticator app, each passkey. Recovery codes are a way back in, not a factor. Today
the phone is always one, so the count never reaches zero; removals go through the count
anyway, so the rule still holds the day the phone can be turned off.
"""

from chalicelib.errors import LastFactor
from chalicelib.models import User


def _phone(user):
    return bool(user.phone)


def count(user):
    """How many factors the account has."""
    return int(_phone(user)) + int(bool(user.app_factor)) + (user.passkeys or 0)


def require_another(user, removing=1):
    """Refuse (LastFactor) a removal of ``removing`` factors that would leave none."""
    if count(user) - removing < 1:
        raise LastFactor()


def unchanged(user):
    """A condition on the stored user: the factors counted on ``user`` are still all there.

    A removal writes under it, so a removal decided on a count cannot race another one.
    """
    condition = User.email.exists() & (User.phone == user.phone)
    if user.app_factor:
        condition &= User.app_factor == user.app_factor
    else:
        condition &= User.app_factor.does_not_exist()
    if user.passkeys:
        condition &= User.passkeys == user.passkeys
    else:
        condition &= User.passkeys.does_not_exist() | (User.passkeys == 0)
    return condition
