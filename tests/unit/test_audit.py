"""The audit log and GET /account/activity; the request log never holds a secret."""

import logging

from tests.unit.conftest import SIGNUP, body
from tests.unit.fake_authy import RIGHT_CODE


def test_activity_lists_what_happened_newest_first(api, user, login, authy, send_callback):
    api.post("/login", {"email": SIGNUP["email"], "password": "not the password"})
    login()
    send_callback(authy.last_uuid(), 1000, "denied")
    challenge = login()
    api.post("/login/verify", {"token": "7654321"}, token=challenge["token"])
    session = body(api.post("/login/verify", {"token": RIGHT_CODE}, token=challenge["token"]))

    response = api.get("/account/activity", token=session["session"]["token"])

    assert response.status_code == 200
    events = body(response)["events"]
    kinds = [event["event"] for event in events]
    assert kinds[:6] == [
        "login_succeeded",
        "code_failed",
        "code_sent",
        "push_denied",
        "push_sent",
        "login_failed",
    ]
    assert events[0]["method"] == "code" and events[0]["browser"] == "Chrome on Linux"
    assert events[0]["ip"] == "127.0.0.1" and events[0]["at"].endswith("Z")


def test_activity_needs_a_session(api, login):
    assert api.get("/account/activity", token=login()["token"]).status_code == 401


def test_logout_is_recorded(api, login):
    challenge = login()
    token = body(api.post("/login/verify", {"token": RIGHT_CODE}, token=challenge["token"]))[
        "session"
    ]["token"]
    api.post("/logout", token=token)
    from chalicelib.audit import latest

    assert latest("ada@example.com")[0]["event"] == "logout"


def test_one_json_line_per_request_and_no_secret_in_any_log(api, authy, send_callback, caplog):
    caplog.set_level(logging.INFO)  # what the Lambda runs at; libraries at DEBUG log URLs
    authy.has_app = False
    signup = body(api.post("/signup", SIGNUP))["challenge"]
    authy.has_app = True
    api.post("/login/verify", {"token": "7654321"}, token=signup["token"])
    session = body(api.post("/login/verify", {"token": RIGHT_CODE}, token=signup["token"]))[
        "session"
    ]
    challenge = body(
        api.post("/login", {"email": SIGNUP["email"], "password": SIGNUP["password"]})
    )["challenge"]
    send_callback(authy.last_uuid(), 1000)
    api.get("/login/status", token=challenge["token"])
    api.get("/account", token=session["token"])

    text = caplog.text
    secrets = [
        SIGNUP["password"],
        RIGHT_CODE,
        "7654321",
        signup["token"],
        challenge["token"],
        session["token"],
        "unit-test-api-key",
    ]
    assert [secret for secret in secrets if secret in text] == []
    lines = [r.getMessage() for r in caplog.records if r.name == "twofold.request"]
    assert len(lines) == 7
    assert '"route": "/login/verify"' in lines[1] and '"status": 401' in lines[1]
    assert '"challenge_id": "' in lines[1] and '"latency_ms"' in lines[1]
    assert '"outcome": "approved"' in lines[4]
