"""HTTP to Verify v2: Basic auth, form-encoded requests (vendors.http: timeouts, and
retries only for what Twilio documents as safe to repeat: reads and deletes).

What the answer means is the caller's business; this module only guarantees a status and
a JSON object (or nothing, for a 204). See docs/verify-api.md.
"""

import dataclasses
import logging

from chalicelib.errors import VendorUnavailable
from chalicelib.vendors.http import VendorHttp

log = logging.getLogger(__name__)

DEFAULT_API_URL = "https://verify.twilio.com"


@dataclasses.dataclass(frozen=True)
class Answer:
    """A status, the JSON object Twilio answered with (None for 204), and Retry-After."""

    status: int
    body: dict | None
    retry_after: int | None = None

    @property
    def error_code(self):
        """Twilio's numeric error code, when the body carries one."""
        code = (self.body or {}).get("code")
        return code if isinstance(code, int) and not isinstance(code, bool) else None


class Transport:
    """One base URL and one set of credentials; ``calls`` counts requests sent."""

    def __init__(self, api_url, username, password, *, session, timeout, retries, sleep):
        self.http = VendorHttp(
            "verify",
            api_url,
            session=session,
            timeout=timeout,
            retries=retries,
            auth=(username, password),
            sleep=sleep,
        )

    @property
    def calls(self):
        return self.http.calls

    def call(self, what, method, path, *, data=None, params=None, repeatable=False):
        """Send one request (again, if ``repeatable`` and it failed fast); return an Answer.

        ``what`` names the call in logs; paths, bodies and Twilio's messages are never
        logged, since they can hold a phone number or a code.
        """
        response = self.http.request(
            what, method, path, repeatable=repeatable, data=data, params=params
        )
        return _decode(what, response)


def _decode(what, response):
    """An Answer with the JSON object; VendorUnavailable for anything that is not one."""
    retry_after = _seconds(response.headers.get("Retry-After"))
    if response.status_code == 204:
        return Answer(204, None, retry_after)
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        log.warning("verify %s answered %s without a JSON object", what, response.status_code)
        raise VendorUnavailable()
    return Answer(response.status_code, body, retry_after)


def _seconds(value):
    """Retry-After as whole seconds; None when absent or not a number of seconds."""
    if value is None or not value.strip().isdigit():
        return None
    return int(value.strip())
