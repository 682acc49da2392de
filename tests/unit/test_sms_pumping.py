"""SMS pumping: only numbers a person carries, and a budget per destination number."""

import pytest

from chalicelib import ratelimits
from chalicelib.models import LoginChallenge, User
from tests.unit.conftest import SIGNUP, body
from tests.unit.fake_authy import RIGHT_CODE


@pytest.mark.parametrize(
    "country_code, phone, kind",
    [
        (1, "900-200-1234", "premium rate"),
        (1, "800-555-0199", "toll free"),
        (44, "0871 234 5678", "shared cost"),
        (44, "056 1234 5678", "VoIP"),
        (44, "020 7946 0123", "fixed line"),
        (31, "0900 123 4567", "premium rate"),
    ],
)
def test_signup_refuses_numbers_nobody_carries(api, authy, country_code, phone, kind):
    data = {**SIGNUP, "country_code": country_code, "phone": phone}

    response = api.post("/signup", data)

    assert response.status_code == 400, kind
    assert "mobile" in body(response)["error"]["fields"]["phone"]
    assert authy.calls == [] and User.count() == 0


@pytest.mark.parametrize("country_code, phone", [(1, "201-555-0123"), (31, "06 12345678")])
def test_mobile_numbers_are_welcome(api, authy, country_code, phone):
    data = {**SIGNUP, "country_code": country_code, "phone": phone}
    assert api.post("/signup", data).status_code == 201


def sign_up_many(api, from_ip, count, start=0):
    """``count`` accounts, each from its own network, all giving the same phone number."""
    answers = []
    for n in range(start, start + count):
        from_ip(f"198.51.100.{n + 1}")
        response = api.post("/signup", {**SIGNUP, "email": f"p{n}@example.com"})
        assert response.status_code == 201, response.body
        answers.append(body(response)["challenge"])
    return answers


def test_one_number_gets_ten_texts_an_hour_across_all_accounts(api, authy, from_ip):
    authy.has_app = False  # every signup texts its code
    hourly = ratelimits.SENDS_PER_NUMBER.most

    sent = sign_up_many(api, from_ip, hourly)
    over = sign_up_many(api, from_ip, 1, start=hourly)[0]

    assert all(challenge["code_sent"] for challenge in sent)
    assert len(authy.sent("send")) == hourly
    assert over["code_sent"] is False and over["unsent_reason"] == "send_limit"
    call = api.post("/login/token", {"via": "call"}, token=over["token"])
    assert call.status_code == 429 and body(call)["error"]["code"] == "send_limit"
    assert len(authy.sent("send")) == hourly


def test_a_spent_budget_leaves_a_whole_user_and_a_live_challenge(api, authy, from_ip):
    authy.has_app = False
    over = sign_up_many(api, from_ip, ratelimits.SENDS_PER_NUMBER.most + 1)[-1]

    user = User.get(f"p{ratelimits.SENDS_PER_NUMBER.most}@example.com")
    assert user.state == "active" and user.authy_id is not None
    status = body(api.get("/login/status", token=over["token"]))
    assert status["status"] == "pending" and status["expires_in"] > 0
    # the Authy app's code (or a passkey) still proves the phone
    verified = api.post("/login/verify", {"token": RIGHT_CODE}, token=over["token"])
    assert verified.status_code == 200


def test_twenty_texts_a_day_even_spread_over_hours(api, authy, from_ip, frozen_clock):
    authy.has_app = False
    hourly = ratelimits.SENDS_PER_NUMBER.most
    daily = ratelimits.SENDS_PER_NUMBER_DAY.most
    frozen_clock.advance(86400 - frozen_clock.time % 86400)  # the start of a (UTC) day
    sign_up_many(api, from_ip, hourly)
    frozen_clock.advance(3600)
    sign_up_many(api, from_ip, hourly, start=hourly)
    frozen_clock.advance(3600)

    over = sign_up_many(api, from_ip, 1, start=daily)[0]

    assert len(authy.sent("send")) == daily
    assert over["unsent_reason"] == "send_limit"
    assert LoginChallenge.count() == daily + 1
