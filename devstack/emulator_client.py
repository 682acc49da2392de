"""A small client for the emulator's control API (Authy's side and Verify's), for tests
and scripts."""

import time
import urllib.parse

import requests

TIMEOUT = (2, 10)


class ControlError(RuntimeError):
    """The control API refused a call; the message carries its status and error."""


def wait_for(predicate, timeout=10.0, interval=0.05, message=None):
    """Poll ``predicate`` until it returns something truthy; return that, or fail loudly."""
    deadline = time.monotonic() + timeout
    last_error = None
    while True:
        try:
            result = predicate()
        except (requests.RequestException, ControlError) as exc:
            result, last_error = None, exc
        if result:
            return result
        if time.monotonic() >= deadline:
            what = message or getattr(predicate, "__name__", "condition")
            detail = f" (last error: {last_error})" if last_error else ""
            raise TimeoutError(f"timed out after {timeout} s waiting for {what}{detail}")
        time.sleep(interval)


class EmulatorControl:
    """Drive the emulator like a test harness would: read state, play the phone, break things."""

    def __init__(self, base_url, session=None):
        self.base_url = base_url.rstrip("/")
        self.session = session or requests.Session()

    def _call(self, method, path, json=None, params=None):
        response = self.session.request(
            method, f"{self.base_url}/emulator{path}", json=json, params=params, timeout=TIMEOUT
        )
        if not response.ok:
            raise ControlError(f"{method} {path}: HTTP {response.status_code} {response.text}")
        return response.json()

    def users(self):
        return self._call("GET", "/users")["users"]

    def messages(self, authy_id=None, to=None, vendor=None):
        """Texts and calls (Authy's, Verify's), oldest first; filter by Authy user, Verify
        recipient or vendor."""
        params = _drop_none(authy_id=authy_id, to=to, vendor=vendor)
        return self._call("GET", "/messages", params=params)["messages"]

    def latest_code(self, authy_id):
        """The code of the latest Authy text or call to this user; None if nothing was sent."""
        messages = self.messages(authy_id)
        return messages[-1]["code"] if messages else None

    # Verify

    def verify_messages(self, to=None):
        """Verify's texts, calls, WhatsApp messages and emails, oldest first."""
        return self.messages(to=to, vendor="verify")

    def latest_verify_code(self, to):
        """The code of the latest Verify message to this number or address; None if none."""
        messages = self.verify_messages(to)
        return messages[-1]["code"] if messages else None

    def verify_services(self):
        return self._call("GET", "/verify/services")["services"]

    def verifications(self, to=None, status=None):
        params = _drop_none(to=to, status=status)
        return self._call("GET", "/verify/verifications", params=params)["verifications"]

    def expire_verification(self, sid):
        """End a pending verification now, as if its 10 minutes were over."""
        path = f"/verify/verifications/{urllib.parse.quote(sid)}/expire"
        return self._call("POST", path)["verification"]

    def factors(self, identity=None):
        """Verify's TOTP factors, with their otpauth URI (what the user's app was given)."""
        return self._call("GET", "/verify/factors", params=_drop_none(identity=identity))["factors"]

    def factor_totp(self, factor_sid):
        """``{"code", "seconds_left"}`` an authenticator holding this factor shows now."""
        return self._call("GET", f"/verify/factors/{urllib.parse.quote(factor_sid)}/totp")

    def challenges(self, identity=None):
        params = _drop_none(identity=identity)
        return self._call("GET", "/verify/challenges", params=params)["challenges"]

    # the mailbox

    def emails(self, to=None):
        """What SES sent (to the address ``to``), oldest first: ``{id, from, to, subject,
        at, text, links}``."""
        return self._call("GET", "/emails", params=_drop_none(to=to))["emails"]

    def wait_for_email(self, to, subject=None, after=0, timeout=10.0):
        """The first email to ``to`` after the first ``after`` of them (with ``subject``)."""

        def arrived():
            found = self.emails(to)[after:]
            found = [email for email in found if subject in (None, email["subject"])]
            return found[0] if found else None

        return wait_for(arrived, timeout, message=f"an email to {to}")

    @staticmethod
    def link_in(email, page, param="token"):
        """The link to ``page`` whose fragment holds ``param`` (``#token=``) in an email."""
        found = [link for link in email["links"] if f"/{page}#{param}=" in link]
        assert len(found) == 1, f"one link to {page}#{param}= in {email['links']}"
        return found[0]

    # the phone's authenticator app

    def add_authenticator_account(self, key, label=None):
        """Add an account to the phone's authenticator by Base32 key or otpauth URI."""
        body = _drop_none(key=key, label=label)
        return self._call("POST", "/authenticator/accounts", json=body)["account"]

    def authenticator_accounts(self):
        """The app's accounts with their current ``code`` and ``seconds_left``."""
        return self._call("GET", "/authenticator/accounts")["accounts"]

    def remove_authenticator_account(self, account_id):
        return self._call("DELETE", f"/authenticator/accounts/{int(account_id)}")

    def approval_requests(self, authy_id=None, status=None):
        params = _drop_none(authy_id=authy_id, status=status)
        return self._call("GET", "/approval_requests", params=params)["approval_requests"]

    def approve(self, request_uuid):
        return self._answer(request_uuid, "approve")

    def deny(self, request_uuid):
        return self._answer(request_uuid, "deny")

    def expire(self, request_uuid):
        return self._answer(request_uuid, "expire")

    def _answer(self, request_uuid, action):
        path = f"/approval_requests/{urllib.parse.quote(request_uuid)}/{action}"
        return self._call("POST", path)["approval_request"]

    def set_app(self, authy_id, installed):
        return self._call("POST", f"/users/{authy_id}/app", json={"installed": installed})["user"]

    def totp(self, authy_id):
        """``{"code", "seconds_left"}`` shown by the user's Authy app now."""
        return self._call("GET", f"/users/{authy_id}/totp")

    def set_callback(self, enabled=None, url=None, method=None):
        body = _drop_none(enabled=enabled, url=url, method=method)
        return self._call("POST", "/callback", json=body)

    def callback_state(self):
        return self._call("GET", "/callback")

    def fault(self, endpoint, **settings):
        """Inject a fault: latency, status, hang, malformed, rate, count, seed."""
        return self._call("POST", "/faults", json={"endpoint": endpoint, **settings})["faults"]

    def clear_faults(self, endpoint=None):
        return self._call("DELETE", "/faults", params=_drop_none(endpoint=endpoint))["faults"]

    def stats(self):
        return self._call("GET", "/stats")

    def reset(self):
        return self._call("POST", "/reset")

    def wait_for(self, predicate, timeout=10.0, interval=0.05, message=None):
        return wait_for(predicate, timeout=timeout, interval=interval, message=message)

    def wait_for_request(self, authy_id, status="pending", timeout=10.0):
        """The newest approval request of this user in ``status``, once there is one."""

        def newest():
            found = self.approval_requests(authy_id=authy_id, status=status)
            return found[-1] if found else None

        return wait_for(newest, timeout, message=f"a {status} approval request for {authy_id}")


def _drop_none(**values):
    return {name: value for name, value in values.items() if value is not None}
