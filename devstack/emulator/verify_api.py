"""Verify v2's Services, Verifications and VerificationCheck (``/v2/Services/...``)."""

from flask import Blueprint, request

from devstack.emulator import verify_errors as errors
from devstack.emulator.verify_http import base_url, boolean, emulator, integer, register, text
from devstack.emulator.verify_views import check_view, page_view, service_view, verification_view

verify_api = Blueprint("verify", __name__)
register(verify_api)

E164 = r"\+[1-9]\d{7,14}"
EMAIL = r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}"
CHANNELS = ("sms", "call", "whatsapp", "email")
FLAGS = {
    "LookupEnabled": "lookup_enabled",
    "SkipSmsToLandlines": "skip_sms_to_landlines",
    "DtmfInputRequired": "dtmf_input_required",
    "Psd2Enabled": "psd2_enabled",
    "DoNotShareWarningEnabled": "do_not_share_warning_enabled",
    "CustomCodeEnabled": "custom_code_enabled",
}


def account_sid():
    return emulator().twilio_credentials[0]


def service_for(sid):
    return emulator().verify.service(sid, request.path)


# services


@verify_api.post("/v2/Services")
def verify_service_create():
    totp = {
        "issuer": text("Totp.Issuer", max_length=64),
        "time_step": integer("Totp.TimeStep", 20, 60, 30),
        "code_length": integer("Totp.CodeLength", 3, 8, 6),
        "skew": integer("Totp.Skew", 0, 2, 1),
    }
    service = emulator().verify.create_service(
        text("FriendlyName", required=True, max_length=30),
        integer("CodeLength", 4, 10, 6),
        totp,
        {ours: boolean(theirs) for theirs, ours in FLAGS.items()},
    )
    return service_view(service, account_sid(), base_url()), 201


@verify_api.get("/v2/Services")
def verify_service_list():
    page_size = _query_int("PageSize", 1, 1000, 50)
    page = _query_int("Page", 0, 10_000, 0)
    with emulator().lock:
        services = list(emulator().verify.services.values())
    start = page * page_size
    shown = [service_view(s, account_sid(), base_url()) for s in services[start:][:page_size]]
    has_next = len(services) > start + page_size
    return page_view("services", shown, page, page_size, "/v2/Services", base_url(), has_next)


def _query_int(name, low, high, default):
    value = request.args.get(name)
    if value is None:
        return default
    if not value.isdigit() or not low <= int(value) <= high:
        raise errors.invalid_parameter(name)
    return int(value)


@verify_api.get("/v2/Services/<sid>")
def verify_service_fetch(sid):
    return service_view(service_for(sid), account_sid(), base_url())


# verifications


@verify_api.post("/v2/Services/<service_sid>/Verifications")
def verify_start(service_sid):
    service = service_for(service_sid)
    channel = text("Channel", required=True)
    if channel not in CHANNELS:
        raise errors.invalid_parameter("Channel")
    to = text("To", required=True, pattern=EMAIL if channel == "email" else E164)
    verification = emulator().verify.start(service, to, channel)
    return _verification(verification), 201


def _verification(verification):
    status = verification.status_at(emulator().verify.now())
    return verification_view(verification, account_sid(), status, base_url())


@verify_api.get("/v2/Services/<service_sid>/Verifications/<sid>")
def verify_fetch(service_sid, sid):
    service = service_for(service_sid)
    return _verification(emulator().verify.pending(service.sid, sid, request.path))


@verify_api.post("/v2/Services/<service_sid>/Verifications/<sid>")
def verify_update(service_sid, sid):
    service = service_for(service_sid)
    status = text("Status", required=True)
    if status not in ("canceled", "approved"):
        raise errors.invalid_parameter("Status")
    state = emulator().verify
    with emulator().lock:
        verification = state.finish(state.pending(service.sid, sid, request.path), status)
        return _verification(verification)


@verify_api.post("/v2/Services/<service_sid>/VerificationCheck")
def verify_check(service_sid):
    service = service_for(service_sid)
    code = text("Code", required=True, pattern=r"\d{4,10}")
    to, verification_sid = text("To"), text("VerificationSid")
    if verification_sid is None and to is None:
        raise errors.no_target()
    state = emulator().verify
    with emulator().lock:
        if verification_sid is not None:
            verification = state.pending(service.sid, verification_sid, request.path)
        else:
            verification = state.pending_for(service.sid, to)
        if verification is None:
            raise errors.not_found(request.path)
        checked = state.check(verification, code)
        return check_view(checked, account_sid(), checked.status_at(state.now()))
