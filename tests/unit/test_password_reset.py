""" "Forgot your password?": the same answer for every email, a link for a proven one, and a
reset that ends the sessions but never skips the second factor."""

import logging

import pytest

from chalicelib import password_reset
from chalicelib.models import EmailLink, RememberedBrowser, Session, User
from chalicelib.password_reset import ANSWER, ANSWER_SECONDS, RESET_SECONDS
from tests.unit.conftest import SIGNUP, body
from tests.unit.fake_authy import RIGHT_CODE

ADA = SIGNUP["email"].lower()
NEW = "a whole new password"


@pytest.fixture(autouse=True)
def held(monkeypatch):
    """How long each answer was held back (instead of holding it)."""
    waits = []
    monkeypatch.setattr(password_reset, "sleep", waits.append)
    return waits


def forgot(api, email=ADA, **kw):
    return api.post("/password/forgot", {"email": email}, **kw)


def reset(api, token, new=NEW):
    return api.post("/password/reset", {"token": token, "new_password": new})


def reset_token(api, mailbox, email=ADA):
    assert forgot(api, email).status_code == 202
    return mailbox.token(email, "reset.html")


def events():
    from chalicelib.models import AuditEvent

    return [(event.kind, event.method) for event in AuditEvent.query(ADA)]


# --- asking ----------------------------------------------------------------------------


def test_the_answer_is_the_same_for_a_proven_an_unproven_and_an_unknown_email(
    api, user, signup, mailbox, held
):
    signup(email="eve@example.com", phone="201-555-0199")  # known, but never proven
    answers = [forgot(api, email) for email in (ADA, "eve@example.com", "nobody@example.com")]

    assert {a.status_code for a in answers} == {202}
    assert {a.body for a in answers} == {b'{"message":"%s"}' % ANSWER.encode()}
    assert len({tuple(sorted(a.headers.items())) for a in answers}) == 1
    assert len(held) == 3, "every answer is held back"
    # only the proven address got a link
    assert [e["subject"] for e in mailbox.emails(ADA)][-1] == "Reset your Unit Login password"
    assert [e["subject"] for e in mailbox.emails("eve@example.com")] == [
        "Confirm your email for Unit Login"
    ]
    assert mailbox.emails("nobody@example.com") == []


def test_answers_leave_at_the_same_time_whatever_the_work(monkeypatch):
    now = [100.0]
    monkeypatch.setattr(password_reset, "monotonic", lambda: now[0])
    waits = []
    now[0] = 100.25  # a send took 250 ms
    password_reset.pace(100.0, wait=waits.append)
    now[0] = 100.0  # nothing to send
    password_reset.pace(100.0, wait=waits.append)
    assert waits == [ANSWER_SECONDS - 0.25, ANSWER_SECONDS]
    now[0] = 100.0 + ANSWER_SECONDS + 1  # slower than the floor: no more waiting
    password_reset.pace(100.0, wait=waits.append)
    assert len(waits) == 2


def test_the_limits_answer_alike_for_known_and_unknown_emails(api, user):
    for email in (ADA, "nobody@example.com"):
        for _ in range(3):
            assert forgot(api, email).status_code == 202
        refused = forgot(api, email)
        assert refused.status_code == 429 and refused.headers["Retry-After"]
        assert body(refused)["error"]["code"] == "rate_limited"


def test_the_limit_per_network(api, tables, from_ip):
    from_ip("198.51.100.7")
    for n in range(10):
        assert forgot(api, f"someone-{n}@example.com").status_code == 202
    assert forgot(api, "someone-else@example.com").status_code == 429
    from_ip("198.51.100.8")
    assert forgot(api, "someone-else@example.com").status_code == 202


def test_a_request_is_audited_only_for_a_known_account(api, user, mailbox):
    forgot(api)
    forgot(api, "nobody@example.com")
    assert ("password_reset_requested", "email") in events()
    from chalicelib.models import AuditEvent

    assert list(AuditEvent.query("nobody@example.com")) == []


