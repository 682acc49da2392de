"""Proving the email at signup, releasing it, "Send the link again", and the 24 hours."""

import json

import pytest

from chalicelib.email_proof import PROOF_SECONDS
from chalicelib.models import EmailLink, Passkey, RememberedBrowser, Session, User
from tests.unit.conftest import SIGNUP, body
from tests.unit.fake_authy import RIGHT_CODE

ADA = SIGNUP["email"].lower()
OTHER_PHONE = "201-555-0199"


def links(mailbox, to=ADA):
    """The proof and release tokens of the latest email to ``to``."""
    return mailbox.token(to, "email.html"), mailbox.token(to, "email.html", "release")


def account(api, session):
    return body(api.get("/account", token=session))


def events(email=ADA):
    from chalicelib.models import AuditEvent

    return [(event.kind, event.method) for event in AuditEvent.query(email)]


def session_by_code(api, authy, challenge):
    answer = api.post("/login/verify", {"token": RIGHT_CODE}, token=challenge["token"])
    assert answer.status_code == 200, answer.body
    return body(answer)["session"]["token"]


def log_in(api, authy):
    """A new session for Ada, by a texted code."""
    authy.has_app = False
    try:
        answer = api.post("/login", {"email": ADA, "password": SIGNUP["password"]})
    finally:
        authy.has_app = True
    assert answer.status_code == 200, answer.body
    return session_by_code(api, authy, body(answer)["challenge"])


@pytest.fixture
def unproven_session(api, signup, authy, mailbox):
    """A session of an account whose email is not proven (signup proved the phone by text)."""
    authy.has_app = False
    challenge = signup()["challenge"]
    authy.has_app = True
    return session_by_code(api, authy, challenge)


# --- proving ---------------------------------------------------------------------------


def test_the_link_proves_the_address_once(api, unproven_session, mailbox, frozen_clock):
    from chalicelib.clock import iso

    before = account(api, unproven_session)
    assert before["email_proven"] is False
    assert before["email_unproven_until"] == iso(frozen_clock() + PROOF_SECONDS)
    prove, _ = links(mailbox)

    first = api.post("/email/prove", {"token": prove})
    assert first.status_code == 200
    assert body(first) == {"email": ADA, "email_proven": True}
    after = account(api, unproven_session)
    assert after["email_proven"] is True and after["email_unproven_until"] is None
    assert User.get(ADA).unproven_until is None
    assert ("email_proven", None) in events()

    again = api.post("/email/prove", {"token": prove})
    assert again.status_code == 400
    assert body(again)["error"]["code"] == "link_invalid"


def test_once_proven_the_release_link_does_nothing(api, signup, mailbox, authy):
    signup()
    prove, release = links(mailbox)
    assert api.post("/email/prove", {"token": prove}).status_code == 200

    answer = api.post("/email/release", {"token": release})
    assert answer.status_code == 400 and body(answer)["error"]["code"] == "link_invalid"
    assert User.get(ADA).email_proven_at is not None
    assert authy.removed == []


def test_a_link_is_refused_after_its_24_hours(api, signup, mailbox, frozen_clock):
    signup()
    prove, _ = links(mailbox)
    frozen_clock.advance(PROOF_SECONDS)
    answer = api.post("/email/prove", {"token": prove})
    assert answer.status_code == 400
    assert body(answer)["error"] == {"code": "link_expired", "message": "This link has expired."}


@pytest.mark.parametrize(
    "token", ["A" * 43, "abcdefghijklmnopqrstuvwxyz0123456789_-ABCDE"], ids=["forged", "random"]
)
def test_a_forged_link_is_refused_and_changes_nothing(api, signup, mailbox, token):
    signup()
    for path in ("/email/prove", "/email/release"):
        answer = api.post(path, {"token": token})
        assert answer.status_code == 400 and body(answer)["error"]["code"] == "link_invalid"
    assert User.get(ADA).email_proven_at is None


def test_each_link_does_only_its_own_thing(api, signup, mailbox):
    signup()
    prove, release = links(mailbox)
    assert body(api.post("/email/release", {"token": prove}))["error"]["code"] == "link_invalid"
    assert body(api.post("/email/prove", {"token": release}))["error"]["code"] == "link_invalid"
    assert User.get(ADA).email_proven_at is None


