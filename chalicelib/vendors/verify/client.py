"""A small client for the parts of Twilio Verify v2 this app uses (docs/verify-api.md).

Codes by text or call (Verifications and VerificationCheck), authenticator-app codes
(TOTP Factors and Challenges on an Entity), and the Service they all live in. Requests
are form-encoded with Twilio's PascalCase names; success is read from the status and the
JSON, failures become our domain errors in one place (``errors.domain_error``). A wrong
code is an ordinary ``False``, as django-otp's ``verify_token`` would have it.
"""

import dataclasses
import logging
import re
import time
import urllib.parse

import requests

from chalicelib.errors import ConfigurationError, VendorUnavailable
from chalicelib.vendors.verify.errors import domain_error, is_gone
from chalicelib.vendors.verify.transport import DEFAULT_API_URL, Transport

log = logging.getLogger(__name__)

CHANNELS = ("sms", "call")
MAX_SERVICE_PAGES = 20
_CREDENTIAL_SID = re.compile(r"(AC|SK)[0-9a-fA-F]{32}")
_IDENTITY = re.compile(r"[A-Za-z0-9]+(-[A-Za-z0-9]+)*")


def _is_sid(prefix, value):
    """Twilio's SIDs are two letters naming the kind, then 32 hex digits."""
    return isinstance(value, str) and re.fullmatch(prefix + r"[0-9a-fA-F]{32}", value) is not None


def _sid(prefix, value):
    """A SID checked before it goes into a path."""
    if not _is_sid(prefix, value):
        raise ValueError(f"not a {prefix} SID")
    return value


def _identity(value):
    """An Entity's identity: 8-64 dash-separated letters and digits (an opaque user id)."""
    if not isinstance(value, str) or not 8 <= len(value) <= 64 or not _IDENTITY.fullmatch(value):
        raise ValueError("an identity is 8-64 dash-separated letters and digits")
    return value


def _text(body, name):
    """A non-empty string field of a Twilio answer, or VendorUnavailable."""
    value = body.get(name)
    if not isinstance(value, str) or not value:
        raise VendorUnavailable()
    return value


@dataclasses.dataclass(frozen=True)
class Service:
    sid: str
    friendly_name: str
    code_length: int | None
    totp_issuer: str | None

    @classmethod
    def from_body(cls, body):
        if not _is_sid("VA", body.get("sid")):
            raise VendorUnavailable()
        totp = body.get("totp") if isinstance(body.get("totp"), dict) else {}
        return cls(
            body["sid"], _text(body, "friendly_name"), body.get("code_length"), totp.get("issuer")
        )


@dataclasses.dataclass(frozen=True)
class Verification:
    sid: str
    channel: str
    status: str


@dataclasses.dataclass(frozen=True)
class TotpFactor:
    """A new authenticator-app factor; ``secret`` and ``uri`` are shown to the user once."""

    sid: str
    secret: str = dataclasses.field(repr=False)
    uri: str = dataclasses.field(repr=False)


