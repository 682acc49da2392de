"""Turn a request body into checked, normalised values, or an error naming each bad field."""

import json
import re
import unicodedata

from chalicelib.errors import BodyTooLarge, InvalidInput, MalformedJSON

MAX_BODY_BYTES = 16 * 1024
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s.]+(\.[^@\s.]+)+$")
_CODE = re.compile(r"^[0-9]{6,10}$")
_BASE64URL = re.compile(r"[A-Za-z0-9_-]{1,1400}")  # a credential id is at most 1023 bytes


def json_object(raw_body):
    """Parse a request body that must be a JSON object of at most 16 KB."""
    if raw_body and len(raw_body) > MAX_BODY_BYTES:
        raise BodyTooLarge()
    try:
        data = json.loads((raw_body or b"").decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):  # deep nesting → RecursionError
        raise MalformedJSON() from None
    if not isinstance(data, dict):
        raise MalformedJSON()
    return data


def _has_control_chars(value):
    return any(unicodedata.category(ch) in ("Cc", "Cs") for ch in value)


class Form:
    """Collects every field's problem so one answer can name them all."""

    def __init__(self, data):
        self.data = data
        self.errors = {}

    def text(self, name, *, min_len=1, max_len, strip=True):
        """A string of ``min_len``..``max_len`` characters without control characters."""
        value = self.data.get(name)
        if value is None or value == "":
            self.errors[name] = "is required"
            return None
        if not isinstance(value, str):
            self.errors[name] = "must be a string"
            return None
        if len(value) > max_len:
            self.errors[name] = f"must be at most {max_len} characters"
            return None
        if strip:
            value = value.strip()
        if len(value) < min_len:
            self.errors[name] = f"must be at least {min_len} characters"
            return None
        if _has_control_chars(value):
            self.errors[name] = "must not contain control characters"
            return None
        return value

    def optional_text(self, name, *, max_len):
        """``text`` for a field that may be left out (None then)."""
        if self.data.get(name) in (None, ""):
            return None
        return self.text(name, max_len=max_len)

    def choice(self, name, options):
        value = self.data.get(name)
        if value not in options:
            self.errors[name] = "must be one of: " + ", ".join(options)
            return None
        return value

    def fail(self, name, why):
        self.errors.setdefault(name, why)

    def check(self):
        """Raise InvalidInput naming every bad field, if any."""
        if self.errors:
            raise InvalidInput(fields=self.errors)


def email(form, name="email"):
    """A syntactically valid email of at most 254 characters, in lower case."""
    value = form.text(name, max_len=254)
    if value is None:
        return None
    value = value.lower()
    if not _EMAIL.match(value) or any(unicodedata.category(ch) == "Cf" for ch in value):
        form.fail(name, "is not a valid email address")
        return None
    return value


def password(form, name="password"):
    """8 to 128 characters (checked before any hashing), NFKC-normalised (SP 800-63B)."""
    value = form.text(name, min_len=8, max_len=128, strip=False)
    return unicodedata.normalize("NFKC", value) if value is not None else None


def country_code(form, name="country_code"):
    """A calling code such as 1, 44 or "+57", as an int."""
    value = form.data.get(name)
    if isinstance(value, str) and re.fullmatch(r"\+?[0-9]{1,3}", value.strip()):
        value = int(value.strip().lstrip("+"))
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 999:
        form.fail(name, "must be a calling code such as 1 or 44")
        return None
    return value


def verification_code(form, name="token"):
    """6 to 10 digits once spaces are removed."""
    value = form.text(name, max_len=32)
    if value is None:
        return None
    value = re.sub(r"\s+", "", value)
    if not _CODE.match(value):
        form.fail(name, "must be 6 to 10 digits")
        return None
    return value


def passkey_credential(form, name="credential"):
    """What ``navigator.credentials`` gave, as JSON: an object with a base64url ``id`` and a
    ``response`` object. What it says is the relying party's to check."""
    value = form.data.get(name)
    if value is None:
        form.fail(name, "is required")
        return None
    if (
        not isinstance(value, dict)
        or not isinstance(value.get("id"), str)
        or not _BASE64URL.fullmatch(value["id"])
        or not isinstance(value.get("response"), dict)
    ):
        form.fail(name, "is not a passkey's answer")
        return None
    return value
