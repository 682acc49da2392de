"""Verify's errors as our domain's: the one place a Twilio error code is read.

The table and what each code means are in docs/verify-api.md ("Errors"). A wrong code is
not here: Verify answers it with a normal status (``pending``, ``unverified``), and the
client returns it as ``False``.
"""

import logging

from chalicelib.errors import (
    ChallengeLocked,
    CodeExpired,
    RateLimited,
    SendLimitReached,
    VendorRejected,
    VendorUnavailable,
)

log = logging.getLogger(__name__)

INVALID_PARAMETER = 60200
MAX_CHECK_ATTEMPTS = 60202
MAX_SEND_ATTEMPTS = 60203
TOO_MANY_CONCURRENT = 60212
CHALLENGE_ATTEMPTS = 60308
FACTOR_ATTEMPTS = 60310
FRAUD_BLOCKED = 60410
AUTHENTICATE = 20003
NOT_FOUND = 20404

SEND_WINDOW_SECONDS = 600  # Verify counts sends to one number over 10 minutes
CONCURRENT_WAIT_SECONDS = 2

# The input a 60200 refers to, by call, under the name our API gives it ("token" is our
# wire name for a code).
FIELDS = {
    "verifications/create": "phone",
    "verification_check": "token",
    "factors/verify": "token",
    "challenges/create": "token",
}
# What a 20404 means, by call, where it means more than "unavailable": a checked code's
# verification is deleted once approved, expired or out of checks.
NOT_FOUND_MEANS = {"verification_check": CodeExpired}


def domain_error(what, answer):
    """The exception to raise for a failed ``answer`` to the call named ``what``."""
    code = answer.error_code
    log.warning("verify %s failed: status %s, code %s", what, answer.status, code)
    field = FIELDS.get(what)
    if code == INVALID_PARAMETER and answer.status == 400:
        return VendorRejected(fields={field: "was not accepted"} if field else None)
    if code == FRAUD_BLOCKED:
        return VendorRejected(fields={"phone": "cannot receive codes"})
    if code in (MAX_CHECK_ATTEMPTS, CHALLENGE_ATTEMPTS, FACTOR_ATTEMPTS):
        return ChallengeLocked()
    if code == MAX_SEND_ATTEMPTS:
        return SendLimitReached(retry_after=answer.retry_after or SEND_WINDOW_SECONDS)
    if code == TOO_MANY_CONCURRENT:
        return RateLimited(retry_after=answer.retry_after or CONCURRENT_WAIT_SECONDS)
    if code == NOT_FOUND and answer.status == 404 and what in NOT_FOUND_MEANS:
        return NOT_FOUND_MEANS[what]()
    if code == AUTHENTICATE:
        log.error("verify refused our credentials (20003): check the account or key SID")
    return VendorUnavailable()


def is_gone(answer):
    """True for Twilio's own 404 (a delete or cancel of something already gone is done)."""
    return answer.status == 404 and answer.error_code == NOT_FOUND
