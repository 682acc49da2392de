"""The same API on Twilio Verify, against the whole local stack: codes by text or call
checked by the emulator's Verify, an authenticator app asked for first, Verify's limits."""

import pytest
import requests

from devstack import members
from tests.integration.conftest import Api


@pytest.fixture
def vapi(verify_stack):
    api = Api(verify_stack.api_url)
    yield api
    api.session.close()


@pytest.fixture
def vmember(verify_stack, vapi):
    return members.sign_up(verify_stack, http=vapi.session)


def codes_sent_to(stack, member):
    return stack.emulator.verify_messages(member.e164)


def new_code(stack, member, before):
    def arrived():
        sent = codes_sent_to(stack, member)
        return sent[before] if len(sent) > before else None

    return stack.emulator.wait_for(arrived, message=f"a new code for {member.e164}")


def test_signup_and_login_by_texted_codes(verify_stack, vapi, vmember):
    assert [m["via"] for m in codes_sent_to(verify_stack, vmember)] == ["sms"]
    assert verify_stack.emulator.users() == []  # nothing registered anywhere

    challenge = vapi.login(vmember.email)

    assert challenge["method"] == "sms" and challenge["code_sent"] is True
    code = new_code(verify_stack, vmember, 1)["code"]
    session = vapi.verify(challenge, code).json()["session"]
    assert vapi.account(session)["email"] == vmember.email


def test_a_second_code_waits_thirty_seconds(verify_stack, vapi, vmember):
    challenge = vapi.login(vmember.email)
    sent = len(codes_sent_to(verify_stack, vmember))
    wait = vapi.call("POST", "/login/token", token=challenge["token"], json={"via": "call"})
    assert wait.status_code == 429  # the login's own text was just sent: 30 s apart
    assert wait.json()["error"]["code"] == "resend_too_soon"
    assert len(codes_sent_to(verify_stack, vmember)) == sent


def test_an_authenticator_app_is_asked_for_first(verify_stack, vapi, vmember):
    challenge = vapi.login(vmember.email)
    session = vapi.verify(challenge, new_code(verify_stack, vmember, 1)["code"]).json()["session"]
    started = vapi.ok("POST", "/account/authenticator", token=session["token"], status=201)
    account = verify_stack.emulator.add_authenticator_account(started["uri"])
    code = next(
        a["code"]
        for a in verify_stack.emulator.authenticator_accounts()
        if a["id"] == account["id"]
    )
    vapi.ok(
        "POST",
        "/account/authenticator/confirm",
        token=session["token"],
        json={"code": code},
        status=204,
    )
    texts = len(codes_sent_to(verify_stack, vmember))

    again = vapi.login(vmember.email)

    assert again["method"] == "app" and again["code_sent"] is False
    assert len(codes_sent_to(verify_stack, vmember)) == texts
    code = next(
        a["code"]
        for a in verify_stack.emulator.authenticator_accounts()
        if a["id"] == account["id"]
    )
    assert vapi.verify(again, code).status_code == 200


def test_a_wrong_code_counts_down(verify_stack, vapi, vmember):
    challenge = vapi.login(vmember.email)
    wrong = vapi.verify(challenge, "000000")
    assert wrong.status_code == 401 and wrong.json()["error"]["attempts_left"] == 4


def test_verify_failing_to_send_leaves_the_login_and_a_call(verify_stack, vapi, vmember):
    verify_stack.emulator.fault("verify_start", status=500, count=1)
    try:
        challenge = vapi.login(vmember.email)
    finally:
        verify_stack.emulator.clear_faults()
    assert challenge["code_sent"] is False and challenge["unsent_reason"] == "unavailable"
    sent = len(codes_sent_to(verify_stack, vmember))
    called = vapi.send_code(challenge, "call")
    assert called["sent"] is True
    code = new_code(verify_stack, vmember, sent)["code"]
    assert vapi.verify(challenge, code).status_code == 200


def test_the_site_reaches_the_verify_api_on_its_own_origin(verify_stack):
    login = {"email": "nobody@example.com", "password": "not the password"}
    answer = requests.post(f"{verify_stack.site_url}/api/login", json=login, timeout=20)
    assert answer.status_code == 401
