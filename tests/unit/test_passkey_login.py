"""Logging in with a passkey: by itself (no password), or as a login's second step."""

import pytest

from chalicelib.models import LoginChallenge, Passkey, Session, User
from chalicelib.second_step import relying_party
from chalicelib.tokens import hash_token
from tests.unit.conftest import SIGNUP, body
from tests.unit.fake_authy import RIGHT_CODE

PASSWORD = {"email": SIGNUP["email"], "password": SIGNUP["password"]}


@pytest.fixture
def member(session, add_passkey):
    """Ada, with a passkey (made by the ``authenticator`` fixture) and a session."""
    assert add_passkey(session).status_code == 201
    return session


def options(api, token=None):
    response = api.post("/login/passkey/options", token=token)
    assert response.status_code == 200, response.body
    return body(response)


def answer(api, begun, credential, token=None):
    return api.post(
        "/login/passkey", {"ceremony": begun["ceremony"], "credential": credential}, token=token
    )


def passkey_login(api, authenticator, **get):
    begun = options(api)
    return answer(api, begun, authenticator.get(begun["options"], **get))


def refused(response):
    return response.status_code == 401 and body(response)["error"]["code"] == "passkey_refused"


def events(api, session):
    return [e["event"] for e in body(api.get("/account/activity", token=session))["events"]]


# --- by itself, without a password --------------------------------------------------------


def test_a_passkey_alone_opens_a_session(api, member, authenticator, frozen_clock):
    response = passkey_login(api, authenticator)

    assert response.status_code == 200, response.body
    session = body(response)["session"]["token"]
    assert body(api.get("/account", token=session))["last_login"]["method"] == "passkey"
    assert body(response)["account"] == body(api.get("/account", token=session))
    (stored,) = Passkey.scan()
    assert stored.sign_count == 1 and stored.last_used_at == frozen_clock.time
    assert "login_succeeded" in events(api, session)


def test_the_options_ask_any_passkey_of_this_site_with_user_verification(api):
    begun = options(api)
    assert begun["options"]["rpId"] == "site.example.test"
    assert begun["options"]["allowCredentials"] == []  # the browser offers what it has
    assert begun["options"]["userVerification"] == "required"
    assert begun["expires_in"] == 300


def test_a_counter_that_goes_back_is_refused(api, member, authenticator):
    assert passkey_login(api, authenticator, sign_count=5).status_code == 200

    for count in (5, 4, 0):
        assert refused(passkey_login(api, authenticator, sign_count=count)), count
    assert passkey_login(api, authenticator, sign_count=6).status_code == 200
    assert "passkey_refused" in events(api, member)


def test_an_authenticator_that_keeps_no_counter_still_logs_in(api, member, authenticator):
    authenticator.counts = False  # synced passkeys always say 0
    for _ in range(2):
        assert passkey_login(api, authenticator, sign_count=0).status_code == 200


def test_two_answers_checked_against_the_same_counter_open_one_session(
    api, member, authenticator, monkeypatch
):
    """Both read the counter before either moved it: the conditional write keeps one."""
    verify = relying_party.verify_assertion

    def slow_verify(*args, **kwargs):
        count = verify(*args, **kwargs)
        Passkey(credential_id=Passkey.scan().next().credential_id).update(
            actions=[Passkey.sign_count.set(count)]  # the other answer got there first
        )
        return count

    monkeypatch.setattr(relying_party, "verify_assertion", slow_verify)

    assert refused(passkey_login(api, authenticator))
    assert len(list(Session.scan())) == 1  # the fixture's own


def test_a_ceremony_answers_once(api, member, authenticator):
    begun = options(api)
    credential = authenticator.get(begun["options"])

    assert answer(api, begun, credential).status_code == 200
    again = answer(api, begun, credential)

    assert again.status_code == 400 and body(again)["error"]["code"] == "ceremony_invalid"


def test_a_ceremony_is_spent_by_a_wrong_answer_too(api, member, authenticator):
    begun = options(api)
    assert refused(answer(api, begun, authenticator.get(begun["options"], verified=False)))
    right = answer(api, begun, authenticator.get(begun["options"]))
    assert body(right)["error"]["code"] == "ceremony_invalid"


