"""The Authy API routes answer with the statuses and bodies of docs/authy-api.md."""

from urllib.parse import urlencode

import pytest

from devstack.emulator import create_app, totp
from tests.emulator.conftest import API_KEY, AuthyClient

USERS_NEW = "/protected/json/users/new"

ALL_ROUTES = [
    ("POST", USERS_NEW),
    ("GET", "/protected/json/users/1/status"),
    ("POST", "/protected/json/users/1/remove"),
    ("GET", "/protected/json/sms/1"),
    ("GET", "/protected/json/call/1"),
    ("GET", "/protected/json/verify/1234567/1"),
    ("POST", "/onetouch/json/users/1/approval_requests"),
    ("GET", "/onetouch/json/approval_requests/some-uuid"),
]


def user_body(**fields):
    user = {"email": "ada@example.com", "cellphone": "555-123-4502", "country_code": 1}
    return {"user": {**user, **fields}}


# API key


@pytest.mark.parametrize("method, path", ALL_ROUTES)
@pytest.mark.parametrize("key", [None, "", "wrong-key", "TEST-EMULATOR-KEY"])
def test_every_route_needs_the_api_key(client, method, path, key):
    headers = {} if key is None else {"X-Authy-API-Key": key}
    response = client.open(path, method=method, headers=headers)
    assert response.status_code == 401
    assert response.get_json() == {
        "message": "Invalid API key",
        "success": False,
        "errors": {"message": "Invalid API key"},
        "error_code": "60001",
    }


def test_unknown_path_answers_in_authys_shape(authy):
    response = authy.get("/protected/json/nothing/here")
    assert response.status_code == 404
    assert response.get_json()["success"] is False


# users/new


def test_new_user_answers_with_an_id(authy):
    response = authy.post(USERS_NEW, json=user_body())
    assert response.status_code == 200
    body = response.get_json()
    assert body == {
        "message": "User created successfully.",
        "user": {"id": body["user"]["id"]},
        "success": True,
    }
    assert isinstance(body["user"]["id"], int)


def test_new_user_accepts_form_encoding(authy, client):
    form = {
        "user[email]": "form@example.com",
        "user[cellphone]": "5551234567",
        "user[country_code]": "44",
        "send_install_link_via_sms": "false",
    }
    response = authy.post(USERS_NEW, data=form)
    assert response.status_code == 200
    [user] = client.get("/emulator/users").get_json()["users"]
    assert (user["email"], user["cellphone"], user["country_code"]) == (
        "form@example.com",
        "5551234567",
        44,
    )


def test_new_user_accepts_flat_bracketed_json_keys(authy):
    body = {"user[email]": "flat@example.com", "user[cellphone]": "5551234567"}
    response = authy.post(USERS_NEW, json={**body, "user[country_code]": 57})
    assert response.status_code == 200


def test_same_email_and_phone_get_the_same_id(authy):
    first = authy.post(USERS_NEW, json=user_body()).get_json()["user"]["id"]
    again = authy.post(USERS_NEW, json=user_body(email="ADA@example.com")).get_json()
    assert again["user"]["id"] == first
    other = authy.post(USERS_NEW, json=user_body(email="bob@example.com")).get_json()
    assert other["user"]["id"] != first


@pytest.mark.parametrize(
    "fields, invalid",
    [
        ({"email": "not-an-email"}, {"email"}),
        ({"email": ""}, {"email"}),
        ({"email": "a@b"}, {"email"}),
        ({"cellphone": "555-12a-4502"}, {"cellphone"}),
        ({"cellphone": "+1 555 123 4502"}, {"cellphone"}),
        ({"cellphone": "12345"}, {"cellphone"}),
        ({"cellphone": "123456789012345"}, {"cellphone"}),
        ({"cellphone": "-5551234567"}, {"cellphone"}),
        ({"country_code": "one"}, {"country_code"}),
        ({"country_code": "+1"}, {"country_code"}),
        ({"country_code": 0}, {"country_code"}),
        ({"email": "x", "cellphone": "x"}, {"email", "cellphone"}),
    ],
)
def test_invalid_users_are_refused_with_field_errors(authy, fields, invalid):
    response = authy.post(USERS_NEW, json=user_body(**fields))
    assert response.status_code == 400
    body = response.get_json()
    assert body["message"] == "User was not valid"
    assert body["success"] is False
    assert body["error_code"] == "60027"
    expected = {"message": "User was not valid", **dict.fromkeys(invalid, "is invalid")}
    assert body["errors"] == expected


