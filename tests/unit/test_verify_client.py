"""chalicelib.vendors.verify over HTTP (`responses`): auth, timeouts, retries, error mapping.

The answers are shaped as docs/verify-api.md describes them.
"""

import base64
import logging
import re
import urllib.parse
from pathlib import Path

import pytest
import requests
import responses

from chalicelib.errors import (
    ChallengeLocked,
    CodeExpired,
    ConfigurationError,
    RateLimited,
    SendLimitReached,
    VendorRejected,
    VendorUnavailable,
)
from chalicelib.vendors.verify import VerifyClient

BASE = "https://verify.test"
ACCOUNT = "AC" + "0123456789abcdef" * 2
TOKEN = "unit-auth-token-never-logged"
API_KEY = "SK" + "fedcba9876543210" * 2
SERVICE = "VA" + "1" * 32
VERIFICATION = "VE" + "2" * 32
FACTOR = "YF" + "3" * 32
CHALLENGE = "YC" + "4" * 32
IDENTITY = "0f8fad5b-d9cb-469f-a165-70867728950e"
PHONE = "+15017122661"
CODE = "482913"
SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

SERVICES = f"{BASE}/v2/Services"
VERIFICATIONS = f"{SERVICES}/{SERVICE}/Verifications"
CHECK = f"{SERVICES}/{SERVICE}/VerificationCheck"
ENTITY = f"{SERVICES}/{SERVICE}/Entities/{IDENTITY}"
FACTORS = f"{ENTITY}/Factors"
CHALLENGES = f"{ENTITY}/Challenges"


