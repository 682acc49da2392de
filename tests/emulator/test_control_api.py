"""The control API under /emulator/: read the state, play the phone, reset."""

import pytest

from devstack.emulator import totp


def test_users_are_listed(client, app_user, sms_user, clock):
    users = client.get("/emulator/users").get_json()["users"]
    assert users == [
        {
            "authy_id": app_user,
            "email": "ada@example.com",
            "country_code": 1,
            "cellphone": "5551234502",
            "masked_phone": "+1-XXX-XXX-XX02",
            "app_installed": True,
            "devices": ["iphone"],
            "created_at": clock.now,
        },
        {
            "authy_id": sms_user,
            "email": "grace@example.com",
            "country_code": 1,
            "cellphone": "5559876511",
            "masked_phone": "+1-XXX-XXX-XX11",
            "app_installed": False,
            "devices": [],
            "created_at": clock.now,
        },
    ]


def test_removed_users_are_not_listed(authy, client, app_user):
    authy.post(f"/protected/json/users/{app_user}/remove")
    assert client.get("/emulator/users").get_json()["users"] == []


def test_messages_filter_by_user(authy, client, app_user, sms_user):
    authy.get(f"/protected/json/sms/{sms_user}")
    authy.get(f"/protected/json/call/{app_user}?force=true")
    everything = client.get("/emulator/messages").get_json()["messages"]
    assert [(m["id"], m["authy_id"], m["via"]) for m in everything] == [
        (1, sms_user, "sms"),
        (2, app_user, "call"),
    ]
    mine = client.get(f"/emulator/messages?authy_id={app_user}").get_json()["messages"]
    assert [m["id"] for m in mine] == [2]


@pytest.mark.parametrize("query", ["authy_id=abc", "authy_id=-1"])
def test_a_bad_authy_id_filter_is_refused(client, query):
    assert client.get(f"/emulator/messages?{query}").status_code == 400
    assert client.get(f"/emulator/approval_requests?{query}").status_code == 400


def test_approval_requests_filter_by_user_and_status(authy, client, clock, app_user, sms_user):
    first = authy.approval_request(app_user, seconds_to_expire=60)
    second = authy.approval_request(app_user)
    other = authy.approval_request(sms_user)
    client.post(f"/emulator/approval_requests/{second}/approve")
    clock.advance(60)

    def uuids(query):
        found = client.get(f"/emulator/approval_requests?{query}").get_json()["approval_requests"]
        return [request["uuid"] for request in found]

    assert uuids("") == [first, second, other]
    assert uuids(f"authy_id={app_user}") == [first, second]
    assert uuids("status=expired") == [first]
    assert uuids("status=approved") == [second]
    assert uuids(f"status=pending&authy_id={sms_user}") == [other]
    assert client.get("/emulator/approval_requests?status=maybe").status_code == 400


def test_a_request_view_counts_down(authy, client, clock, app_user):
    request_uuid = authy.approval_request(app_user, seconds_to_expire=120)
    clock.advance(20.5)
    [view] = client.get("/emulator/approval_requests").get_json()["approval_requests"]
    assert view["uuid"] == request_uuid
    assert (view["status"], view["seconds_left"], view["expires_at"]) == (
        "pending",
        99,
        clock.now - 20.5 + 120,
    )


@pytest.mark.parametrize(
    "action, status", [("approve", "approved"), ("deny", "denied"), ("expire", "expired")]
)
def test_answering_a_request(authy, client, app_user, action, status):
    request_uuid = authy.approval_request(app_user)
    response = client.post(f"/emulator/approval_requests/{request_uuid}/{action}")
    assert response.status_code == 200
    assert response.get_json()["approval_request"]["status"] == status
    again = client.post(f"/emulator/approval_requests/{request_uuid}/approve")
    assert again.status_code == 409
    assert again.get_json() == {"error": f"the approval request is {status}, not pending"}


