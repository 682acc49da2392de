"""GET /login/status, POST /login/token and POST /login/verify."""

import threading

import pytest

from chalicelib import storage
from chalicelib.models import LoginChallenge, Session, User
from chalicelib.second_step import challenge as challenges
from chalicelib.second_step import code, flow, push
from chalicelib.tokens import hash_token
from tests.unit.conftest import CONTEXT, SIGNUP, body
from tests.unit.fake_authy import RIGHT_CODE


def stored(challenge):
    return LoginChallenge.get(hash_token(challenge["token"]))


def test_a_fresh_push_is_pending(api, login, frozen_clock):
    challenge = login()
    response = api.get("/login/status", token=challenge["token"])
    assert response.status_code == 200
    assert body(response) == {
        "status": "pending",
        "method": "onetouch",
        "expires_in": 300,
        "attempts_left": 5,
        "resend_in": 0,
        "sends_left": 5,
        "push_expires_in": 120,
        "poll_ms": 10_000,
    }


def test_an_approval_gives_exactly_one_session(api, login, authy, send_callback):
    challenge = login()
    assert send_callback(authy.last_uuid(), 1000).status_code == 200

    first = api.get("/login/status", token=challenge["token"])
    second = api.get("/login/status", token=challenge["token"])

    assert body(first)["status"] == "approved"
    assert body(first)["session"]["expires_in"] == 12 * 3600
    # The callback opened the session the login named; asking again answers that one.
    assert body(first)["session"]["token"] == challenge["session_token"]
    assert body(second)["session"]["token"] == challenge["session_token"]
    user = User.get("ada@example.com")
    assert user.phone_verified and user.last_login_method == "onetouch"
    assert len(list(Session.scan())) == 1


def test_a_denial_moves_the_browser_to_codes_and_codes_still_work(api, login, authy, send_callback):
    challenge = login()
    send_callback(authy.last_uuid(), 1000, "denied")

    assert body(api.get("/login/status", token=challenge["token"]))["status"] == "denied"
    response = api.post("/login/verify", {"token": RIGHT_CODE}, token=challenge["token"])
    assert response.status_code == 200 and body(response)["session"]["token"]


def test_a_push_left_unanswered_expires_while_the_challenge_lives_on(api, login, frozen_clock):
    challenge = login()
    frozen_clock.advance(challenges.ONETOUCH_SECONDS)

    response = body(api.get("/login/status", token=challenge["token"]))

    assert response["status"] == "expired" and response["expires_in"] > 0


def test_an_expired_challenge_is_refused_even_before_ttl_deletes_it(api, login, frozen_clock):
    challenge = login()
    frozen_clock.advance(challenges.CHALLENGE_SECONDS)

    for response in (
        api.get("/login/status", token=challenge["token"]),
        api.post("/login/verify", {"token": RIGHT_CODE}, token=challenge["token"]),
        api.post("/login/token", {"via": "sms"}, token=challenge["token"]),
    ):
        assert response.status_code == 401
        assert body(response)["error"]["code"] == "challenge_expired"


@pytest.mark.parametrize(
    "header", [None, "Bearer", "Bearer nope", "Basic abc", "Bearer " + "x" * 300]
)
def test_a_missing_or_unknown_challenge_token_is_401(api, user, header):
    headers = {"Authorization": header} if header else {}
    response = api.request("GET", "/login/status", headers=headers)
    assert response.status_code == 401
    assert body(response)["error"]["code"] == "challenge_invalid"


def test_with_no_callback_the_status_call_asks_authy_itself(api, login, authy, frozen_clock):
    challenge = login()
    authy.approvals[authy.last_uuid()]["status"] = "approved"
    api.get("/login/status", token=challenge["token"])
    assert authy.sent("onetouch_status") == []  # too soon: the callback may still come

    frozen_clock.advance(push.CHECK_VENDOR_AFTER)
    response = body(api.get("/login/status", token=challenge["token"]))

    assert response["status"] == "approved" and response["session"]["token"]
    assert len(authy.sent("onetouch_status")) == 1


