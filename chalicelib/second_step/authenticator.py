"""An authenticator app's codes (Google Authenticator, 1Password, the Authy app…).

Where the vendor adds authenticators (Verify), the account page adds one: the vendor makes
a TOTP factor for the user's opaque id, the page shows its key once (as a QR code and as
text), and the user's first code confirms it. A user with one is asked for its code first
at login. With Authy the Authy app is the authenticator, added in the app itself.
"""

from chalicelib import audit, clock, storage
from chalicelib.errors import InvalidCode, NotFound
from chalicelib.models import User
from chalicelib.vendors import Person, vendor


def asked_first(user):
    """True when the login asks for the authenticator's code before texting one."""
    return vendor().offers_authenticator and bool(user.app_factor)


def describe(user):
    """What the account page shows of the authenticator."""
    offered = vendor().offers_authenticator
    return {
        "offered": offered,
        "added": bool(user.app_factor) if offered else None,
        "added_at": clock.iso(user.app_factor_added_at) if offered else None,
    }


def begin(user):
    """Start adding one: the key, its otpauth URI and a QR code of it, shown once.

    The factor waits for the app's first code (``confirm``) before it counts.
    """
    _offered()
    factor = vendor().start_authenticator(Person.of(user), user.email)
    storage.write_if(
        User(email=user.email).update,
        actions=[User.app_factor_pending.set(factor.sid)],
        condition=User.email.exists(),
    )
    return {
        "key": _key_of(factor.uri) or factor.secret,
        "uri": factor.uri,
        "qr": qr_rows(factor.uri),
    }


def qr_rows(text):
    """A QR code of ``text`` as rows of "0"/"1" (dark) modules, quiet zone not included.

    The page paints them on a canvas: no image to host, and no markup from the server.
    """
    import segno  # only the account page's "add" pays for it

    return [
        "".join("1" if dark else "0" for dark in row) for row in segno.make(text, error="m").matrix
    ]


def _key_of(uri):
    """The base32 key in an otpauth URI, in groups of four for people who type it."""
    from urllib.parse import parse_qs, urlsplit

    secret = (parse_qs(urlsplit(uri).query).get("secret") or [""])[0]
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)) or None


def confirm(user, typed, context):
    """The app's first code proves the key was taken; the factor becomes the user's."""
    _offered()
    pending = user.app_factor_pending
    if not pending:
        raise NotFound("There is no authenticator being added. Start again.")
    if not vendor().confirm_authenticator(Person.of(user), pending, typed):
        raise InvalidCode()
    previous = user.app_factor
    now = clock.now()
    User(email=user.email).update(
        actions=[
            User.app_factor.set(pending),
            User.app_factor_added_at.set(now),
            User.app_factor_pending.remove(),
        ],
        condition=User.email.exists() & (User.app_factor_pending == pending),
    )
    if previous and previous != pending:
        vendor().remove_authenticator(Person.of(user), previous)
    audit.record_for(context, user.email, "authenticator_added")


def remove(user, context):
    """Forget the user's authenticator here and at the vendor."""
    _offered()
    if not user.app_factor:
        raise NotFound("There is no authenticator to remove.")
    vendor().remove_authenticator(Person.of(user), user.app_factor)
    User(email=user.email).update(
        actions=[User.app_factor.remove(), User.app_factor_added_at.remove()],
        condition=User.email.exists(),
    )
    audit.record_for(context, user.email, "authenticator_removed")


def _offered():
    if not vendor().offers_authenticator:
        raise NotFound("The Authy app is the authenticator here: add it in the app.")
