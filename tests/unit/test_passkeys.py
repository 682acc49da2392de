"""Adding and removing passkeys on the account page: a fresh proof for each change, ten at
most, the last factor kept, every change in the activity."""

import pytest

from chalicelib.models import Passkey, PasskeyCeremony, User
from chalicelib.second_step import factors
from tests.unit.conftest import body
from tests.unit.soft_authenticator import unb64url

STALE = 11 * 60  # past the ten minutes a second factor's proof lasts


def events(api, session):
    return [event["event"] for event in body(api.get("/account/activity", token=session))["events"]]


def listed(api, session):
    return body(api.get("/account/security", token=session))["passkeys"]


def test_an_added_passkey_is_listed_with_its_name_and_dates(api, session, add_passkey):
    answer = add_passkey(session)

    assert answer.status_code == 201, answer.body
    (shown,) = listed(api, session)
    assert shown == body(answer)["passkey"]
    assert shown["name"] == "Chrome on Linux"  # the browser's description, by default
    assert shown["created_at"].endswith("Z") and shown["last_used_at"] is None
    assert User.get("ada@example.com").passkeys == 1
    assert "passkey_added" in events(api, session)


def test_a_passkey_takes_the_name_it_is_given(api, session, add_passkey):
    add_passkey(session, name="  Work laptop ")
    assert [p["name"] for p in listed(api, session)] == ["Work laptop"]


def test_the_options_ask_for_a_discoverable_user_verified_passkey_for_this_site(api, session):
    begun = body(api.post("/account/passkeys/options", token=session))
    options = begun["options"]

    assert options["rp"] == {"id": "site.example.test", "name": "Unit Login"}
    assert options["authenticatorSelection"]["residentKey"] == "required"
    assert options["authenticatorSelection"]["userVerification"] == "required"
    assert len(unb64url(options["challenge"])) == 32
    assert begun["expires_in"] == 300 and begun["default_name"] == "Chrome on Linux"
    (ceremony,) = PasskeyCeremony.scan()
    assert begun["ceremony"] not in str(ceremony.attribute_values)  # only its hash is kept


def test_the_user_handle_is_the_opaque_user_id_never_the_email(api, session, add_passkey):
    options = body(api.post("/account/passkeys/options", token=session))["options"]
    user = User.get("ada@example.com")

    assert unb64url(options["user"]["id"]) == user.user_id.encode()
    assert b"ada" not in unb64url(options["user"]["id"])
    add_passkey(session)
    (stored,) = Passkey.scan()
    assert unb64url(stored.user_handle) == user.user_id.encode()


def test_an_account_made_without_a_user_id_gets_one_once(api, session):
    User(email="ada@example.com").update(actions=[User.user_id.remove()])

    first = body(api.post("/account/passkeys/options", token=session))["options"]["user"]["id"]
    second = body(api.post("/account/passkeys/options", token=session))["options"]["user"]["id"]

    assert first == second
    assert unb64url(first) == User.get("ada@example.com").user_id.encode()


def test_the_options_exclude_the_passkeys_already_added(api, session, add_passkey):
    add_passkey(session)
    (stored,) = Passkey.scan()
    options = body(api.post("/account/passkeys/options", token=session))["options"]
    assert [c["id"] for c in options["excludeCredentials"]] == [stored.credential_id]


def test_adding_needs_a_second_factor_proven_in_the_last_ten_minutes(
    api, session, authenticator, frozen_clock
):
    begun = body(api.post("/account/passkeys/options", token=session))
    frozen_clock.advance(STALE)
    answer = {"ceremony": begun["ceremony"], "credential": authenticator.create(begun["options"])}

    for response in (
        api.post("/account/passkeys/options", token=session),
        api.post("/account/passkeys", answer, token=session),
    ):
        assert response.status_code == 403
        assert body(response)["error"]["code"] == "step_up_required"
    assert list(Passkey.scan()) == []


@pytest.mark.parametrize(
    "wrong, field",
    [
        ({"origin": "https://site.example.test.evil.example"}, "origin"),
        ({"origin": "http://site.example.test"}, "origin"),
        ({"rp_id": "evil.example"}, "relying party"),
        ({"verified": False}, "user verification"),
    ],
)
def test_a_passkey_made_for_another_site_or_unverified_is_refused(
    api, session, add_passkey, wrong, field
):
    answer = add_passkey(session, **wrong)

    assert answer.status_code == 400, field
    assert "credential" in body(answer)["error"]["fields"]
    assert list(Passkey.scan()) == []
    assert User.get("ada@example.com").passkeys == 0


