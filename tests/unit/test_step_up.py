"""Security changes need a second factor proven in the last ten minutes: the login's, or a
step-up (the second step again, for the same session)."""

from chalicelib.models import Session
from chalicelib.tokens import hash_token
from tests.unit.conftest import SIGNUP, body
from tests.unit.fake_authy import RIGHT_CODE

STALE = 11 * 60


def test_a_fresh_login_may_change_things(api, session):
    assert api.post("/account/recovery-codes", token=session).status_code == 201


def test_a_stale_session_is_asked_to_step_up_and_then_may(api, session, authy, frozen_clock):
    frozen_clock.advance(STALE)
    assert api.post("/account/recovery-codes", token=session).status_code == 403

    step = body(api.post("/account/step-up", token=session))["challenge"]
    answer = api.post("/login/verify", {"token": RIGHT_CODE}, token=step["token"])

    assert answer.status_code == 200 and "session" not in body(answer)
    assert "account" not in body(answer)  # a step-up proves a session; it opens none
    assert body(answer)["step_up"]["proven_for"] == 600
    assert api.post("/account/recovery-codes", token=session).status_code == 201
    assert len(list(Session.scan())) == 1  # the same session, proven again


def test_a_step_up_by_push_proves_the_session_again(
    api, session, authy, send_callback, frozen_clock
):
    frozen_clock.advance(STALE)
    step = body(api.post("/account/step-up", token=session))["challenge"]
    assert step["method"] == "onetouch"
    assert "session_token" not in step  # a step-up opens no session
    message = authy.sent("onetouch_create")[-1]["json"]["message"]
    assert message == "Confirm a change to your Unit Login account's security?"

    send_callback(authy.last_uuid(), 1000, "approved")
    status = body(api.get("/login/status", token=step["token"]))

    assert status["status"] == "approved" and status["step_up"] and "account" not in status
    record = Session.get(hash_token(session))
    assert record.proven_at == frozen_clock.time


def test_a_step_up_of_an_ended_session_proves_nothing(api, session, authy, frozen_clock):
    frozen_clock.advance(STALE)
    step = body(api.post("/account/step-up", token=session))["challenge"]
    assert api.post("/logout", token=session).status_code == 204

    answer = api.post("/login/verify", {"token": RIGHT_CODE}, token=step["token"])

    assert answer.status_code == 401 and body(answer)["error"]["code"] == "session_invalid"


def test_a_step_up_challenge_is_no_login(api, session, authy, frozen_clock):
    frozen_clock.advance(STALE)
    step = body(api.post("/account/step-up", token=session))["challenge"]
    answer = body(api.post("/login/verify", {"token": RIGHT_CODE}, token=step["token"]))
    assert "session" not in answer
    assert api.get("/account", token=step["token"]).status_code == 401


def test_the_password_change_needs_a_fresh_factor_and_the_current_password(
    api, session, frozen_clock
):
    change = {"current_password": SIGNUP["password"], "new_password": "a brand new secret"}
    frozen_clock.advance(STALE)
    assert api.post("/account/password", change, token=session).status_code == 403
