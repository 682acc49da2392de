"""The phone's authenticator app: accounts added by key or otpauth URI, and their codes.

Like Google Authenticator or 1Password, it knows nothing of Verify: it holds a secret and
shows the code for now. "Now" is the emulator's clock, so a test that moves the clock
moves the app's codes with it.
"""

import base64
import binascii
import dataclasses
import itertools
import re
import urllib.parse

from devstack.emulator import totp

MIN_KEY_BYTES = 10  # 80 bits (16 Base32 characters), the shortest key common apps accept
DIGITS = (6, 7, 8)
ALGORITHMS = {"SHA1": "sha1", "SHA256": "sha256", "SHA512": "sha512"}


class BadKey(ValueError):
    """The pasted text is neither a Base32 key nor an otpauth://totp URI we can read."""


@dataclasses.dataclass
class Account:
    id: int
    label: str
    issuer: str | None
    secret: bytes
    digits: int = 6
    period: int = 30
    algorithm: str = "sha1"

    def code_at(self, now):
        return totp.code_at(self.secret, now, self.digits, self.period, self.algorithm)


def decode_key(text):
    """A Base32 key as people paste it: any case, spaces or dashes, padding or not."""
    cleaned = re.sub(r"[\s-]", "", text).upper().rstrip("=")
    if not cleaned or not re.fullmatch(r"[A-Z2-7]+", cleaned):
        raise BadKey("the key must be Base32: letters A-Z and digits 2-7")
    try:
        secret = base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))
    except (binascii.Error, ValueError):
        raise BadKey("the key is not valid Base32") from None
    if len(secret) < MIN_KEY_BYTES:
        raise BadKey("the key is too short: at least 16 Base32 characters")
    return secret


def parse_uri(uri):
    """The settings of an ``otpauth://totp/Issuer:name?secret=...`` URI."""
    parts = urllib.parse.urlsplit(uri)
    if parts.scheme != "otpauth" or parts.netloc != "totp":
        raise BadKey("only otpauth://totp/ URIs are supported")
    query = dict(urllib.parse.parse_qsl(parts.query))
    label = urllib.parse.unquote(parts.path.lstrip("/"))
    issuer, _, name = label.rpartition(":")
    settings = {
        "label": name.strip() or label,
        "issuer": query.get("issuer") or issuer.strip() or None,
        "secret": decode_key(query.get("secret", "")),
        "digits": _choice(query.get("digits", "6"), {str(d): d for d in DIGITS}, "digits"),
        "period": _period(query.get("period", "30")),
        "algorithm": _choice(query.get("algorithm", "SHA1").upper(), ALGORITHMS, "algorithm"),
    }
    return settings


def _choice(value, allowed, name):
    if value not in allowed:
        raise BadKey(f"{name} must be one of {', '.join(map(str, allowed))}")
    return allowed[value]


def _period(value):
    if not value.isdigit() or not 1 <= int(value) <= 300:
        raise BadKey("period must be 1 to 300 seconds")
    return int(value)


class Authenticator:
    """The accounts in the app, in the order they were added."""

    def __init__(self, lock, clock):
        self.lock = lock
        self.clock = clock
        self.reset()

    def reset(self):
        with self.lock:
            self.accounts = {}
            self._ids = itertools.count(1)

    def add(self, key_or_uri, label=None):
        """Add an account from a pasted key or otpauth URI; BadKey says what is wrong."""
        text = (key_or_uri or "").strip()
        if text.lower().startswith("otpauth:"):
            settings = parse_uri(text)
        else:
            settings = {"label": "Account", "issuer": None, "secret": decode_key(text)}
        if label and label.strip():
            settings["label"] = label.strip()
        with self.lock:
            account = Account(id=next(self._ids), **settings)
            self.accounts[account.id] = account
            return account

    def remove(self, account_id):
        with self.lock:
            if self.accounts.pop(account_id, None) is None:
                raise KeyError(account_id)

    def view(self, account):
        """What the app shows: the label, the current code and how long it lasts."""
        now = self.clock()
        return {
            "id": account.id,
            "label": account.label,
            "issuer": account.issuer,
            "digits": account.digits,
            "period": account.period,
            "algorithm": account.algorithm,
            "code": account.code_at(now),
            "seconds_left": totp.seconds_left(now, account.period),
        }

    def views(self):
        with self.lock:
            return [self.view(account) for account in self.accounts.values()]
