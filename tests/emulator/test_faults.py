"""Injected faults: error statuses with Authy's bodies, broken JSON, latency, hangs, rates."""

import json
import random
import threading
import time

import pytest

from devstack.emulator.faults import ENDPOINTS
from tests.emulator.conftest import VerifyForms


def fault(client, **spec):
    response = client.post("/emulator/faults", json=spec)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["faults"]


def sms(authy, authy_id):
    return authy.get(f"/protected/json/sms/{authy_id}?force=true")


@pytest.mark.parametrize(
    "status, code, message",
    [
        (429, "60003", "Too many requests"),
        (503, "60000", "Service unavailable, please try again later"),
        (500, "60000", "An internal error has occurred"),
    ],
)
def test_an_error_status_comes_with_authys_body(authy, client, app_user, status, code, message):
    fault(client, endpoint="sms", status=status)
    response = sms(authy, app_user)
    assert response.status_code == status
    assert response.get_json() == {
        "message": message,
        "success": False,
        "errors": {"message": message},
        "error_code": code,
    }
    assert client.get("/emulator/messages").get_json()["messages"] == []


def test_a_fault_hits_only_its_endpoint(authy, client, app_user):
    fault(client, endpoint="call", status=503)
    assert sms(authy, app_user).status_code == 200
    assert authy.get(f"/protected/json/call/{app_user}?force=true").status_code == 503


def test_faults_come_before_the_api_key_check(client):
    fault(client, endpoint="users_new", status=503)
    assert client.post("/protected/json/users/new").status_code == 503


@pytest.mark.parametrize("status", [None, 502])
def test_a_malformed_body_is_not_json(authy, client, status):
    fault(client, endpoint="users_new", malformed=True, **({"status": status} if status else {}))
    response = authy.post("/protected/json/users/new", json={})
    assert response.status_code == (status or 200)
    assert response.mimetype == "application/json"
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.get_data(as_text=True))


def test_latency_delays_a_normal_answer(authy, client, app_user):
    fault(client, endpoint="user_status", latency=0.2)
    started = time.monotonic()
    response = authy.get(f"/protected/json/users/{app_user}/status")
    assert time.monotonic() - started >= 0.2
    assert response.status_code == 200


def test_a_hang_may_be_given_in_seconds(client):
    assert fault(client, endpoint="sms", hang=2.5)[0]["hang"] == 2.5


def test_a_hang_holds_the_call_until_faults_are_cleared(app, authy, client, app_user):
    listed = fault(client, endpoint="verify", hang=True)
    assert listed[0]["hang"] == 30
    answers = []
    caller = threading.Thread(
        target=lambda: answers.append(
            app.test_client().get(
                f"/protected/json/verify/1234567/{app_user}",
                headers=authy.headers,
            )
        )
    )
    started = time.monotonic()
    caller.start()
    caller.join(0.3)
    assert caller.is_alive(), "the call should still be hanging"
    client.delete("/emulator/faults")
    caller.join(5)
    assert not caller.is_alive()
    assert time.monotonic() - started < 5
    assert answers[0].status_code == 401


def test_a_counted_fault_is_used_up(authy, client, app_user):
    fault(client, endpoint="sms", status=429, count=2)
    assert [sms(authy, app_user).status_code for _ in range(3)] == [429, 429, 200]
    assert client.get("/emulator/faults").get_json() == {"faults": []}


def test_the_rate_is_drawn_from_a_seeded_random(authy, client, app_user):
    fault(client, endpoint="user_status", status=503, rate=0.5, seed=7)
    path = f"/protected/json/users/{app_user}/status"
    statuses = [authy.get(path).status_code for _ in range(200)]
    draws = random.Random(7)
    assert statuses == [503 if draws.random() < 0.5 else 200 for _ in range(200)]
    assert 60 < statuses.count(503) < 140


def test_rate_zero_never_fires(authy, client, app_user):
    fault(client, endpoint="sms", status=503, rate=0)
    assert {sms(authy, app_user).status_code for _ in range(20)} == {200}


def test_clearing_one_endpoint_leaves_the_others(client):
    fault(client, endpoint="sms", status=503)
    fault(client, endpoint="call", status=503)
    remaining = client.delete("/emulator/faults?endpoint=sms").get_json()["faults"]
    assert [f["endpoint"] for f in remaining] == ["call"]


