"""Verify's side of the control API (``/emulator/verify/...``): see what the emulated
account holds, end a verification early, read a factor's current code. No credentials:
the emulator listens on loopback only."""

from flask import Blueprint, request

from devstack.emulator import totp
from devstack.emulator.shared import control_error, emulator

verify_control = Blueprint("verify_control", __name__, url_prefix="/emulator/verify")

VERIFICATION_STATUSES = ("pending", "approved", "canceled", "expired")


def verification_view(verification, now):
    status = verification.status_at(now)
    return {
        "sid": verification.sid,
        "service_sid": verification.service_sid,
        "to": verification.to,
        "channel": verification.channel,
        "status": status,
        "code": verification.code,
        "sends": len(verification.send_attempts),
        "wrong_checks": verification.wrong_checks,
        "created_at": verification.created_at,
        "seconds_left": max(0, int(verification.expires_at - now)) if status == "pending" else 0,
    }


def factor_view(factor):
    return {
        "sid": factor.sid,
        "service_sid": factor.service_sid,
        "identity": factor.identity,
        "friendly_name": factor.friendly_name,
        "status": factor.status,
        "config": dict(factor.config),
        "uri": factor.uri,
        "wrong_codes": factor.wrong_codes,
    }


def challenge_view(challenge, now):
    return {
        "sid": challenge.sid,
        "factor_sid": challenge.factor_sid,
        "identity": challenge.identity,
        "status": challenge.status_at(now),
        "wrong_codes": challenge.wrong_codes,
        "expires_at": challenge.expires_at,
    }


@verify_control.get("/services")
def services():
    with emulator().lock:
        found = list(emulator().verify.services.values())
    return {
        "services": [
            {"sid": s.sid, "friendly_name": s.friendly_name, "code_length": s.code_length}
            for s in found
        ]
    }


@verify_control.get("/verifications")
def verifications():
    to, status = request.args.get("to") or None, request.args.get("status") or None
    if status not in (None, *VERIFICATION_STATUSES):
        return control_error(400, f"status must be one of {', '.join(VERIFICATION_STATUSES)}")
    state = emulator().verify
    with state.lock:
        now = state.now()
        views = [verification_view(v, now) for v in state.verifications.values()]
    wanted = [v for v in views if to in (None, v["to"]) and status in (None, v["status"])]
    return {"verifications": wanted}


@verify_control.post("/verifications/<sid>/expire")
def expire(sid):
    state = emulator().verify
    try:
        verification = state.expire(sid)
    except KeyError:
        return control_error(404, f"no verification {sid}")
    except ValueError as error:
        return control_error(409, f"the verification is {error.args[0]}, not pending")
    return {"verification": verification_view(verification, state.now())}


@verify_control.get("/factors")
def factors():
    identity = request.args.get("identity") or None
    with emulator().lock:
        found = list(emulator().factors.factors.values())
    return {"factors": [factor_view(f) for f in found if identity in (None, f.identity)]}


@verify_control.get("/factors/<sid>/totp")
def factor_code(sid):
    """The code an authenticator app holding this factor's key shows now."""
    state = emulator().factors
    factor = state.factors.get(sid)
    if factor is None:
        return control_error(404, f"no factor {sid}")
    now = state.now()
    return {
        "code": factor.code_at(now),
        "seconds_left": totp.seconds_left(now, factor.config["time_step"]),
    }


@verify_control.get("/challenges")
def challenges():
    identity = request.args.get("identity") or None
    state = emulator().factors
    with state.lock:
        now = state.now()
        views = [challenge_view(c, now) for c in state.challenges.values()]
    return {"challenges": [view for view in views if identity in (None, view["identity"])]}
