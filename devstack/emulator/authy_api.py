"""The Authy REST API routes (``/protected/json/...`` and ``/onetouch/json/...``)."""

import datetime
import hmac
import json
import re
import urllib.parse

from flask import Blueprint, jsonify, request

from devstack.emulator import errors, phones
from devstack.emulator.callback_payload import app_id, device
from devstack.emulator.faults import faulty_answer
from devstack.emulator.params import from_json, is_true, nest
from devstack.emulator.shared import emulator
from devstack.emulator.state import DEFAULT_SECONDS_TO_EXPIRE, UnknownRequest, UnknownUser

authy_api = Blueprint("authy", __name__)

EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")
CELLPHONE = re.compile(r"\d[\d-]*\d")
COUNTRY_CODE = re.compile(r"[1-9]\d{0,2}")
TOKEN = re.compile(r"\d{6,10}")
LOGO_RESOLUTIONS = ("default", "low", "med", "high")
MAX_MESSAGE_LENGTH = 200
MALFORMED_BODY = '{"success": true, "message": "SMS token was s'
IGNORED = {
    "sms": "Ignored: SMS is not needed for smartphones. "
    "Pass force=true if you want to actually send it anyway.",
    "call": "Ignored: Call is not needed for smartphones. "
    "Pass force=true if you want to actually call anyway.",
}
SENT = {"sms": "SMS token was sent", "call": "Call started..."}


@authy_api.before_request
def guard():
    """Count the call, apply an injected fault, then check the API key."""
    endpoint = request.endpoint.rsplit(".", 1)[-1]
    faulty = faulty_answer(emulator(), endpoint, MALFORMED_BODY, errors.for_status)
    if faulty is not None:
        return faulty
    key = request.headers.get("X-Authy-API-Key", "")
    if not hmac.compare_digest(key.encode("utf-8"), emulator().api_key.encode("utf-8")):
        raise errors.invalid_api_key()
    return None


@authy_api.errorhandler(errors.AuthyError)
def authycontrol_error(error):
    return error.response()


@authy_api.errorhandler(UnknownUser)
def unknown_user(_error):
    return errors.user_not_found().response()


@authy_api.errorhandler(UnknownRequest)
def unknown_request(_error):
    return errors.request_not_found().response()


def request_params():
    """Query and body parameters, nested; a body may be JSON or form-encoded."""
    params = nest(urllib.parse.parse_qsl(request.query_string.decode("utf-8"), True))
    raw = request.get_data(as_text=True)
    if not raw.strip():
        return params
    if request.mimetype == "application/json":
        try:
            body = json.loads(raw)
        except ValueError:
            raise errors.invalid_request("Request body is not valid JSON") from None
        if not isinstance(body, dict):
            raise errors.invalid_request("Request body must be a JSON object")
        return {**params, **from_json(body)}
    return {**params, **nest(urllib.parse.parse_qsl(raw, keep_blank_values=True))}


# users


@authy_api.post("/protected/json/users/new")
def users_new():
    fields = request_params().get("user")
    email, cellphone, country_code = _valid_user(fields if isinstance(fields, dict) else {})
    user = emulator().state.register(email, cellphone, country_code)
    return {"message": "User created successfully.", "user": {"id": user.authy_id}, "success": True}


def _valid_user(fields):
    email = str(fields.get("email", "")).strip()
    cellphone = str(fields.get("cellphone", "")).strip()
    country_code = str(fields.get("country_code", "")).strip()
    digits = cellphone.replace("-", "")
    problems = {}
    if not EMAIL.fullmatch(email):
        problems["email"] = "is invalid"
    if not CELLPHONE.fullmatch(cellphone) or not 7 <= len(digits) <= 14:
        problems["cellphone"] = "is invalid"
    if not COUNTRY_CODE.fullmatch(country_code):
        problems["country_code"] = "is invalid"
    if problems:
        raise errors.user_not_valid(problems)
    return email, digits, int(country_code)


@authy_api.get("/protected/json/users/<authy_id>/status")
def user_status(authy_id):
    user = emulator().state.user(authy_id)
    status = {
        "authy_id": user.authy_id,
        "confirmed": True,
        "registered": user.app_installed,
        "country_code": user.country_code,
        "phone_number": phones.status_number(user.cellphone),
        "devices": user.devices,
    }
    return {"status": status, "message": "User status.", "success": True}


