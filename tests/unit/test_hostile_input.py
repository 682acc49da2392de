"""Every route against hostile input: a 4xx JSON error naming the field, nothing written."""

import json

import pytest

from chalicelib.models import MODELS
from tests.unit.conftest import SIGNUP, body

LOGIN = {"email": SIGNUP["email"], "password": SIGNUP["password"]}
CREDENTIAL = {"id": "AAAA", "rawId": "AAAA", "type": "public-key", "response": {}}
PASSKEY = {"ceremony": "c" * 43, "credential": CREDENTIAL}
ROUTES = {
    "/signup": SIGNUP,
    "/login": LOGIN,
    "/login/token": {"via": "sms"},
    "/login/verify": {"token": "1234567"},
    "/email/prove": {"token": "A" * 43},
    "/email/release": {"token": "A" * 43},
    "/password/forgot": {"email": SIGNUP["email"]},
    "/password/reset": {"token": "A" * 43, "new_password": "a new password"},
    "/login/passkey": PASSKEY,
    "/account/passkeys": {**PASSKEY, "name": "Work laptop"},
}
HOSTILE_TOKENS = (
    None,
    7,
    [],
    {},
    "x" * 200,
    "A" * 42 + "\x00",
    "A" * 42 + "=",
    "../" * 15,
    "é" * 43,
)
NOT_CREDENTIALS = (
    None,
    "AAAA",
    12,
    [],
    {},
    [CREDENTIAL],
    {**CREDENTIAL, "id": 5},
    {**CREDENTIAL, "id": "not base64url!"},
    {**CREDENTIAL, "id": "A" * 1401},
    {**CREDENTIAL, "id": "AAAA\n"},
    {**CREDENTIAL, "response": "x"},
    {"id": "AAAA"},
)
FIELD_CASES = [
    # (route, field, hostile value)
    *[
        ("/signup", field, value)
        for field in ("name", "email", "password", "phone")
        for value in (None, 12, 1.5, True, [], {}, "x" * 5000, "a\x00b" * 4, "a\x07b\x1bc" * 3)
    ],
    *[("/signup", "country_code", value) for value in ("", "1e3", -1, 0, 1000, [1], {"a": 1}, 1.5)],
    ("/signup", "name", "lone \ud800 surrogate"),
    ("/signup", "email", "ada\u202e@example.com"),
    ("/signup", "email", "ada @example.com"),
    ("/signup", "password", "p" * 10_000),
    ("/signup", "password", "short"),
    *[
        ("/login", field, value)
        for field in ("email", "password")
        for value in (None, 7, [], "x" * 300, "\x00" * 9)
    ],
    *[("/login/token", "via", value) for value in (None, "SMS", "email", 1, ["sms"], "sms\x00")],
    *[
        (path, "ceremony", value)
        for path in ("/login/passkey", "/account/passkeys")
        for value in (None, 12, [], {}, "x" * 300, "a\x00b")
    ],
    *[
        (path, "credential", value)
        for path in ("/login/passkey", "/account/passkeys")
        for value in NOT_CREDENTIALS
    ],
    *[("/account/passkeys", "name", value) for value in (12, [], "x" * 65, "a\x00b", "\x1b[2J")],
    *[
        ("/login/verify", "token", value)
        for value in (
            None,
            1234567,
            "12345",
            "12345678901",
            "123456a",
            "١٢٣٤٥٦٧",
            "12 34 56 78 90 12",
            "x" * 100,
            ["1234567"],
            "1234567\x00",
        )
    ],
    *[
        (path, "token", value)
        for path in ("/email/prove", "/email/release", "/password/reset")
        for value in HOSTILE_TOKENS
    ],
    *[("/password/forgot", "email", value) for value in (None, 7, [], "x" * 300, "a@b", "\x00")],
    *[
        ("/password/reset", "new_password", value)
        for value in (None, 12345678, [], "short", "p" * 129, "pass\x00word")
    ],
]


def all_items():
    return sum(len(list(model.scan())) for model in MODELS)


@pytest.fixture
def challenge_token(request, path):
    """A live challenge for the routes that need one (made only for them: hashing is slow)."""
    if path.startswith("/login/"):
        return request.getfixturevalue("login")()["token"]
    request.getfixturevalue("tables")
    return None


@pytest.mark.parametrize("path, field, value", FIELD_CASES)
def test_a_hostile_field_is_a_400_naming_it_and_writes_nothing(
    api, challenge_token, path, field, value
):
    before = all_items()
    response = api.post(path, {**ROUTES[path], field: value}, token=challenge_token)

    assert response.status_code == 400, response.body
    assert field in body(response)["error"]["fields"]
    assert all_items() == before


@pytest.mark.parametrize("path", ROUTES)
def test_unknown_extra_fields_are_ignored(api, challenge_token, path):
    extra = {"status": "approved", "used": True, "authy_id": 1, "session": "x", "__proto__": {}}
    response = api.post(path, {**ROUTES[path], **extra}, token=challenge_token)
    assert response.status_code < 500


@pytest.mark.parametrize("path", ROUTES)
@pytest.mark.parametrize(
    "raw, status",
    [
        ("{", 400),
        ("[]", 400),
        ("1", 400),
        ('"x"', 400),
        ("", 400),
        ("{}", 400),
        (json.dumps({"pad": "x" * 17_000}), 413),
        ('{"a":' * 2000 + "1" + "}" * 2000, 400),
    ],
)
def test_broken_bodies_are_4xx_json_and_write_nothing(api, challenge_token, path, raw, status):
    before = all_items()
    response = api.request("POST", path, raw=raw, token=challenge_token)
    assert response.status_code == status
    assert body(response)["error"]["code"]
    assert all_items() == before


@pytest.mark.parametrize("path", ROUTES)
@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"],
)
def test_a_body_that_is_not_json_by_type_is_415(api, path, content_type):
    response = api.request("POST", path, raw="a=b", headers={"Content-Type": content_type})
    assert response.status_code == 415
    assert body(response)["error"]["code"] == "unsupported_media_type"


def test_odd_but_valid_unicode_is_kept(api, authy):
    data = {**SIGNUP, "name": "Zoë 李 \u200c😀", "password": "ｐａｓｓｗｏｒｄ　１２"}
    assert api.post("/signup", data).status_code == 201
    # NFKC: the full-width password and its ASCII form are the same password.
    response = api.post("/login", {"email": SIGNUP["email"], "password": "password 12"})
    assert response.status_code == 200