@pytest.mark.parametrize("token", [None, 7, "short", "a" * 129, "with space in it ok?", "é" * 43])
def test_a_token_that_is_no_token_is_400_naming_it(api, tables, token):
    answer = api.post("/email/prove", {"token": token})
    assert answer.status_code == 400
    assert "token" in body(answer)["error"]["fields"]


# --- releasing -------------------------------------------------------------------------


def test_release_deletes_the_unproven_account_at_once(api, unproven_session, mailbox, authy):
    _, release = links(mailbox)
    api.post("/account/browsers", token=unproven_session)
    authy_id = User.get(ADA).authy_id

    answer = api.post("/email/release", {"token": release})
    assert answer.status_code == 200
    assert body(answer) == {"email": ADA, "released": True}
    assert User.count(ADA) == 0
    assert authy.removed == [authy_id]  # the vendor's registration goes too
    assert list(Session.scan()) == [] and list(RememberedBrowser.scan()) == []
    assert api.get("/account", token=unproven_session).status_code == 401
    assert ("address_released", "link") in events()
    # the owner may now sign up with the address
    assert api.post("/signup", {**SIGNUP, "phone": OTHER_PHONE}).status_code == 201


def test_what_a_stranger_made_on_a_released_address_opens_nothing_on_the_owners_account(
    api, unproven_session, mailbox, authy, add_passkey, authenticator, frozen_clock
):
    """A stranger signs up with Ada's address and adds a passkey, a remembered browser and
    a session; Ada releases the address and signs up. Releasing deletes all three, and
    each is also bound to the account it was made for: one that a crash left behind (put
    back here) still opens nothing on Ada's new account."""
    assert add_passkey(unproven_session).status_code == 201
    browser = body(api.post("/account/browsers", token=unproven_session))["token"]
    left = [*Passkey.scan(), *RememberedBrowser.scan(), *Session.scan()]
    _, release = links(mailbox)
    assert api.post("/email/release", {"token": release}).status_code == 200
    assert [*Passkey.scan(), *RememberedBrowser.scan(), *Session.scan()] == []

    frozen_clock.advance(60)
    password = "Ada's own password"
    assert api.post("/signup", {**SIGNUP, "password": password}).status_code == 201
    for item in left:  # what a release that died half-way would have left
        item.save()

    begun = body(api.post("/login/passkey/options"))
    credential = authenticator.get(begun["options"])
    by_passkey = api.post(
        "/login/passkey", {"ceremony": begun["ceremony"], "credential": credential}
    )
    assert by_passkey.status_code == 401, by_passkey.body
    assert body(by_passkey)["error"]["code"] == "passkey_refused"
    assert api.get("/account", token=unproven_session).status_code == 401
    by_browser = body(api.post("/login", {"email": ADA, "password": password, "browser": browser}))
    assert "challenge" in by_browser and "session" not in by_browser
    assert User.get(ADA).last_login_at is None


def test_a_link_never_acts_on_a_later_account_with_the_same_email(api, signup, mailbox):
    signup()
    old_prove, old_release = links(mailbox)
    assert api.post("/email/release", {"token": old_release}).status_code == 200
    signup(phone=OTHER_PHONE)  # a new account, and a new email with new links

    answer = api.post("/email/prove", {"token": old_prove})
    assert answer.status_code == 400 and body(answer)["error"]["code"] == "link_invalid"
    assert User.get(ADA).email_proven_at is None


def test_a_proven_account_is_never_released(api, user, mailbox, frozen_clock, authy):
    frozen_clock.advance(3 * PROOF_SECONDS)
    assert api.post("/login", {"email": ADA, "password": SIGNUP["password"]}).status_code == 200
    assert api.post("/signup", {**SIGNUP, "phone": OTHER_PHONE}).status_code == 409
    assert User.count(ADA) == 1 and authy.removed == []