def test_a_ceremony_lasts_five_minutes(api, member, authenticator, frozen_clock):
    begun = options(api)
    frozen_clock.advance(300)

    late = answer(api, begun, authenticator.get(begun["options"]))

    assert late.status_code == 400 and body(late)["error"]["code"] == "ceremony_expired"
    assert Passkey.scan().next().sign_count == 0


def test_a_ceremony_answered_just_in_time_counts(api, member, authenticator, frozen_clock):
    begun = options(api)
    frozen_clock.advance(299)
    assert answer(api, begun, authenticator.get(begun["options"])).status_code == 200


@pytest.mark.parametrize(
    "wrong",
    [
        {"origin": "https://evil.example"},
        {"origin": "https://site.example.test:8443"},
        {"rp_id": "evil.example"},
        {"verified": False},
        {"user_handle": False},  # a discoverable passkey always names its user
        {"user_handle": b"someone else"},
    ],
)
def test_an_answer_for_another_site_or_unverified_is_refused(api, member, authenticator, wrong):
    assert refused(passkey_login(api, authenticator, **wrong))
    assert len(list(Session.scan())) == 1


def test_a_removed_passkey_logs_in_no_more(api, member, authenticator):
    (shown,) = body(api.get("/account/security", token=member))["passkeys"]
    api.request("DELETE", f"/account/passkeys/{shown['id']}", token=member)

    response = passkey_login(api, authenticator)

    assert refused(response)
    assert "no longer" not in body(response)["error"]["message"]


def test_a_locked_account_gets_no_session_from_a_passkey(api, member, authenticator):
    User(email="ada@example.com").update(actions=[User.failed_codes.set(100)])

    response = passkey_login(api, authenticator)

    assert response.status_code == 403 and body(response)["error"]["code"] == "account_locked"
    assert len(list(Session.scan())) == 1


def test_passkey_options_are_limited_per_network(api, monkeypatch):
    from chalicelib import ratelimits

    monkeypatch.setattr(ratelimits, "LOGINS_PER_NETWORK", ratelimits.Limit("t", 2, 900))
    assert [api.post("/login/passkey/options").status_code for _ in range(3)] == [200, 200, 429]


# --- as a login's second step --------------------------------------------------------------


def login_challenge(api):
    response = api.post("/login", PASSWORD)
    assert response.status_code == 200, response.body
    return body(response)["challenge"]


def test_after_the_password_the_passkey_is_offered_first_and_nothing_is_sent(api, member, authy):
    calls = len(authy.calls)

    challenge = login_challenge(api)

    assert challenge["method"] == "passkey" and challenge["passkey"] is True
    assert challenge["code_sent"] is False
    assert authy.calls[calls:] == []  # no push, no text: the phone was not asked


def test_without_a_passkey_the_challenge_says_so(api, user):
    assert login_challenge(api)["passkey"] is False


def test_the_passkey_answers_the_login_challenge(api, member, authenticator):
    challenge = login_challenge(api)
    begun = options(api, challenge["token"])
    (stored,) = Passkey.scan()
    assert [c["id"] for c in begun["options"]["allowCredentials"]] == [stored.credential_id]

    response = answer(api, begun, authenticator.get(begun["options"]), challenge["token"])

    assert response.status_code == 200 and body(response)["session"]["token"]
    assert body(response)["account"]["email"] == "ada@example.com"
    assert LoginChallenge.get(hash_token(challenge["token"])).used is True


def test_the_other_ways_stay_beside_the_passkey(api, member, authy):
    challenge = login_challenge(api)
    sent = api.post("/login/token", {"via": "sms"}, token=challenge["token"])
    verified = api.post("/login/verify", {"token": RIGHT_CODE}, token=challenge["token"])
    assert sent.status_code == 200 and verified.status_code == 200


def test_someone_elses_passkey_does_not_answer_a_challenge(
    api, member, authenticator, signup, authy, add_passkey
):
    ada = authenticator.credentials[-1]
    authy.has_app = False
    eve_challenge = signup(email="eve@example.com")["challenge"]["token"]
    eve = body(api.post("/login/verify", {"token": RIGHT_CODE}, token=eve_challenge))
    assert add_passkey(eve["session"]["token"]).status_code == 201
    challenge = login_challenge(api)  # Ada's login, answered with Eve's passkey
    begun = options(api, challenge["token"])
    eves = authenticator.credentials[-1]
    assert eves is not ada

    response = answer(
        api, begun, authenticator.get(begun["options"], credential=eves), challenge["token"]
    )

    assert refused(response)
    assert LoginChallenge.get(hash_token(challenge["token"])).used is False


