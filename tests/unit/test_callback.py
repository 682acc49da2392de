"""POST/GET /authy/callback: signature first, then replay, age, and binding to one challenge."""

import json

import pytest

from chalicelib import clock
from chalicelib.models import CallbackNonce, LoginChallenge
from chalicelib.second_step.challenge import ONETOUCH_SECONDS
from chalicelib.tokens import hash_token
from tests.unit.conftest import body, callback_body


def onetouch_status(challenge):
    return LoginChallenge.get(hash_token(challenge["token"])).onetouch_status


@pytest.mark.parametrize("method", ["POST", "GET"])
def test_an_authentic_approval_is_recorded(login, authy, send_callback, method):
    challenge = login()

    response = send_callback(authy.last_uuid(), 1000, method=method)

    assert response.status_code == 200
    assert onetouch_status(challenge) == "approved"


@pytest.mark.parametrize(
    "tamper",
    [
        {"key": "another-api-key"},
        {"url": "https://evil.example/authy/callback"},
        {"nonce": "not-a-time"},
    ],
)
def test_a_bad_signature_is_401_changes_nothing_and_burns_no_nonce(
    login, authy, send_callback, tamper
):
    challenge = login()

    response = send_callback(authy.last_uuid(), 1000, **tamper)

    assert response.status_code == 401
    assert body(response)["error"]["code"] == "invalid_signature"
    assert onetouch_status(challenge) == "pending"
    assert list(CallbackNonce.scan()) == []


def test_an_edited_body_is_401(api, login, authy):
    from chalicelib.vendors.authy import signature

    challenge = login()
    params = callback_body(authy.last_uuid(), 1000, "denied")
    nonce = str(int(clock.now()))
    sig = signature.sign(
        "unit-test-api-key",
        "POST",
        "https://api.example.test/authy/callback",
        signature.parse_json(json.dumps(params)),
        nonce,
    )
    params["status"] = "approved"

    response = api.request(
        "POST",
        "/authy/callback",
        raw=json.dumps(params),
        headers={"X-Authy-Signature": sig, "X-Authy-Signature-Nonce": nonce},
    )

    assert response.status_code == 401 and onetouch_status(challenge) == "pending"


@pytest.mark.parametrize(
    "headers", [{}, {"X-Authy-Signature": "abc"}, {"X-Authy-Signature-Nonce": "1"}]
)
def test_missing_signature_headers_are_401(api, user, headers):
    response = api.request("POST", "/authy/callback", raw="{}", headers=headers)
    assert response.status_code == 401


@pytest.mark.parametrize("raw", ["not json", "[1, 2]", "", "\xff"])
def test_a_body_that_is_not_a_json_object_is_401(api, user, raw):
    response = api.request(
        "POST",
        "/authy/callback",
        raw=raw,
        headers={"X-Authy-Signature": "x", "X-Authy-Signature-Nonce": "1"},
    )
    assert response.status_code == 401


def test_a_stale_nonce_is_401_even_when_signed(login, authy, send_callback):
    challenge = login()
    old = str(int(clock.now()) - 301)

    response = send_callback(authy.last_uuid(), 1000, nonce=old)

    assert response.status_code == 401 and onetouch_status(challenge) == "pending"


def test_a_nonce_from_the_future_is_401(login, authy, send_callback):
    login()
    assert (
        send_callback(authy.last_uuid(), 1000, nonce=str(int(clock.now()) + 3600)).status_code
        == 401
    )


def test_a_fractional_nonce_is_accepted(login, authy, send_callback):
    challenge = login()
    assert send_callback(authy.last_uuid(), 1000, nonce=f"{clock.now():.3f}").status_code == 200
    assert onetouch_status(challenge) == "approved"


def test_a_replay_is_200_and_changes_nothing(api, login, authy):
    from chalicelib.vendors.authy import signature

    challenge = login()
    uuid = authy.last_uuid()
    nonce = str(int(clock.now()))

    def deliver(status):
        raw = json.dumps(callback_body(uuid, 1000, status))
        sig = signature.sign(
            "unit-test-api-key",
            "POST",
            "https://api.example.test/authy/callback",
            signature.parse_json(raw),
            nonce,
        )
        return api.request(
            "POST",
            "/authy/callback",
            raw=raw,
            headers={"X-Authy-Signature": sig, "X-Authy-Signature-Nonce": nonce},
        )

    assert deliver("approved").status_code == 200
    LoginChallenge.get(hash_token(challenge["token"])).update(
        actions=[LoginChallenge.onetouch_status.set("pending")]
    )
    assert deliver("approved").status_code == 200
    assert onetouch_status(challenge) == "pending"  # the replay changed nothing


def test_the_first_final_state_wins(login, authy, send_callback):
    challenge = login()
    send_callback(authy.last_uuid(), 1000, "denied")

    assert send_callback(authy.last_uuid(), 1000, "approved").status_code == 200
    assert onetouch_status(challenge) == "denied"


def test_an_approval_for_another_users_request_has_no_effect(login, authy, send_callback):
    challenge = login()

    response = send_callback(authy.last_uuid(), 4242)

    assert response.status_code == 200
    assert onetouch_status(challenge) == "pending"


def test_an_approval_after_expiry_has_no_effect(api, login, authy, send_callback, frozen_clock):
    challenge = login()
    frozen_clock.advance(ONETOUCH_SECONDS)

    assert send_callback(authy.last_uuid(), 1000).status_code == 200
    assert body(api.get("/login/status", token=challenge["token"]))["status"] == "expired"


def test_an_approval_after_the_session_was_issued_changes_nothing(api, login, authy, send_callback):
    challenge = login()
    send_callback(authy.last_uuid(), 1000)
    api.get("/login/status", token=challenge["token"])

    assert send_callback(authy.last_uuid(), 1000, "denied").status_code == 200
    assert onetouch_status(challenge) == "approved"


@pytest.mark.parametrize("uuid, authy_id", [("unknown-uuid", 1000), ("whatever", 1234)])
def test_unknown_requests_and_the_console_test_ping_are_200(user, send_callback, uuid, authy_id):
    assert send_callback(uuid, authy_id).status_code == 200