def test_a_new_fault_replaces_the_endpoints_old_one(client):
    fault(client, endpoint="sms", status=503)
    [only] = fault(client, endpoint="sms", latency=0.1)
    assert (only["status"], only["latency"]) == (None, 0.1)


@pytest.mark.parametrize(
    "spec",
    [
        {"endpoint": "nope", "status": 500},
        {"status": 500},
        {"endpoint": "sms"},
        {"endpoint": "sms", "status": 200},
        {"endpoint": "sms", "status": "500"},
        {"endpoint": "sms", "status": 500, "rate": 1.5},
        {"endpoint": "sms", "status": 500, "count": 0},
        {"endpoint": "sms", "latency": "slow"},
        {"endpoint": "sms", "latency": -1},
        {"endpoint": "sms", "malformed": "yes"},
        {"endpoint": "sms", "hang": False},
        {"endpoint": "sms", "hang": 601},
        {"endpoint": "sms", "status": 500, "seed": "x"},
    ],
)
def test_nonsense_faults_are_refused(client, spec):
    response = client.post("/emulator/faults", json=spec)
    assert response.status_code == 400
    assert response.get_json()["error"]


def test_calls_and_fired_faults_are_counted(authy, client, app_user):
    fault(client, endpoint="sms", status=503, count=1)
    sms(authy, app_user)
    sms(authy, app_user)
    authy.get(f"/protected/json/verify/1234567/{app_user}")
    stats = client.get("/emulator/stats").get_json()
    assert set(stats["calls"]) == set(ENDPOINTS)
    assert stats["calls"]["sms"] == 2
    assert stats["calls"]["verify"] == 1
    assert stats["calls"]["users_new"] == 1
    assert stats["faults_fired"]["sms"] == 1
    assert stats["faults_fired"]["verify"] == 0


# Verify's endpoints


def test_every_api_route_can_be_faulted(app):
    apis = {"authy", "verify", "verify_factors"}
    routed = {
        rule.endpoint.rsplit(".", 1)[-1]
        for rule in app.url_map.iter_rules()
        if rule.endpoint.split(".", 1)[0] in apis
    }
    assert routed == set(ENDPOINTS)


@pytest.mark.parametrize(
    "status, code",
    [(429, 20429), (503, 20503), (500, 20500), (401, 20003), (400, 60200)],
)
def test_a_verify_fault_answers_with_twilios_body(verify, client, service_sid, status, code):
    fault(client, endpoint="verify_start", status=status)
    response = verify.start(service_sid)
    assert response.status_code == status
    body = response.get_json()
    assert (body["code"], body["status"]) == (code, status)
    assert body["more_info"] == f"https://www.twilio.com/docs/errors/{code}"
    assert client.get("/emulator/messages").get_json()["messages"] == []


def test_a_verify_fault_comes_before_the_credentials_check(client):
    fault(client, endpoint="verify_service_create", status=503)
    assert client.post("/v2/Services").status_code == 503


@pytest.mark.parametrize("status", [None, 502])
def test_a_malformed_verify_body_is_not_json(verify, client, service_sid, status):
    fault(client, endpoint="verify_check", malformed=True, **({"status": status} if status else {}))
    response = verify.check(service_sid, "123456")
    assert response.status_code == (status or 200)
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.get_data(as_text=True))


def test_a_hang_holds_a_verify_call_until_cleared(app, client, service_sid):
    fault(client, endpoint="verify_factor_delete", hang=True)
    path = f"/v2/Services/{service_sid}/Entities/someone-12345678/Factors/YF{'0' * 32}"
    answers = []
    own_client = VerifyForms(app.test_client())  # a test client is not shared across threads
    held = threading.Thread(target=lambda: answers.append(own_client.delete(path)))
    held.start()
    held.join(0.3)
    assert held.is_alive(), "the call should still be hanging"
    client.delete("/emulator/faults")
    held.join(5)
    assert answers[0].status_code == 404


def test_verify_calls_are_counted(verify, client, service_sid):
    verify.start(service_sid)
    verify.check(service_sid, "123456")
    calls = client.get("/emulator/stats").get_json()["calls"]
    assert (calls["verify_service_create"], calls["verify_start"], calls["verify_check"]) == (
        1,
        1,
        1,
    )
