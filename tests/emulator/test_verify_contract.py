"""Proof that the emulator speaks Verify v2: Twilio's own ``twilio`` package drives it.

The package's HTTP client is pointed at the emulator, and refuses any other host, so
nothing here can reach Twilio. If the emulator's paths, form names, statuses or bodies
drift from what Twilio's library sends and parses, these tests fail. See
docs/verify-api.md for what each step means.
"""

import pytest
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from devstack.emulator import LOCAL_ACCOUNT_SID, LOCAL_AUTH_TOKEN
from devstack.emulator_client import EmulatorControl
from tests.emulator.conftest import PHONE

TWILIO_VERIFY = "https://verify.twilio.com"
IDENTITY = "0f8fad5b-d9cb-469f-a165-70867728950e"


class ToTheEmulator(TwilioHttpClient):
    """Twilio's HTTP client, with verify.twilio.com swapped for the emulator."""

    def __init__(self, base_url):
        super().__init__(timeout=10)
        self.base_url = base_url

    def request(self, method, url, *args, **kwargs):
        if url.startswith(TWILIO_VERIFY + "/"):
            url = self.base_url + url.removeprefix(TWILIO_VERIFY)
        if not url.startswith(self.base_url + "/"):
            raise AssertionError(f"the twilio package tried to reach {url}")
        return super().request(method, url, *args, **kwargs)


@pytest.fixture
def twilio(served, monkeypatch):
    for name in ("TWILIO_EDGE", "TWILIO_REGION"):  # they would change the host
        monkeypatch.delenv(name, raising=False)
    http = ToTheEmulator(served)
    yield Client(LOCAL_ACCOUNT_SID, LOCAL_AUTH_TOKEN, http_client=http)
    http.session.close()


@pytest.fixture
def control(served):
    control = EmulatorControl(served)
    yield control
    control.session.close()


@pytest.fixture
def service(twilio):
    return twilio.verify.v2.services.create(friendly_name="Twofold (local)", code_length=6)


def rest_error(call):
    with pytest.raises(TwilioRestException) as caught:
        call()
    return caught.value.status, caught.value.code


def wrong(code):
    return "000000" if code != "000000" else "111111"


# services


def test_services_are_created_fetched_and_listed_page_by_page(twilio, service):
    assert service.sid.startswith("VA") and len(service.sid) == 34
    assert (service.friendly_name, service.code_length) == ("Twofold (local)", 6)
    more = [twilio.verify.v2.services.create(friendly_name=f"Other {n}") for n in range(2)]
    assert twilio.verify.v2.services(service.sid).fetch().friendly_name == "Twofold (local)"
    listed = twilio.verify.v2.services.list(page_size=2)  # follows next_page_url
    assert [s.sid for s in listed] == [service.sid, *(s.sid for s in more)]


def test_wrong_credentials_are_20003(served):
    http = ToTheEmulator(served)
    client = Client(LOCAL_ACCOUNT_SID, "not-the-token", http_client=http)
    create = lambda: client.verify.v2.services.create(friendly_name="x")  # noqa: E731
    assert rest_error(create) == (401, 20003)
    http.session.close()


# codes by text and call


def test_a_texted_code_is_checked_wrong_then_right(twilio, service, control):
    verifications = twilio.verify.v2.services(service.sid)
    started = verifications.verifications.create(to=PHONE, channel="sms")
    assert (started.sid[:2], started.status, started.valid, started.to) == (
        "VE",
        "pending",
        False,
        PHONE,
    )
    code = control.latest_verify_code(PHONE)
    miss = verifications.verification_checks.create(to=PHONE, code=wrong(code))
    assert (miss.status, miss.valid) == ("pending", False)
    hit = verifications.verification_checks.create(to=PHONE, code=code)
    assert (hit.status, hit.valid, hit.sid) == ("approved", True, started.sid)
    again = lambda: verifications.verification_checks.create(to=PHONE, code=code)  # noqa: E731
    assert rest_error(again) == (404, 20404)