def test_answering_an_unknown_request_or_with_a_bad_action(authy, client, app_user):
    assert client.post("/emulator/approval_requests/nope/approve").status_code == 404
    request_uuid = authy.approval_request(app_user)
    assert client.post(f"/emulator/approval_requests/{request_uuid}/maybe").status_code == 404


def test_an_expired_request_cannot_be_approved(authy, client, clock, app_user):
    request_uuid = authy.approval_request(app_user, seconds_to_expire=30)
    clock.advance(30)
    assert client.post(f"/emulator/approval_requests/{request_uuid}/approve").status_code == 409


def test_the_app_can_be_uninstalled_and_installed(authy, client, app_user):
    response = client.post(f"/emulator/users/{app_user}/app", json={"installed": False})
    assert response.status_code == 200
    assert response.get_json()["user"]["app_installed"] is False
    status = authy.get(f"/protected/json/users/{app_user}/status").get_json()["status"]
    assert status["registered"] is False
    client.post(f"/emulator/users/{app_user}/app", json={"installed": True})
    status = authy.get(f"/protected/json/users/{app_user}/status").get_json()["status"]
    assert status["registered"] is True


@pytest.mark.parametrize("body", [{"installed": "yes"}, {}, None, [True]])
def test_setting_the_app_needs_a_boolean(client, app_user, body):
    response = client.post(f"/emulator/users/{app_user}/app", json=body)
    assert response.status_code == 400


def test_setting_the_app_of_an_unknown_user(client):
    response = client.post("/emulator/users/424242/app", json={"installed": True})
    assert response.status_code == 404


def test_the_app_code(client, emulator, clock, app_user):
    clock.advance(10)
    response = client.get(f"/emulator/users/{app_user}/totp")
    assert response.status_code == 200
    secret = emulator.state.users[app_user].totp_secret
    assert response.get_json() == {
        "code": totp.code_at(secret, clock.now),
        "seconds_left": totp.seconds_left(clock.now),
    }


def test_no_app_code_without_the_app(client, sms_user):
    assert client.get(f"/emulator/users/{sms_user}/totp").status_code == 409
    assert client.get("/emulator/users/424242/totp").status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {"enabled": True, "url": ""},
        {"enabled": True},
        {"url": "ftp://example.com/cb"},
        {"url": "http://127.0.0.1:9/cb?x=1"},
        {"method": "PUT"},
        {"enabled": "yes"},
        {"url": 42},
    ],
)
def test_nonsense_callback_settings_are_refused(client, body):
    response = client.post("/emulator/callback", json=body)
    assert response.status_code == 400
    assert client.get("/emulator/callback").get_json()["enabled"] is False


def test_callback_settings_can_be_changed(client):
    url = "http://127.0.0.1:9/cb"
    response = client.post(
        "/emulator/callback", json={"enabled": True, "url": url, "method": "GET"}
    )
    assert response.status_code == 200
    state = response.get_json()
    assert (state["enabled"], state["url"], state["method"]) == (True, url, "GET")


def test_reset_forgets_everything(authy, client, app_user):
    authy.get(f"/protected/json/sms/{app_user}?force=true")
    authy.approval_request(app_user)
    client.post("/emulator/faults", json={"endpoint": "sms", "status": 503})
    client.post("/emulator/callback", json={"enabled": True, "url": "http://127.0.0.1:9/cb"})
    assert client.post("/emulator/reset").get_json() == {"reset": True}
    assert client.get("/emulator/users").get_json() == {"users": []}
    assert client.get("/emulator/messages").get_json() == {"messages": []}
    assert client.get("/emulator/approval_requests").get_json() == {"approval_requests": []}
    assert client.get("/emulator/faults").get_json() == {"faults": []}
    assert client.get("/emulator/callback").get_json()["enabled"] is False
    assert set(client.get("/emulator/stats").get_json()["calls"].values()) == {0}
    assert authy.get(f"/protected/json/users/{app_user}/status").status_code == 404


def test_unknown_control_paths_answer_json(client):
    response = client.get("/emulator/nothing")
    assert response.status_code == 404
    assert "error" in response.get_json()
