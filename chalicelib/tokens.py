"""Bearer tokens and short codes: random from ``secrets``, stored only as SHA-256."""

import base64
import hashlib
import hmac
import secrets

# No 0/O, 1/I/L, 5/S, 8/B: easy to compare between screen and phone.
REQUEST_CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXYZ234679"


def new_token():
    """A fresh bearer token (256 random bits)."""
    return secrets.token_urlsafe(32)


def hash_token(token):
    """The SHA-256 hex digest under which a token is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def session_token_for(challenge_token):
    """The token of the session a login's challenge opens once it is answered.

    Derived from the challenge's token (HMAC-SHA-256, the token as the key), so whoever
    holds the challenge holds its session, and no one else: the page is given it with the
    push, whose answer then reaches it over the WebSocket from a callback that never sees
    either token. The session is only written once the second step is proven, so until
    then this token opens nothing.
    """
    mac = hmac.new(challenge_token.encode("utf-8"), b"twofold session", hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()).rstrip(b"=").decode("ascii")


def new_id():
    """A short random id that is safe to log and to show to Authy."""
    return secrets.token_hex(8)


def new_user_id():
    """An opaque, random id for a user: a vendor's identity or a passkey's user handle.

    Never the email: it is given to others (Verify, authenticators) and must say nothing.
    """
    return secrets.token_hex(16)


def new_request_code():
    """A code like ``K7P-2QX`` shown both in the browser and on the phone."""
    chars = [secrets.choice(REQUEST_CODE_ALPHABET) for _ in range(6)]
    return "".join(chars[:3]) + "-" + "".join(chars[3:])