def test_a_call_resends_on_the_same_verification_and_is_checked_by_sid(twilio, service, control):
    verifications = twilio.verify.v2.services(service.sid)
    first = verifications.verifications.create(to=PHONE, channel="sms")
    second = verifications.verifications.create(to=PHONE, channel="call")
    assert second.sid == first.sid
    assert [a["channel"] for a in second.send_code_attempts] == ["sms", "call"]
    code = control.latest_verify_code(PHONE)
    checked = verifications.verification_checks.create(verification_sid=first.sid, code=code)
    assert checked.status == "approved"


def test_a_verification_is_cancelled(twilio, service):
    verifications = twilio.verify.v2.services(service.sid)
    started = verifications.verifications.create(to=PHONE, channel="sms")
    assert verifications.verifications(started.sid).fetch().status == "pending"
    assert verifications.verifications(started.sid).update(status="canceled").status == "canceled"
    assert rest_error(lambda: verifications.verifications(started.sid).fetch()) == (404, 20404)


def test_a_bad_to_is_60200(twilio, service):
    verifications = twilio.verify.v2.services(service.sid).verifications
    assert rest_error(lambda: verifications.create(to="5017122661", channel="sms")) == (400, 60200)


def test_five_wrong_checks_then_60202(twilio, service, control):
    verifications = twilio.verify.v2.services(service.sid)
    verifications.verifications.create(to=PHONE, channel="sms")
    code = control.latest_verify_code(PHONE)
    for _ in range(5):
        assert (
            verifications.verification_checks.create(to=PHONE, code=wrong(code)).status == "pending"
        )
    check = lambda: verifications.verification_checks.create(to=PHONE, code=code)  # noqa: E731
    assert rest_error(check) == (429, 60202)


def test_five_sends_then_60203(twilio, service):
    verifications = twilio.verify.v2.services(service.sid).verifications
    for _ in range(5):
        verifications.create(to=PHONE, channel="sms")
    assert rest_error(lambda: verifications.create(to=PHONE, channel="sms")) == (429, 60203)


def test_an_injected_outage_reaches_the_library_as_twilios_error(twilio, service, control):
    control.fault("verify_start", status=503)
    verifications = twilio.verify.v2.services(service.sid).verifications
    assert rest_error(lambda: verifications.create(to=PHONE, channel="sms")) == (503, 20503)


# authenticator-app codes (TOTP)


def test_a_totp_factor_is_made_verified_challenged_and_deleted(twilio, service, control):
    entity = twilio.verify.v2.services(service.sid).entities(IDENTITY)
    made = entity.new_factors.create(friendly_name="ada@example.com", factor_type="totp")
    assert (made.sid[:2], made.status, made.factor_type) == ("YF", "unverified", "totp")
    assert made.binding["uri"].startswith("otpauth://totp/Twofold%20%28local%29:ada%40example.com?")
    assert made.binding["secret"] in made.binding["uri"]

    code = control.factor_totp(made.sid)["code"]
    assert entity.factors(made.sid).update(auth_payload=wrong(code)).status == "unverified"
    assert entity.factors(made.sid).update(auth_payload=code).status == "verified"

    approved = entity.challenges.create(factor_sid=made.sid, auth_payload=code)
    assert (approved.sid[:2], approved.status, approved.factor_type) == ("YC", "approved", "totp")
    pending = entity.challenges.create(factor_sid=made.sid, auth_payload=wrong(code))
    assert pending.status == "pending"
    assert entity.challenges(pending.sid).update(auth_payload=code).status == "approved"

    assert [f.sid for f in entity.factors.list()] == [made.sid]
    assert entity.factors(made.sid).delete() is True
    assert entity.delete() is True
    assert rest_error(lambda: entity.fetch()) == (404, 20404)


def test_five_wrong_codes_lock_a_totp_challenge_with_60308(twilio, service, control):
    entity = twilio.verify.v2.services(service.sid).entities(IDENTITY)
    made = entity.new_factors.create(friendly_name="ada", factor_type="totp")
    code = control.factor_totp(made.sid)["code"]
    entity.factors(made.sid).update(auth_payload=code)
    challenge = entity.challenges.create(factor_sid=made.sid, auth_payload=wrong(code))
    for _ in range(4):
        entity.challenges(challenge.sid).update(auth_payload=wrong(code))
    answer = lambda: entity.challenges(challenge.sid).update(auth_payload=code)  # noqa: E731
    assert rest_error(answer) == (429, 60308)