class VerifyClient:
    """Talks to Verify (or the local emulator) at ``api_url``.

    ``username`` is an Account SID (``AC…``) or an API key SID (``SK…``); ``password`` is
    the account's Auth Token or the key's secret. ``service_sid`` (``VA…``) is needed by
    everything but creating and listing Services.
    """

    def __init__(
        self,
        username,
        password,
        service_sid=None,
        *,
        api_url=DEFAULT_API_URL,
        session=None,
        timeout=(2.0, 4.0),
        retries=1,
        sleep=time.sleep,
    ):
        if not isinstance(username, str) or not _CREDENTIAL_SID.fullmatch(username):
            raise ValueError("username must be an Account SID (AC...) or an API key SID (SK...)")
        if not password:
            raise ValueError("password (the Auth Token or the key's secret) is empty")
        self.service_sid = None if service_sid is None else _sid("VA", service_sid)
        self.transport = Transport(
            api_url,
            username,
            password,
            session=session or requests.Session(),
            timeout=timeout,
            retries=retries,
            sleep=sleep,
        )

    @property
    def calls(self):
        """Requests sent so far (counted for benchmarks)."""
        return self.transport.calls

    def _service_path(self, tail):
        if self.service_sid is None:
            raise ConfigurationError("VERIFY_SERVICE_SID is not set")
        return f"/v2/Services/{self.service_sid}{tail}"

    def _entity_path(self, identity, tail=""):
        quoted = urllib.parse.quote(_identity(identity), safe="")
        return self._service_path(f"/Entities/{quoted}{tail}")

    def _expect(self, what, answer, statuses):
        """The answer's body if its status is one of ``statuses``; else our error."""
        if answer.status in statuses and answer.body is not None:
            return answer.body
        raise domain_error(what, answer)

    # the Service

    def create_service(self, friendly_name, *, code_length=6, totp_issuer=None):
        """Create a Service: texts say ``friendly_name``; the authenticator app shows the issuer."""
        data = {"FriendlyName": friendly_name, "CodeLength": str(code_length)}
        if totp_issuer:
            data["Totp.Issuer"] = totp_issuer
        answer = self.transport.call("services/create", "POST", "/v2/Services", data=data)
        return Service.from_body(self._expect("services/create", answer, (201,)))

    def fetch_service(self, sid):
        path = f"/v2/Services/{_sid('VA', sid)}"
        answer = self.transport.call("services/fetch", "GET", path, repeatable=True)
        return Service.from_body(self._expect("services/fetch", answer, (200,)))

    def list_services(self):
        """Every Service of the account (later pages are asked of our base URL, not Twilio's)."""
        services, params = [], {"PageSize": "50"}
        for _ in range(MAX_SERVICE_PAGES):
            answer = self.transport.call(
                "services/list", "GET", "/v2/Services", params=params, repeatable=True
            )
            body = self._expect("services/list", answer, (200,))
            page = body.get("services")
            if not isinstance(page, list) or not all(isinstance(item, dict) for item in page):
                raise _unexpected("services/list")
            services.extend(Service.from_body(item) for item in page)
            params = _next_page(body)
            if params is None:
                return services
        return services

    # codes by text or call

    def start_verification(self, to, channel):
        """Text (``sms``) or call (``call``) a code to ``to`` (E.164); a pending one re-sends."""
        if channel not in CHANNELS:
            raise ValueError(f"channel must be one of {CHANNELS}")
        path = self._service_path("/Verifications")
        data = {"To": to, "Channel": channel}
        answer = self.transport.call("verifications/create", "POST", path, data=data)
        body = self._expect("verifications/create", answer, (200, 201))
        if not _is_sid("VE", body.get("sid")) or body.get("status") != "pending":
            raise _unexpected("verifications/create")
        return Verification(body["sid"], _text(body, "channel"), body["status"])

    def check_code(self, to, code):
        """True for the right code; False for a wrong one; CodeExpired once it is gone."""
        path = self._service_path("/VerificationCheck")
        data = {"To": to, "Code": code}
        answer = self.transport.call("verification_check", "POST", path, data=data)
        body = self._expect("verification_check", answer, (200, 201))
        return _approved("verification_check", body, "approved", "pending")

    def cancel_verification(self, verification_sid):
        """Cancel a pending verification; one already gone counts as cancelled."""
        path = self._service_path(f"/Verifications/{_sid('VE', verification_sid)}")
        answer = self.transport.call(
            "verifications/cancel", "POST", path, data={"Status": "canceled"}
        )
        if is_gone(answer):
            return
        body = self._expect("verifications/cancel", answer, (200,))
        if body.get("status") != "canceled":
            raise _unexpected("verifications/cancel")

    # authenticator-app codes (TOTP)

    def create_totp_factor(self, identity, friendly_name):
        """A new, unverified TOTP factor for ``identity``: its SID, secret and otpauth URI."""
        path = self._entity_path(identity, "/Factors")
        data = {"FactorType": "totp", "FriendlyName": friendly_name}
        answer = self.transport.call("factors/create", "POST", path, data=data)
        body = self._expect("factors/create", answer, (201,))
        binding = body.get("binding")
        if not _is_sid("YF", body.get("sid")) or not isinstance(binding, dict):
            raise _unexpected("factors/create")
        return TotpFactor(body["sid"], _text(binding, "secret"), _text(binding, "uri"))

    def verify_totp_factor(self, identity, factor_sid, code):
        """True once the app's first code proves the factor; False for a wrong code."""
        path = self._entity_path(identity, f"/Factors/{_sid('YF', factor_sid)}")
        answer = self.transport.call("factors/verify", "POST", path, data={"AuthPayload": code})
        body = self._expect("factors/verify", answer, (200,))
        return _approved("factors/verify", body, "verified", "unverified")

    def check_totp(self, identity, factor_sid, code):
        """True when ``code`` is the app's current one (a Challenge answered on creation)."""
        path = self._entity_path(identity, "/Challenges")
        data = {"FactorSid": _sid("YF", factor_sid), "AuthPayload": code}
        answer = self.transport.call("challenges/create", "POST", path, data=data)
        body = self._expect("challenges/create", answer, (201,))
        return _approved("challenges/create", body, "approved", "pending")

    def delete_factor(self, identity, factor_sid):
        """Remove a factor; one already gone counts as removed."""
        path = self._entity_path(identity, f"/Factors/{_sid('YF', factor_sid)}")
        self._delete("factors/delete", path)

    def delete_entity(self, identity):
        """Remove the user's Entity with all its factors; already gone counts as removed."""
        self._delete("entities/delete", self._entity_path(identity))

    def _delete(self, what, path):
        answer = self.transport.call(what, "DELETE", path, repeatable=True)
        if answer.status == 204 or is_gone(answer):
            return
        raise domain_error(what, answer)


def _approved(what, body, yes, no):
    """True for status ``yes``, False for ``no``; anything else is not an answer we know."""
    status = body.get("status")
    if status == yes:
        return True
    if status == no:
        return False
    raise _unexpected(what)


def _unexpected(what):
    log.warning("verify %s answered with a body we do not know", what)
    return VendorUnavailable()


def _next_page(body):
    """The query of the next page (its PageToken and Page), or None on the last page."""
    meta = body.get("meta") if isinstance(body.get("meta"), dict) else {}
    url = meta.get("next_page_url")
    if not isinstance(url, str) or not url:
        return None
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
    page = {name: query[name] for name in ("PageSize", "Page", "PageToken") if name in query}
    return page or None
