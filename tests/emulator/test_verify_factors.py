"""Verify v2's Entities, TOTP Factors and Challenges, as docs/verify-api.md has them."""

import base64
import re
import urllib.parse

import pytest

from devstack.emulator import totp

IDENTITY = "0f8fad5b-d9cb-469f-a165-70867728950e"


def assert_error(response, status, code):
    assert response.status_code == status, response.get_json()
    assert response.get_json()["code"] == code
    assert response.get_json()["status"] == status


@pytest.fixture
def entity(service_sid):
    return f"/v2/Services/{service_sid}/Entities/{IDENTITY}"


@pytest.fixture
def factor(verify, entity):
    response = verify.post(f"{entity}/Factors", FactorType="totp", FriendlyName="ada@example.com")
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def secret_of(factor):
    encoded = factor["binding"]["secret"]
    return base64.b32decode(encoded + "=" * (-len(encoded) % 8))


def code_now(factor, clock, steps=0):
    return totp.code_at(secret_of(factor), clock.now + steps * 30, digits=6)


def other_than(*codes):
    return next(c for c in ("000000", "111111", "222222") if c not in codes)


@pytest.fixture
def verified(verify, entity, factor, clock):
    response = verify.post(f"{entity}/Factors/{factor['sid']}", AuthPayload=code_now(factor, clock))
    assert response.get_json()["status"] == "verified"
    return factor


# factors


def test_a_totp_factor_comes_with_its_binding(factor, service_sid):
    assert re.fullmatch(r"YF[0-9a-f]{32}", factor["sid"])
    assert re.fullmatch(r"YE[0-9a-f]{32}", factor["entity_sid"])
    assert (factor["identity"], factor["status"], factor["factor_type"]) == (
        IDENTITY,
        "unverified",
        "totp",
    )
    assert factor["config"] == {"alg": "sha1", "skew": 1, "code_length": 6, "time_step": 30}
    assert len(secret_of(factor)) == 20
    uri = urllib.parse.urlsplit(factor["binding"]["uri"])
    assert (uri.scheme, uri.netloc) == ("otpauth", "totp")
    assert urllib.parse.unquote(uri.path) == "/Twofold (local):ada@example.com"
    query = dict(urllib.parse.parse_qsl(uri.query))
    assert query == {
        "secret": factor["binding"]["secret"],
        "issuer": "Twofold (local)",
        "algorithm": "SHA1",
        "digits": "6",
        "period": "30",
    }


def test_the_issuer_is_the_services_totp_issuer(verify):
    sid = verify.service(**{"Totp.Issuer": "Twofold"})
    path = f"/v2/Services/{sid}/Entities/{IDENTITY}/Factors"
    uri = verify.post(path, FactorType="totp", FriendlyName="ada").get_json()["binding"]["uri"]
    assert uri.startswith("otpauth://totp/Twofold:ada?")
    assert "issuer=Twofold&" in uri


def test_a_factor_takes_its_config_and_secret(verify, entity, clock):
    secret = base64.b32encode(b"12345678901234567890").decode()
    form = {
        "FactorType": "totp",
        "FriendlyName": "ada",
        "Binding.Secret": secret,
        "Config.CodeLength": "8",
        "Config.TimeStep": "60",
        "Config.Alg": "sha256",
        "Config.Skew": "0",
    }
    made = verify.post(f"{entity}/Factors", **form).get_json()
    assert made["binding"]["secret"] == secret
    assert made["config"] == {"alg": "sha256", "skew": 0, "code_length": 8, "time_step": 60}
    code = totp.code_at(b"12345678901234567890", clock.now, 8, 60, "sha256")
    verified = verify.post(f"{entity}/Factors/{made['sid']}", AuthPayload=code).get_json()
    assert verified["status"] == "verified"


def test_the_binding_is_shown_only_once(verify, entity, factor):
    fetched = verify.get(f"{entity}/Factors/{factor['sid']}").get_json()
    assert "binding" not in fetched
    [listed] = verify.get(f"{entity}/Factors").get_json()["factors"]
    assert listed["sid"] == factor["sid"] and "binding" not in listed


@pytest.mark.parametrize(
    "form, name",
    [
        ({"FactorType": "push", "FriendlyName": "x"}, "FactorType"),
        ({"FactorType": "totp"}, "FriendlyName"),
        ({"FactorType": "totp", "FriendlyName": "x", "Config.TimeStep": "10"}, "Config.TimeStep"),
        ({"FactorType": "totp", "FriendlyName": "x", "Config.Alg": "md5"}, "Config.Alg"),
        (
            {"FactorType": "totp", "FriendlyName": "x", "Binding.Secret": "not base32!"},
            "Binding.Secret",
        ),
    ],
)
def test_bad_factor_settings_are_60200(verify, entity, form, name):
    response = verify.post(f"{entity}/Factors", **form)
    assert_error(response, 400, 60200)
    assert response.get_json()["message"] == f"Invalid parameter: {name}"


@pytest.mark.parametrize("identity", ["short", "has_underscore_in_it", "x" * 65, "-leading-dash"])
def test_an_identity_that_is_not_opaque_is_60200(verify, service_sid, identity):
    path = f"/v2/Services/{service_sid}/Entities/{identity}/Factors"
    assert_error(verify.post(path, FactorType="totp", FriendlyName="x"), 400, 60200)


def test_a_wrong_first_code_leaves_the_factor_unverified(verify, entity, factor, clock):
    path = f"{entity}/Factors/{factor['sid']}"
    response = verify.post(path, AuthPayload=other_than(code_now(factor, clock)))
    assert response.status_code == 200
    assert response.get_json()["status"] == "unverified"


