"""HTTP to Verify v2: Basic auth, form-encoded requests, timeouts, careful retries.

Every call has connect and read timeouts. A call is repeated only when Twilio documents
it as safe to repeat (reads and deletes, ``repeatable=True``) and only after a failure
that happened fast (a refused connection, a 5xx, a 429), never after a timeout: one
login never waits on a hung vendor more than once per call. What the answer means is the
caller's business; this module only guarantees a status and a JSON object (or nothing,
for a 204). See docs/verify-api.md.
"""

import dataclasses
import logging

import requests

from chalicelib.errors import VendorUnavailable

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
        self.api_url = api_url.rstrip("/")
        self.auth = (username, password)
        self.session = session
        self.timeout = timeout
        self.retries = retries
        self.sleep = sleep
        self.calls = 0

    def call(self, what, method, path, *, data=None, params=None, repeatable=False):
        """Send one request (again, if ``repeatable`` and it failed fast); return an Answer.

        ``what`` names the call in logs; paths, bodies and Twilio's messages are never
        logged, since they can hold a phone number or a code.
        """
        attempts = 1 + (self.retries if repeatable else 0)
        for attempt in range(1, attempts + 1):
            response = self._send(what, method, path, data, params, last=attempt == attempts)
            if response is None:
                self._pause(attempt)
                continue
            failed_fast = response.status_code >= 500 or response.status_code == 429
            if failed_fast and attempt < attempts:
                log.warning("verify %s answered %s", what, response.status_code)
                self._pause(attempt)
                continue
            return _decode(what, response)
        raise VendorUnavailable()  # pragma: no cover - the last attempt returns or raises

    def _send(self, what, method, path, data, params, last):
        """The response, or None for a fast failure worth another attempt."""
        self.calls += 1
        try:
            return self.session.request(
                method,
                self.api_url + path,
                data=data,
                params=params,
                auth=self.auth,
                headers={"Accept": "application/json"},
                timeout=self.timeout,
                allow_redirects=False,
            )
        except requests.Timeout:
            log.warning("verify %s timed out", what)
            raise VendorUnavailable() from None
        except requests.RequestException as exc:
            log.warning("verify %s unreachable: %s", what, type(exc).__name__)
            if last:
                raise VendorUnavailable() from None
            return None

    def _pause(self, attempt):
        self.sleep(0.1 * 2 ** (attempt - 1))


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