# --- resetting -------------------------------------------------------------------------


def test_a_reset_changes_the_password_and_still_asks_for_the_phone(api, session, mailbox, authy):
    api.post("/account/browsers", token=session)
    token = reset_token(api, mailbox)

    answer = reset(api, token)
    assert answer.status_code == 204 and not answer.body  # and no session
    old = api.post("/login", {"email": ADA, "password": SIGNUP["password"]})
    assert old.status_code == 401
    assert api.get("/account", token=session).status_code == 401
    assert list(Session.scan()) == [] and list(RememberedBrowser.scan()) == []

    new = api.post("/login", {"email": ADA, "password": NEW})
    assert new.status_code == 200
    assert "challenge" in body(new) and "session" not in body(new)  # the second factor
    assert ("password_reset", None) in events()
    notice = mailbox.latest(ADA)
    assert notice["subject"] == "Your Unit Login password was changed"
    assert "Chrome on Linux" in notice["text"] and NEW not in notice["text"]


def test_a_login_begun_before_the_reset_cannot_finish(api, user, login, mailbox):
    challenge = login()
    assert reset(api, reset_token(api, mailbox)).status_code == 204
    answer = api.post("/login/verify", {"token": RIGHT_CODE}, token=challenge["token"])
    assert answer.status_code == 401
    assert list(Session.scan()) == []


def test_the_link_works_once(api, user, mailbox):
    token = reset_token(api, mailbox)
    assert reset(api, token).status_code == 204
    again = reset(api, token, "yet another password")
    assert again.status_code == 400 and body(again)["error"]["code"] == "link_invalid"
    assert api.post("/login", {"email": ADA, "password": NEW}).status_code == 200


def test_the_link_works_for_30_minutes(api, user, mailbox, frozen_clock):
    token = reset_token(api, mailbox)
    frozen_clock.advance(RESET_SECONDS)
    answer = reset(api, token)
    assert answer.status_code == 400 and body(answer)["error"]["code"] == "link_expired"


def test_a_forged_link_is_refused(api, user):
    answer = reset(api, "B" * 43)
    assert answer.status_code == 400 and body(answer)["error"]["code"] == "link_invalid"


def test_a_newer_password_ends_every_older_link(api, user, mailbox):
    first = reset_token(api, mailbox)
    second = reset_token(api, mailbox)
    assert reset(api, second).status_code == 204
    answer = reset(api, first, "yet another password")
    assert answer.status_code == 400 and body(answer)["error"]["code"] == "link_invalid"


def test_a_password_changed_on_the_account_page_ends_the_links_too(api, session, mailbox):
    token = reset_token(api, mailbox)
    change = {"current_password": SIGNUP["password"], "new_password": "changed on the page"}
    assert api.post("/account/password", change, token=session).status_code == 204
    assert body(reset(api, token))["error"]["code"] == "link_invalid"


def test_a_bad_new_password_is_400_and_keeps_the_link(api, user, mailbox):
    token = reset_token(api, mailbox)
    answer = reset(api, token, "short")
    assert answer.status_code == 400 and "new_password" in body(answer)["error"]["fields"]
    assert len([link for link in EmailLink.scan() if link.kind == "reset"]) == 1
    assert reset(api, token).status_code == 204


def test_an_account_released_meanwhile_takes_no_reset(api, user, mailbox):
    token = reset_token(api, mailbox)
    User(email=ADA).delete()
    assert body(reset(api, token))["error"]["code"] == "link_invalid"
    assert User.count(ADA) == 0  # and nothing was written in its place


def test_no_token_or_password_reaches_the_log(api, user, mailbox, caplog):
    with caplog.at_level(logging.DEBUG):
        token = reset_token(api, mailbox)
        reset(api, token)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert token not in logged and NEW not in logged
