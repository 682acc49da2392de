"""HTTP to a vendor, written once for Authy's client and Verify's transport.

Every request has connect and read timeouts. A request is sent again only when the
vendor documents the call as safe to repeat (``repeatable``) and only after a failure
that happened fast (a refused connection, a 5xx, a 429), never after a timeout: one login
never waits on a hung vendor more than once per call. ``what`` names a call in logs; a
path, a body or the vendor's message is never logged (they can hold a number or a code).
"""

import logging
import time

import requests

from chalicelib.errors import VendorUnavailable

log = logging.getLogger(__name__)


class VendorHttp:
    """One vendor's base URL, session, credentials and timeouts; ``calls`` counts requests."""

    def __init__(
        self, vendor, api_url, *, session, timeout, retries, headers=None, auth=None, sleep=None
    ):
        self.vendor = vendor  # "authy" | "verify", for the logs
        self.api_url = api_url.rstrip("/")
        self.session = session
        self.timeout = timeout
        self.retries = retries
        self.headers = {"Accept": "application/json", **(headers or {})}
        self.auth = auth
        self.sleep = sleep or time.sleep
        self.calls = 0  # counted for benchmarks; never reset here

    def request(self, what, method, path, *, repeatable=False, **kwargs):
        """The vendor's response (the last one, when repeating did not help).

        Raises VendorUnavailable when the vendor could not be reached at all.
        """
        attempts = 1 + (self.retries if repeatable else 0)
        for attempt in range(1, attempts + 1):
            last = attempt == attempts
            self.calls += 1
            try:
                response = self.session.request(
                    method,
                    self.api_url + path,
                    headers=self.headers,
                    auth=self.auth,
                    timeout=self.timeout,
                    allow_redirects=False,
                    **kwargs,
                )
            except requests.Timeout:
                log.warning("%s %s timed out", self.vendor, what)
                raise VendorUnavailable() from None
            except requests.RequestException as exc:
                log.warning("%s %s unreachable: %s", self.vendor, what, type(exc).__name__)
                if last:
                    raise VendorUnavailable() from None
                self.sleep(0.1 * 2 ** (attempt - 1))
                continue
            if failed_fast(response) and not last:
                log.warning("%s %s answered %s", self.vendor, what, response.status_code)
                self.sleep(0.1 * 2 ** (attempt - 1))
                continue
            return response
        raise VendorUnavailable()  # pragma: no cover - the last attempt returns or raises


def failed_fast(response):
    """A 5xx or a 429: the vendor answered quickly that it cannot now."""
    return response.status_code >= 500 or response.status_code == 429
