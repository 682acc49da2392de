"""The authenticator app's control routes (``/emulator/authenticator/...``), for the phone
page and for tests: add an account by key or otpauth URI, read the codes, remove one."""

from flask import Blueprint, current_app, request

from devstack.emulator.authenticator import BadKey
from devstack.emulator.shared import control_error

authenticator_api = Blueprint("authenticator", __name__, url_prefix="/emulator/authenticator")


def authenticator():
    return current_app.extensions["emulator"].authenticator


@authenticator_api.errorhandler(BadKey)
def bad_key(error):
    return control_error(400, str(error))


@authenticator_api.get("/accounts")
def accounts():
    return {"accounts": authenticator().views()}


@authenticator_api.post("/accounts")
def add_account():
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("key"), str):
        return control_error(400, "send {key: a Base32 key or an otpauth:// URI, label?}")
    label = body.get("label")
    if label is not None and not isinstance(label, str):
        return control_error(400, "label must be a string")
    account = authenticator().add(body["key"], label)
    return {"account": authenticator().view(account)}, 201


@authenticator_api.delete("/accounts/<int:account_id>")
def remove_account(account_id):
    try:
        authenticator().remove(account_id)
    except KeyError:
        return control_error(404, f"no account {account_id}")
    return {"removed": account_id}