@authy_api.post("/protected/json/users/<authy_id>/remove")
def user_remove(authy_id):
    emulator().state.remove(authy_id)
    return {"message": "User was added to remove.", "success": True}


# one-time codes


@authy_api.get("/protected/json/sms/<authy_id>")
def sms(authy_id):
    return _send_code(authy_id, "sms")


@authy_api.get("/protected/json/call/<authy_id>")
def call(authy_id):
    return _send_code(authy_id, "call")


def _send_code(authy_id, via):
    user = emulator().state.user(authy_id)
    cellphone = phones.sent_to(user.country_code, user.cellphone)
    if user.app_installed and not is_true(request_params().get("force", False)):
        return {
            "message": IGNORED[via],
            "cellphone": cellphone,
            "device": user.devices[0],
            "ignored": True,
            "success": True,
        }
    emulator().state.send_code(user.authy_id, via, cellphone)
    return {"success": True, "message": SENT[via], "cellphone": cellphone}


@authy_api.get("/protected/json/verify/<token>/<authy_id>")
def verify(token, authy_id):
    if not TOKEN.fullmatch(token):
        raise errors.invalid_parameter("token")
    if not emulator().state.verify(authy_id, token):
        raise errors.invalid_token()
    return {"message": "Token is valid.", "token": "is valid", "success": "true"}


# OneTouch


@authy_api.post("/onetouch/json/users/<authy_id>/approval_requests")
def onetouch_create(authy_id):
    user = emulator().state.user(authy_id)
    params = request_params()
    created = emulator().state.create_request(
        user.authy_id,
        _message(params.get("message")),
        _texts(params, "details"),
        _texts(params, "hidden_details"),
        _logos(params.get("logos")),
        _seconds(params.get("seconds_to_expire")),
    )
    return {"approval_request": {"uuid": created.uuid}, "success": True}


def _message(value):
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_MESSAGE_LENGTH:
        raise errors.invalid_parameter("message")
    return value


def _texts(params, name):
    value = params.get(name)
    if value in (None, ""):
        return {}
    if not isinstance(value, dict) or not all(_is_scalar(item) for item in value.values()):
        raise errors.invalid_parameter(name)
    return {str(key): _scalar_text(item) for key, item in value.items()}


def _is_scalar(value):
    return isinstance(value, (str, int, float)) or value is None


def _scalar_text(value):
    return "" if value is None else str(value)


def _logos(value):
    if value in (None, "", []):
        return []
    if not isinstance(value, list):
        raise errors.invalid_parameter("logos")
    logos = []
    for logo in value:
        if not isinstance(logo, dict) or logo.get("res") not in LOGO_RESOLUTIONS:
            raise errors.invalid_parameter("logos")
        url = logo.get("url")
        if not isinstance(url, str) or urllib.parse.urlsplit(url).scheme not in ("http", "https"):
            raise errors.invalid_parameter("logos")
        logos.append({"res": logo["res"], "url": url})
    return logos


def _seconds(value):
    if value in (None, ""):
        return DEFAULT_SECONDS_TO_EXPIRE
    if isinstance(value, bool) or not re.fullmatch(r"\d{1,9}", str(value)):
        raise errors.invalid_parameter("seconds_to_expire")
    return int(value)


@authy_api.get("/onetouch/json/approval_requests/<request_uuid>")
def onetouch_status(request_uuid):
    found = emulator().state.request(request_uuid)
    return jsonify(approval_request=_status_body(found), success=True)


def _status_body(found):
    state = emulator().state
    now = state.now()
    user = state.users[found.authy_id]
    status = found.status_at(now)
    answered = status in ("approved", "denied")
    body = {
        "_app_name": emulator().app_name,
        "_app_serial_id": 1,
        "_authy_id": found.authy_id,
        "_id": found.uuid.replace("-", "")[:24],
        "_user_email": user.email,
        "app_id": app_id(emulator().api_key),
        "created_at": _iso(found.created_at),
        "notified": False,
        "processed_at": _iso(found.answered_at) if answered else None,
        "seconds_to_expire": found.seconds_to_expire,
        "status": status,
        "updated_at": _iso(found.updated_at(now)),
        "user_id": f"{found.authy_id:024x}",
        "uuid": found.uuid,
        "hidden_details": found.hidden_details or None,
    }
    if answered:
        body["device"] = device(user, found.answered_at)
    return body


def _iso(timestamp):
    moment = datetime.datetime.fromtimestamp(timestamp, datetime.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