def twilio_error(code, status):
    return {
        "code": code,
        "message": f"error {code}",
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


def service_body(sid=SERVICE, name="Twofold"):
    return {"sid": sid, "friendly_name": name, "code_length": 6, "totp": {"issuer": name}}


VERIFICATION_BODY = {"sid": VERIFICATION, "to": PHONE, "channel": "sms", "status": "pending"}
FACTOR_BODY = {
    "sid": FACTOR,
    "status": "unverified",
    "binding": {"secret": SECRET, "uri": f"otpauth://totp/Twofold:ada?secret={SECRET}"},
}


class RecordingSession(requests.Session):
    """A real Session that remembers the timeout of every request."""

    def __init__(self):
        super().__init__()
        self.timeouts = []

    def request(self, *args, **kwargs):
        self.timeouts.append(kwargs.get("timeout"))
        return super().request(*args, **kwargs)


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def client(sleeps):
    return VerifyClient(
        ACCOUNT, TOKEN, SERVICE, api_url=BASE, session=RecordingSession(), sleep=sleeps.append
    )


def form(call):
    """The form a request sent, as a dict."""
    return dict(urllib.parse.parse_qsl(call.request.body))


# what goes on the wire


@responses.activate
def test_every_call_has_timeouts_basic_auth_and_a_pascalcase_form(client):
    responses.post(VERIFICATIONS, status=201, json=VERIFICATION_BODY)
    client.start_verification(PHONE, "sms")
    [call] = responses.calls
    assert client.transport.http.session.timeouts == [(2.0, 4.0)]
    expected = base64.b64encode(f"{ACCOUNT}:{TOKEN}".encode()).decode()
    assert call.request.headers["Authorization"] == f"Basic {expected}"
    assert call.request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert form(call) == {"To": PHONE, "Channel": "sms"}


@responses.activate
def test_an_api_key_and_its_secret_are_the_basic_auth_too():
    responses.get(f"{SERVICES}/{SERVICE}", json=service_body())
    VerifyClient(API_KEY, "key-secret", api_url=BASE).fetch_service(SERVICE)
    expected = base64.b64encode(f"{API_KEY}:key-secret".encode()).decode()
    assert responses.calls[0].request.headers["Authorization"] == f"Basic {expected}"


@pytest.mark.parametrize(
    "username, password",
    [("AC123", TOKEN), ("XX" + "0" * 32, TOKEN), (ACCOUNT, ""), (None, TOKEN)],
)
def test_credentials_that_cannot_be_right_are_refused_at_once(username, password):
    with pytest.raises(ValueError):
        VerifyClient(username, password)


@responses.activate
def test_a_service_is_created_with_our_settings(client):
    responses.post(SERVICES, status=201, json=service_body(name="Twofold (local)"))
    service = client.create_service("Twofold (local)", totp_issuer="Twofold")
    assert service.sid == SERVICE
    assert form(responses.calls[0]) == {
        "FriendlyName": "Twofold (local)",
        "CodeLength": "6",
        "Totp.Issuer": "Twofold",
    }


@responses.activate
def test_services_are_listed_across_pages_on_our_own_base_url(client):
    other = "VA" + "9" * 32
    elsewhere = "https://elsewhere.example/v2/Services?PageSize=50&Page=1&PageToken=PT1"
    first = {"services": [service_body()], "meta": {"next_page_url": elsewhere}}
    second = {"services": [service_body(other)], "meta": {"next_page_url": None}}
    responses.get(
        SERVICES, json=first, match=[responses.matchers.query_param_matcher({"PageSize": "50"})]
    )
    responses.get(SERVICES, json=second)
    assert [service.sid for service in client.list_services()] == [SERVICE, other]
    assert responses.calls[1].request.url.startswith(BASE + "/v2/Services?")
    assert "PageToken=PT1" in responses.calls[1].request.url


def test_calls_that_need_a_service_say_so_without_one():
    with pytest.raises(ConfigurationError, match="VERIFY_SERVICE_SID"):
        VerifyClient(ACCOUNT, TOKEN).check_code(PHONE, CODE)


@pytest.mark.parametrize(
    "identity", ["short", "has space-in-it", "a" * 65, "ends-with-", "../../x"]
)
def test_an_identity_that_is_not_opaque_is_refused_before_any_call(client, identity):
    with responses.RequestsMock(), pytest.raises(ValueError):  # a request would not be this
        client.create_totp_factor(identity, "Ada")


# retries: only where Twilio says a call may be repeated, and only after a fast failure


@responses.activate
@pytest.mark.parametrize(
    "first",
    [
        {"status": 503, "json": twilio_error(20503, 503)},
        {"status": 429, "json": twilio_error(20429, 429)},
        {"body": requests.ConnectionError()},
    ],
)
def test_reads_are_retried_once_after_a_fast_failure(client, sleeps, first):
    responses.get(f"{SERVICES}/{SERVICE}", **first)
    responses.get(f"{SERVICES}/{SERVICE}", json=service_body())
    assert client.fetch_service(SERVICE).sid == SERVICE
    assert len(responses.calls) == 2
    assert sleeps == [0.1]


@responses.activate
def test_a_read_failing_twice_is_unavailable(client):
    responses.get(f"{SERVICES}/{SERVICE}", status=500, json=twilio_error(20500, 500))
    with pytest.raises(VendorUnavailable):
        client.fetch_service(SERVICE)
    assert len(responses.calls) == 2


@responses.activate
@pytest.mark.parametrize("timeout", [requests.ReadTimeout(), requests.ConnectTimeout()])
def test_a_timeout_is_never_retried(client, timeout):
    responses.get(f"{SERVICES}/{SERVICE}", body=timeout)
    with pytest.raises(VendorUnavailable):
        client.fetch_service(SERVICE)
    assert len(responses.calls) == 1


@responses.activate
@pytest.mark.parametrize(
    "answer",
    [
        {"status": 503, "json": twilio_error(20503, 503)},
        {"status": 429, "json": twilio_error(20429, 429)},
        {"body": requests.ConnectionError()},
    ],
)
def test_sends_and_checks_are_never_retried(client, answer):
    responses.post(VERIFICATIONS, **answer)
    responses.post(CHECK, **answer)
    responses.post(CHALLENGES, **answer)
    with pytest.raises(VendorUnavailable):
        client.start_verification(PHONE, "sms")
    with pytest.raises(VendorUnavailable):
        client.check_code(PHONE, CODE)
    with pytest.raises(VendorUnavailable):
        client.check_totp(IDENTITY, FACTOR, CODE)
    assert len(responses.calls) == 3


@responses.activate
def test_a_delete_is_retried_and_a_404_means_done(client):
    responses.delete(f"{FACTORS}/{FACTOR}", status=503, json=twilio_error(20503, 503))
    responses.delete(f"{FACTORS}/{FACTOR}", status=404, json=twilio_error(20404, 404))
    responses.delete(ENTITY, status=204)
    client.delete_factor(IDENTITY, FACTOR)
    client.delete_entity(IDENTITY)
    assert len(responses.calls) == 3


@responses.activate
def test_a_404_that_is_not_twilios_is_not_done(client):
    responses.delete(ENTITY, status=404, body="<html>no such host route</html>")
    with pytest.raises(VendorUnavailable):
        client.delete_entity(IDENTITY)


# answers: a wrong code is a value


@responses.activate
@pytest.mark.parametrize("status, expected", [("approved", True), ("pending", False)])
def test_a_code_check_answers_approved_or_not(client, status, expected):
    responses.post(CHECK, json={"sid": VERIFICATION, "status": status, "valid": expected})
    assert client.check_code(PHONE, CODE) is expected
    assert form(responses.calls[0]) == {"To": PHONE, "Code": CODE}


@responses.activate
@pytest.mark.parametrize("status, expected", [("verified", True), ("unverified", False)])
def test_a_factor_is_verified_or_not(client, status, expected):
    responses.post(f"{FACTORS}/{FACTOR}", json={**FACTOR_BODY, "status": status})
    assert client.verify_totp_factor(IDENTITY, FACTOR, CODE) is expected
    assert form(responses.calls[0]) == {"AuthPayload": CODE}


@responses.activate
@pytest.mark.parametrize("status, expected", [("approved", True), ("pending", False)])
def test_a_totp_challenge_is_approved_or_not(client, status, expected):
    responses.post(CHALLENGES, status=201, json={"sid": CHALLENGE, "status": status})
    assert client.check_totp(IDENTITY, FACTOR, CODE) is expected
    assert form(responses.calls[0]) == {"FactorSid": FACTOR, "AuthPayload": CODE}


@responses.activate
def test_a_new_factor_gives_its_secret_and_uri_but_never_shows_them(client):
    responses.post(FACTORS, status=201, json=FACTOR_BODY)
    factor = client.create_totp_factor(IDENTITY, "Ada")
    assert (factor.sid, factor.secret) == (FACTOR, SECRET)
    assert factor.uri.startswith("otpauth://totp/")
    assert SECRET not in repr(factor)
    assert form(responses.calls[0]) == {"FactorType": "totp", "FriendlyName": "Ada"}


@responses.activate
def test_a_verification_starts_and_is_cancelled(client):
    responses.post(VERIFICATIONS, status=201, json={**VERIFICATION_BODY, "channel": "call"})
    responses.post(
        f"{VERIFICATIONS}/{VERIFICATION}", json={**VERIFICATION_BODY, "status": "canceled"}
    )
    started = client.start_verification(PHONE, "call")
    assert (started.sid, started.channel, started.status) == (VERIFICATION, "call", "pending")
    client.cancel_verification(VERIFICATION)
    assert form(responses.calls[1]) == {"Status": "canceled"}


@responses.activate
def test_cancelling_a_verification_already_gone_is_done(client):
    responses.post(f"{VERIFICATIONS}/{VERIFICATION}", status=404, json=twilio_error(20404, 404))
    client.cancel_verification(VERIFICATION)


@pytest.mark.parametrize("channel", ["whatsapp", "email", "SMS", ""])
def test_only_texts_and_calls_are_started(client, channel):
    with pytest.raises(ValueError):
        client.start_verification(PHONE, channel)


# errors: mapped once, to our domain


def start(client):
    return client.start_verification(PHONE, "sms")


def check(client):
    return client.check_code(PHONE, CODE)


def verify_factor(client):
    return client.verify_totp_factor(IDENTITY, FACTOR, CODE)


def check_totp(client):
    return client.check_totp(IDENTITY, FACTOR, CODE)


CALLS = {
    start: ("POST", VERIFICATIONS),
    check: ("POST", CHECK),
    verify_factor: ("POST", f"{FACTORS}/{FACTOR}"),
    check_totp: ("POST", CHALLENGES),
}


@responses.activate
@pytest.mark.parametrize(
    "call, status, code, error, fields",
    [
        (start, 400, 60200, VendorRejected, {"phone": "was not accepted"}),
        (check, 400, 60200, VendorRejected, {"token": "was not accepted"}),
        (verify_factor, 400, 60200, VendorRejected, {"token": "was not accepted"}),
        (check_totp, 400, 60200, VendorRejected, {"token": "was not accepted"}),
        (start, 403, 60410, VendorRejected, {"phone": "cannot receive codes"}),
        (check, 429, 60202, ChallengeLocked, {}),
        (check_totp, 429, 60308, ChallengeLocked, {}),
        (verify_factor, 429, 60310, ChallengeLocked, {}),
        (check, 404, 20404, CodeExpired, {}),
        (start, 404, 20404, VendorUnavailable, {}),
        (check_totp, 404, 20404, VendorUnavailable, {}),
        (start, 401, 20003, VendorUnavailable, {}),
        (check, 401, 20003, VendorUnavailable, {}),
        (check, 500, 20500, VendorUnavailable, {}),
        (start, 400, 21211, VendorUnavailable, {}),
    ],
)
def test_twilio_errors_become_ours(client, call, status, code, error, fields):
    method, url = CALLS[call]
    responses.add(method, url, status=status, json=twilio_error(code, status))
    with pytest.raises(error) as caught:
        call(client)
    assert type(caught.value) is error
    assert caught.value.fields == fields


@responses.activate
@pytest.mark.parametrize("header, wait", [({"Retry-After": "120"}, 120), ({}, 600)])
def test_too_many_sends_to_a_phone_is_a_429_with_a_wait(client, header, wait):
    responses.post(VERIFICATIONS, status=429, json=twilio_error(60203, 429), headers=header)
    with pytest.raises(SendLimitReached) as caught:
        start(client)
    assert (caught.value.status, caught.value.code) == (429, "send_limit")
    assert caught.value.retry_after == wait


@responses.activate
def test_too_many_concurrent_requests_is_a_short_wait(client):
    responses.post(VERIFICATIONS, status=429, json=twilio_error(60212, 429))
    with pytest.raises(RateLimited) as caught:
        start(client)
    assert caught.value.retry_after == 2


def test_an_expired_code_is_its_own_clear_error():
    error = CodeExpired()
    assert (error.status, error.code) == (401, "code_expired")
    assert "send a new one" in error.message.lower()


@responses.activate
@pytest.mark.parametrize(
    "answer",
    [
        {"status": 200, "body": "<html>gateway</html>"},
        {"status": 200, "body": '{"sid": "VE'},
        {"status": 200, "json": ["approved"]},
        {"status": 200, "json": {"sid": VERIFICATION, "status": "canceled"}},
        {"status": 200, "json": {"sid": VERIFICATION}},
        {"status": 502, "body": "Bad Gateway"},
        {"status": 302, "headers": {"Location": "https://elsewhere.example/"}, "body": ""},
        {"body": requests.ReadTimeout()},
    ],
)
def test_anything_else_is_unavailable(client, answer):
    responses.post(CHECK, **answer)
    with pytest.raises(VendorUnavailable):
        check(client)


@responses.activate
def test_a_substring_is_not_success(client):
    """A body that merely mentions "approved" is not an approval."""
    responses.post(CHECK, json={"sid": VERIFICATION, "status": "not approved", "note": "approved"})
    with pytest.raises(VendorUnavailable):
        check(client)


@responses.activate
def test_credentials_refused_are_logged_as_such(client, caplog):
    responses.post(CHECK, status=401, json=twilio_error(20003, 401))
    with pytest.raises(VendorUnavailable):
        check(client)
    assert any("20003" in r.getMessage() and r.levelno == logging.ERROR for r in caplog.records)


# logs


@responses.activate
def test_no_code_secret_token_or_phone_reaches_the_logs(client, caplog):
    caplog.set_level(logging.DEBUG)
    responses.post(VERIFICATIONS, status=400, json=twilio_error(60200, 400) | {"message": PHONE})
    responses.post(CHECK, status=429, json=twilio_error(60202, 429) | {"message": CODE})
    responses.post(FACTORS, status=201, json=FACTOR_BODY)
    responses.post(CHALLENGES, body=requests.ReadTimeout())
    with pytest.raises(VendorRejected):
        start(client)
    with pytest.raises(ChallengeLocked):
        check(client)
    client.create_totp_factor(IDENTITY, "Ada")
    with pytest.raises(VendorUnavailable):
        check_totp(client)
    assert caplog.records, "the failures should have been logged"
    for secret in (CODE, SECRET, TOKEN, PHONE, PHONE.lstrip("+")):
        assert secret not in caplog.text


def test_the_twilio_package_never_ships():
    """Twilio's library is for the contract test only: not in the Lambda, not imported."""
    root = Path(__file__).resolve().parents[2]
    shipped = (root / "requirements.txt").read_text().lower()
    assert "twilio" not in shipped
    imports = re.compile(r"^\s*(from|import)\s+twilio\b", re.MULTILINE)
    sources = [root / "app.py", *(root / "chalicelib").rglob("*.py")]
    assert [p.name for p in sources if imports.search(p.read_text())] == []
