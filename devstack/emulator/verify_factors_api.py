"""Verify v2's Entities, TOTP Factors and Challenges (``/v2/Services/{sid}/Entities/...``)."""

import base64
import binascii
import datetime
import json

from flask import Blueprint, Response, request

from devstack.emulator import verify_errors as errors
from devstack.emulator.verify_http import base_url, emulator, identity, integer, register, text
from devstack.emulator.verify_views import challenge_view, entity_view, factor_view, page_view

verify_factors_api = Blueprint("verify_factors", __name__)
register(verify_factors_api)

ENTITY = "/v2/Services/<service_sid>/Entities/<path_identity>"
ALGORITHMS = ("sha1", "sha256", "sha512")
AUTH_PAYLOAD = r"\d{3,8}"


def account_sid():
    return emulator().twilio_credentials[0]


def service_for(sid):
    return emulator().verify.service(sid, request.path)


def no_content():
    return Response(status=204)


# entities


@verify_factors_api.post("/v2/Services/<service_sid>/Entities")
def verify_entity_create(service_sid):
    service = service_for(service_sid)
    wanted = identity(text("Identity", required=True))
    entity = emulator().factors.entity(service.sid, wanted, request.path, create=True)
    return entity_view(entity, account_sid(), base_url()), 201


@verify_factors_api.get(ENTITY)
def verify_entity_fetch(service_sid, path_identity):
    service = service_for(service_sid)
    entity = emulator().factors.entity(service.sid, identity(path_identity), request.path)
    return entity_view(entity, account_sid(), base_url())


@verify_factors_api.delete(ENTITY)
def verify_entity_delete(service_sid, path_identity):
    service = service_for(service_sid)
    emulator().factors.delete_entity(service.sid, identity(path_identity), request.path)
    return no_content()


# factors


@verify_factors_api.post(f"{ENTITY}/Factors")
def verify_factor_create(service_sid, path_identity):
    service = service_for(service_sid)
    who = identity(path_identity)
    if text("FactorType", required=True) != "totp":
        raise errors.invalid_parameter("FactorType")
    defaults = service.totp
    config = {
        "alg": _algorithm(),
        "skew": integer("Config.Skew", 0, 2, defaults["skew"]),
        "code_length": integer("Config.CodeLength", 3, 8, defaults["code_length"]),
        "time_step": integer("Config.TimeStep", 20, 60, defaults["time_step"]),
    }
    factor = emulator().factors.create_factor(
        service,
        who,
        text("FriendlyName", required=True, max_length=64),
        config,
        _secret(),
        request.path,
    )
    return factor_view(factor, account_sid(), base_url(), with_binding=True), 201


def _algorithm():
    value = (text("Config.Alg") or "sha1").lower()
    if value not in ALGORITHMS:
        raise errors.invalid_parameter("Config.Alg")
    return value


def _secret():
    """``Binding.Secret`` (Base32) when given; None lets the emulator make one."""
    value = text("Binding.Secret", max_length=128)
    if value is None:
        return None
    try:
        secret = base64.b32decode(value.upper() + "=" * (-len(value) % 8))
    except (binascii.Error, ValueError):
        raise errors.invalid_parameter("Binding.Secret") from None
    if len(secret) < 10:
        raise errors.invalid_parameter("Binding.Secret")
    return secret


def factor_for(service_sid, path_identity, sid):
    service = service_for(service_sid)
    return emulator().factors.factor(service.sid, identity(path_identity), sid, request.path)


@verify_factors_api.get(f"{ENTITY}/Factors")
def verify_factor_list(service_sid, path_identity):
    service = service_for(service_sid)
    who = identity(path_identity)
    factors = emulator().factors.factors_of(service.sid, who)
    views = [factor_view(factor, account_sid(), base_url()) for factor in factors]
    path = request.path
    return page_view("factors", views, 0, max(50, len(views)), path, base_url(), False)


@verify_factors_api.get(f"{ENTITY}/Factors/<sid>")
def verify_factor_fetch(service_sid, path_identity, sid):
    return factor_view(factor_for(service_sid, path_identity, sid), account_sid(), base_url())


@verify_factors_api.post(f"{ENTITY}/Factors/<sid>")
def verify_factor_update(service_sid, path_identity, sid):
    factor = factor_for(service_sid, path_identity, sid)
    code = text("AuthPayload", pattern=AUTH_PAYLOAD)
    name = text("FriendlyName", max_length=64)
    with emulator().lock:
        if name is not None:
            factor.friendly_name = name
        if code is not None:
            emulator().factors.verify_factor(factor, code)
        return factor_view(factor, account_sid(), base_url())


@verify_factors_api.delete(f"{ENTITY}/Factors/<sid>")
def verify_factor_delete(service_sid, path_identity, sid):
    emulator().factors.delete_factor(factor_for(service_sid, path_identity, sid))
    return no_content()


# challenges


@verify_factors_api.post(f"{ENTITY}/Challenges")
def verify_challenge_create(service_sid, path_identity):
    service = service_for(service_sid)
    who = identity(path_identity)
    factor_sid = text("FactorSid", required=True, pattern=r"YF[0-9a-fA-F]{32}")
    factor = emulator().factors.factor(service.sid, who, factor_sid, request.path)
    details = {"message": text("Details.Message", max_length=256), "fields": _fields()}
    challenge = emulator().factors.create_challenge(
        factor,
        text("AuthPayload", pattern=AUTH_PAYLOAD),
        _expiration(),
        details,
        _json_object("HiddenDetails"),
    )
    return _challenge(challenge), 201


def _fields():
    fields = []
    for raw in request.form.getlist("Details.Fields"):
        field = _parse_json("Details.Fields", raw)
        if not isinstance(field, dict):
            raise errors.invalid_parameter("Details.Fields")
        fields.append(field)
    return fields


def _json_object(name):
    raw = text(name, max_length=1024)
    if raw is None:
        return None
    value = _parse_json(name, raw)
    if not isinstance(value, dict):
        raise errors.invalid_parameter(name)
    return value


def _parse_json(name, raw):
    try:
        return json.loads(raw)
    except ValueError:
        raise errors.invalid_parameter(name) from None


def _expiration():
    """``ExpirationDate`` (ISO 8601) as a Unix time; within the next hour, as Twilio wants."""
    raw = text("ExpirationDate")
    if raw is None:
        return None
    try:
        moment = datetime.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise errors.invalid_parameter("ExpirationDate") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    at, now = moment.timestamp(), emulator().factors.now()
    if not now < at <= now + 3600:
        raise errors.invalid_parameter("ExpirationDate")
    return at


def _challenge(challenge):
    status = challenge.status_at(emulator().factors.now())
    return challenge_view(challenge, account_sid(), status, base_url())


def challenge_for(service_sid, path_identity, sid):
    service = service_for(service_sid)
    return emulator().factors.challenge(service.sid, identity(path_identity), sid, request.path)


@verify_factors_api.get(f"{ENTITY}/Challenges/<sid>")
def verify_challenge_fetch(service_sid, path_identity, sid):
    return _challenge(challenge_for(service_sid, path_identity, sid))


@verify_factors_api.post(f"{ENTITY}/Challenges/<sid>")
def verify_challenge_update(service_sid, path_identity, sid):
    challenge = challenge_for(service_sid, path_identity, sid)
    code = text("AuthPayload", required=True, pattern=AUTH_PAYLOAD)
    return _challenge(emulator().factors.answer_challenge(challenge, code))
