"""Authy's OneTouch callback: check the signature, drop replays, record the answer.

Authy turns a callback URL off after three error answers in a row, so every authentic
callback gets a 200, even a duplicate, a late one or one for a request we don't know.
Only a callback whose signature or nonce does not check out is refused.
"""

import hashlib
import logging
import math

from pynamodb.exceptions import DoesNotExist

from chalicelib import clock, requestlog, storage
from chalicelib.config import settings
from chalicelib.errors import AppError
from chalicelib.models import CallbackNonce, LoginChallenge
from chalicelib.second_step import push
from chalicelib.vendors.authy import signature

log = logging.getLogger(__name__)

TEST_AUTHY_ID = "1234"  # what the Twilio console's "test callback" button sends
FUTURE_SKEW = 60


class CallbackRejected(AppError):
    status = 401
    code = "invalid_signature"
    message = "The callback signature does not check out."


def handle_callback(method, headers, raw_body, query_pairs):
    """Process one callback; return a short word for logs, or raise CallbackRejected."""
    config = settings()
    nonce = headers.get("x-authy-signature-nonce", "")
    sent_signature = headers.get("x-authy-signature", "")
    params = _params(method, raw_body, query_pairs)
    if not signature.verify(
        config.authy_api_key, method, config.authy_callback_url, params, nonce, sent_signature
    ):
        raise CallbackRejected()
    _check_age(nonce, config.authy_callback_max_age)
    if not _first_time(nonce, sent_signature, config.authy_callback_max_age):
        return "duplicate"
    fields = params if isinstance(params, dict) else dict(params)
    return _apply(fields)


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


def _check_age(nonce, max_age):
    try:
        sent_at = float(nonce)
    except ValueError:
        raise CallbackRejected("The callback nonce is not a time.") from None
    age = clock.now() - sent_at
    if not math.isfinite(sent_at) or age > max_age or age < -FUTURE_SKEW:
        raise CallbackRejected("The callback is too old.")


def _first_time(nonce, sent_signature, max_age):
    """Record the (nonce, signature) pair; False when it was recorded before (a replay)."""
    key = hashlib.sha256(f"{nonce}|{sent_signature}".encode()).hexdigest()
    record = CallbackNonce(nonce_key=key, ttl=clock.at(clock.now() + max_age + FUTURE_SKEW))
    return storage.write_if(record.save, condition=CallbackNonce.nonce_key.does_not_exist())


def _apply(fields):
    authy_id = str(fields.get("authy_id", ""))
    if authy_id == TEST_AUTHY_ID:
        return "test"
    status = fields.get("status")
    uuid = fields.get("uuid")
    if status not in ("approved", "denied") or not isinstance(uuid, str) or not uuid:
        return "ignored"
    challenge = _challenge_for(uuid)
    if challenge is None:
        return "unknown"
    if str(challenge.authy_id) != authy_id:
        log.warning("callback for challenge %s names another user", challenge.challenge_id)
        return "wrong_user"
    requestlog.note(challenge_id=challenge.challenge_id)
    if not push.record_result(challenge, status):
        return "late"
    log.info("challenge %s: OneTouch %s", challenge.challenge_id, status)
    return status


def _challenge_for(uuid):
    for key in LoginChallenge.onetouch_index.query(uuid, limit=1):
        try:
            return LoginChallenge.get(key.token_hash, consistent_read=True)
        except DoesNotExist:
            return None
    return None
