"""What every Verify route shares: counting, faults, Basic auth, and reading the form.

Twilio reads ``application/x-www-form-urlencoded`` bodies with PascalCase names; a value
it cannot use is 60200 naming the parameter (docs/verify-api.md).
"""

import hmac
import re

from flask import request

from devstack.emulator import verify_errors as errors
from devstack.emulator.faults import faulty_answer
from devstack.emulator.shared import emulator

MALFORMED_BODY = '{"sid": "VE0123456789abcdef0123456789abcd'
IDENTITY = re.compile(r"[A-Za-z0-9]+(-[A-Za-z0-9]+)*")


def base_url():
    """The emulator's own origin, for the links inside answers."""
    return request.host_url.rstrip("/")


def guard():
    """Count the call, apply an injected fault, then check the Basic credentials."""
    endpoint = request.endpoint.rsplit(".", 1)[-1]
    faulty = faulty_answer(emulator(), endpoint, MALFORMED_BODY, errors.for_status)
    if faulty is not None:
        return faulty
    if not _authenticated(request.authorization, emulator().twilio_credentials):
        raise errors.authenticate()
    return None


def _authenticated(given, expected):
    if given is None or given.type != "basic":
        return False
    username, password = (given.username or "").encode(), (given.password or "").encode()
    return hmac.compare_digest(username, expected[0].encode()) & hmac.compare_digest(
        password, expected[1].encode()
    )


def register(blueprint):
    """Give a Verify blueprint the guard and Twilio's error bodies."""
    blueprint.before_request(guard)
    blueprint.register_error_handler(errors.VerifyError, lambda error: error.response())


# the form


def text(name, required=False, max_length=None, pattern=None):
    """A form value; None when absent and optional; 60200 when it does not fit."""
    value = request.form.get(name)
    if value is None or value == "":
        if required:
            raise errors.invalid_parameter(name)
        return None
    if max_length is not None and len(value) > max_length:
        raise errors.invalid_parameter(name)
    if pattern is not None and not re.fullmatch(pattern, value):
        raise errors.invalid_parameter(name)
    return value


def integer(name, low, high, default):
    value = text(name, pattern=r"-?\d{1,4}")
    if value is None:
        return default
    if not low <= int(value) <= high:
        raise errors.invalid_parameter(name)
    return int(value)


def boolean(name, default=False):
    value = text(name)
    if value is None:
        return default
    if value.lower() not in ("true", "false"):
        raise errors.invalid_parameter(name)
    return value.lower() == "true"


def identity(value):
    """An Entity's identity from the path: 8-64 dash-separated letters and digits."""
    if not 8 <= len(value) <= 64 or not IDENTITY.fullmatch(value):
        raise errors.invalid_parameter("Identity")
    return value
