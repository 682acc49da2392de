"""An approved push opens its session in the vendor's callback, and the page hears it over
its socket: the session the login named in advance (its token derived from the
challenge's), the account page with it, and never a token on the socket."""

import json

from chalicelib import tokens
from chalicelib.models import LoginChallenge, Session
from tests.unit.conftest import body
from tests.unit.fake_authy import RIGHT_CODE
from tests.unit.test_watchers import sent, watch


def test_a_push_login_names_its_session_which_opens_nothing_before_the_approval(api, login):
    challenge = login()

    assert challenge["method"] == "onetouch"
    named = challenge["session_token"]
    assert named == tokens.session_token_for(challenge["token"]) != challenge["token"]
    assert len(named) == 43  # 256 bits, base64url
    assert api.get("/account", token=named).status_code == 401
    stored = LoginChallenge.get(tokens.hash_token(challenge["token"]))
    assert stored.opens_session == tokens.hash_token(named)  # only its hash is kept
    assert list(Session.scan()) == []


def test_the_callback_opens_the_session_and_pushes_it_with_the_account_but_no_token(
    api, login, authy, send_callback
):
    challenge = login()
    watch(challenge["token"], "conn-page")

    assert send_callback(authy.last_uuid(), 1000, "approved").status_code == 200

    news = sent("conn-page")[-1]
    assert news["status"] == "approved"
    assert news["session"] == {"expires_in": 12 * 3600, "idle_timeout": 30 * 60}
    assert news["account"] == body(api.get("/account", token=challenge["session_token"]))
    assert news["account"]["events"][0]["event"] == "login_succeeded"
    frame = json.dumps(news)
    assert challenge["token"] not in frame and challenge["session_token"] not in frame
    (session,) = Session.scan()
    assert session.token_hash == tokens.hash_token(challenge["session_token"])


