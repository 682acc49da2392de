"""The login's WebSocket on the whole local stack: watch a challenge, hear how it ended.

A real socket through devstack's gateway to the app's handlers; pushes go from the
callback handler in ``chalice local`` through the @connections API, as in AWS.
"""

import contextlib
import hashlib
import json

import boto3
import pytest
import requests
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from tests.integration.conftest import TIMEOUT

CHALLENGES_TABLE = "twofold-local-challenges"


@pytest.fixture(scope="module")
def challenges(stack):
    """The challenges table, read and written directly (as an operator could)."""
    dynamodb = boto3.resource(
        "dynamodb",
        endpoint_url=stack.dynamodb_url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    return dynamodb.Table(CHALLENGES_TABLE)


def key_of(challenge):
    return {"token_hash": hashlib.sha256(challenge["token"].encode()).hexdigest()}


def watchers_of(challenges, challenge):
    """The connections kept on the challenge as watching it."""
    return list(challenges.get_item(Key=key_of(challenge), ConsistentRead=True)["Item"]["watchers"])


def open_socket(stack, origin=None):
    return connect(stack.ws_url, origin=origin or stack.site_url, open_timeout=5)


def watch(socket, challenge):
    socket.send(json.dumps({"action": "watch", "token": challenge["token"]}))
    return json.loads(socket.recv(timeout=TIMEOUT))


def push_of(stack, member):
    return stack.emulator.wait_for_request(member.authy_id)["uuid"]


def gateway_stats(stack):
    return requests.get(f"{stack.ws_management_url}/stats", timeout=5).json()


def test_a_watching_socket_hears_the_approval_without_polling(stack, api, member):
    challenge = api.login(member.email)
    with open_socket(stack) as socket:
        assert watch(socket, challenge) == {"status": "pending"}
        stack.emulator.approve(push_of(stack, member))
        news = json.loads(socket.recv(timeout=TIMEOUT))

    # The callback opened the session the login named, and sent the account with it.
    assert news["status"] == "approved" and "token" not in news["session"]
    assert news["account"]["email"] == member.email
    assert api.account({"token": challenge["session_token"]}) == news["account"]


def test_a_denial_is_pushed_too(stack, api, member):
    challenge = api.login(member.email)
    with open_socket(stack) as socket:
        watch(socket, challenge)
        stack.emulator.deny(push_of(stack, member))
        assert json.loads(socket.recv(timeout=TIMEOUT)) == {"status": "denied"}


@pytest.mark.parametrize("origin", ["http://evil.example", "http://127.0.0.1:1"])
def test_only_the_site_may_open_a_socket(stack, origin):
    before = gateway_stats(stack)["rejected"]
    with pytest.raises(InvalidStatus) as refused:
        open_socket(stack, origin=origin)
    assert refused.value.response.status_code == 403
    assert gateway_stats(stack)["rejected"] == before + 1


def test_a_socket_without_an_origin_is_refused(stack):
    with pytest.raises(InvalidStatus) as refused:
        connect(stack.ws_url, open_timeout=5)
    assert refused.value.response.status_code == 403


@pytest.mark.parametrize(
    "message, error",
    [
        ("not json", "malformed_json"),
        (json.dumps({"action": "subscribe"}), "malformed_json"),
        (json.dumps({"action": "watch", "token": "no-such-challenge"}), "challenge_invalid"),
    ],
)
def test_a_bad_message_is_answered_with_an_error(stack, message, error):
    with open_socket(stack) as socket:
        socket.send(message)
        assert json.loads(socket.recv(timeout=TIMEOUT)) == {"error": error}


def test_a_closed_socket_leaves_its_id_and_the_login_still_ends(stack, api, member, challenges):
    """$disconnect writes nothing; the approval's post to the closed socket meets 410."""
    challenge = api.login(member.email)
    with open_socket(stack) as socket:
        watch(socket, challenge)
        (closed,) = watchers_of(challenges, challenge)
    gone_before = gateway_stats(stack)["gone"]

    stack.emulator.approve(push_of(stack, member))

    status = stack.emulator.wait_for(
        lambda: (body := api.status(challenge))["status"] == "approved" and body,
        timeout=TIMEOUT,
        message="the approval, by a poll",
    )
    assert status["session"]["token"]
    assert watchers_of(challenges, challenge) == [closed]
    assert gateway_stats(stack)["gone"] > gone_before


def test_a_connection_that_vanished_does_not_stop_the_live_one_hearing(
    stack, api, member, challenges
):
    """No $disconnect (API Gateway only tries): the post to it meets 410, the rest go on."""
    challenge = api.login(member.email)
    with open_socket(stack) as socket:
        watch(socket, challenge)
        challenges.update_item(
            Key=key_of(challenge),
            UpdateExpression="SET watchers = list_append(:gone, watchers)",
            ExpressionAttributeValues={":gone": ["VaNiShEd0000000="]},
        )
        gone_before = gateway_stats(stack)["gone"]

        stack.emulator.approve(push_of(stack, member))

        assert json.loads(socket.recv(timeout=TIMEOUT))["status"] == "approved"
    assert gateway_stats(stack)["gone"] > gone_before


def test_slow_sockets_never_keep_authy_waiting_on_the_callback(stack, api, member):
    """Three sockets (the most a challenge takes) that each answer 5 s late: the callback
    still answers Authy within 2 s, since the sockets are told in parallel, briefly."""
    challenge = api.login(member.email)
    answered = len(stack.emulator.callback_state()["deliveries"])
    with contextlib.ExitStack() as sockets:
        for _ in range(3):
            assert watch(sockets.enter_context(open_socket(stack)), challenge) == {
                "status": "pending"
            }
        faults = f"{stack.ws_management_url}/faults"
        sockets.callback(requests.put, faults, json={"post_delay": 0}, timeout=5)
        requests.put(faults, json={"post_delay": 5}, timeout=5)
        stack.emulator.approve(push_of(stack, member))
        stack.emulator.wait_for(
            lambda: len(stack.emulator.callback_state()["deliveries"]) > answered,
            timeout=TIMEOUT,
            message="the approval's callback to be answered",
        )
    (delivery,) = stack.emulator.callback_state()["deliveries"][answered:]
    assert delivery["ok"] and delivery["seconds"] < 2.0, delivery
