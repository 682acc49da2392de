"""The same routes and flows on Twilio Verify: codes by text or call, an authenticator app
added on the account page and asked for first, and Verify's errors as ours."""

import pytest

from chalicelib.models import User
from tests.unit.conftest import SIGNUP, body

RIGHT = {"email": SIGNUP["email"], "password": SIGNUP["password"]}
PHONE = "+12015550123"


@pytest.fixture
def verify_api(verify, api):
    return api


def latest_code(verify):
    return verify.latest_verify_code(PHONE)


@pytest.fixture
def member(verify_api, verify):
    """Signed up on Verify, the phone proven with the texted code; a session token."""
    challenge = body(verify_api.post("/signup", SIGNUP))["challenge"]
    answer = verify_api.post(
        "/login/verify", {"token": latest_code(verify)}, token=challenge["token"]
    )
    assert answer.status_code == 200, answer.body
    return body(answer)["session"]["token"]


def test_signup_texts_a_code_with_no_vendor_registration(verify_api, verify, authy):
    challenge = body(verify_api.post("/signup", SIGNUP))["challenge"]

    assert challenge["method"] == "sms" and challenge["code_sent"] is True
    assert challenge["fallback_reason"] is None  # no push to explain: Verify has none
    assert authy.calls == []  # not one call to Authy
    assert User.get("ada@example.com").authy_id is None
    [text] = verify.verify_messages(PHONE)
    assert text["via"] == "sms"


def test_a_wrong_then_the_right_texted_code(verify_api, verify):
    challenge = body(verify_api.post("/signup", SIGNUP))["challenge"]
    wrong = verify_api.post("/login/verify", {"token": "000000"}, token=challenge["token"])
    assert body(wrong)["error"] == {
        "code": "invalid_code",
        "message": "That code is not right.",
        "attempts_left": 4,
    }
    right = verify_api.post(
        "/login/verify", {"token": latest_code(verify)}, token=challenge["token"]
    )
    assert right.status_code == 200 and body(right)["session"]["token"]


def test_call_me_calls_through_verify(verify_api, verify, member, frozen_clock):
    challenge = body(verify_api.post("/login", RIGHT))["challenge"]
    frozen_clock.advance(30)  # the login texted a code: the next one waits 30 s
    answer = verify_api.post("/login/token", {"via": "call"}, token=challenge["token"])
    assert answer.status_code == 200
    assert verify.verify_messages(PHONE)[-1]["via"] == "call"


def add_authenticator(api, verify, session):
    started = api.post("/account/authenticator", token=session)
    assert started.status_code == 201, started.body
    shown = body(started)
    account = verify.add_authenticator_account(shown["key"].replace(" ", ""))
    code = next(a["code"] for a in verify.authenticator_accounts() if a["id"] == account["id"])
    confirmed = api.post("/account/authenticator/confirm", {"code": code}, token=session)
    assert confirmed.status_code == 204, confirmed.body
    return shown


def test_an_authenticator_is_added_with_a_qr_code_and_its_key(verify_api, verify, member):
    shown = add_authenticator(verify_api, verify, member)

    assert shown["uri"].startswith("otpauth://totp/")
    assert len(shown["qr"]) == len(shown["qr"][0]) >= 21  # a square of modules
    assert set("".join(shown["qr"])) == {"0", "1"}
    security = body(verify_api.get("/account/security", token=member))
    assert security["authenticator"]["added"] is True
    assert User.get("ada@example.com").app_factor


def test_a_user_with_an_authenticator_is_asked_for_its_code_first(verify_api, verify, member):
    add_authenticator(verify_api, verify, member)
    texts = len(verify.verify_messages(PHONE))

    challenge = body(verify_api.post("/login", RIGHT))["challenge"]

    assert challenge["method"] == "app" and challenge["code_sent"] is False
    assert len(verify.verify_messages(PHONE)) == texts  # nothing texted
    code = verify.authenticator_accounts()[0]["code"]
    answer = verify_api.post("/login/verify", {"token": code}, token=challenge["token"])
    assert answer.status_code == 200 and body(answer)["session"]["token"]


def test_text_me_a_code_still_works_beside_the_app(verify_api, verify, member):
    add_authenticator(verify_api, verify, member)
    challenge = body(verify_api.post("/login", RIGHT))["challenge"]
    assert (
        verify_api.post("/login/token", {"via": "sms"}, token=challenge["token"]).status_code == 200
    )
    answer = verify_api.post(
        "/login/verify", {"token": latest_code(verify)}, token=challenge["token"]
    )
    assert answer.status_code == 200


def test_a_wrong_first_code_adds_no_authenticator(verify_api, verify, member):
    verify_api.post("/account/authenticator", token=member)
    answer = verify_api.post("/account/authenticator/confirm", {"code": "000000"}, token=member)
    assert answer.status_code == 401
    assert User.get("ada@example.com").app_factor is None


def test_removing_the_authenticator_goes_back_to_texts(verify_api, verify, member):
    add_authenticator(verify_api, verify, member)
    assert verify_api.request("DELETE", "/account/authenticator", token=member).status_code == 204
    assert verify.factors() == [] or all(f["status"] != "verified" for f in verify.factors())
    assert body(verify_api.post("/login", RIGHT))["challenge"]["method"] == "sms"


def test_verifys_send_limit_is_ours(verify_api, verify, member, frozen_clock):
    challenge = body(verify_api.post("/login", RIGHT))["challenge"]
    answers = []
    for _ in range(5):
        frozen_clock.advance(31)
        answers.append(verify_api.post("/login/token", {"via": "sms"}, token=challenge["token"]))
    # Verify allows five sends to one number in ten minutes: signup's, login's and three more
    refused = [a for a in answers if a.status_code == 429]
    assert refused and body(refused[0])["error"]["code"] == "send_limit"
    assert int(refused[0].headers["Retry-After"]) > 0


def test_a_code_verify_no_longer_knows_has_expired(verify_api, verify, member):
    challenge = body(verify_api.post("/login", RIGHT))["challenge"]
    [pending] = verify.verifications(to=PHONE, status="pending")
    verify.expire_verification(pending["sid"])

    answer = verify_api.post("/login/verify", {"token": "123456"}, token=challenge["token"])

    assert answer.status_code == 401 and body(answer)["error"]["code"] == "code_expired"
    status = body(verify_api.get("/login/status", token=challenge["token"]))
    assert status["attempts_left"] == 5  # no verdict, no attempt spent


def test_verify_down_is_503_and_another_way_in_remains(verify_api, verify, member):
    challenge = body(verify_api.post("/login", RIGHT))["challenge"]
    verify.fault("verify_check", status=500)
    answer = verify_api.post("/login/verify", {"token": "123456"}, token=challenge["token"])
    assert answer.status_code == 503
    assert body(answer)["error"]["code"] == "verification_unavailable"
