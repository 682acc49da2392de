"""POST /login: one answer for bad credentials, then OneTouch or a texted code."""

import time

import pytest

from chalicelib import accounts
from chalicelib.errors import InvalidCredentials
from chalicelib.models import LoginChallenge
from chalicelib.tokens import hash_token
from tests.unit.conftest import CONTEXT, SIGNUP, body, leave_claim


def test_login_with_the_app_sends_a_push_with_the_login_details(api, user, authy):
    response = api.post("/login", {"email": "ada@EXAMPLE.com", "password": SIGNUP["password"]})

    assert response.status_code == 200
    challenge = body(response)["challenge"]
    assert challenge["method"] == "onetouch"
    push = authy.sent("onetouch_create")[-1]["json"]
    assert push["message"] == "Log in to Unit Login?"
    assert push["details"]["Email"] == "ada@example.com"
    assert push["details"]["Request code"] == challenge["request_code"]
    assert push["details"]["Browser"] == "Chrome on Linux"
    assert push["seconds_to_expire"] == 120
    stored = LoginChallenge.get(hash_token(challenge["token"]))
    assert push["hidden_details"] == {"challenge_id": stored.challenge_id}
    assert challenge["token"] not in str(push)
    assert stored.purpose == "login" and stored.onetouch_uuid == authy.last_uuid()


def test_login_without_the_app_texts_a_code(api, user, authy):
    authy.has_app = False

    challenge = body(
        api.post("/login", {"email": SIGNUP["email"], "password": SIGNUP["password"]})
    )["challenge"]

    assert challenge["method"] == "sms" and challenge["code_sent"] is True
    assert authy.sent("send")[-1]["path"].startswith("/protected/json/sms/")
    assert authy.sent("send")[-1]["query"] == {"force": "true"}


def test_when_onetouch_fails_the_login_falls_back_to_a_text(api, user, authy):
    authy.fail["onetouch_create"] = 503

    challenge = body(
        api.post("/login", {"email": SIGNUP["email"], "password": SIGNUP["password"]})
    )["challenge"]

    assert challenge["method"] == "sms" and challenge["code_sent"] is True


def test_when_authy_is_down_the_challenge_still_offers_a_way_in(api, user, authy):
    authy.fail.update({"user_status": 503, "send": 503})

    response = api.post("/login", {"email": SIGNUP["email"], "password": SIGNUP["password"]})

    assert response.status_code == 200
    assert body(response)["challenge"]["code_sent"] is False
    assert body(response)["challenge"]["method"] == "sms"


def test_unknown_email_and_wrong_password_get_the_same_answer(api, user):
    unknown = api.post("/login", {"email": "nobody@example.com", "password": SIGNUP["password"]})
    wrong = api.post("/login", {"email": SIGNUP["email"], "password": "wrong password!"})

    assert unknown.status_code == wrong.status_code == 401
    assert unknown.body == wrong.body
    assert body(wrong)["error"]["code"] == "invalid_credentials"


def test_unknown_email_and_wrong_password_take_about_the_same_time(tables, user):
    """Both pay for one argon2id verify (about 50 ms), so neither returns early."""

    def best_of_three(email):
        times = []
        for _ in range(3):
            start = time.perf_counter()
            with pytest.raises(InvalidCredentials):
                accounts.authenticate(email, "wrong password!", CONTEXT)
            times.append(time.perf_counter() - start)
        return min(times)

    unknown, wrong = best_of_three("nobody@example.com"), best_of_three("ada@example.com")
    assert 0.5 < unknown / wrong < 2.0


def test_a_user_whose_signup_is_unfinished_cannot_log_in(api, authy):
    from chalicelib.passwords import hash_password

    leave_claim(claimed_until=9e12, password_hash=hash_password(SIGNUP["password"]))

    response = api.post("/login", {"email": SIGNUP["email"], "password": SIGNUP["password"]})

    assert response.status_code == 401


@pytest.mark.parametrize(
    "data, field",
    [
        ({"password": "x" * 10}, "email"),
        ({"email": "ada@example.com"}, "password"),
        ({"email": "ada@example.com", "password": "p" * 10_000}, "password"),
        ({"email": 5, "password": "xxxxxxxxxx"}, "email"),
    ],
)
def test_bad_login_input_is_400_naming_the_field(api, data, field):
    response = api.post("/login", data)
    assert response.status_code == 400
    assert field in body(response)["error"]["fields"]


def test_a_known_and_an_unknown_email_fail_with_the_same_writes(api, user, dynamodb_calls):
    """No timing oracle from the audit trail: both record the failure (review F5b)."""
    api.post("/login", {"email": "nobody@example.com", "password": "not the password"})
    unknown = [name for name, _ in dynamodb_calls]
    dynamodb_calls.clear()
    api.post("/login", {"email": SIGNUP["email"], "password": "not the password"})
    known = [name for name, _ in dynamodb_calls]
    assert known == unknown


def test_failures_before_an_account_existed_are_not_in_its_activity(api, signup, frozen_clock):
    from chalicelib.models import AuditEvent, User

    api.post("/login", {"email": "late@example.com", "password": "not the password"})
    frozen_clock.advance(1)
    signup(email="late@example.com")

    kinds = [e.kind for e in AuditEvent.query("late@example.com")]
    assert kinds.count("login_failed") == 1  # it is kept...
    shown = [e["event"] for e in accounts.activity(User.get("late@example.com"))["events"]]
    assert "login_failed" not in shown and "signup" in shown  # ...but not shown as theirs
