"""Time-based one-time codes (RFC 6238): the Authy app's and any authenticator app's.

The defaults are the Authy app's (HMAC-SHA1, 7 digits, 30-second steps); Verify's TOTP
factors and the phone page's authenticator pass their own digits, step and algorithm.
"""

import hashlib
import hmac
import struct

DIGITS = 7
STEP_SECONDS = 30
ALGORITHMS = {"sha1": hashlib.sha1, "sha256": hashlib.sha256, "sha512": hashlib.sha512}


def code_at(secret, now, digits=DIGITS, step=STEP_SECONDS, algorithm="sha1"):
    """The code an app holding ``secret`` shows at Unix time ``now``."""
    counter = int(now // step)
    digest = hmac.new(secret, struct.pack(">Q", counter), ALGORITHMS[algorithm]).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 10**digits:0{digits}d}"


def accepted_codes(secret, now):
    """Codes Authy's verify accepts at ``now``: the current step's and the previous one's."""
    return {code_at(secret, now), code_at(secret, now - STEP_SECONDS)}


def codes_within(secret, now, skew, digits, step, algorithm):
    """Codes of the steps from ``skew`` before to ``skew`` after the current one."""
    return {
        code_at(secret, now + offset * step, digits, step, algorithm)
        for offset in range(-skew, skew + 1)
    }


def seconds_left(now, step=STEP_SECONDS):
    """Whole seconds until the code shown at ``now`` changes (1..step)."""
    return step - int(now % step)