@pytest.mark.parametrize("steps", [-1, 0, 1])
def test_codes_within_the_skew_verify(verify, entity, factor, clock, steps):
    code = code_now(factor, clock, steps)
    path = f"{entity}/Factors/{factor['sid']}"
    assert verify.post(path, AuthPayload=code).get_json()["status"] == "verified"


def test_a_code_two_steps_away_does_not(verify, entity, clock):
    secret = base64.b32encode(b"12345678901234567890").decode()
    form = {"FactorType": "totp", "FriendlyName": "ada", "Binding.Secret": secret}
    made = verify.post(f"{entity}/Factors", **form).get_json()
    old = code_now(made, clock, -2)
    assert old not in {code_now(made, clock, s) for s in (-1, 0, 1)}  # true for this secret
    path = f"{entity}/Factors/{made['sid']}"
    assert verify.post(path, AuthPayload=old).get_json()["status"] == "unverified"


def test_after_five_wrong_first_codes_the_factor_is_60310(verify, entity, factor, clock):
    path = f"{entity}/Factors/{factor['sid']}"
    wrong = other_than(*(code_now(factor, clock, s) for s in (-1, 0, 1)))
    for _ in range(5):
        verify.post(path, AuthPayload=wrong)
    assert_error(verify.post(path, AuthPayload=code_now(factor, clock)), 429, 60310)


def test_a_factor_and_an_entity_are_deleted(verify, entity, factor):
    path = f"{entity}/Factors/{factor['sid']}"
    assert verify.delete(path).status_code == 204
    assert_error(verify.get(path), 404, 20404)
    assert_error(verify.delete(path), 404, 20404)
    assert verify.get(entity).status_code == 200
    assert verify.delete(entity).status_code == 204
    assert_error(verify.get(entity), 404, 20404)
    assert_error(verify.delete(entity), 404, 20404)


def test_deleting_an_entity_deletes_its_factors(verify, entity, factor):
    verify.delete(entity)
    assert_error(verify.get(f"{entity}/Factors/{factor['sid']}"), 404, 20404)


def test_an_entity_is_created_and_fetched(verify, service_sid):
    path = f"/v2/Services/{service_sid}/Entities"
    created = verify.post(path, Identity=IDENTITY)
    assert created.status_code == 201
    body = created.get_json()
    assert re.fullmatch(r"YE[0-9a-f]{32}", body["sid"])
    assert verify.get(f"{path}/{IDENTITY}").get_json()["sid"] == body["sid"]


# challenges


def challenge(verify, entity, factor, **form):
    return verify.post(f"{entity}/Challenges", FactorSid=factor["sid"], **form)


def test_a_right_code_approves_a_challenge_at_once(verify, entity, verified, clock):
    response = challenge(verify, entity, verified, AuthPayload=code_now(verified, clock))
    assert response.status_code == 201
    body = response.get_json()
    assert re.fullmatch(r"YC[0-9a-f]{32}", body["sid"])
    assert (body["status"], body["factor_type"], body["factor_sid"]) == (
        "approved",
        "totp",
        verified["sid"],
    )
    assert body["date_responded"] is not None


def test_a_wrong_code_leaves_it_pending_and_five_lock_it(verify, entity, verified, clock):
    wrong = other_than(*(code_now(verified, clock, s) for s in (-1, 0, 1)))
    body = challenge(verify, entity, verified, AuthPayload=wrong).get_json()
    assert body["status"] == "pending"
    path = f"{entity}/Challenges/{body['sid']}"
    for _ in range(4):
        assert verify.post(path, AuthPayload=wrong).get_json()["status"] == "pending"
    assert_error(verify.post(path, AuthPayload=code_now(verified, clock)), 429, 60308)


def test_a_challenge_can_be_answered_later(verify, entity, verified, clock):
    body = challenge(verify, entity, verified).get_json()
    assert body["status"] == "pending"
    path = f"{entity}/Challenges/{body['sid']}"
    answered = verify.post(path, AuthPayload=code_now(verified, clock)).get_json()
    assert answered["status"] == "approved"
    assert verify.get(path).get_json()["status"] == "approved"


def test_a_challenge_expires_after_five_minutes(verify, entity, verified, clock):
    body = challenge(verify, entity, verified).get_json()
    path = f"{entity}/Challenges/{body['sid']}"
    clock.advance(300)
    assert verify.get(path).get_json()["status"] == "expired"
    assert_error(verify.post(path, AuthPayload=code_now(verified, clock)), 403, 60323)


def test_an_unverified_factor_cannot_be_challenged(verify, entity, factor, clock):
    response = challenge(verify, entity, factor, AuthPayload=code_now(factor, clock))
    assert_error(response, 403, 60318)


def test_a_challenge_of_another_entitys_factor_is_20404(verify, service_sid, verified, clock):
    other = f"/v2/Services/{service_sid}/Entities/someone-else-1234"
    response = challenge(verify, other, verified, AuthPayload=code_now(verified, clock))
    assert_error(response, 404, 20404)


@pytest.mark.parametrize("payload", ["12", "123456789", "12a456"])
def test_an_auth_payload_that_cannot_be_a_code_is_60200(verify, entity, verified, payload):
    assert_error(challenge(verify, entity, verified, AuthPayload=payload), 400, 60200)


def test_a_challenge_keeps_its_details(verify, entity, verified):
    body = challenge(
        verify,
        entity,
        verified,
        **{"Details.Message": "Log in?", "HiddenDetails": '{"ip": "127.0.0.1"}'},
    ).get_json()
    assert body["details"]["message"] == "Log in?"
    assert body["hidden_details"] == {"ip": "127.0.0.1"}
