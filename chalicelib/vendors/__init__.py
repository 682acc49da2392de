"""The verification vendors behind one small face; nothing above this package knows which.

``vendor()`` is the stage's vendor (``FACTOR_PROVIDER``: ``authy`` or ``verify``), made on
first use. Both answer the same calls about a ``Person``; what a vendor cannot do, it
says (``pushes``, ``offers_authenticator``) instead of failing. Vendor failures are
``VendorUnavailable`` (503) or ``VendorRejected`` (400); a wrong code is just ``False``.

The calls: ``enroll``/``unenroll`` a person; ``send_code`` (sms or call) and
``check_code``; ``has_app`` and ``check_app_code`` for the app's own codes; ``push``,
``push_status`` and ``read_push_answer`` (the callback) where pushes exist; and
``start_authenticator``/``confirm_authenticator``/``remove_authenticator`` where an
authenticator app is added through the vendor.
"""

import functools
from dataclasses import dataclass

from chalicelib.config import settings


@dataclass(frozen=True)
class Person:
    """Who a vendor call is about, by every name a vendor knows them."""

    email: str
    phone: str  # E.164
    authy_id: int | None = None  # Authy's user id, once enrolled there
    identity: str | None = None  # our opaque user id: Verify's Entity identity
    app_factor: str | None = None  # Verify's verified TOTP factor, if the user added one

    @classmethod
    def of(cls, record):
        """The person a User or a LoginChallenge names."""
        return cls(
            email=record.email,
            phone=record.phone,
            authy_id=getattr(record, "authy_id", None),
            identity=getattr(record, "user_id", None),
            app_factor=getattr(record, "app_factor", None),
        )


@functools.lru_cache(maxsize=1)
def vendor():
    """The stage's vendor, made on first use (clients and their connections are reused)."""
    config = settings()
    if config.factor_provider == "verify":
        from chalicelib.vendors.verify.vendor import VerifyVendor

        return VerifyVendor(config)
    from chalicelib.vendors.authy.vendor import AuthyVendor

    return AuthyVendor(config)
