"""The emulator's own JSON API under ``/emulator/``: inspect state and play the phone.

No API key: the emulator listens on loopback only.
"""

from flask import Blueprint, request

from devstack.emulator import phones
from devstack.emulator.faults import parse_fault
from devstack.emulator.mail import MailboxUnavailable
from devstack.emulator.shared import control_error, emulator
from devstack.emulator.state import (
    STATUSES,
    AppNotInstalled,
    NotPending,
    UnknownRequest,
    UnknownUser,
)

control_api = Blueprint("control", __name__, url_prefix="/emulator")

ANSWERS = {"approve": "approved", "deny": "denied", "expire": "expired"}


class BadInput(ValueError):
    """The control call's input makes no sense."""


@control_api.errorhandler(UnknownUser)
def unknown_user(error):
    return control_error(404, f"no user with authy_id {error.args[0]}")


@control_api.errorhandler(UnknownRequest)
def unknown_request(error):
    return control_error(404, f"no approval request {error.args[0]}")


@control_api.errorhandler(NotPending)
def not_pending(error):
    return control_error(409, f"the approval request is {error.args[0]}, not pending")


@control_api.errorhandler(AppNotInstalled)
def app_not_installed(_error_):
    return control_error(409, "the user has not installed the Authy app")


@control_api.errorhandler(MailboxUnavailable)
def mailbox_unavailable(error):
    return control_error(502, str(error))


@control_api.errorhandler(BadInput)
@control_api.errorhandler(ValueError)
def bad_input(error):
    return control_error(400, str(error))


def _json_body():
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadInput("send a JSON object")
    return body


def _authy_id_filter():
    value = request.args.get("authy_id")
    if value in (None, ""):
        return None
    if not value.isdigit():
        raise BadInput("authy_id must be a number")
    return int(value)


# views of the state


def user_view(user):
    return {
        "authy_id": user.authy_id,
        "email": user.email,
        "country_code": user.country_code,
        "cellphone": user.cellphone,
        "masked_phone": phones.sent_to(user.country_code, user.cellphone),
        "app_installed": user.app_installed,
        "devices": user.devices,
        "created_at": user.created_at,
    }


def message_view(message):
    return {
        "id": message.id,
        "vendor": "authy",
        "authy_id": message.authy_id,
        "via": message.via,
        "code": message.code,
        "cellphone": message.cellphone,
        "at": message.at,
    }


def verify_message_view(message):
    return {
        "id": message.id,
        "vendor": "verify",
        "to": message.to,
        "via": message.via,
        "code": message.code,
        "text": message.text,
        "service_sid": message.service_sid,
        "verification_sid": message.verification_sid,
        "at": message.at,
    }


def request_view(found, now):
    expires_at = found.expires_at
    return {
        "uuid": found.uuid,
        "authy_id": found.authy_id,
        "message": found.message,
        "details": found.details,
        "hidden_details": found.hidden_details,
        "logos": found.logos,
        "status": found.status_at(now),
        "seconds_to_expire": found.seconds_to_expire,
        "created_at": found.created_at,
        "expires_at": expires_at,
        "seconds_left": None if expires_at is None else max(0, int(expires_at - now)),
        "answered_at": found.answered_at,
    }


# routes


@control_api.get("/users")
def users():
    return {"users": [user_view(user) for user in emulator().state.live_users()]}


@control_api.post("/users/<authy_id>/app")
def set_app(authy_id):
    installed = _json_body().get("installed")
    if not isinstance(installed, bool):
        raise BadInput("installed must be true or false")
    return {"user": user_view(emulator().state.set_app(authy_id, installed))}


@control_api.get("/users/<authy_id>/totp")
def totp(authy_id):
    code, seconds_left = emulator().state.app_code(authy_id)
    return {"code": code, "seconds_left": seconds_left}


@control_api.get("/messages")
def messages():
    """Authy's texts and calls and Verify's messages, oldest first.

    ``authy_id`` keeps Authy's to one user, ``to`` keeps Verify's to one number or
    address; ``vendor`` keeps one vendor's.
    """
    authy_id, to = _authy_id_filter(), request.args.get("to") or None
    vendor = request.args.get("vendor") or None
    if vendor not in (None, "authy", "verify"):
        raise BadInput("vendor must be authy or verify")
    views = []
    with emulator().lock:
        if vendor != "verify" and to is None:
            views += [
                message_view(m) for m in emulator().state.messages if authy_id in (None, m.authy_id)
            ]
        if vendor != "authy" and authy_id is None:
            views += [
                verify_message_view(m) for m in emulator().verify.messages if to in (None, m.to)
            ]
    return {"messages": sorted(views, key=lambda view: view["at"])}


@control_api.get("/emails")
def emails():
    """The emails SES sent on the stack's moto server, oldest first; ``to`` keeps one
    address's: ``{id, from, to, subject, at, text, links}``."""
    return {"emails": emulator().mail.emails(request.args.get("to") or None)}


@control_api.get("/approval_requests")
def approval_requests():
    authy_id = _authy_id_filter()
    status = request.args.get("status") or None
    if status not in (None, *STATUSES):
        raise BadInput(f"status must be one of {', '.join(STATUSES)}")
    state = emulator().state
    with state.lock:
        now = state.now()
        views = [request_view(found, now) for found in state.requests.values()]
    wanted = [
        view
        for view in views
        if authy_id in (None, view["authy_id"]) and status in (None, view["status"])
    ]
    return {"approval_requests": wanted}


@control_api.post("/approval_requests/<request_uuid>/<action>")
def answer(request_uuid, action):
    if action not in ANSWERS:
        return control_error(404, "use approve, deny or expire")
    answered = emulator().answer(request_uuid, ANSWERS[action])
    return {"approval_request": request_view(answered, emulator().state.now())}


@control_api.route("/callback", methods=["GET", "POST"])
def callback():
    if request.method == "POST":
        body = _json_body()
        enabled = body.get("enabled")
        if enabled is not None and not isinstance(enabled, bool):
            raise BadInput("enabled must be true or false")
        url = body.get("url")
        if url is not None and not isinstance(url, str):
            raise BadInput("url must be a string")
        emulator().callbacks.configure(enabled=enabled, url=url, method=body.get("method"))
    return emulator().callbacks.state()


@control_api.route("/faults", methods=["GET", "POST", "DELETE"])
def faults():
    injector = emulator().faults
    if request.method == "POST":
        body = _json_body()
        seed = body.get("seed")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise BadInput("seed must be an integer")
        injector.add(parse_fault(body), seed=seed)
    elif request.method == "DELETE":
        injector.clear(request.args.get("endpoint") or None)
    return {"faults": injector.describe()}


@control_api.get("/stats")
def stats():
    return emulator().stats()


@control_api.post("/reset")
def reset():
    emulator().reset()
    return {"reset": True}
