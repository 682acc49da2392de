"""OneTouch callbacks over real HTTP: signed and shaped like Authy's, and switched off like them."""

import json
import urllib.parse

import pytest

from chalicelib.vendors.authy import signature
from devstack.emulator import create_app
from devstack.emulator_client import wait_for
from tests.emulator.conftest import API_KEY, AuthyClient, vector


@pytest.fixture
def method():
    return "POST"


@pytest.fixture
def app(clock, receiver, method):
    return create_app(API_KEY, callback_url=receiver.url, callback_method=method, clock=clock)


def deliveries(client):
    return client.get("/emulator/callback").get_json()["deliveries"]


def answer(client, request_uuid, action="approve"):
    response = client.post(f"/emulator/approval_requests/{request_uuid}/{action}")
    assert response.status_code == 200, response.get_json()


def received(receiver, count):
    return wait_for(lambda: len(receiver.requests()) >= count and receiver.requests(), timeout=5)


def settled(client, count):
    """Wait until ``count`` deliveries are logged and nothing is queued."""

    def done():
        state = client.get("/emulator/callback").get_json()
        return state["queued"] == 0 and len(state["deliveries"]) >= count and state

    return wait_for(done, timeout=10)


def test_an_approval_posts_a_signed_callback(authy, client, clock, receiver, app_user):
    request_uuid = authy.approval_request(
        app_user, details={"Email": "ada@example.com"}, hidden_details={"challenge": "c1"}
    )
    clock.advance(5)
    answer(client, request_uuid)
    [call] = received(receiver, 1)

    assert call["method"] == "POST"
    assert call["path"] == "/authy/callback"
    assert call["headers"]["Content-Type"] == "application/json"
    nonce = call["headers"]["X-Authy-Signature-Nonce"]
    assert nonce == str(int(clock.now))
    params = signature.parse_json(call["body"])
    sent = call["headers"]["X-Authy-Signature"]
    assert signature.verify(API_KEY, "POST", receiver.url, params, nonce, sent)
    assert not signature.verify(API_KEY, "POST", receiver.url + "x", params, nonce, sent)
    assert not signature.verify("other-key", "POST", receiver.url, params, nonce, sent)

    body = json.loads(call["body"])
    assert body["authy_id"] == app_user
    assert body["callback_action"] == "approval_request_status"
    assert body["uuid"] == request_uuid
    assert body["status"] == "approved"
    transaction = body["approval_request"]["transaction"]
    assert transaction["status"] == "approved"
    assert transaction["uuid"] == request_uuid
    assert transaction["details"] == {"Email": "ada@example.com"}
    assert transaction["hidden_details"] == {"challenge": "c1"}
    assert transaction["message"] == "Log in to Twofold?"
    assert transaction["created_at_time"] == int(clock.now) - 5
    assert transaction["device_signing_time"] == int(clock.now)
    assert body["approval_request"]["expiration_timestamp"] == int(clock.now) - 5 + 120
    assert body["device_uuid"] == body["device"]["id"]


def key_shape(value):
    """Key names in order, recursively, for comparing with a real callback."""
    if isinstance(value, dict):
        return {key: key_shape(item) for key, item in value.items()}
    return None


def test_the_callback_body_has_the_real_ones_shape(authy, client, receiver, app_user):
    answer(client, authy.approval_request(app_user))
    [call] = received(receiver, 1)
    ours = json.loads(call["body"])
    real = json.loads(vector("post-approved")["body"])
    assert list(ours) == list(real)
    assert list(ours["approval_request"]) == list(real["approval_request"])
    assert key_shape(ours["approval_request"]["transaction"]) == key_shape(
        real["approval_request"]["transaction"]
    )
    assert set(real["device"]) <= set(ours["device"])
    assert ours["approval_request"]["transaction"]["details"] is None
    assert ours["approval_request"]["logos"] is None


def test_a_denial_calls_back_too(authy, client, receiver, app_user):
    request_uuid = authy.approval_request(app_user)
    answer(client, request_uuid, "deny")
    [call] = received(receiver, 1)
    body = json.loads(call["body"])
    assert (body["uuid"], body["status"]) == (request_uuid, "denied")
    assert body["approval_request"]["transaction"]["status"] == "denied"


@pytest.mark.parametrize("method", ["GET"])
def test_a_get_callback_carries_signed_rails_style_params(authy, client, receiver, app_user):
    logos = [
        {"res": "default", "url": "https://example.com/a.png"},
        {"res": "low", "url": "https://example.com/b.png"},
    ]
    request_uuid = authy.approval_request(
        app_user, details={"Email": "ada@example.com", "Where": "Bogotá"}, logos=logos
    )
    answer(client, request_uuid)
    [call] = received(receiver, 1)

    assert call["method"] == "GET"
    assert call["body"] == ""
    pairs = urllib.parse.parse_qsl(call["query"], keep_blank_values=True)
    nonce = call["headers"]["X-Authy-Signature-Nonce"]
    sent = call["headers"]["X-Authy-Signature"]
    assert signature.verify(API_KEY, "GET", receiver.url, pairs, nonce, sent)
    assert not signature.verify(API_KEY, "POST", receiver.url, pairs, nonce, sent)
    assert not signature.verify(API_KEY, "GET", receiver.url, pairs[1:], nonce, sent)

    found = dict(pairs)
    assert found["uuid"] == request_uuid
    assert found["status"] == "approved"
    assert found["authy_id"] == str(app_user)
    assert found["approval_request[transaction][details][Where]"] == "Bogotá"
    assert found["approval_request[transaction][hidden_details]"] == ""
    assert found["approval_request[transaction][encrypted]"] == "false"
    assert "approval_request[transaction][device_details]" not in found
    assert [v for k, v in pairs if k == "approval_request[logos][][url]"] == [
        "https://example.com/a.png",
        "https://example.com/b.png",
    ]
    assert [v for k, v in pairs if k == "device[enabled_unlock_methods][]"] == [
        "pin",
        "fingerprint",
    ]
    keys = [key for key, _ in pairs]
    top_level = [key.split("[")[0] for key in keys]
    assert top_level == sorted(top_level)