def test_the_callback_records_the_approval_and_opens_the_session_in_one_write(
    login, authy, send_callback, monkeypatch
):
    """The approval, its audit event, the delivery's replay guard, the spent challenge,
    the account, the session and the login's audit event: one transaction, all or none."""
    import botocore.client

    challenge = login()
    watch(challenge["token"], "conn-page")
    send = botocore.client.BaseClient._make_api_call
    writes = []

    def counting(self, operation, params):
        if operation in ("PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems"):
            writes.append((operation, len(params.get("TransactItems", [params]))))
        return send(self, operation, params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", counting)
    assert send_callback(authy.last_uuid(), 1000, "approved").status_code == 200
    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", send)

    assert writes == [("TransactWriteItems", 6)]
    assert sent("conn-page")[-1]["session"]
    stored = LoginChallenge.get(tokens.hash_token(challenge["token"]))
    assert (stored.onetouch_status, stored.used) == ("approved", True)


def test_a_page_that_missed_the_socket_is_given_the_same_session_by_its_poll(
    api, login, authy, send_callback
):
    challenge = login()
    send_callback(authy.last_uuid(), 1000, "approved")

    answer = body(api.get("/login/status", token=challenge["token"]))

    assert answer["status"] == "approved"
    assert answer["session"]["token"] == challenge["session_token"]
    assert answer["account"]["email"] == "ada@example.com"
    assert len(list(Session.scan())) == 1


def test_a_session_logged_out_is_not_handed_out_again(api, login, authy, send_callback):
    challenge = login()
    send_callback(authy.last_uuid(), 1000, "approved")
    assert api.post("/logout", token=challenge["session_token"]).status_code == 204

    answer = api.get("/login/status", token=challenge["token"])

    assert answer.status_code == 401 and body(answer)["error"]["code"] == "challenge_used"


def test_a_denial_pushes_only_its_status_and_opens_nothing(login, authy, send_callback):
    challenge = login()
    watch(challenge["token"], "conn-page")

    send_callback(authy.last_uuid(), 1000, "denied")

    assert sent("conn-page")[-1] == {"status": "denied"}
    assert list(Session.scan()) == []


def test_a_code_after_the_push_opens_the_same_named_session(api, login, authy, send_callback):
    challenge = login()
    send_callback(authy.last_uuid(), 1000, "denied")

    answer = body(api.post("/login/verify", {"token": RIGHT_CODE}, token=challenge["token"]))

    assert answer["session"]["token"] == challenge["session_token"]
    assert api.get("/account", token=challenge["session_token"]).status_code == 200


def test_an_approval_the_account_refuses_pushes_the_status_and_the_poll_says_why(
    api, login, authy, send_callback
):
    """An approval of a login the account has moved on from (a newer login started) opens
    nothing; the page hears "approved" alone, and its poll tells it why."""
    older = login()
    older_uuid = authy.last_uuid()
    watch(older["token"], "conn-older")
    login()
    LoginChallenge(token_hash=tokens.hash_token(older["token"])).update(
        actions=[LoginChallenge.superseded.set(False)]  # as if the newer login's write raced it
    )

    send_callback(older_uuid, 1000, "approved")

    assert sent("conn-older")[-1] == {"status": "approved"}
    assert list(Session.scan()) == []
    answer = api.get("/login/status", token=older["token"])
    assert body(answer)["error"]["code"] == "challenge_superseded"


def test_a_step_up_approved_by_push_is_pushed_as_proven(
    api, session, authy, send_callback, frozen_clock
):
    frozen_clock.advance(11 * 60)
    step = body(api.post("/account/step-up", token=session))["challenge"]
    watch(step["token"], "conn-step")

    send_callback(authy.last_uuid(), 1000, "approved")

    assert sent("conn-step")[-1] == {"status": "approved", "step_up": {"proven_for": 600}}
    assert api.post("/account/recovery-codes", token=session).status_code == 201


def test_a_challenge_locked_by_wrong_codes_opens_nothing_when_the_push_is_approved(
    api, login, authy, send_callback
):
    """Five wrong codes end the login, whatever the phone says afterwards."""
    challenge = login()
    watch(challenge["token"], "conn-page")
    for _ in range(5):
        api.post("/login/verify", {"token": "7654321"}, token=challenge["token"])

    assert send_callback(authy.last_uuid(), 1000, "approved").status_code == 200

    assert sent("conn-page")[-1] == {"status": "locked"}
    assert list(Session.scan()) == []
    assert api.get("/account", token=challenge["session_token"]).status_code == 401
    assert body(api.get("/login/status", token=challenge["token"]))["status"] == "locked"


def test_a_poll_whose_transaction_meets_another_ones_is_tried_again(api, login, monkeypatch):
    """Two polls of an approved push spend the same challenge at once: DynamoDB cancels
    one of the two (TransactionConflict). That poll tries again, finds the challenge spent,
    and answers the one session the other opened."""
    import botocore.client
    from botocore.exceptions import ClientError

    from chalicelib.second_step import challenge as challenges

    challenge = login()
    key = tokens.hash_token(challenge["token"])
    LoginChallenge(token_hash=key).update(actions=[LoginChallenge.onetouch_status.set("approved")])
    send = botocore.client.BaseClient._make_api_call
    conflicts = []

    def conflicting(self, operation, params):
        if operation == "TransactWriteItems" and not conflicts:
            conflicts.append(operation)
            challenges.complete(LoginChallenge.get(key), "onetouch")  # the other poll's, first
            reasons = [{"Code": "TransactionConflict"} for _ in params["TransactItems"]]
            error = {"Code": "TransactionCanceledException", "Message": "conflict"}
            raise ClientError({"Error": error, "CancellationReasons": reasons}, operation)
        return send(self, operation, params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", conflicting)
    answer = api.get("/login/status", token=challenge["token"])
    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", send)

    assert conflicts and answer.status_code == 200, answer.body
    assert body(answer)["session"]["token"] == challenge["session_token"]
    assert len(list(Session.scan())) == 1


def test_the_callback_never_releases_an_account_whose_unproven_day_ran_out(
    api, signup, authy, send_callback, frozen_clock
):
    """Releasing calls the vendor and deletes much: not work for Authy's callback, which
    leaves the account page out and lets the account's own next request release it."""
    from chalicelib.email_proof import PROOF_SECONDS
    from chalicelib.models import User
    from tests.unit.conftest import SIGNUP

    authy.has_app = False  # the signup proves the phone by a code, the email stays unproven
    signup_challenge = signup()["challenge"]
    authy.has_app = True
    api.post("/login/verify", {"token": RIGHT_CODE}, token=signup_challenge["token"])
    frozen_clock.advance(PROOF_SECONDS - 30)
    credentials = {"email": SIGNUP["email"], "password": SIGNUP["password"]}
    challenge = body(api.post("/login", credentials))["challenge"]
    watch(challenge["token"], "conn-page")
    frozen_clock.advance(60)  # the day ends while the push waits

    assert send_callback(authy.last_uuid(), 1000, "approved").status_code == 200

    news = sent("conn-page")[-1]
    assert news["status"] == "approved" and "account" not in news
    assert User.get("ada@example.com").email_proven_at is None  # not released by the callback
    assert api.get("/account", token=challenge["session_token"]).status_code == 401
    assert list(User.scan()) == []  # released by the account's own request
