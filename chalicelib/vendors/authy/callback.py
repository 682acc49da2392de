"""Authy's OneTouch callback, read: its signature, its age and what it says.

docs/authy-api.md describes the callback. The signature is checked over the configured
URL in constant time before anything else, so a forger cannot even spend a nonce; the
nonce is the sending time, and a callback older than ``max_age`` (or from the future) is
refused. What is left is the answer: which request, whose, approved or denied.
"""

import hashlib
import math
from dataclasses import dataclass

from chalicelib.errors import CallbackRejected
from chalicelib.vendors.authy import signature

TEST_AUTHY_ID = "1234"  # what the Twilio console's "test callback" button sends
FUTURE_SKEW = 60


@dataclass(frozen=True)
class PushAnswer:
    """An authentic, fresh answer to a push, as the second step needs it."""

    replay_key: str  # the same for a replayed delivery, different for any other
    replayable_for: int  # seconds after which the age check refuses it anyway
    request_id: str | None
    owner: str  # Authy's id of the user who answered
    status: str | None
    test: bool = False  # the console's test ping: authentic, about nobody


def read(method, headers, raw_body, query_pairs, *, api_key, callback_url, max_age, now):
    """The callback's answer, or CallbackRejected when it is not Authy's or not fresh."""
    nonce = headers.get("x-authy-signature-nonce", "")
    sent_signature = headers.get("x-authy-signature", "")
    params = _params(method, raw_body, query_pairs)
    if not signature.verify(api_key, method, callback_url, params, nonce, sent_signature):
        raise CallbackRejected()
    _check_age(nonce, max_age, now)
    fields = params if isinstance(params, dict) else dict(params)
    owner = str(fields.get("authy_id", ""))
    uuid = fields.get("uuid")
    return PushAnswer(
        replay_key=hashlib.sha256(f"{nonce}|{sent_signature}".encode()).hexdigest(),
        replayable_for=max_age + FUTURE_SKEW,
        request_id=uuid if isinstance(uuid, str) and uuid else None,
        owner=owner,
        status=fields.get("status") if isinstance(fields.get("status"), str) else None,
        test=owner == TEST_AUTHY_ID,
    )


def _params(method, raw_body, query_pairs):
    if method == "GET":
        return list(query_pairs)
    try:
        params = signature.parse_json((raw_body or b"").decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise CallbackRejected() from None
    if not isinstance(params, dict):
        raise CallbackRejected()
    return params


def _check_age(nonce, max_age, now):
    try:
        sent_at = float(nonce)
    except ValueError:
        raise CallbackRejected("The callback nonce is not a time.") from None
    age = now - sent_at
    if not math.isfinite(sent_at) or age > max_age or age < -FUTURE_SKEW:
        raise CallbackRejected("The callback is too old.")
