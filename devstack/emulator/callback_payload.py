"""The OneTouch callback's parameters, shaped like the real ones Authy sends."""

import base64
import hashlib
import json
import secrets
import urllib.parse

_COUNTRIES = {1: "United States", 44: "United Kingdom", 57: "Colombia", 34: "Spain", 49: "Germany"}


def app_id(api_key):
    """A stable 24-hex-digit application id derived from the API key."""
    return hashlib.sha256(api_key.encode("utf-8")).hexdigest()[:24]


def customer_uuid(api_key):
    return int(hashlib.sha256(b"customer" + api_key.encode("utf-8")).hexdigest()[:5], 16)


def callback_params(request, user, api_key, now):
    """The callback body for an answered request, keys in the order Authy writes them."""
    status = request.status_at(now)
    transaction = {
        "details": request.details or None,
        "device_details": {},
        "device_geolocation": "",
        "device_signing_time": int(request.answered_at),
        "encrypted": False,
        "flagged": False,
        "hidden_details": request.hidden_details or None,
        "message": request.message,
        "reason": "",
        "requester_details": None,
        "status": status,
        "uuid": request.uuid,
        "created_at_time": int(request.created_at),
        "customer_uuid": customer_uuid(api_key),
    }
    expires_at = request.expires_at
    return {
        "authy_id": user.authy_id,
        "device_uuid": user.device_id,
        "callback_action": "approval_request_status",
        "uuid": request.uuid,
        "status": status,
        "approval_request": {
            "transaction": transaction,
            "expiration_timestamp": int(expires_at) if expires_at is not None else None,
            "logos": request.logos or None,
            "app_id": app_id(api_key),
        },
        # Stands in for the device's RSA signature: same length, base64, not checkable.
        "signature": base64.b64encode(secrets.token_bytes(256)).decode("ascii"),
        "device": device(user, now),
    }


def device(user, now):
    """The phone that answered, as Authy describes it in callbacks and status reads."""
    country = _COUNTRIES.get(user.country_code)
    return {
        "city": None,
        "country": country,
        "ip": "127.0.0.1",
        "region": None,
        "registration_city": None,
        "registration_country": country,
        "registration_ip": "127.0.0.1",
        "registration_method": "sms",
        "registration_region": None,
        "os_type": "ios",
        "last_account_recovery_at": None,
        "id": user.device_id,
        "registration_date": int(user.created_at),
        "last_sync_date": int(now),
        "enabled_unlock_methods": ["pin", "fingerprint"],
        "last_unlock_method_used": "pin",
    }


def json_body(params):
    """The POST body: compact JSON, as Authy sends it."""
    return json.dumps(params, separators=(",", ":"), ensure_ascii=False)


def query_pairs(value, prefix=""):
    """Flatten like Rails' ``to_query``: ``a[b]=``, arrays as ``a[]``, empty objects omitted.

    Keys of an object are ordered by their encoded text, as Rails sorts them; elements of
    an array keep their order. ``None`` is sent as an empty value; an empty object or
    array adds nothing.
    """
    if isinstance(value, dict):
        chunks = []
        for key, item in value.items():
            pairs = query_pairs(item, f"{prefix}[{key}]" if prefix else str(key))
            chunks.append((urllib.parse.urlencode(pairs), pairs))
        if "[]" not in prefix:
            chunks.sort(key=lambda chunk: chunk[0])
        return [pair for _, pairs in chunks for pair in pairs]
    if isinstance(value, list):
        return [pair for item in value for pair in query_pairs(item, f"{prefix}[]")]
    return [(prefix, _text(value))]


def _text(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