def test_the_release_and_the_proof_race_and_one_wins(api, signup, mailbox):
    import threading

    signup()
    prove, release = links(mailbox)
    barrier = threading.Barrier(2)
    answers = {}

    def click(path, token):
        barrier.wait()
        answers[path] = api.post(path, {"token": token}).status_code

    threads = [
        threading.Thread(target=click, args=("/email/prove", prove)),
        threading.Thread(target=click, args=("/email/release", release)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers.values()) == [200, 400]
    left = list(User.scan())
    if answers["/email/prove"] == 200:
        assert left and left[0].email_proven_at is not None
    else:
        assert left == []


# --- the 24 hours ------------------------------------------------------------------------


def test_a_signup_meeting_an_unproven_account_past_its_day_releases_it(
    api, signup, mailbox, frozen_clock, authy
):
    signup()
    assert api.post("/signup", {**SIGNUP, "phone": OTHER_PHONE}).status_code == 409
    first_id = User.get(ADA).authy_id
    frozen_clock.advance(PROOF_SECONDS - 1)
    assert api.post("/signup", {**SIGNUP, "phone": OTHER_PHONE}).status_code == 409

    frozen_clock.advance(1)
    assert api.post("/signup", {**SIGNUP, "phone": OTHER_PHONE}).status_code == 201
    assert authy.removed == [first_id]
    assert User.get(ADA).phone == "+12015550199"
    assert ("address_released", "expired") in events()


def test_a_login_meeting_it_releases_it_and_answers_as_for_no_account(
    api, signup, frozen_clock, authy
):
    signup()
    frozen_clock.advance(PROOF_SECONDS)
    answer = api.post("/login", {"email": ADA, "password": SIGNUP["password"]})
    assert answer.status_code == 401
    assert body(answer)["error"]["code"] == "invalid_credentials"
    assert User.count(ADA) == 0 and len(authy.removed) == 1


def test_its_own_session_meets_it_too(api, signup, authy, frozen_clock):
    signup()
    frozen_clock.advance(PROOF_SECONDS - 600)
    session = log_in(api, authy)  # an unproven account may log in, all day long
    assert account(api, session)["email_proven"] is False

    frozen_clock.advance(600)
    assert api.get("/account", token=session).status_code == 401
    assert User.count(ADA) == 0


def test_an_account_older_than_proofs_is_unproven_but_never_released(
    api, signup, mailbox, frozen_clock
):
    signup()
    User(email=ADA).update(actions=[User.unproven_until.remove()])  # as accounts were stored
    frozen_clock.advance(10 * PROOF_SECONDS)
    assert api.post("/login", {"email": ADA, "password": SIGNUP["password"]}).status_code == 200
    assert api.post("/signup", {**SIGNUP, "phone": OTHER_PHONE}).status_code == 409


# --- send the link again -------------------------------------------------------------------


def test_send_the_link_again(api, signup, authy, mailbox, frozen_clock):
    signup()
    frozen_clock.advance(3600)
    answer = api.post("/account/email/resend", token=log_in(api, authy))
    assert answer.status_code == 200 and body(answer) == {"sent": True}
    assert len(mailbox.emails(ADA)) == 2
    prove, _ = links(mailbox)
    # the new link lives only as long as the account's day
    newest = max((link for link in EmailLink.scan() if link.kind == "proof"), key=_created)
    assert newest.expires_at == User.get(ADA).unproven_until
    assert api.post("/email/prove", {"token": prove}).status_code == 200
    assert ("email_link_sent", "resend") in events()


def _created(link):
    return link.created_at


def test_send_the_link_again_three_times_an_hour(api, unproven_session, mailbox):
    for _ in range(3):
        assert api.post("/account/email/resend", token=unproven_session).status_code == 200
    answer = api.post("/account/email/resend", token=unproven_session)
    assert answer.status_code == 429 and answer.headers["Retry-After"]
    assert len(mailbox.emails(ADA)) == 4


def test_a_proven_address_needs_no_link(api, session):
    answer = api.post("/account/email/resend", token=session)
    assert answer.status_code == 409
    assert body(answer)["error"]["code"] == "email_already_proven"


def test_resend_needs_a_session(api, tables):
    assert api.post("/account/email/resend").status_code == 401


def test_ses_failing_on_resend_is_503_and_leaves_no_link(
    api, unproven_session, mailbox, monkeypatch
):
    from chalicelib import mail

    before = {link.token_hash for link in EmailLink.scan()}
    monkeypatch.setattr(mail, "send", lambda to, message: False)
    answer = api.post("/account/email/resend", token=unproven_session)
    assert answer.status_code == 503
    assert body(answer)["error"]["code"] == "email_unavailable"
    assert {link.token_hash for link in EmailLink.scan()} == before


def test_no_token_reaches_the_log(api, signup, mailbox, caplog):
    import logging

    with caplog.at_level(logging.DEBUG):
        signup()
        prove, release = links(mailbox)
        api.post("/email/prove", {"token": prove})
        api.post("/email/release", {"token": release})
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert prove not in logged and release not in logged
    assert json.dumps(prove) not in logged