def test_authy_is_asked_at_most_every_few_seconds(api, login, authy, frozen_clock):
    challenge = login()
    frozen_clock.advance(push.CHECK_VENDOR_AFTER)
    for _ in range(4):
        assert body(api.get("/login/status", token=challenge["token"]))["status"] == "pending"
    assert len(authy.sent("onetouch_status")) == 1

    frozen_clock.advance(push.CHECK_VENDOR_EVERY)
    api.get("/login/status", token=challenge["token"])
    assert len(authy.sent("onetouch_status")) == 2


def test_the_answer_that_brings_the_session_brings_the_account_page(
    api, login, authy, frozen_clock
):
    challenge = login()
    authy.approvals[authy.last_uuid()]["status"] = "approved"
    frozen_clock.advance(push.CHECK_VENDOR_AFTER)

    answer = body(api.get("/login/status", token=challenge["token"]))

    session = answer["session"]["token"]
    assert answer["account"] == body(api.get("/account", token=session))
    assert answer["account"]["email"] == "ada@example.com"
    assert answer["account"]["events"][0]["event"] == "login_succeeded"
    assert session == challenge["session_token"]
    again = body(api.get("/login/status", token=challenge["token"]))
    assert again["session"]["token"] == session  # asked again: the one session it opened
    assert len(list(Session.scan())) == 1


def test_a_right_code_brings_the_account_page_with_the_session(api, login, authy):
    authy.has_app = False
    challenge = login()

    answer = body(api.post("/login/verify", {"token": RIGHT_CODE}, token=challenge["token"]))

    assert answer["account"] == body(api.get("/account", token=answer["session"]["token"]))
    assert answer["account"]["events"][0]["event"] == "login_succeeded"


def test_a_login_whose_account_page_fails_still_hands_out_its_session(
    api, login, authy, monkeypatch
):
    """The session is written before the page is built: a failure there, even one nobody
    planned for, leaves ``account`` out and the login standing."""
    from pynamodb.connection.base import Connection

    authy.has_app = False
    challenge = login()
    send = Connection.dispatch

    def failing_activity(self, name, kwargs):
        if name == "Query" and kwargs.get("TableName", "").endswith("audit"):
            raise TypeError("an unreadable audit item")
        return send(self, name, kwargs)

    monkeypatch.setattr(Connection, "dispatch", failing_activity)
    response = api.post("/login/verify", {"token": RIGHT_CODE}, token=challenge["token"])
    monkeypatch.setattr(Connection, "dispatch", send)

    assert response.status_code == 200 and "account" not in body(response)
    session = body(response)["session"]["token"]
    assert api.get("/account", token=session).status_code == 200


def test_a_remembered_browser_login_brings_the_account_page(api, session):
    browser = body(api.post("/account/browsers", token=session))["token"]
    credentials = {"email": SIGNUP["email"], "password": SIGNUP["password"]}

    answer = body(api.post("/login", {**credentials, "browser": browser}))

    assert answer["account"]["email"] == "ada@example.com"
    assert answer["account"] == body(api.get("/account", token=answer["session"]["token"]))


def test_once_a_callback_went_missing_pages_poll_every_two_seconds_for_an_hour(
    api, login, authy, frozen_clock
):
    first = login()
    assert first["poll_ms"] == 10_000
    pending = body(api.get("/login/status", token=first["token"]))
    assert pending["status"] == "pending" and pending["poll_ms"] == 10_000
    authy.approvals[authy.last_uuid()]["status"] = "approved"
    frozen_clock.advance(push.CHECK_VENDOR_AFTER)
    assert body(api.get("/login/status", token=first["token"]))["status"] == "approved"

    second = login()  # the callback never came: callbacks are likely lost
    assert second["poll_ms"] == 2_000
    authy.approvals[authy.last_uuid()]["status"] = "approved"
    frozen_clock.advance(push.CHECK_VENDOR_AFTER_LOST)
    assert body(api.get("/login/status", token=second["token"]))["status"] == "approved"

    frozen_clock.advance(3600)
    assert login()["poll_ms"] == 10_000


def test_the_next_authentic_callback_ends_the_fast_polling(
    api, login, authy, frozen_clock, send_callback
):
    """Tapping Approve and polling before Authy's callback lands (anyone can) turns the
    fast pace on only until a callback comes."""
    first = login()
    authy.approvals[authy.last_uuid()]["status"] = "approved"
    frozen_clock.advance(push.CHECK_VENDOR_AFTER)
    assert body(api.get("/login/status", token=first["token"]))["status"] == "approved"
    assert login()["poll_ms"] == 2_000

    assert send_callback(authy.last_uuid(), 1000).status_code == 200
    assert login()["poll_ms"] == 10_000


