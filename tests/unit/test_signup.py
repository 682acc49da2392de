"""POST /signup: validation, the email claim, Authy registration, nothing half-made."""

import threading

import pytest

from chalicelib.models import User
from tests.unit.conftest import SIGNUP, body, leave_claim


def test_signup_registers_with_authy_and_starts_a_phone_challenge(api, authy):
    response = api.post("/signup", SIGNUP)

    assert response.status_code == 201
    challenge = body(response)["challenge"]
    assert challenge["method"] == "onetouch" and challenge["expires_in"] == 300
    assert len(challenge["token"]) >= 43 and len(challenge["request_code"]) == 7
    user = User.get("ada@example.com")
    assert user.state == "active" and user.authy_id == 1000 and not user.phone_verified
    assert user.phone == "+12015550123" and user.password_hash.startswith("$argon2id$")
    assert SIGNUP["password"] not in user.password_hash
    sent = authy.sent("users_new")[0]["json"]["user"]
    assert sent == {"email": "ada@example.com", "cellphone": "2015550123", "country_code": 1}


@pytest.mark.parametrize(
    "change, field",
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": 7}, "name"),
        ({"name": "Ada\x00"}, "name"),
        ({"email": "not-an-email"}, "email"),
        ({"email": "a@" + "b" * 250 + ".com"}, "email"),
        ({"email": None}, "email"),
        ({"password": "short"}, "password"),
        ({"password": "p" * 129}, "password"),
        ({"password": "p" * 10_000}, "password"),
        ({"password": ["a list"]}, "password"),
        ({"country_code": "abc"}, "country_code"),
        ({"country_code": 999}, "country_code"),
        ({"country_code": True}, "country_code"),
        ({"phone": "12"}, "phone"),
        ({"phone": "+44 20 7946 0958"}, "phone"),
        ({"phone": 2015550123}, "phone"),
    ],
)
def test_bad_signup_fields_are_named_and_nothing_is_written(api, authy, change, field):
    response = api.post("/signup", {**SIGNUP, **change})

    assert response.status_code == 400
    assert field in body(response)["error"]["fields"]
    assert list(User.scan()) == []
    assert authy.calls == []


@pytest.mark.parametrize("missing", ["name", "email", "password", "country_code", "phone"])
def test_missing_signup_fields_are_named(api, missing):
    data = {k: v for k, v in SIGNUP.items() if k != missing}
    response = api.post("/signup", data)
    assert response.status_code == 400
    assert body(response)["error"]["fields"][missing]


def test_a_taken_email_is_409_before_authy_is_called(api, authy, signup):
    signup()
    calls = len(authy.calls)

    response = api.post("/signup", {**SIGNUP, "email": "ADA@example.com", "phone": "201-555-0199"})

    assert response.status_code == 409
    assert body(response)["error"]["code"] == "email_taken"
    assert len(authy.calls) == calls


def test_authy_refusing_the_phone_leaves_no_user(api, authy):
    authy.reject_user = True

    response = api.post("/signup", SIGNUP)

    assert response.status_code == 400
    assert body(response)["error"]["fields"] == {
        "phone": "was not accepted by the verification service"
    }
    assert list(User.scan()) == []


@pytest.mark.parametrize("status", [500, 503, 429])
def test_authy_failing_at_signup_leaves_no_user_and_says_503(api, authy, status):
    authy.fail["users_new"] = status

    response = api.post("/signup", SIGNUP)

    assert response.status_code == 503
    assert body(response)["error"]["code"] == "verification_unavailable"
    assert list(User.scan()) == []
    assert api.post("/signup", SIGNUP).status_code == 503  # and the email is free to retry


def test_a_stale_claim_from_a_dead_signup_does_not_block_the_email(api, authy):
    leave_claim(claimed_until=1.0)

    assert api.post("/signup", SIGNUP).status_code == 201
    assert User.get("ada@example.com").state == "active"


def test_a_fresh_claim_blocks_the_email(api, authy):
    leave_claim(claimed_until=9e12)

    assert api.post("/signup", SIGNUP).status_code == 409


def test_twenty_parallel_signups_with_one_email_make_one_user(tables, authy):
    from chalicelib import accounts, phones
    from chalicelib.context import RequestContext
    from chalicelib.errors import EmailTaken
    from chalicelib.validation import Form

    phone = phones.parse_phone(Form({"phone": "2015550123"}), 1)
    outcomes = []
    barrier = threading.Barrier(20)

    def attempt(n):
        barrier.wait()
        try:
            accounts.sign_up(
                f"Racer {n}",
                "race@example.com",
                "correct horse battery",
                phone,
                RequestContext(ip=f"203.0.113.{n}", user_agent="pytest"),
            )
            outcomes.append("created")
        except EmailTaken:
            outcomes.append("taken")

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["created"] + ["taken"] * 19
    assert len(authy.sent("users_new")) == 1
