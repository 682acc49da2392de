"""Argon2id password hashing: hash, verify, and whether a stored hash needs redoing."""

import functools
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# argon2id with OWASP's first recommended setting (19 MiB, 2 passes, 1 lane): on a Lambda
# with a fraction of a vCPU, more lanes buy no speed and 64 MiB costs ~0.5 s a login.
# Raising these later is safe: needs_rehash() upgrades each hash at its next login.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


def hash_password(password):
    """Return an argon2id hash string for ``password``."""
    return _hasher.hash(password)


def verify_password(stored_hash, password):
    """True when ``password`` matches; False for a wrong password or a broken hash."""
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash):
    """True when the hash was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(stored_hash)


@functools.lru_cache(maxsize=1)
def dummy_hash():
    """A hash of nothing anyone knows, so an unknown email costs as much as a wrong password."""
    return _hasher.hash(secrets.token_urlsafe(32))