def test_a_ceremony_answers_only_the_challenge_it_was_begun_for(api, member, authenticator):
    alone = options(api)  # a passwordless ceremony
    challenge = login_challenge(api)
    response = answer(api, alone, authenticator.get(alone["options"]), challenge["token"])
    assert response.status_code == 400 and body(response)["error"]["code"] == "ceremony_invalid"

    for_challenge = options(api, challenge["token"])
    response = answer(api, for_challenge, authenticator.get(for_challenge["options"]))
    assert response.status_code == 400 and body(response)["error"]["code"] == "ceremony_invalid"


def test_an_account_without_a_passkey_gets_no_options_for_its_challenge(api, user):
    challenge = login_challenge(api)
    response = api.post("/login/passkey/options", token=challenge["token"])
    assert response.status_code == 404


def test_a_superseded_challenge_cannot_be_answered(api, member, authenticator):
    challenge = login_challenge(api)
    begun = options(api, challenge["token"])
    login_challenge(api)  # a newer login

    response = answer(api, begun, authenticator.get(begun["options"]), challenge["token"])

    assert response.status_code == 401
    assert body(response)["error"]["code"] == "challenge_superseded"


def test_a_passkey_proves_a_step_up(api, member, authenticator, frozen_clock):
    frozen_clock.advance(11 * 60)
    step = body(api.post("/account/step-up", token=member))["challenge"]
    assert step["method"] == "passkey"
    begun = options(api, step["token"])

    response = answer(api, begun, authenticator.get(begun["options"]), step["token"])

    assert body(response)["step_up"]["proven_for"] == 600
    assert Session.get(hash_token(member)).proven_at == frozen_clock.time
    assert api.post("/account/recovery-codes", token=member).status_code == 201


# --- an answer shaped right with rubbish inside -------------------------------------------


def _rubbish(credential):
    import cbor2

    from tests.unit.soft_authenticator import b64url

    response = credential["response"]
    client_data = b64url(b'{"type": "webauthn.get", "challenge": 5, "origin": []}')
    return [
        {**credential, "rawId": b64url(b"another id")},
        {**credential, "type": "private-key"},
        {**credential, "response": {**response, "clientDataJSON": b64url(b"not json")}},
        {**credential, "response": {**response, "clientDataJSON": b64url(b"[1, 2]")}},
        {**credential, "response": {**response, "clientDataJSON": client_data}},
        {**credential, "response": {**response, "clientDataJSON": "%%%"}},
        {**credential, "response": {**response, "authenticatorData": b64url(b"short")}},
        {**credential, "response": {**response, "authenticatorData": 7}},
        {**credential, "response": {**response, "signature": ""}},
        {**credential, "response": {**response, "signature": b64url(cbor2.dumps([1]))}},
        {**credential, "response": {**response, "userHandle": 5}},
        {**credential, "response": {}},
    ]


@pytest.mark.parametrize("which", range(12))
def test_rubbish_inside_an_answer_is_a_4xx_and_opens_nothing(api, member, authenticator, which):
    begun = options(api)  # the answer is to this ceremony: only the rubbish is wrong
    credential = _rubbish(authenticator.get(begun["options"]))[which]

    response = answer(api, begun, credential)

    assert 400 <= response.status_code < 500, response.body
    if response.status_code == 400:
        assert "credential" in body(response)["error"]["fields"]
    assert len(list(Session.scan())) == 1


def test_no_ceremony_session_or_signature_reaches_the_log(api, member, authenticator, caplog):
    import logging

    caplog.set_level(logging.INFO)  # what the Lambda runs at
    begun = options(api)
    credential = authenticator.get(begun["options"])
    session = body(answer(api, begun, credential))["session"]["token"]
    wrong = options(api)
    assert refused(
        answer(api, wrong, authenticator.get(wrong["options"], origin="https://x.example"))
    )

    secrets = [begun["ceremony"], wrong["ceremony"], session, member]
    secrets.append(credential["response"]["signature"])
    assert [secret for secret in secrets if secret in caplog.text] == []
    assert "passkey answer refused: InvalidAuthenticationResponse" in caplog.text
    assert '"outcome": "passkey_refused"' in caplog.text