def test_a_registration_ceremony_is_used_once(api, session, authenticator):
    begun = body(api.post("/account/passkeys/options", token=session))
    answer = {"ceremony": begun["ceremony"], "credential": authenticator.create(begun["options"])}

    first = api.post("/account/passkeys", answer, token=session)
    again = api.post("/account/passkeys", answer, token=session)

    assert first.status_code == 201
    assert again.status_code == 400 and body(again)["error"]["code"] == "ceremony_invalid"
    assert User.get("ada@example.com").passkeys == 1


def test_a_registration_ceremony_lasts_five_minutes(api, session, authenticator, frozen_clock):
    begun = body(api.post("/account/passkeys/options", token=session))
    answer = {"ceremony": begun["ceremony"], "credential": authenticator.create(begun["options"])}
    frozen_clock.advance(300)

    late = api.post("/account/passkeys", answer, token=session)

    assert late.status_code == 400 and body(late)["error"]["code"] == "ceremony_expired"
    assert list(Passkey.scan()) == []


def test_one_accounts_ceremony_adds_nothing_to_another(
    api, session, authenticator, signup, authy, login
):
    begun = body(api.post("/account/passkeys/options", token=session))
    eve = _second_member(api, signup, authy)
    answer = {"ceremony": begun["ceremony"], "credential": authenticator.create(begun["options"])}

    response = api.post("/account/passkeys", answer, token=eve)

    assert response.status_code == 400 and body(response)["error"]["code"] == "ceremony_invalid"
    assert list(Passkey.scan()) == []


def _second_member(api, signup, authy):
    from tests.unit.fake_authy import RIGHT_CODE

    authy.has_app = False
    challenge = signup(email="eve@example.com")["challenge"]
    answer = api.post("/login/verify", {"token": RIGHT_CODE}, token=challenge["token"])
    authy.has_app = True
    return body(answer)["session"]["token"]


def test_the_same_passkey_is_not_added_twice(api, session, authenticator):
    first = body(api.post("/account/passkeys/options", token=session))
    made = authenticator.create(first["options"])
    assert (
        api.post(
            "/account/passkeys", {"ceremony": first["ceremony"], "credential": made}, token=session
        ).status_code
        == 201
    )

    second = body(api.post("/account/passkeys/options", token=session))
    again = authenticator.create(second["options"], credential=authenticator.credentials[-1])
    response = api.post(
        "/account/passkeys", {"ceremony": second["ceremony"], "credential": again}, token=session
    )

    assert response.status_code == 409 and body(response)["error"]["code"] == "passkey_taken"
    assert User.get("ada@example.com").passkeys == 1


def test_an_account_keeps_ten_passkeys_at_most(api, session, add_passkey, authenticator):
    for _ in range(9):
        assert add_passkey(session).status_code == 201
    # Two ceremonies begun at nine: the count is checked again when each is stored.
    tenth, eleventh = (body(api.post("/account/passkeys/options", token=session)) for _ in "ab")
    for begun, status in ((tenth, 201), (eleventh, 409)):
        answer = {
            "ceremony": begun["ceremony"],
            "credential": authenticator.create(begun["options"]),
        }
        response = api.post("/account/passkeys", answer, token=session)
        assert response.status_code == status, response.body

    assert body(response)["error"]["code"] == "too_many_passkeys"
    refused = api.post("/account/passkeys/options", token=session)
    assert refused.status_code == 409 and body(refused)["error"]["code"] == "too_many_passkeys"
    assert len(list(Passkey.scan())) == User.get("ada@example.com").passkeys == 10


# --- removing ---------------------------------------------------------------------------


def remove(api, session, passkey_id):
    return api.request("DELETE", f"/account/passkeys/{passkey_id}", token=session)


def test_a_removed_passkey_is_gone_and_the_change_is_in_the_activity(api, session, add_passkey):
    added = body(add_passkey(session))["passkey"]

    assert remove(api, session, added["id"]).status_code == 204
    assert listed(api, session) == [] and list(Passkey.scan()) == []
    assert User.get("ada@example.com").passkeys == 0
    assert events(api, session)[0] == "passkey_removed"


def test_removing_needs_a_fresh_second_factor(api, session, add_passkey, frozen_clock):
    added = body(add_passkey(session))["passkey"]
    frozen_clock.advance(STALE)

    response = remove(api, session, added["id"])

    assert response.status_code == 403 and body(response)["error"]["code"] == "step_up_required"
    assert len(list(Passkey.scan())) == 1


def test_another_accounts_passkey_cannot_be_removed(api, session, add_passkey, signup, authy):
    added = body(add_passkey(session))["passkey"]
    eve = _second_member(api, signup, authy)

    response = remove(api, eve, added["id"])

    assert response.status_code == 404
    assert len(list(Passkey.scan())) == 1


