"""Sessions: the account page, idle and absolute expiry, log out."""

import pytest

from chalicelib import sessions
from chalicelib.models import Session
from chalicelib.tokens import hash_token
from tests.unit.conftest import body
from tests.unit.fake_authy import RIGHT_CODE


@pytest.fixture
def session_token(api, login, frozen_clock):
    challenge = login()
    response = api.post("/login/verify", {"token": RIGHT_CODE}, token=challenge["token"])
    return body(response)["session"]["token"]


def test_the_account_shows_who_is_logged_in(api, session_token):
    response = api.get("/account", token=session_token)

    assert response.status_code == 200
    account = body(response)
    assert account["name"] == "Ada Lovelace" and account["email"] == "ada@example.com"
    assert account["phone"] == "+1 ••• ••• 0123"
    assert account["last_login"]["method"] == "code"
    assert account["member_since"].endswith("Z")


def test_only_the_hash_of_a_session_token_is_stored(session_token):
    (stored,) = list(Session.scan())
    assert stored.token_hash == hash_token(session_token) and session_token not in str(
        stored.attribute_values
    )


@pytest.mark.parametrize("token", [None, "not-a-session"])
def test_the_account_needs_a_session(api, user, token):
    response = api.get("/account", token=token)
    assert response.status_code == 401 and body(response)["error"]["code"] == "session_invalid"


def test_a_challenge_token_is_not_a_session(api, login):
    assert api.get("/account", token=login()["token"]).status_code == 401


def test_an_idle_session_ends(api, session_token, frozen_clock):
    frozen_clock.advance(sessions.IDLE_SECONDS)
    assert api.get("/account", token=session_token).status_code == 401


def test_a_session_ends_after_its_absolute_life_even_when_used(api, session_token, frozen_clock):
    for _ in range(sessions.SESSION_SECONDS // (sessions.IDLE_SECONDS - 60)):
        frozen_clock.advance(sessions.IDLE_SECONDS - 60)
        assert api.get("/account", token=session_token).status_code == 200
    frozen_clock.advance(sessions.IDLE_SECONDS - 60)
    assert api.get("/account", token=session_token).status_code == 401


def test_using_a_session_keeps_it_alive(api, session_token, frozen_clock):
    frozen_clock.advance(sessions.IDLE_SECONDS - 5)
    assert api.get("/account", token=session_token).status_code == 200
    frozen_clock.advance(sessions.IDLE_SECONDS - 5)
    assert api.get("/account", token=session_token).status_code == 200
    assert Session.get(hash_token(session_token)).last_seen_at == frozen_clock.time


def test_logout_ends_the_session(api, session_token):
    response = api.post("/logout", token=session_token)

    assert response.status_code == 204
    assert api.get("/account", token=session_token).status_code == 401
    assert list(Session.scan()) == []
