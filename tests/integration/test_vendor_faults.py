"""Authy failing in every way the emulator can fail it: a clear answer, another way in,
nothing half-made, and no request held past its timeout budget."""

import time

import pytest

from tests.integration.conftest import PASSWORD

READ_TIMEOUT = 2.0  # what devstack.stack gives the API (VENDOR_READ_TIMEOUT)
FAULTS = {
    "500": {"status": 500},
    "429": {"status": 429},
    "malformed": {"malformed": True},
    "hang": {"hang": 30},
}


def budget(authy_calls):
    """The longest a request may take: every Authy call timing out, plus some slack."""
    return authy_calls * (READ_TIMEOUT + 0.5) + 2


@pytest.fixture(params=list(FAULTS))
def fault(request, stack):
    """Inject one kind of fault; ``fault(endpoint)`` arms it, clearing happens after."""
    kind = request.param

    def arm(endpoint):
        stack.emulator.fault(endpoint, **FAULTS[kind])

    arm.kind = kind
    yield arm
    stack.emulator.clear_faults()


def timed(call):
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def test_signup_failing_at_authy_leaves_no_user(stack, api, email, fault):
    fault("users_new")
    body = {
        "name": "Ada",
        "email": email,
        "password": PASSWORD,
        "country_code": 1,
        "phone": "2015550123",
    }

    response, took = timed(lambda: api.call("POST", "/signup", json=body))

    assert response.status_code == 503, response.text
    assert response.json()["error"]["code"] == "verification_unavailable"
    assert took < budget(1)
    stack.emulator.clear_faults()
    login = api.call("POST", "/login", json={"email": email, "password": PASSWORD})
    assert login.status_code == 401  # no user was left behind
    assert api.call("POST", "/signup", json=body).status_code == 201  # and the email is free


@pytest.mark.parametrize("endpoint", ["user_status", "onetouch_create"])
def test_push_trouble_falls_back_to_a_text(stack, api, member, fault, endpoint):
    fault(endpoint)

    response, took = timed(
        lambda: api.call("POST", "/login", json={"email": member.email, "password": PASSWORD})
    )

    assert response.status_code == 200, response.text
    challenge = response.json()["challenge"]
    assert challenge["method"] == "sms" and challenge["code_sent"] is True
    assert challenge["fallback_reason"] == "push_unavailable"
    assert took < budget(3)
    code = stack.emulator.latest_code(member.authy_id)
    assert api.verify(challenge, code).status_code == 200


def test_a_failing_first_text_leaves_a_call_and_the_app_code(stack, api, member, fault):
    stack.emulator.set_app(member.authy_id, False)
    fault("sms")

    response, took = timed(
        lambda: api.call("POST", "/login", json={"email": member.email, "password": PASSWORD})
    )

    challenge = response.json()["challenge"]
    assert response.status_code == 200 and challenge["code_sent"] is False
    assert took < budget(2)
    called = api.send_code(challenge, "call")
    assert called["sent"] is True
    code = stack.emulator.latest_code(member.authy_id)
    assert api.verify(challenge, code).status_code == 200


@pytest.mark.parametrize("via, other", [("sms", "call"), ("call", "text")])
def test_a_failing_resend_says_what_else_to_try(stack, api, member, fault, via, other):
    challenge = api.login(member.email)
    fault(via)

    response, took = timed(
        lambda: api.call("POST", "/login/token", token=challenge["token"], json={"via": via})
    )

    assert response.status_code == 503
    assert other in response.json()["error"]["message"]
    assert took < budget(1)
    stack.emulator.clear_faults()
    assert api.send_code(challenge, via)["sends_left"] == 4  # the failed send cost nothing


def test_a_failing_verify_is_503_and_costs_no_attempt(stack, api, member, fault):
    challenge = api.login(member.email)
    code = stack.emulator.totp(member.authy_id)["code"]
    fault("verify")

    response, took = timed(lambda: api.verify(challenge, code))

    assert response.status_code == 503 and took < budget(1)
    assert api.status(challenge)["attempts_left"] == 5


def test_a_failing_status_check_leaves_the_push_pending(stack, api, member, fault, callback_off):
    challenge = api.login(member.email)
    stack.emulator.approve(stack.emulator.wait_for_request(member.authy_id)["uuid"])
    fault("onetouch_status")

    def polled():
        response, took = timed(lambda: api.call("GET", "/login/status", token=challenge["token"]))
        assert response.status_code == 200 and took < budget(1)
        return response.json()

    deadline = time.monotonic() + 5.5  # the server asks Authy 3 s after the push, then every 5 s
    while time.monotonic() < deadline:
        assert polled()["status"] == "pending"
    assert stack.emulator.stats()["faults_fired"]["onetouch_status"] >= 1
    stack.emulator.clear_faults()
    stack.emulator.wait_for(lambda: "session" in polled(), timeout=15, interval=0.5)
