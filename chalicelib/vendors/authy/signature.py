"""Sign and check OneTouch callbacks the way Authy does (``X-Authy-Signature``).

The signed text is ``nonce|METHOD|url|query`` where ``query`` is the callback's
parameters flattened to ``key=value`` pairs, sorted by key and form-encoded.
``params`` is the JSON body parsed with :func:`parse_json` for a POST (so numbers
keep their JSON text), or the list of ``(key, value)`` pairs of a GET's query.
"""

import base64
import hashlib
import hmac
import json
import re

UNSIGNED_EMPTY_KEYS = frozenset(
    {
        "details",
        "hidden_details",
        "device_details",
        "requester_details",
        "logos",
        "enabled_unlock_methods",
        "device",
        "transaction",
        "approval_request",
    }
)
_INDEX = re.compile(r"\[\d+\]")
_KEEP = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789*-_.")


def parse_json(text):
    """Parse a callback body, keeping every number as the text it was written with."""
    return json.loads(text, parse_int=str, parse_float=str, parse_constant=_reject_constant)


def _reject_constant(name):
    raise ValueError(f"{name} is not JSON")


def _scalar(value):
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, float):
        return json.dumps(value)
    return str(value)


def _flatten(value, key):
    """Yield (key with numeric indices, text) pairs; empty objects and arrays add nothing."""
    if isinstance(value, dict):
        for child, item in value.items():
            yield from _flatten(item, f"{key}[{child}]" if key else str(child))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _flatten(item, f"{key}[{index}]")
    else:
        yield key, _scalar(value)


def _form_encode(text):
    out = []
    for byte in text.encode("utf-8"):
        if byte in _KEEP:
            out.append(chr(byte))
        elif byte == 0x20:
            out.append("+")
        else:
            out.append(f"%{byte:02X}")
    return "".join(out)


def canonical_query(params):
    """The sorted, form-encoded ``k=v&k=v`` text that Authy signs."""
    pairs = list(_flatten(params, "")) if isinstance(params, dict) else list(params)
    pairs.sort(key=lambda pair: pair[0].encode("utf-8"))
    return "&".join(
        f"{_form_encode(_INDEX.sub('[]', key))}={_form_encode(value)}" for key, value in pairs
    )


def sign(api_key, method, url, params, nonce):
    """Return the base64 HMAC-SHA256 signature Authy would send for this callback."""
    data = "|".join((str(nonce), method.upper(), url, canonical_query(params)))
    digest = hmac.new(api_key.encode("utf-8"), data.encode("utf-8"), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def _unsigned_names(value, key=""):
    """Names of empty objects/arrays that Authy does not send empty (they are unsigned)."""
    if isinstance(value, dict | list):
        if not value and key not in UNSIGNED_EMPTY_KEYS:
            yield key
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for child, item in items:
            yield from _unsigned_names(item, child if isinstance(value, dict) else key)


def verify(api_key, method, url, params, nonce, signature):
    """True when ``signature`` is Authy's for these inputs; compared in constant time."""
    if not (api_key and signature and nonce):
        return False
    if isinstance(params, dict) and any(_unsigned_names(params, "")):
        return False
    expected = sign(api_key, method, url, params, nonce)
    return hmac.compare_digest(expected.encode("ascii"), str(signature).encode("utf-8", "replace"))
