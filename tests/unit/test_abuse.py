"""Rate limits, push fatigue and account lockout (OWASP ASVS 5.0 ch. 6, NIST SP 800-63B)."""

import pytest

from chalicelib import clock, ratelimits
from chalicelib.models import AuditEvent, User
from tests.unit.conftest import SIGNUP, body
from tests.unit.fake_authy import RIGHT_CODE

RIGHT = {"email": SIGNUP["email"], "password": SIGNUP["password"]}
WRONG = {"email": SIGNUP["email"], "password": "not the password"}


def test_ten_failed_passwords_lock_the_account_even_for_the_right_password(api, user):
    for _ in range(10):
        assert api.post("/login", WRONG).status_code == 401

    wrong, right = api.post("/login", WRONG), api.post("/login", RIGHT)

    assert wrong.status_code == right.status_code == 429
    assert wrong.body == right.body
    assert body(right)["error"]["code"] == "too_many_attempts"
    assert 0 < int(right.headers["Retry-After"]) <= 15 * 60


def test_unknown_emails_are_limited_too_so_the_lock_reveals_nothing(api, user):
    ghost = {"email": "ghost@example.com", "password": "not the password"}
    for _ in range(10):
        api.post("/login", ghost)
    assert body(api.post("/login", ghost))["error"]["code"] == "too_many_attempts"


def test_right_passwords_do_not_count_as_failures(api, user, authy):
    for _ in range(12):
        assert api.post("/login", RIGHT).status_code == 200


def test_logins_are_limited_per_source_ip_whatever_x_forwarded_for_says(api, user):
    for n in range(ratelimits.LOGINS_PER_NETWORK.most):
        data = {"email": f"user{n}@example.com", "password": "not the password"}
        api.post("/login", data, headers={"X-Forwarded-For": f"198.51.100.{n}"})

    response = api.post("/login", RIGHT, headers={"X-Forwarded-For": "198.51.100.250"})

    assert response.status_code == 429
    assert body(response)["error"]["code"] == "rate_limited"


def test_signups_are_limited_per_ip(api, authy):
    for n in range(ratelimits.SIGNUPS_PER_NETWORK.most):
        assert api.post("/signup", {**SIGNUP, "email": f"u{n}@example.com"}).status_code == 201
    response = api.post("/signup", {**SIGNUP, "email": "one-more@example.com"})
    assert response.status_code == 429 and "Retry-After" in response.headers
    assert not User.count("one-more@example.com")


def test_code_sends_are_limited_per_account_across_challenges(api, user, login, authy):
    authy.has_app = False  # each login texts a code, which counts too
    sent = 0
    for _ in range(ratelimits.SENDS_PER_ACCOUNT.most):
        challenge = login()
        sent += 1 if challenge["code_sent"] else 0
    assert sent == ratelimits.SENDS_PER_ACCOUNT.most - 1  # the signup's text was the first

    challenge = login()
    response = api.post("/login/token", {"via": "call"}, token=challenge["token"])

    assert challenge["code_sent"] is False and challenge["fallback_reason"] == "no_app"
    assert challenge["unsent_reason"] == "send_limit"
    assert response.status_code == 429 and body(response)["error"]["code"] == "send_limit"


def test_after_a_finished_push_the_next_login_pushes_again(api, login, authy, send_callback):
    login()
    send_callback(authy.last_uuid(), 1000, "approved")
    assert login()["method"] == "onetouch"


def test_at_most_three_pushes_per_fifteen_minutes(api, login, authy, send_callback):
    for _ in range(3):
        assert login()["method"] == "onetouch"
        send_callback(authy.last_uuid(), 1000, "approved")
    fourth = login()
    assert fourth["method"] == "sms" and fourth["fallback_reason"] == "push_limit"


def test_after_a_deny_no_push_for_ten_minutes(api, login, authy, send_callback):
    login()
    send_callback(authy.last_uuid(), 1000, "denied")

    after = login()

    assert after["method"] == "sms" and after["fallback_reason"] == "push_paused"
    paused_until = User.get("ada@example.com").push_paused_until
    assert 9 * 60 < paused_until - clock.now() <= 10 * 60


def test_a_hundred_wrong_codes_in_a_row_lock_the_account(api, user, login, authy):
    User.get("ada@example.com").update(actions=[User.failed_codes.set(99)])
    challenge = login()

    response = api.post("/login/verify", {"token": "7654321"}, token=challenge["token"])

    assert response.status_code == 403 and body(response)["error"]["code"] == "account_locked"
    assert body(api.post("/login", RIGHT))["challenge"]["method"] == "recovery"  # codes only
    events = [event.kind for event in AuditEvent.query("ada@example.com")]
    assert "account_locked" in events


def test_a_right_code_resets_the_wrong_code_count(api, user, login):
    User.get("ada@example.com").update(actions=[User.failed_codes.set(50)])
    challenge = login()
    api.post("/login/verify", {"token": RIGHT_CODE}, token=challenge["token"])
    assert User.get("ada@example.com").failed_codes == 0


@pytest.mark.parametrize("limit", [ratelimits.FAILED_PASSWORDS, ratelimits.SENDS_PER_NETWORK])
def test_limits_never_exceed_their_number_under_parallel_load(tables, limit):
    import threading

    outcomes = []
    barrier = threading.Barrier(limit.most + 10)

    def hit():
        barrier.wait()
        try:
            ratelimits.take(limit, "subject")
            outcomes.append("ok")
        except ratelimits.RateLimited:
            outcomes.append("limited")

    threads = [threading.Thread(target=hit) for _ in range(limit.most + 10)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert outcomes.count("ok") == limit.most