def test_missing_user_params_are_invalid(authy):
    response = authy.post(USERS_NEW, json={})
    assert response.status_code == 400
    assert set(response.get_json()["errors"]) == {"message", "email", "cellphone", "country_code"}


@pytest.mark.parametrize("body", ["{not json", "[1, 2]"])
def test_a_broken_json_body_is_a_bad_request(authy, body):
    response = authy.post(USERS_NEW, data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["error_code"] == "60002"


# status and remove


def test_status_of_an_app_user(authy, app_user):
    response = authy.get(f"/protected/json/users/{app_user}/status")
    assert response.status_code == 200
    assert response.get_json() == {
        "status": {
            "authy_id": app_user,
            "confirmed": True,
            "registered": True,
            "country_code": 1,
            "phone_number": "XXX-XXX-4502",
            "devices": ["iphone"],
        },
        "message": "User status.",
        "success": True,
    }


def test_status_of_a_user_without_the_app(authy, sms_user):
    status = authy.get(f"/protected/json/users/{sms_user}/status").get_json()["status"]
    assert (status["registered"], status["devices"]) == (False, [])


def test_new_users_follow_the_app_installed_default():
    authy = AuthyClient(create_app(API_KEY, app_installed_default=False).test_client())
    authy_id = authy.new_user()
    assert authy.get(f"/protected/json/users/{authy_id}/status").get_json()["status"] == {
        "authy_id": authy_id,
        "confirmed": True,
        "registered": False,
        "country_code": 1,
        "phone_number": "XXX-XXX-4502",
        "devices": [],
    }


@pytest.mark.parametrize("authy_id", ["99999999", "abc", "-1"])
def test_unknown_users_are_not_found(authy, authy_id):
    for response in (
        authy.get(f"/protected/json/users/{authy_id}/status"),
        authy.post(f"/protected/json/users/{authy_id}/remove"),
        authy.get(f"/protected/json/sms/{authy_id}"),
        authy.get(f"/protected/json/call/{authy_id}"),
        authy.get(f"/protected/json/verify/1234567/{authy_id}"),
        authy.post(f"/onetouch/json/users/{authy_id}/approval_requests", json={"message": "hi"}),
    ):
        assert response.status_code == 404
        assert response.get_json() == {
            "message": "User not found.",
            "success": False,
            "errors": {"message": "User not found."},
            "error_code": "60026",
        }


def test_remove_forgets_the_user_until_registered_again(authy, app_user):
    response = authy.post(f"/protected/json/users/{app_user}/remove")
    assert response.status_code == 200
    assert response.get_json() == {"message": "User was added to remove.", "success": True}
    assert authy.get(f"/protected/json/users/{app_user}/status").status_code == 404
    assert authy.new_user() == app_user


# sms and call


@pytest.mark.parametrize(
    "via, message",
    [
        (
            "sms",
            "Ignored: SMS is not needed for smartphones. "
            "Pass force=true if you want to actually send it anyway.",
        ),
        (
            "call",
            "Ignored: Call is not needed for smartphones. "
            "Pass force=true if you want to actually call anyway.",
        ),
    ],
)
def test_app_users_get_no_code_without_force(authy, client, app_user, via, message):
    response = authy.get(f"/protected/json/{via}/{app_user}")
    assert response.status_code == 200
    assert response.get_json() == {
        "message": message,
        "cellphone": "+1-XXX-XXX-XX02",
        "device": "iphone",
        "ignored": True,
        "success": True,
    }
    assert client.get("/emulator/messages").get_json()["messages"] == []


@pytest.mark.parametrize(
    "via, message", [("sms", "SMS token was sent"), ("call", "Call started...")]
)
@pytest.mark.parametrize("force", ["?force=true", "?force=True&locale=es"])
def test_force_sends_a_code_to_app_users(authy, client, clock, app_user, via, message, force):
    response = authy.get(f"/protected/json/{via}/{app_user}{force}")
    assert response.status_code == 200
    assert response.get_json() == {
        "success": True,
        "message": message,
        "cellphone": "+1-XXX-XXX-XX02",
    }
    [sent] = client.get("/emulator/messages").get_json()["messages"]
    assert sent["via"] == via
    assert sent["authy_id"] == app_user
    assert sent["cellphone"] == "+1-XXX-XXX-XX02"
    assert sent["at"] == clock.now
    assert len(sent["code"]) == 7 and sent["code"].isdigit()


def test_users_without_the_app_get_a_text(authy, client, sms_user):
    response = authy.get(f"/protected/json/sms/{sms_user}")
    assert response.get_json() == {
        "success": True,
        "message": "SMS token was sent",
        "cellphone": "+1-XXX-XXX-XX11",
    }
    assert len(client.get(f"/emulator/messages?authy_id={sms_user}").get_json()["messages"]) == 1


# verify


def latest_code(client, authy_id):
    return client.get(f"/emulator/messages?authy_id={authy_id}").get_json()["messages"][-1]["code"]


def verify(authy, token, authy_id):
    return authy.get(f"/protected/json/verify/{token}/{authy_id}")


VALID = {"message": "Token is valid.", "token": "is valid", "success": "true"}
INVALID = {
    "message": "Token is invalid",
    "token": "is invalid",
    "success": False,
    "errors": {"message": "Token is invalid"},
    "error_code": "60020",
}


def test_the_texted_code_verifies(authy, client, sms_user):
    authy.get(f"/protected/json/sms/{sms_user}")
    response = verify(authy, latest_code(client, sms_user), sms_user)
    assert response.status_code == 200
    assert response.get_json() == VALID


def test_a_wrong_code_is_invalid(authy, client, sms_user):
    authy.get(f"/protected/json/sms/{sms_user}")
    wrong = f"{(int(latest_code(client, sms_user)) + 1) % 10**7:07d}"
    response = verify(authy, wrong, sms_user)
    assert response.status_code == 401
    assert response.get_json() == INVALID


def test_a_code_verifies_again_within_its_life(authy, client, sms_user):
    """Authy does not spend codes; the application must refuse replays itself."""
    authy.get(f"/protected/json/sms/{sms_user}")
    code = latest_code(client, sms_user)
    assert verify(authy, code, sms_user).status_code == 200
    assert verify(authy, code, sms_user).status_code == 200


def test_a_code_dies_after_ten_minutes(authy, client, clock, sms_user):
    authy.get(f"/protected/json/call/{sms_user}")
    code = latest_code(client, sms_user)
    clock.advance(599)
    assert verify(authy, code, sms_user).status_code == 200
    clock.advance(1)
    assert verify(authy, code, sms_user).get_json() == INVALID


def test_only_the_latest_code_counts(authy, client, sms_user):
    authy.get(f"/protected/json/sms/{sms_user}")
    first = latest_code(client, sms_user)
    authy.get(f"/protected/json/sms/{sms_user}")
    second = latest_code(client, sms_user)
    if first != second:
        assert verify(authy, first, sms_user).status_code == 401
    assert verify(authy, second, sms_user).status_code == 200


@pytest.mark.parametrize(
    "token", ["12345", "12345678901", "123456a", "abcdefg", "123 4567", "-123456"]
)
def test_malformed_tokens_are_bad_requests(authy, app_user, token):
    response = verify(authy, token, app_user)
    assert response.status_code == 400
    assert response.get_json() == {
        "message": "Invalid parameter: token",
        "success": False,
        "errors": {"message": "Invalid parameter: token"},
        "error_code": "60004",
    }


def app_secret(emulator, authy_id):
    return emulator.state.users[authy_id].totp_secret


def test_the_app_code_verifies_for_this_step_and_the_previous_one(authy, emulator, clock, app_user):
    secret = app_secret(emulator, app_user)
    code = totp.code_at(secret, clock.now)
    assert verify(authy, code, app_user).get_json() == VALID
    clock.advance(totp.STEP_SECONDS)
    assert verify(authy, code, app_user).status_code == 200
    clock.advance(totp.STEP_SECONDS)
    if code not in totp.accepted_codes(secret, clock.now):
        assert verify(authy, code, app_user).status_code == 401


def test_the_app_code_of_the_control_api_verifies(authy, client, app_user):
    code = client.get(f"/emulator/users/{app_user}/totp").get_json()["code"]
    assert verify(authy, code, app_user).status_code == 200


def test_no_app_code_without_the_app(authy, emulator, clock, sms_user):
    code = totp.code_at(app_secret(emulator, sms_user), clock.now)
    assert verify(authy, code, sms_user).status_code == 401


# OneTouch


def create(authy, authy_id, **kwargs):
    return authy.post(f"/onetouch/json/users/{authy_id}/approval_requests", **kwargs)


def test_create_answers_with_a_uuid(authy, client, app_user):
    body = {
        "message": "Log in to Twofold?",
        "details": {"Email": "ada@example.com", "Request code": "K7P-2QX"},
        "hidden_details": {"challenge": "abc"},
        "logos": [{"res": "default", "url": "https://example.com/logo.png"}],
        "seconds_to_expire": 120,
    }
    response = create(authy, app_user, json=body)
    assert response.status_code == 200
    created = response.get_json()
    request_uuid = created["approval_request"]["uuid"]
    assert created == {"approval_request": {"uuid": request_uuid}, "success": True}
    [stored] = client.get("/emulator/approval_requests").get_json()["approval_requests"]
    assert stored["uuid"] == created["approval_request"]["uuid"]
    assert {key: stored[key] for key in body} == body


def test_create_accepts_rails_form_encoding(authy, client, app_user):
    form = [
        ("message", "Log in?"),
        ("details[Email]", "ada@example.com"),
        ("hidden_details[challenge]", "abc"),
        ("logos[][res]", "default"),
        ("logos[][url]", "https://example.com/a.png"),
        ("logos[][res]", "low"),
        ("logos[][url]", "https://example.com/b.png"),
        ("seconds_to_expire", "300"),
    ]
    response = create(
        authy, app_user, data=urlencode(form), content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    [stored] = client.get("/emulator/approval_requests").get_json()["approval_requests"]
    assert stored["details"] == {"Email": "ada@example.com"}
    assert stored["hidden_details"] == {"challenge": "abc"}
    assert stored["logos"] == [
        {"res": "default", "url": "https://example.com/a.png"},
        {"res": "low", "url": "https://example.com/b.png"},
    ]
    assert stored["seconds_to_expire"] == 300


def test_seconds_to_expire_defaults_to_a_day(authy, client, app_user):
    create(authy, app_user, json={"message": "Log in?"})
    [stored] = client.get("/emulator/approval_requests").get_json()["approval_requests"]
    assert stored["seconds_to_expire"] == 86400


@pytest.mark.parametrize(
    "body, name",
    [
        ({}, "message"),
        ({"message": ""}, "message"),
        ({"message": "   "}, "message"),
        ({"message": "x" * 201}, "message"),
        ({"message": 42}, "message"),
        ({"message": "ok", "details": "Email"}, "details"),
        ({"message": "ok", "details": {"Nested": {"a": "b"}}}, "details"),
        ({"message": "ok", "hidden_details": ["a"]}, "hidden_details"),
        ({"message": "ok", "logos": {"res": "default"}}, "logos"),
        ({"message": "ok", "logos": [{"res": "huge", "url": "https://e.com/a.png"}]}, "logos"),
        ({"message": "ok", "logos": [{"res": "default", "url": "javascript:alert(1)"}]}, "logos"),
        ({"message": "ok", "logos": [{"res": "default"}]}, "logos"),
        ({"message": "ok", "seconds_to_expire": -1}, "seconds_to_expire"),
        ({"message": "ok", "seconds_to_expire": "soon"}, "seconds_to_expire"),
        ({"message": "ok", "seconds_to_expire": True}, "seconds_to_expire"),
    ],
)
def test_create_refuses_bad_parameters(authy, app_user, body, name):
    response = create(authy, app_user, json=body)
    assert response.status_code == 400
    assert response.get_json() == {
        "message": f"Invalid parameter: {name}",
        "success": False,
        "errors": {"message": f"Invalid parameter: {name}"},
        "error_code": "60004",
    }


def test_a_message_of_200_characters_is_fine(authy, app_user):
    assert create(authy, app_user, json={"message": "x" * 200}).status_code == 200


def status_of(authy, request_uuid):
    return authy.get(f"/onetouch/json/approval_requests/{request_uuid}")


def test_status_of_a_pending_request(authy, app_user):
    request_uuid = authy.approval_request(app_user, hidden_details={"challenge": "abc"})
    response = status_of(authy, request_uuid)
    assert response.status_code == 200
    body = response.get_json()
    assert body["success"] is True
    request = body["approval_request"]
    assert request["uuid"] == request_uuid
    assert request["status"] == "pending"
    assert request["_authy_id"] == app_user
    assert request["_user_email"] == "ada@example.com"
    assert request["seconds_to_expire"] == 120
    assert request["created_at"] == "2023-11-14T22:13:20Z"
    assert request["updated_at"] == request["created_at"]
    assert request["processed_at"] is None
    assert request["hidden_details"] == {"challenge": "abc"}
    assert "device" not in request


@pytest.mark.parametrize("action, status", [("approve", "approved"), ("deny", "denied")])
def test_status_after_the_phone_answers(authy, client, clock, app_user, action, status):
    request_uuid = authy.approval_request(app_user)
    clock.advance(7)
    client.post(f"/emulator/approval_requests/{request_uuid}/{action}")
    request = status_of(authy, request_uuid).get_json()["approval_request"]
    assert request["status"] == status
    assert request["processed_at"] == request["updated_at"] == "2023-11-14T22:13:27Z"
    assert request["device"]["os_type"] == "ios"


def test_a_request_expires_on_the_clock(authy, clock, app_user):
    request_uuid = authy.approval_request(app_user, seconds_to_expire=120)
    clock.advance(119.9)
    assert status_of(authy, request_uuid).get_json()["approval_request"]["status"] == "pending"
    clock.advance(0.1)
    request = status_of(authy, request_uuid).get_json()["approval_request"]
    assert request["status"] == "expired"
    assert request["updated_at"] == "2023-11-14T22:15:20Z"
    assert request["processed_at"] is None


def test_zero_seconds_to_expire_never_expires(authy, clock, app_user):
    request_uuid = authy.approval_request(app_user, seconds_to_expire=0)
    clock.advance(10 * 86400)
    assert status_of(authy, request_uuid).get_json()["approval_request"]["status"] == "pending"


def test_an_unknown_request_is_not_found(authy):
    response = status_of(authy, "4a725520-bff5-0135-eb01-0e5d90336a8c")
    assert response.status_code == 404
    assert response.get_json() == {
        "message": "Approval request not found.",
        "success": False,
        "errors": {"message": "Approval request not found."},
        "error_code": "60000",
    }


def test_a_request_to_a_user_without_the_app_is_created_anyway(authy, sms_user):
    """Authy accepts it; the phone never shows it, so it can only expire."""
    assert create(authy, sms_user, json={"message": "Log in?"}).status_code == 200