def test_a_push_that_expired_unanswered_says_nothing_of_callbacks(api, login, authy, frozen_clock):
    challenge = login()
    authy.approvals[authy.last_uuid()]["status"] = "expired"
    frozen_clock.advance(push.CHECK_VENDOR_AFTER)
    api.get("/login/status", token=challenge["token"])
    assert login()["poll_ms"] == 10_000


def test_authy_status_for_another_user_is_ignored(api, login, authy, frozen_clock):
    challenge = login()
    authy.approvals[authy.last_uuid()].update(status="approved", authy_id=999)
    frozen_clock.advance(push.CHECK_VENDOR_AFTER)
    assert body(api.get("/login/status", token=challenge["token"]))["status"] == "pending"


def test_sending_a_code_by_sms_or_call(api, login, authy):
    challenge = login()

    response = api.post("/login/token", {"via": "call"}, token=challenge["token"])

    assert response.status_code == 200
    assert body(response) == {"sent": True, "via": "call", "resend_in": 30, "sends_left": 4}
    assert authy.sent("send")[-1]["path"] == "/protected/json/call/1000"
    assert authy.sent("send")[-1]["query"] == {"force": "true"}


def test_resend_waits_30_seconds_and_stops_after_five(api, login, authy, frozen_clock):
    challenge = login()
    before = len(authy.sent("send"))
    api.post("/login/token", {"via": "sms"}, token=challenge["token"])

    too_soon = api.post("/login/token", {"via": "sms"}, token=challenge["token"])
    assert too_soon.status_code == 429 and 0 < int(too_soon.headers["Retry-After"]) <= 30
    assert body(too_soon)["error"]["code"] == "resend_too_soon"

    for _ in range(4):
        frozen_clock.advance(challenges.RESEND_SECONDS)
        assert api.post("/login/token", {"via": "sms"}, token=challenge["token"]).status_code == 200
    frozen_clock.advance(challenges.RESEND_SECONDS)
    sixth = api.post("/login/token", {"via": "sms"}, token=challenge["token"])
    assert sixth.status_code == 429 and body(sixth)["error"]["code"] == "too_many_sends"
    assert len(authy.sent("send")) - before == 5


def test_twenty_parallel_sends_send_one_code(tables, login, authy):
    challenge = login()
    before = len(authy.sent("send"))
    outcomes = []
    barrier = threading.Barrier(20)

    def send():
        barrier.wait()
        try:
            code.send_code(challenge["token"], "sms", CONTEXT)
            outcomes.append("sent")
        except Exception as error:  # noqa: BLE001 - the outcome is what we count
            outcomes.append(type(error).__name__)

    threads = [threading.Thread(target=send) for _ in range(20)]
    [t.start() for t in threads]
    [t.join() for t in threads]

    assert outcomes.count("sent") == 1 and len(authy.sent("send")) - before == 1


def test_a_failed_send_is_not_counted_and_says_what_else_to_try(api, login, authy):
    challenge = login()
    authy.fail["send"] = 503

    response = api.post("/login/token", {"via": "sms"}, token=challenge["token"])

    assert response.status_code == 503
    assert "call" in body(response)["error"]["message"]
    authy.fail.clear()
    assert (
        body(api.post("/login/token", {"via": "call"}, token=challenge["token"]))["sends_left"] == 4
    )


@pytest.mark.parametrize("data", [{}, {"via": "email"}, {"via": 1}, {"via": None}])
def test_send_needs_sms_or_call(api, login, data):
    response = api.post("/login/token", data, token=login()["token"])
    assert response.status_code == 400 and "via" in body(response)["error"]["fields"]


def test_the_right_code_gives_a_session(api, login, authy):
    challenge = login()

    response = api.post("/login/verify", {"token": " 123 4567 "}, token=challenge["token"])

    assert response.status_code == 200
    assert authy.sent("verify")[-1]["path"] == f"/protected/json/verify/{RIGHT_CODE}/1000"
    assert User.get("ada@example.com").last_login_method == "code"
    account = api.get("/account", token=body(response)["session"]["token"])
    assert account.status_code == 200


