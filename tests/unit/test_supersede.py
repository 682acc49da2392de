"""One live login attempt per account: a newer one supersedes the rest, which can then never
become a session, and whoever waits on them is told."""

from chalicelib.models import Session
from chalicelib.second_step.challenge import ONETOUCH_SECONDS
from tests.unit.conftest import SIGNUP, body
from tests.unit.fake_authy import RIGHT_CODE


def test_a_newer_login_sends_its_own_push_and_stops_the_older_one(api, login, authy):
    stranger = login()
    owner = login()

    assert owner["method"] == "onetouch" and owner["fallback_reason"] is None
    assert len(authy.sent("onetouch_create")) == 2
    status = body(api.get("/login/status", token=stranger["token"]))
    assert status["status"] == "superseded"


def test_the_owner_approving_the_older_push_hands_the_stranger_nothing(
    api, login, authy, send_callback
):
    stranger = login()
    strangers_push = authy.last_uuid()
    owner = login()

    send_callback(strangers_push, 1000, "approved")  # the owner taps the wrong request

    assert body(api.get("/login/status", token=stranger["token"]))["status"] == "superseded"
    assert list(Session.scan()) == []
    send_callback(authy.last_uuid(), 1000, "approved")
    assert body(api.get("/login/status", token=owner["token"]))["session"]["token"]


def test_a_superseded_login_takes_no_code_and_sends_none(api, login, authy):
    stranger = login()
    login()
    sends = len(authy.sent("send"))

    verify = api.post("/login/verify", {"token": RIGHT_CODE}, token=stranger["token"])
    send = api.post("/login/token", {"via": "sms"}, token=stranger["token"])

    for response in (verify, send):
        assert response.status_code == 401
        assert body(response)["error"]["code"] == "challenge_superseded"
        assert "newer login" in body(response)["error"]["message"]
    assert authy.sent("verify") == [] and len(authy.sent("send")) == sends
    assert list(Session.scan()) == []


def test_a_spent_login_is_not_superseded_by_the_next(api, login, authy):
    first = login()
    assert api.post("/login/verify", {"token": RIGHT_CODE}, token=first["token"]).status_code == 200
    second = login()
    assert (
        api.post("/login/verify", {"token": RIGHT_CODE}, token=second["token"]).status_code == 200
    )
    assert len(list(Session.scan())) == 2


def test_a_fourth_login_in_fifteen_minutes_says_the_push_cap_stopped_its_push(api, login):
    for _ in range(3):
        assert login()["method"] == "onetouch"
    capped = login()
    assert capped["method"] == "sms" and capped["fallback_reason"] == "push_limit"


def test_a_signup_push_confirms_the_phone_for_a_new_account(api, signup, authy):
    signup()  # the fake Authy has the app: the signup proves the phone with a push
    api.post("/login", {"email": SIGNUP["email"], "password": SIGNUP["password"]})
    first, second = (call["json"]["message"] for call in authy.sent("onetouch_create"))
    assert first == "Confirm this phone for your new Unit Login account?"
    assert second == "Log in to Unit Login?"


def test_the_page_learns_the_pushs_own_life(api, login):
    challenge = login()
    assert challenge["push_expires_in"] == ONETOUCH_SECONDS < challenge["expires_in"]
    status = body(api.get("/login/status", token=challenge["token"]))
    assert 0 < status["push_expires_in"] <= ONETOUCH_SECONDS
