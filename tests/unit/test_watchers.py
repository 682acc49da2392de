"""WebSocket watchers: who may connect, registering a watch, pushes, cleanup."""

import json

import pytest
from moto.apigatewaymanagementapi.models import apigatewaymanagementapi_backends
from moto.core import DEFAULT_ACCOUNT_ID

from app import ws_connect, ws_disconnect, ws_message
from chalicelib.models import LoginChallenge
from chalicelib.second_step.challenge import CHALLENGE_SECONDS
from chalicelib.second_step.watchers import MAX_WATCHERS
from chalicelib.tokens import hash_token


def event(route, connection_id="conn-1", body=None, origin="https://site.example.test"):
    return {
        "requestContext": {
            "routeKey": route,
            "connectionId": connection_id,
            "apiId": "ws0unit",
            "domainName": "ws0unit.execute-api.us-east-1.amazonaws.com",
            "stage": "api",
            "eventType": {"$connect": "CONNECT", "$disconnect": "DISCONNECT"}.get(route, "MESSAGE"),
        },
        "headers": {"Origin": origin},
        "body": body,
        "isBase64Encoded": False,
    }


def sent(connection_id):
    """What the @connections endpoint received for one connection, message by message."""
    data = apigatewaymanagementapi_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].connections
    raw = data[connection_id].data.decode() if connection_id in data else ""
    return [json.loads(part) for part in raw.replace("}{", "}\n{").splitlines() if part]


def watch(token, connection_id="conn-1"):
    body = json.dumps({"action": "watch", "token": token})
    return ws_message(event("$default", connection_id, body), None)


@pytest.mark.parametrize(
    "origin, status",
    [("https://site.example.test", 200), ("https://evil.example", 403), (None, 403)],
)
def test_only_the_site_may_connect(tables, origin, status):
    assert ws_connect(event("$connect", origin=origin), None)["statusCode"] == status


def test_watching_a_challenge_answers_its_status_and_registers_the_socket(login):
    challenge = login()

    watch(challenge["token"])

    assert sent("conn-1") == [{"status": "pending"}]
    stored = LoginChallenge.get(hash_token(challenge["token"]))
    assert stored.watchers == ["conn-1"]


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        "[]",
        json.dumps({"action": "other"}),
        json.dumps({"action": "watch", "token": "unknown"}),
        json.dumps({"action": "watch", "token": 5}),
        "x" * 5000,
    ],
)
def test_a_bad_watch_message_gets_an_error_and_registers_nothing(login, body):
    challenge = login()
    ws_message(event("$default", "conn-bad", body), None)
    assert "error" in sent("conn-bad")[0]
    assert LoginChallenge.get(hash_token(challenge["token"])).watchers == []


def test_an_approval_is_pushed_to_every_watcher(login, authy, send_callback):
    challenge = login()
    watch(challenge["token"], "conn-a")
    watch(challenge["token"], "conn-b")

    send_callback(authy.last_uuid(), 1000, "approved")

    assert sent("conn-a")[-1]["status"] == "approved"
    assert sent("conn-b")[-1] == sent("conn-a")[-1]


def test_a_watcher_of_another_challenge_hears_nothing(login, signup, authy, send_callback):
    authy.has_app = False
    other = signup(email="eve@example.com")["challenge"]
    authy.has_app = True
    mine = login()
    watch(other["token"], "conn-other")
    watch(mine["token"], "conn-mine")

    send_callback(authy.last_uuid(), 1000, "denied")

    assert sent("conn-other") == [{"status": "pending"}]
    assert sent("conn-mine")[-1] == {"status": "denied"}


def test_a_closed_socket_costs_nothing_and_is_told_nothing_it_can_hear(
    login, authy, send_callback, dynamodb_calls
):
    challenge = login()
    watch(challenge["token"], "conn-gone")
    dynamodb_calls.clear()
    assert ws_disconnect(event("$disconnect", "conn-gone"), None)["statusCode"] == 200
    assert dynamodb_calls == []
    apigatewaymanagementapi_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].connections.pop("conn-gone")

    assert send_callback(authy.last_uuid(), 1000, "approved").status_code == 200

    assert LoginChallenge.get(hash_token(challenge["token"])).onetouch_status == "approved"


def test_a_late_answer_tells_nobody(login, authy, send_callback, frozen_clock):
    challenge = login()
    watch(challenge["token"], "conn-late")
    frozen_clock.advance(CHALLENGE_SECONDS)

    send_callback(authy.last_uuid(), 1000, "approved")

    assert sent("conn-late") == [{"status": "pending"}]
    assert LoginChallenge.get(hash_token(challenge["token"])).onetouch_status == "pending"


def test_a_challenge_takes_three_watchers_and_no_more(login):
    challenge = login()
    for n in range(MAX_WATCHERS):
        watch(challenge["token"], f"conn-{n}")

    watch(challenge["token"], "conn-extra")

    assert sent("conn-extra") == [{"error": "too_many_watchers"}]
    assert LoginChallenge.get(hash_token(challenge["token"])).watchers == [
        f"conn-{n}" for n in range(MAX_WATCHERS)
    ]


def test_a_superseded_login_is_told_over_its_socket(login, authy):
    older = login()
    watch(older["token"], "conn-older")

    newer = login()

    assert sent("conn-older") == [{"status": "pending"}, {"status": "superseded"}]
    assert newer["method"] == "onetouch"