def test_no_callback_when_a_request_expires(authy, client, clock, receiver, app_user):
    by_clock = authy.approval_request(app_user, seconds_to_expire=60)
    by_hand = authy.approval_request(app_user)
    clock.advance(60)
    answer(client, by_hand, "expire")
    state = client.get("/emulator/callback").get_json()
    assert (state["queued"], state["deliveries"]) == (0, [])
    assert client.post(f"/emulator/approval_requests/{by_clock}/approve").status_code == 409

    answer(client, authy.approval_request(app_user))
    settled(client, 1)
    assert [json.loads(call["body"])["status"] for call in receiver.requests()] == ["approved"]


def test_three_failures_in_a_row_turn_the_callback_off(authy, client, receiver, app_user):
    receiver.statuses = [500, 404, 503]
    for _ in range(3):
        answer(client, authy.approval_request(app_user))
    state = settled(client, 3)
    assert [d["status_code"] for d in state["deliveries"]] == [500, 404, 503]
    assert [d["ok"] for d in state["deliveries"]] == [False, False, False]
    assert (state["enabled"], state["url"], state["consecutive_failures"]) == (False, "", 3)

    answer(client, authy.approval_request(app_user))
    state = client.get("/emulator/callback").get_json()
    assert (state["queued"], len(state["deliveries"])) == (0, 3)
    assert len(receiver.requests()) == 3


def test_a_success_resets_the_failure_count(authy, client, receiver, app_user):
    receiver.statuses = [500, 500, 204, 500, 500]
    for _ in range(5):
        answer(client, authy.approval_request(app_user))
    state = settled(client, 5)
    assert [d["ok"] for d in state["deliveries"]] == [False, False, True, False, False]
    assert client.get("/emulator/stats").get_json()["callbacks"] == {"delivered": 1, "failed": 4}
    assert (state["enabled"], state["url"], state["consecutive_failures"]) == (
        True,
        receiver.url,
        2,
    )


def test_unreachable_callbacks_count_as_failures(authy, client, dead_url, app_user):
    assert client.post("/emulator/callback", json={"url": dead_url}).status_code == 200
    for _ in range(3):
        answer(client, authy.approval_request(app_user))
    state = settled(client, 3)
    assert [d["status_code"] for d in state["deliveries"]] == [None, None, None]
    assert all("ConnectionError" in d["error"] for d in state["deliveries"])
    assert (state["enabled"], state["url"]) == (False, "")


def test_a_callback_turned_off_comes_back_through_the_control_api(
    authy, client, receiver, app_user
):
    receiver.statuses = [500, 500, 500]
    for _ in range(3):
        answer(client, authy.approval_request(app_user))
    settled(client, 3)
    response = client.post("/emulator/callback", json={"enabled": True, "url": receiver.url})
    assert response.status_code == 200
    assert response.get_json()["consecutive_failures"] == 0
    answer(client, authy.approval_request(app_user))
    state = settled(client, 4)
    assert state["deliveries"][-1]["status_code"] == 200
    assert state["enabled"] is True


def test_a_disabled_callback_sends_nothing(authy, client, receiver, app_user):
    client.post("/emulator/callback", json={"enabled": False})
    answer(client, authy.approval_request(app_user))
    state = client.get("/emulator/callback").get_json()
    assert (state["enabled"], state["url"], state["queued"]) == (False, receiver.url, 0)
    assert receiver.requests() == []


def test_the_delivery_log_records_status_and_time(authy, client, clock, receiver, app_user):
    request_uuid = authy.approval_request(app_user)
    answer(client, request_uuid)
    [delivery] = settled(client, 1)["deliveries"]
    assert 0 <= delivery.pop("seconds") < 5  # how long the receiver took to answer
    assert delivery == {
        "uuid": request_uuid,
        "status": "approved",
        "method": "POST",
        "url": receiver.url,
        "status_code": 200,
        "error": None,
        "ok": True,
        "at": clock.now,
    }


def test_the_method_can_be_switched_to_get(authy, client, receiver, app_user):
    client.post("/emulator/callback", json={"method": "get"})
    answer(client, authy.approval_request(app_user))
    [call] = received(receiver, 1)
    assert call["method"] == "GET"


def test_without_a_callback_url_nothing_is_sent(clock):
    client = create_app(API_KEY, clock=clock).test_client()
    authy = AuthyClient(client)
    answer(client, authy.approval_request(authy.new_user()))
    state = client.get("/emulator/callback").get_json()
    assert state == {
        "enabled": False,
        "url": "",
        "method": "POST",
        "consecutive_failures": 0,
        "queued": 0,
        "deliveries": [],
    }