def test_wrong_codes_count_down_and_the_fifth_locks(api, login, authy):
    challenge = login()
    for left in (4, 3, 2, 1):
        response = api.post("/login/verify", {"token": "7654321"}, token=challenge["token"])
        assert response.status_code == 401
        assert body(response)["error"] == {
            "code": "invalid_code",
            "message": "That code is not right.",
            "attempts_left": left,
        }

    fifth = api.post("/login/verify", {"token": "7654321"}, token=challenge["token"])
    after = api.post("/login/verify", {"token": RIGHT_CODE}, token=challenge["token"])

    assert fifth.status_code == after.status_code == 429
    assert body(after)["error"]["code"] == "challenge_locked"
    assert body(api.get("/login/status", token=challenge["token"]))["status"] == "locked"
    assert len(authy.sent("verify")) == 5


@pytest.mark.parametrize(
    "code", ["12345", "12345678901", "12a4567", "", "１２３４５６７", 1234567, None]
)
def test_malformed_codes_are_400_without_calling_authy(api, login, authy, code):
    challenge = login()
    response = api.post("/login/verify", {"token": code}, token=challenge["token"])
    assert response.status_code == 400 and "token" in body(response)["error"]["fields"]
    assert authy.sent("verify") == []


def test_authy_down_at_verify_is_503_and_costs_no_attempt(api, login, authy):
    challenge = login()
    authy.fail["verify"] = 500

    response = api.post("/login/verify", {"token": RIGHT_CODE}, token=challenge["token"])

    assert response.status_code == 503
    assert stored(challenge).code_attempts == 0


def test_twenty_parallel_right_codes_give_one_session(tables, login, authy):
    challenge = login()
    # Authy answers the five reserved attempts together, so all five reach complete().
    authy.verify_gate = threading.Barrier(challenges.MAX_CODE_ATTEMPTS)
    outcomes = []
    barrier = threading.Barrier(20)

    def verify():
        barrier.wait()
        try:
            flow.verify(challenge["token"], RIGHT_CODE, CONTEXT)
            outcomes.append("session")
        except Exception as error:  # noqa: BLE001
            outcomes.append(type(error).__name__)

    threads = [threading.Thread(target=verify) for _ in range(20)]
    [t.start() for t in threads]
    [t.join() for t in threads]

    assert outcomes.count("session") == 1
    assert len(list(Session.scan())) == 1
    assert len(authy.sent("verify")) <= challenges.MAX_CODE_ATTEMPTS


def test_a_callback_racing_status_calls_gives_one_session(tables, login, authy, send_callback):
    challenge = login()
    outcomes = []
    barrier = threading.Barrier(11)

    def poll():
        barrier.wait()
        for _ in range(5):
            try:
                answer = flow.poll(challenge["token"])
                if "session" in answer:
                    outcomes.append(answer["session"]["token"])
            except Exception as error:  # noqa: BLE001
                outcomes.append(type(error).__name__)

    threads = [threading.Thread(target=poll) for _ in range(10)]
    [t.start() for t in threads]
    barrier.wait()
    record = stored(challenge)
    push.record_result(record, "approved")
    [t.join() for t in threads]
    if not outcomes:  # every poll ran before the approval landed: one more
        outcomes.append(flow.poll(challenge["token"])["session"]["token"])

    # However many polls saw the approval, they were all handed the one session it opened.
    assert set(outcomes) == {challenge["session_token"]}
    assert len(list(Session.scan())) == 1


def test_an_account_page_with_no_passkey_or_browser_asks_only_for_the_activity(
    api, session, dynamodb_calls
):
    from chalicelib.models import AuditEvent

    assert api.get("/account", token=session).status_code == 200
    queried = [table for operation, table in dynamodb_calls if operation == "Query"]
    assert queried == [AuditEvent.Meta.table_name]


def test_a_transaction_refuses_a_second_write_under_a_name_it_has():
    """Names say which write a refusal was (the callback's own audit event and spend's
    must not share one): a second write under a taken name is refused before anything
    is sent."""
    transaction = storage.Transaction()
    transaction.check("account", User, "ada@example.com", User.email.exists())
    with pytest.raises(ValueError, match="'account'"):
        transaction.update("account", User(email="ada@example.com"), [User.failed_codes.set(0)])
