"""Signup and login over real HTTP against the whole local stack (docs/api.md)."""

import requests

from tests.integration.conftest import TIMEOUT, authy_id_of, session_when_approved


def new_code(stack, authy_id, sent_before, via="sms"):
    """The code of the text (or call) sent after ``sent_before`` messages."""

    def arrived():
        messages = stack.emulator.messages(authy_id)
        fresh = [m for m in messages[sent_before:] if m["via"] == via]
        return fresh[-1]["code"] if fresh else None

    return stack.emulator.wait_for(arrived, message=f"a new {via} to {authy_id}")


def delivery_for(stack, request_uuid):
    def delivered():
        found = [
            d for d in stack.emulator.callback_state()["deliveries"] if d["uuid"] == request_uuid
        ]
        return found[-1] if found else None

    return stack.emulator.wait_for(
        delivered, timeout=TIMEOUT, message=f"a callback for {request_uuid}"
    )


def test_signup_approved_on_the_phone_opens_a_session(stack, api, email):
    challenge = api.signup(email, name="Ada Lovelace", phone="2015557123")
    assert challenge["method"] == "onetouch"
    assert challenge["expires_in"] == 300
    authy_id = authy_id_of(stack, email)
    push = stack.emulator.wait_for_request(authy_id)
    assert challenge["request_code"] in push["details"].values()

    stack.emulator.approve(push["uuid"])
    assert delivery_for(stack, push["uuid"])["status_code"] == 200
    session = session_when_approved(stack, api, challenge)
    account = api.account(session)

    assert account["name"] == "Ada Lovelace"
    assert account["email"] == email
    assert account["phone"].endswith("7123")
    assert account["last_login"]["method"] == "onetouch"
    assert session["token"] == challenge["session_token"]  # the one the signup named
    again = api.status(challenge)  # asked again: the same session, never a second one
    assert again["session"]["token"] == session["token"]


def test_denied_push_then_a_texted_code(stack, api, member):
    challenge = api.login(member.email)
    assert challenge["method"] == "onetouch"
    stack.emulator.deny(stack.emulator.wait_for_request(member.authy_id)["uuid"])
    stack.emulator.wait_for(
        lambda: api.status(challenge)["status"] == "denied",
        timeout=TIMEOUT,
        interval=0.25,
        message="the challenge to show the denial",
    )

    sent_before = len(stack.emulator.messages(member.authy_id))
    sent = api.send_code(challenge, "sms")
    assert (sent["sent"], sent["via"]) == (True, "sms")
    code = new_code(stack, member.authy_id, sent_before)
    verified = api.verify(challenge, code)

    assert verified.status_code == 200, verified.text
    session = verified.json()["session"]
    assert api.account(session)["email"] == member.email


def test_the_authy_app_code_verifies(stack, api, member):
    challenge = api.login(member.email)
    code = stack.emulator.totp(member.authy_id)["code"]
    verified = api.verify(challenge, code)
    assert verified.status_code == 200, verified.text
    assert api.account(verified.json()["session"])["email"] == member.email


def test_a_wrong_code_is_refused(stack, api, member):
    challenge = api.login(member.email)
    right = stack.emulator.totp(member.authy_id)["code"]
    wrong = f"{(int(right) + 1) % 10**7:07d}"
    refused = api.verify(challenge, wrong)
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "invalid_code"


def test_without_the_callback_the_status_poll_asks_authy(stack, api, member, callback_off):
    deliveries_before = len(stack.emulator.callback_state()["deliveries"])
    challenge = api.login(member.email)
    stack.emulator.approve(stack.emulator.wait_for_request(member.authy_id)["uuid"])

    session = session_when_approved(stack, api, challenge)

    assert api.account(session)["email"] == member.email
    assert len(stack.emulator.callback_state()["deliveries"]) == deliveries_before
    assert stack.emulator.stats()["calls"]["onetouch_status"] >= 1


def test_a_failing_onetouch_falls_back_to_a_text(stack, api, member, onetouch_failing):
    sent_before = len(stack.emulator.messages(member.authy_id))
    challenge = api.login(member.email)
    assert challenge["method"] == "sms", challenge
    assert stack.emulator.approval_requests(authy_id=member.authy_id, status="pending") == []

    code = new_code(stack, member.authy_id, sent_before)
    verified = api.verify(challenge, code)
    assert verified.status_code == 200, verified.text


def test_a_user_without_the_app_gets_a_text(stack, api, member):
    stack.emulator.set_app(member.authy_id, installed=False)
    sent_before = len(stack.emulator.messages(member.authy_id))
    challenge = api.login(member.email)
    assert challenge["method"] == "sms", challenge
    code = new_code(stack, member.authy_id, sent_before)
    assert api.verify(challenge, code).status_code == 200


def test_get_callbacks_are_accepted_too(stack, api, member):
    stack.emulator.set_callback(method="GET")
    try:
        challenge = api.login(member.email)
        request_uuid = stack.emulator.wait_for_request(member.authy_id)["uuid"]
        stack.emulator.approve(request_uuid)
        delivery = delivery_for(stack, request_uuid)
        assert (delivery["method"], delivery["status_code"]) == ("GET", 200)
        session_when_approved(stack, api, challenge)
    finally:
        stack.emulator.set_callback(method="POST")


def test_an_unsigned_callback_is_refused(stack):
    body = {"authy_id": 1, "uuid": "x", "status": "approved"}
    response = requests.post(f"{stack.api_url}/authy/callback", json=body, timeout=10)
    assert response.status_code == 401


def test_logout_ends_the_session(stack, api, member):
    challenge = api.login(member.email)
    verified = api.verify(challenge, stack.emulator.totp(member.authy_id)["code"])
    session = verified.json()["session"]
    api.ok("POST", "/logout", token=session["token"], status=204)
    after = api.call("GET", "/account", token=session["token"])
    assert after.status_code == 401
    assert after.json()["error"]["code"] == "session_invalid"
