"""Our Verify client (chalicelib.vendors.verify) against the emulator over real HTTP.

With test_verify_contract.py (Twilio's package against the same emulator), this checks
the client and the emulator against each other and both against Twilio's protocol.
"""

import time

import pytest

from chalicelib.errors import (
    ChallengeLocked,
    CodeExpired,
    SendLimitReached,
    VendorRejected,
    VendorUnavailable,
)
from chalicelib.vendors.verify import VerifyClient
from devstack.emulator import LOCAL_ACCOUNT_SID, LOCAL_AUTH_TOKEN
from devstack.emulator_client import EmulatorControl
from tests.emulator.conftest import PHONE

IDENTITY = "0f8fad5b-d9cb-469f-a165-70867728950e"


@pytest.fixture
def control(served):
    control = EmulatorControl(served)
    yield control
    control.session.close()


@pytest.fixture
def unscoped(served):
    """A client without a Service, as the deploy has before it creates one."""
    client = VerifyClient(LOCAL_ACCOUNT_SID, LOCAL_AUTH_TOKEN, api_url=served, sleep=lambda _: None)
    yield client
    client.transport.http.session.close()


@pytest.fixture
def service(unscoped):
    return unscoped.create_service("Twofold (local)", totp_issuer="Twofold")


@pytest.fixture
def client(served, service):
    client = VerifyClient(
        LOCAL_ACCOUNT_SID, LOCAL_AUTH_TOKEN, service.sid, api_url=served, sleep=lambda _: None
    )
    yield client
    client.transport.http.session.close()


def wrong(code):
    return "000000" if code != "000000" else "111111"


def test_services_are_created_fetched_and_listed(unscoped, service):
    assert (service.friendly_name, service.code_length, service.totp_issuer) == (
        "Twofold (local)",
        6,
        "Twofold",
    )
    assert unscoped.fetch_service(service.sid) == service
    others = [unscoped.create_service(f"Other {n}") for n in range(60)]  # two pages of 50
    assert [s.sid for s in unscoped.list_services()] == [service.sid, *(s.sid for s in others)]


def test_a_code_is_wrong_then_right_then_expired(client, control):
    started = client.start_verification(PHONE, "sms")
    assert (started.channel, started.status) == ("sms", "pending")
    code = control.latest_verify_code(PHONE)
    assert client.check_code(PHONE, wrong(code)) is False
    assert client.check_code(PHONE, code) is True
    with pytest.raises(CodeExpired):
        client.check_code(PHONE, code)


def test_a_code_expires_with_the_emulators_clock(client, control, clock):
    client.start_verification(PHONE, "call")
    code = control.latest_verify_code(PHONE)
    clock.advance(600)
    with pytest.raises(CodeExpired):
        client.check_code(PHONE, code)


def test_a_bad_number_names_phone_and_a_bad_code_names_token(client):
    with pytest.raises(VendorRejected) as bad_phone:
        client.start_verification("5017122661", "sms")
    assert set(bad_phone.value.fields) == {"phone"}
    client.start_verification(PHONE, "sms")
    with pytest.raises(VendorRejected) as bad_code:
        client.check_code(PHONE, "12")
    assert set(bad_code.value.fields) == {"token"}


def test_five_wrong_codes_lock_the_challenge(client, control):
    client.start_verification(PHONE, "sms")
    code = control.latest_verify_code(PHONE)
    for _ in range(5):
        assert client.check_code(PHONE, wrong(code)) is False
    with pytest.raises(ChallengeLocked):
        client.check_code(PHONE, code)


def test_five_sends_then_a_wait(client):
    for _ in range(5):
        client.start_verification(PHONE, "sms")
    with pytest.raises(SendLimitReached) as caught:
        client.start_verification(PHONE, "sms")
    assert caught.value.retry_after == 600


def test_a_verification_is_cancelled_once_or_twice(client, control):
    started = client.start_verification(PHONE, "sms")
    client.cancel_verification(started.sid)
    client.cancel_verification(started.sid)  # already gone: done
    assert control.verifications(to=PHONE)[0]["status"] == "canceled"


def test_a_totp_factor_from_start_to_end(client, control):
    factor = client.create_totp_factor(IDENTITY, "ada@example.com")
    assert factor.uri.startswith("otpauth://totp/Twofold:ada%40example.com?")
    code = control.factor_totp(factor.sid)["code"]
    assert client.verify_totp_factor(IDENTITY, factor.sid, wrong(code)) is False
    assert client.verify_totp_factor(IDENTITY, factor.sid, code) is True
    assert client.check_totp(IDENTITY, factor.sid, code) is True
    assert client.check_totp(IDENTITY, factor.sid, wrong(code)) is False
    client.delete_factor(IDENTITY, factor.sid)
    client.delete_factor(IDENTITY, factor.sid)  # already gone: done
    client.delete_entity(IDENTITY)
    client.delete_entity(IDENTITY)
    assert control.factors(identity=IDENTITY) == []


def test_the_code_a_person_reads_in_the_authenticator_verifies(client, control):
    factor = client.create_totp_factor(IDENTITY, "ada@example.com")
    account = control.add_authenticator_account(factor.uri)
    assert client.verify_totp_factor(IDENTITY, factor.sid, account["code"]) is True


def test_wrong_credentials_are_unavailable(served, service):
    client = VerifyClient(LOCAL_ACCOUNT_SID, "wrong", service.sid, api_url=served)
    with pytest.raises(VendorUnavailable):
        client.start_verification(PHONE, "sms")
    client.transport.http.session.close()


# faults


def test_a_read_is_retried_after_an_injected_503(client, unscoped, service, control):
    control.fault("verify_service_fetch", status=503, count=1)
    assert unscoped.fetch_service(service.sid).sid == service.sid
    assert control.stats()["calls"]["verify_service_fetch"] == 2


def test_a_send_is_not_retried_after_an_injected_503(client, control):
    control.fault("verify_start", status=503)
    with pytest.raises(VendorUnavailable):
        client.start_verification(PHONE, "sms")
    assert control.stats()["calls"]["verify_start"] == 1
    assert control.verify_messages() == []


def test_a_malformed_answer_is_unavailable(client, control):
    control.fault("verify_check", malformed=True)
    with pytest.raises(VendorUnavailable):
        client.check_code(PHONE, "123456")


def test_a_hung_read_times_out_once_and_is_not_retried(served, service, control):
    client = VerifyClient(
        LOCAL_ACCOUNT_SID, LOCAL_AUTH_TOKEN, service.sid, api_url=served, timeout=(1.0, 0.3)
    )
    control.fault("verify_service_fetch", hang=True)
    started = time.monotonic()
    try:
        with pytest.raises(VendorUnavailable):
            client.fetch_service(service.sid)
    finally:
        control.clear_faults()  # wakes the emulator's hung handler
        client.transport.http.session.close()
    assert time.monotonic() - started < 2
    assert control.stats()["calls"]["verify_service_fetch"] == 1
