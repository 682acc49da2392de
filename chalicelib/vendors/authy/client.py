"""A small client for the parts of Authy's REST API this app uses.

Every call has connect and read timeouts. Only idempotent reads are retried, and only
after a failure that happened fast (a refused connection, a 5xx or a 429), never after a
read timeout, so one login never waits on a hung vendor more than once per call.
Failures become :class:`VendorUnavailable`; a wrong code is an ordinary ``False``.
"""

import logging

import requests

from chalicelib.errors import VendorRejected, VendorUnavailable
from chalicelib.vendors.http import VendorHttp, failed_fast

log = logging.getLogger(__name__)

INVALID_API_KEY = "60001"
_FIELD_NAMES = {"email": "email", "cellphone": "phone", "country_code": "country_code"}


def _succeeded(body):
    """Authy sends ``success`` as a boolean or as the string "true"."""
    return body.get("success") in (True, "true", "True")


class AuthyClient:
    """Talks to Authy (or the local emulator) at ``api_url``."""

    def __init__(self, api_url, api_key, session=None, timeout=(2.0, 4.0), retries=1):
        self.http = VendorHttp(
            "authy",
            api_url,
            session=session or requests.Session(),
            timeout=timeout,
            retries=retries,
            headers={"X-Authy-API-Key": api_key},
        )

    @property
    def calls(self):
        return self.http.calls

    def _call(self, what, method, path, *, params=None, json=None, idempotent=False):
        """Return ``(status, body)``; raise VendorUnavailable on transport or server trouble.

        ``what`` names the call in logs: the path is never logged (verify's holds the code).
        """
        response = self.http.request(
            what, method, path, repeatable=idempotent, params=params, json=json
        )
        if failed_fast(response):
            log.warning("authy %s answered %s", what, response.status_code)
            raise VendorUnavailable()
        return response.status_code, self._json(what, response)

    @staticmethod
    def _json(what, response):
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            log.warning("authy %s answered %s without a JSON object", what, response.status_code)
            raise VendorUnavailable()
        if response.status_code == 401 and str(body.get("error_code")) == INVALID_API_KEY:
            log.error("authy rejected the API key (60001): check AUTHY_API_KEY")
            raise VendorUnavailable()
        return body

    def _expect_ok(self, status, body, what):
        if status == 200 and _succeeded(body):
            return body
        log.warning(
            "authy %s failed: status %s, error_code %s", what, status, body.get("error_code")
        )
        raise VendorUnavailable()

    def register_user(self, email, country_code, cellphone):
        """Register (or find again: Authy is idempotent here) a user; return the Authy id."""
        status, body = self._call(
            "users/new",
            "POST",
            "/protected/json/users/new",
            json={"user": {"email": email, "cellphone": cellphone, "country_code": country_code}},
        )
        if status == 400:
            errors = body.get("errors") if isinstance(body.get("errors"), dict) else {}
            fields = {
                ours: "was not accepted by the verification service"
                for theirs, ours in _FIELD_NAMES.items()
                if theirs in errors
            }
            raise VendorRejected(fields=fields or {"phone": "was not accepted"})
        body = self._expect_ok(status, body, "users/new")
        user = body.get("user")
        authy_id = user.get("id") if isinstance(user, dict) else None
        if isinstance(authy_id, bool) or not isinstance(authy_id, int):
            raise VendorUnavailable()
        return authy_id

    def remove_user(self, authy_id):
        """Remove a user from the application; one Authy no longer knows counts as removed."""
        status, body = self._call(
            "users/remove", "POST", f"/protected/json/users/{int(authy_id)}/remove"
        )
        if status == 404:
            return
        self._expect_ok(status, body, "users/remove")

    def has_app(self, authy_id):
        """True when the user has the Authy app (``registered``), so a push can reach them."""
        status, body = self._call(
            "users/status", "GET", f"/protected/json/users/{int(authy_id)}/status", idempotent=True
        )
        body = self._expect_ok(status, body, "users/status")
        user_status = body.get("status")
        return isinstance(user_status, dict) and user_status.get("registered") is True

    def send_code(self, authy_id, via):
        """Text (``sms``) or call (``call``) a code, even to app users (``force``)."""
        if via not in ("sms", "call"):
            raise ValueError(via)
        status, body = self._call(
            via, "GET", f"/protected/json/{via}/{int(authy_id)}", params={"force": "true"}
        )
        self._expect_ok(status, body, via)

    def verify_code(self, authy_id, code):
        """True for a right code, False for a wrong one (Authy answers 401 with 60020)."""
        if not (code.isascii() and code.isdigit() and 6 <= len(code) <= 10):
            return False
        status, body = self._call(
            "verify",
            "GET",
            f"/protected/json/verify/{code}/{int(authy_id)}",
            params={"force": "true"},
        )
        if status == 200 and _succeeded(body):
            return True
        if status == 401:
            return False
        log.warning("authy verify failed: status %s, error_code %s", status, body.get("error_code"))
        raise VendorUnavailable()

    def create_approval_request(self, authy_id, message, details, hidden_details, seconds):
        """Send a OneTouch push; return its uuid."""
        status, body = self._call(
            "approval_requests",
            "POST",
            f"/onetouch/json/users/{int(authy_id)}/approval_requests",
            json={
                "message": message[:200],
                "details": details,
                "hidden_details": hidden_details,
                "seconds_to_expire": int(seconds),
            },
        )
        body = self._expect_ok(status, body, "approval_requests")
        request = body.get("approval_request")
        uuid = request.get("uuid") if isinstance(request, dict) else None
        if not isinstance(uuid, str) or not uuid:
            raise VendorUnavailable()
        return uuid

    def approval_status(self, uuid):
        """Return ``(status, authy_id)`` of a OneTouch request."""
        status, body = self._call(
            "approval_requests/status",
            "GET",
            f"/onetouch/json/approval_requests/{requests.utils.quote(uuid, safe='')}",
            idempotent=True,
        )
        body = self._expect_ok(status, body, "approval_requests/status")
        request = body.get("approval_request")
        if not isinstance(request, dict):
            raise VendorUnavailable()
        return request.get("status"), request.get("_authy_id")
