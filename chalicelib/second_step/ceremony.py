"""Passkey ceremonies: the random challenge a passkey must sign, kept on our side.

The browser gets the options and a ceremony token; the challenge lives only here, under
the token's SHA-256, for five minutes. Answering spends it first, by a conditional
delete, and only then is the answer checked: one answer per ceremony, right or wrong,
however many requests race with it.
"""

import base64
import secrets

from chalicelib import clock, storage, tokens
from chalicelib.errors import CeremonyExpired, CeremonyInvalid
from chalicelib.models import PasskeyCeremony

CEREMONY_SECONDS = 300
CHALLENGE_BYTES = 32
MAX_TOKEN = 256


def b64url(raw):
    """Bytes as unpadded base64url, as WebAuthn's JSON writes them."""
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def unb64url(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def begin(kind, *, email=None, login_challenge=None):
    """Store a new ceremony; ``(its token for the browser, the challenge bytes to sign)``.

    ``kind`` is "register" or "login"; a second step's ceremony names the login
    challenge it answers, a registration the account it adds to.
    """
    token = tokens.new_token()
    challenge = secrets.token_bytes(CHALLENGE_BYTES)
    now = clock.now()
    PasskeyCeremony(
        token_hash=tokens.hash_token(token),
        challenge=b64url(challenge),
        kind=kind,
        email=email,
        login_challenge=login_challenge,
        expires_at=now + CEREMONY_SECONDS,
        ttl=clock.at(now + CEREMONY_SECONDS),
    ).save(condition=PasskeyCeremony.token_hash.does_not_exist())
    return token, challenge


def take(token, kind, *, email=None, login_challenge=None):
    """Spend the ceremony ``token`` names; its challenge bytes if it was what is expected.

    It is spent whatever follows, so a second answer (or a parallel one) finds nothing.
    """
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN:
        raise CeremonyInvalid()
    ceremony = storage.get_or_none(PasskeyCeremony, tokens.hash_token(token))
    if ceremony is None or not storage.write_if(
        ceremony.delete, condition=PasskeyCeremony.token_hash.exists()
    ):
        raise CeremonyInvalid()
    if clock.now() >= ceremony.expires_at:
        raise CeremonyExpired()
    expected = (kind, email, login_challenge)
    if (ceremony.kind, ceremony.email, ceremony.login_challenge) != expected:
        raise CeremonyInvalid()
    return unb64url(ceremony.challenge)
