"""What every route shares: JSON errors, body limits, content type, CORS, no caching."""

import json

import pytest

from tests.unit.conftest import SIGNUP, body

JSON_ROUTES = [
    ("POST", "/signup"),
    ("POST", "/login"),
    ("POST", "/login/token"),
    ("POST", "/login/verify"),
]


@pytest.mark.parametrize("method, path", JSON_ROUTES)
@pytest.mark.parametrize("raw", ["{not json", "[]", '"a string"', "null", "", "\xff\xfe"])
def test_a_body_that_is_not_a_json_object_is_400(api, login, method, path, raw):
    response = api.request(method, path, raw=raw, token=login()["token"])
    assert response.status_code == 400
    assert body(response)["error"]["code"] == "malformed_json"


EVERY_ROUTE = [
    *JSON_ROUTES,
    ("GET", "/login/status"),
    ("GET", "/account"),
    ("GET", "/account/activity"),
    ("POST", "/logout"),
    ("POST", "/account/email/resend"),
    ("POST", "/email/prove"),
    ("POST", "/email/release"),
    ("POST", "/password/forgot"),
    ("POST", "/password/reset"),
    ("POST", "/authy/callback"),
    ("GET", "/authy/callback"),
]


@pytest.mark.parametrize("method, path", EVERY_ROUTE)
def test_a_body_over_16_kb_is_413_on_every_route(api, method, path):
    response = api.request(method, path, raw=json.dumps({"name": "x" * 17_000}))
    assert response.status_code == 413
    assert body(response)["error"]["code"] == "body_too_large"


def test_a_big_callback_is_refused_before_it_is_parsed(api):
    """Not JSON at all: parsed first, it would be a 401 for a bad signature."""
    headers = {"X-Authy-Signature": "A" * 44, "X-Authy-Signature-Nonce": "1"}
    response = api.request("POST", "/authy/callback", raw="{" * 6_000_000, headers=headers)
    assert response.status_code == 413


@pytest.mark.parametrize("method, path", JSON_ROUTES)
def test_a_body_that_is_not_json_by_type_is_415_in_our_error_shape(api, method, path):
    response = api.request(method, path, raw="a=b", headers={"Content-Type": "text/plain"})
    assert response.status_code == 415
    assert body(response)["error"]["code"] == "unsupported_media_type"


def test_unknown_fields_are_ignored_and_cannot_set_state(api, authy):
    response = api.post(
        "/signup", {**SIGNUP, "state": "active", "phone_verified": True, "authy_id": 1}
    )
    assert response.status_code == 201
    from chalicelib.models import User

    user = User.get("ada@example.com")
    assert user.phone_verified is False and user.authy_id == 1000


@pytest.mark.parametrize(
    "method, path, raw",
    [("POST", "/login", '{"email": "a@example.com", "password": "whatever pass"}')]
    + [("GET", path, None) for path in ("/login/status", "/account")]
    + [("POST", "/authy/callback", "{}")],
)
def test_answers_are_not_cached_sniffed_or_open_to_other_origins(api, method, path, raw):
    """The site calls the API on its own origin: without CORS_ORIGIN, no CORS at all."""
    headers = {"Origin": "https://site.example.test", "Content-Type": "application/json"}
    response = api.request(method, path, raw=raw, headers=headers)
    assert not [name for name in response.headers if name.lower().startswith("access-control")]
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_a_wrong_method_is_405_in_our_error_shape(api):
    response = api.request("DELETE", "/login")
    assert response.status_code == 405
    assert body(response)["error"]["code"] == "method_not_allowed_error"


def test_a_configuration_error_is_503_not_configured_and_the_log_names_the_setting(
    api, monkeypatch, caplog
):
    from chalicelib import config

    config.settings.cache_clear()
    monkeypatch.setenv("AUTHY_API_URL", "http://authy.test")
    try:
        response = api.post("/login", {"email": "a@example.com", "password": "whatever pass"})
    finally:
        config.settings.cache_clear()

    assert response.status_code == 503
    assert body(response)["error"]["code"] == "not_configured"
    assert "AUTHY_API_URL" not in response.body.decode()
    assert "AUTHY_API_URL must be https://" in caplog.text


def test_storage_trouble_is_503_not_500(api, authy, monkeypatch):
    from chalicelib.models import User

    monkeypatch.setattr(User.Meta, "table_name", "twofold-unit-missing-table")
    monkeypatch.setattr(User, "_connection", None)

    response = api.post("/signup", SIGNUP)

    assert response.status_code == 503
    assert body(response)["error"]["code"] == "storage_unavailable"
