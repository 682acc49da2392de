"""The Authy app's soft tokens: TOTP (RFC 6238) with HMAC-SHA1, 7 digits, 30-second steps."""

import hashlib
import hmac
import struct

DIGITS = 7
STEP_SECONDS = 30


def code_at(secret, now, digits=DIGITS):
    """The code the app shows at Unix time ``now``."""
    counter = int(now // STEP_SECONDS)
    digest = hmac.new(secret, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 10**digits:0{digits}d}"


def accepted_codes(secret, now):
    """Codes a verify accepts at ``now``: the current step's and the previous one's."""
    return {code_at(secret, now), code_at(secret, now - STEP_SECONDS)}


def seconds_left(now):
    """Whole seconds until the code shown at ``now`` changes (1..30)."""
    return STEP_SECONDS - int(now % STEP_SECONDS)
