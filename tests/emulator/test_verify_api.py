"""Verify v2's Services, Verifications and checks, with the statuses and bodies of
docs/verify-api.md."""

import re

import pytest

from devstack.emulator import create_app
from tests.emulator.conftest import API_KEY, PHONE, VerifyForms

SID = {prefix: re.compile(prefix + r"[0-9a-f]{32}") for prefix in ("VA", "VE", "VL")}


def twilio_error(code, status):
    return {
        "code": code,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


def assert_error(response, status, code):
    assert response.status_code == status, response.get_json()
    body = response.get_json()
    assert set(body) == {"code", "message", "more_info", "status"}
    assert {k: body[k] for k in ("code", "more_info", "status")} == twilio_error(code, status)
    return body["message"]


def sent_code(client, to=PHONE):
    return client.get(f"/emulator/messages?to={to.replace('+', '%2B')}").get_json()["messages"][-1][
        "code"
    ]


# credentials


@pytest.mark.parametrize(
    "credentials",
    [("AC" + "0" * 32, "wrong-token"), ("AC" + "1" * 32, "local-auth-token"), ("", "")],
)
def test_wrong_credentials_are_20003(client, credentials):
    response = VerifyForms(client, credentials).post("/v2/Services", FriendlyName="x")
    assert_error(response, 401, 20003)
    assert response.headers["WWW-Authenticate"].startswith("Basic")


def test_no_credentials_is_20003(client):
    assert_error(client.get("/v2/Services"), 401, 20003)


def test_the_credentials_can_be_chosen(clock):
    mine = ("AC" + "a" * 32, "my-own-token")
    client = create_app(API_KEY, clock=clock, twilio_credentials=mine).test_client()
    assert VerifyForms(client, mine).get("/v2/Services").status_code == 200
    assert VerifyForms(client).get("/v2/Services").status_code == 401


def test_an_unknown_path_is_twilios_404(verify):
    message = assert_error(verify.get("/v2/Nothing/Here"), 404, 20404)
    assert "/v2/Nothing/Here" in message


# services


def test_a_service_is_created_with_defaults(verify, clock):
    response = verify.post("/v2/Services", FriendlyName="Twofold (local)")
    assert response.status_code == 201
    service = response.get_json()
    assert SID["VA"].fullmatch(service["sid"])
    assert service["account_sid"] == "AC" + "0" * 32
    assert (service["friendly_name"], service["code_length"]) == ("Twofold (local)", 6)
    assert service["totp"] == {"issuer": None, "time_step": 30, "code_length": 6, "skew": 1}
    assert service["date_created"] == "2023-11-14T22:13:20Z"
    assert service["url"] == f"http://localhost/v2/Services/{service['sid']}"


def test_a_service_takes_its_settings(verify):
    sid = verify.service(
        CodeLength="8", **{"Totp.Issuer": "Twofold", "Totp.Skew": "0"}, LookupEnabled="true"
    )
    service = verify.get(f"/v2/Services/{sid}").get_json()
    assert service["code_length"] == 8
    assert service["totp"]["issuer"] == "Twofold"
    assert service["totp"]["skew"] == 0
    assert service["lookup_enabled"] is True


@pytest.mark.parametrize(
    "form, name",
    [
        ({}, "FriendlyName"),
        ({"FriendlyName": "x" * 31}, "FriendlyName"),
        ({"FriendlyName": "ok", "CodeLength": "3"}, "CodeLength"),
        ({"FriendlyName": "ok", "CodeLength": "eleven"}, "CodeLength"),
        ({"FriendlyName": "ok", "Totp.TimeStep": "61"}, "Totp.TimeStep"),
        ({"FriendlyName": "ok", "Totp.Skew": "3"}, "Totp.Skew"),
        ({"FriendlyName": "ok", "LookupEnabled": "maybe"}, "LookupEnabled"),
    ],
)
def test_bad_service_settings_are_60200_naming_them(verify, form, name):
    message = assert_error(verify.post("/v2/Services", **form), 400, 60200)
    assert message == f"Invalid parameter: {name}"


def test_services_are_fetched_and_listed_in_pages(verify):
    sids = [verify.service(f"Service {n}") for n in range(3)]
    assert verify.get(f"/v2/Services/{sids[1]}").get_json()["friendly_name"] == "Service 1"
    first = verify.get("/v2/Services?PageSize=2").get_json()
    assert [s["sid"] for s in first["services"]] == sids[:2]
    assert first["meta"]["key"] == "services"
    next_url = first["meta"]["next_page_url"]
    assert next_url.startswith("http://localhost/v2/Services?PageSize=2&Page=1")
    second = verify.get(next_url.removeprefix("http://localhost")).get_json()
    assert [s["sid"] for s in second["services"]] == sids[2:]
    assert second["meta"]["next_page_url"] is None


def test_an_unknown_service_is_20404(verify):
    assert_error(verify.get("/v2/Services/VA" + "f" * 32), 404, 20404)
    assert_error(verify.start("VA" + "f" * 32), 404, 20404)


# verifications


def test_a_verification_texts_a_code(verify, client, service_sid, clock):
    response = verify.start(service_sid)
    assert response.status_code == 201
    body = response.get_json()
    assert SID["VE"].fullmatch(body["sid"])
    assert (body["to"], body["channel"], body["status"], body["valid"]) == (
        PHONE,
        "sms",
        "pending",
        False,
    )
    [attempt] = body["send_code_attempts"]
    assert SID["VL"].fullmatch(attempt["attempt_sid"])
    [message] = client.get("/emulator/messages").get_json()["messages"]
    assert message["vendor"] == "verify"
    assert (message["to"], message["via"], message["id"]) == (PHONE, "sms", attempt["attempt_sid"])
    assert re.fullmatch(r"\d{6}", message["code"])
    assert message["text"] == f"Your Twofold (local) verification code is: {message['code']}"


@pytest.mark.parametrize(
    "channel, to",
    [("call", PHONE), ("whatsapp", PHONE), ("email", "ada@example.com")],
)
def test_other_channels_deliver_too(verify, client, service_sid, channel, to):
    assert verify.start(service_sid, to=to, channel=channel).status_code == 201
    [message] = client.get("/emulator/messages?vendor=verify").get_json()["messages"]
    assert (message["to"], message["via"]) == (to, channel)


def test_the_code_length_is_the_services(verify, client):
    sid = verify.service(CodeLength="9")
    verify.start(sid)
    assert re.fullmatch(r"\d{9}", sent_code(client))


def test_starting_again_resends_on_the_pending_verification(verify, client, service_sid):
    first = verify.start(service_sid).get_json()
    again = verify.start(service_sid, channel="call").get_json()
    assert again["sid"] == first["sid"]
    assert again["channel"] == "call"
    assert [a["channel"] for a in again["send_code_attempts"]] == ["sms", "call"]
    codes = {m["code"] for m in client.get("/emulator/messages").get_json()["messages"]}
    assert len(codes) == 1, "a re-send carries the same code"


@pytest.mark.parametrize(
    "to, channel, name",
    [
        ("5017122661", "sms", "To"),
        ("+1 501 712 2661", "sms", "To"),
        ("+0123456789", "call", "To"),
        ("ada@example.com", "sms", "To"),
        ("not-an-email", "email", "To"),
        (PHONE, "pigeon", "Channel"),
        (PHONE, "auto", "Channel"),
    ],
)
def test_a_bad_to_or_channel_is_60200(verify, client, service_sid, to, channel, name):
    message = assert_error(verify.start(service_sid, to=to, channel=channel), 400, 60200)
    assert message == f"Invalid parameter: {name}"
    assert client.get("/emulator/messages").get_json()["messages"] == []


def test_the_sixth_send_to_a_number_in_ten_minutes_is_60203(verify, service_sid, clock):
    for _ in range(5):
        assert verify.start(service_sid).status_code == 201
        clock.advance(60)
    assert_error(verify.start(service_sid), 429, 60203)
    assert verify.start(service_sid, to="+15017122662").status_code == 201
    clock.advance(600 - 5 * 60 + 1)  # the first send leaves the window
    assert verify.start(service_sid).status_code == 201


def test_a_verification_is_cancelled_then_gone(verify, service_sid):
    sid = verify.start(service_sid).get_json()["sid"]
    path = f"/v2/Services/{service_sid}/Verifications/{sid}"
    assert verify.get(path).get_json()["status"] == "pending"
    cancelled = verify.post(path, Status="canceled")
    assert cancelled.status_code == 200
    assert cancelled.get_json()["status"] == "canceled"
    assert_error(verify.get(path), 404, 20404)
    assert_error(verify.post(path, Status="canceled"), 404, 20404)
    assert_error(verify.check(service_sid, "123456"), 404, 20404)


def test_a_cancel_needs_a_known_status(verify, service_sid):
    sid = verify.start(service_sid).get_json()["sid"]
    path = f"/v2/Services/{service_sid}/Verifications/{sid}"
    assert_error(verify.post(path, Status="paused"), 400, 60200)


# checks


def test_a_wrong_code_is_pending_and_the_right_one_approved(verify, client, service_sid):
    verify.start(service_sid)
    code = sent_code(client)
    wrong = verify.check(service_sid, "000000" if code != "000000" else "111111")
    assert wrong.status_code == 200
    assert (wrong.get_json()["status"], wrong.get_json()["valid"]) == ("pending", False)
    right = verify.check(service_sid, code).get_json()
    assert (right["status"], right["valid"]) == ("approved", True)
    assert set(right) >= {"sid", "service_sid", "account_sid", "to", "channel", "date_created"}


def test_a_check_after_approval_is_20404(verify, client, service_sid):
    verify.start(service_sid)
    code = sent_code(client)
    verify.check(service_sid, code)
    assert_error(verify.check(service_sid, code), 404, 20404)


def test_a_check_by_verification_sid(verify, client, service_sid):
    sid = verify.start(service_sid).get_json()["sid"]
    path = f"/v2/Services/{service_sid}/VerificationCheck"
    body = verify.post(path, VerificationSid=sid, Code=sent_code(client)).get_json()
    assert body["status"] == "approved"


def test_after_five_wrong_codes_every_check_is_60202_until_expiry(
    verify, client, service_sid, clock
):
    verify.start(service_sid)
    code = sent_code(client)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        assert verify.check(service_sid, wrong).get_json()["status"] == "pending"
    assert_error(verify.check(service_sid, code), 429, 60202)
    assert_error(verify.check(service_sid, code), 429, 60202)
    clock.advance(600)
    assert_error(verify.check(service_sid, code), 404, 20404)


def test_a_code_expires_after_ten_minutes(verify, client, service_sid, clock):
    verify.start(service_sid)
    code = sent_code(client)
    clock.advance(599)
    assert verify.check(service_sid, "000000" if code != "000000" else "1111").status_code == 200
    clock.advance(1)
    assert_error(verify.check(service_sid, code), 404, 20404)
    assert verify.start(service_sid).get_json()["send_code_attempts"][0]["time"]


@pytest.mark.parametrize("code", ["123", "12345678901", "12ab56", ""])
def test_a_code_that_cannot_be_one_is_60200(verify, service_sid, code):
    verify.start(service_sid)
    message = assert_error(verify.check(service_sid, code), 400, 60200)
    assert message == "Invalid parameter: Code"


def test_a_check_needs_to_or_a_verification_sid(verify, service_sid):
    path = f"/v2/Services/{service_sid}/VerificationCheck"
    assert_error(verify.post(path, Code="123456"), 400, 60221)


def test_verifications_belong_to_their_service(verify, client, service_sid):
    other = verify.service("Other")
    verify.start(service_sid)
    assert_error(verify.check(other, sent_code(client)), 404, 20404)