@pytest.mark.parametrize(
    "passkey_id", ["x", "0" * 17, "ABCDEF0123456789", "%00" * 4, "é" * 16, "0123456789abcdef%0A"]
)
def test_a_passkey_id_that_cannot_be_one_is_a_400_naming_it(api, session, passkey_id):
    response = remove(api, session, passkey_id)
    assert response.status_code == 400
    assert "passkey_id" in body(response)["error"]["fields"]


def test_the_last_second_factor_cannot_be_removed(api, session, add_passkey, monkeypatch):
    """With the phone turned off (it cannot be, yet) the passkeys are the factors left."""
    first = body(add_passkey(session))["passkey"]
    second = body(add_passkey(session))["passkey"]
    monkeypatch.setattr(factors, "_phone", lambda user: False)

    assert remove(api, session, first["id"]).status_code == 204
    last = remove(api, session, second["id"])

    assert last.status_code == 409 and body(last)["error"]["code"] == "last_factor"
    assert [p["id"] for p in listed(api, session)] == [second["id"]]


def test_the_phone_keeps_a_removal_from_leaving_no_factor(api, session, add_passkey):
    added = body(add_passkey(session))["passkey"]
    user = User.get("ada@example.com")
    assert factors.count(user) == 2  # the phone and the passkey
    assert remove(api, session, added["id"]).status_code == 204
    assert factors.count(User.get("ada@example.com")) == 1


def test_a_removal_decided_on_a_stale_count_is_refused(api, session, add_passkey, monkeypatch):
    """Two removals racing: each counted the factors before the other wrote."""
    first = body(add_passkey(session))["passkey"]
    second = body(add_passkey(session))["passkey"]
    from chalicelib import accounts

    stale = User.get("ada@example.com")
    assert remove(api, session, first["id"]).status_code == 204
    monkeypatch.setattr(accounts, "user_of", lambda session, context: stale)

    response = remove(api, session, second["id"])

    assert response.status_code == 409 and body(response)["error"]["code"] == "security_changed"
    assert User.get("ada@example.com").passkeys == 1


def _rubbish(credential):
    import cbor2

    from tests.unit.soft_authenticator import b64url

    response = credential["response"]
    attestation = cbor2.loads(unb64url(response["attestationObject"]))
    packed = {"alg": -7, "sig": b"not a signature", "x5c": [b"not a certificate"]}

    def with_attestation(**changes):
        changed = b64url(cbor2.dumps({**attestation, **changes}))
        return {**credential, "response": {**response, "attestationObject": changed}}

    return [
        {**credential, "rawId": b64url(b"another id")},
        {**credential, "response": {**response, "clientDataJSON": b64url(b"{}")}},
        {**credential, "response": {**response, "attestationObject": b64url(b"\xff\x00")}},
        {**credential, "response": {**response, "attestationObject": 3}},
        with_attestation(fmt="packed", attStmt=packed),
        with_attestation(fmt="tpm", attStmt={"ver": "2.0"}),
        with_attestation(fmt="no such format"),
        with_attestation(authData=b"\x00" * 37),
        with_attestation(authData="text"),
    ]


@pytest.mark.parametrize("which", range(9))
def test_rubbish_inside_a_new_passkey_is_a_400_naming_it(api, session, authenticator, which):
    begun = body(api.post("/account/passkeys/options", token=session))
    credential = _rubbish(authenticator.create(begun["options"]))[which]

    response = api.post(
        "/account/passkeys",
        {"ceremony": begun["ceremony"], "credential": credential},
        token=session,
    )

    assert response.status_code == 400, response.body
    assert "credential" in body(response)["error"]["fields"]
    assert list(Passkey.scan()) == []


def test_a_passkey_left_by_an_earlier_account_with_the_email_is_not_listed(
    api, session, add_passkey
):
    """What a released account's stranger left behind (a half-done release) is not shown
    to the owner as theirs, and cannot be removed from their count."""
    mine = body(add_passkey(session))["passkey"]
    (kept,) = Passkey.scan()
    Passkey(
        credential_id="left-behind",
        passkey_id="0123456789abcdef",
        email=kept.email,
        user_handle="c29tZW9uZS1lbHNl",  # another account's user id
        public_key=kept.public_key,
        name="Not yours",
        created_at=kept.created_at + 1,
    ).save()

    assert [key["id"] for key in listed(api, session)] == [mine["id"]]
    assert remove(api, session, "0123456789abcdef").status_code == 404
