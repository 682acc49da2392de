"""deploy.parameters against a moto server: a SecureString, written only when it changes."""

import pytest

from deploy.errors import DeployError
from deploy.parameters import delete, ensure_secret, ensure_value


def ensure_api_key(ssm, name, key):
    return ensure_secret(ssm, name, key, "Authy API key", "deploy with AUTHY_API_KEY set")


def delete_api_key(ssm, name):
    return delete(ssm, name)


NAME = "/twofold/dev/authy-api-key"


def _parameter(ssm):
    return ssm.get_parameter(Name=NAME, WithDecryption=True)["Parameter"]


def test_the_key_is_stored_as_a_secure_string(session):
    ssm = session.client("ssm")
    assert ensure_api_key(ssm, NAME, "key-one") is True
    parameter = _parameter(ssm)
    assert parameter["Type"] == "SecureString"
    assert parameter["Value"] == "key-one"
    assert ssm.get_parameter(Name=NAME)["Parameter"]["Value"] != "key-one"  # encrypted


def test_the_same_key_again_adds_no_version(session):
    ssm = session.client("ssm")
    ensure_api_key(ssm, NAME, "key-one")
    assert ensure_api_key(ssm, NAME, "key-one") is False
    assert _parameter(ssm)["Version"] == 1
    assert ensure_api_key(ssm, NAME, "key-two") is True
    assert _parameter(ssm)["Version"] == 2 and _parameter(ssm)["Value"] == "key-two"


def test_without_a_key_the_stored_one_is_used(session):
    ssm = session.client("ssm")
    ensure_api_key(ssm, NAME, "key-one")
    assert ensure_api_key(ssm, NAME, None) is False
    assert _parameter(ssm)["Value"] == "key-one"


def test_without_a_key_or_a_stored_one_the_deploy_stops(session):
    with pytest.raises(DeployError, match="AUTHY_API_KEY"):
        ensure_api_key(session.client("ssm"), NAME, "")


def test_delete(session):
    ssm = session.client("ssm")
    ensure_api_key(ssm, NAME, "key-one")
    assert delete_api_key(ssm, NAME) is True
    assert delete_api_key(ssm, NAME) is False


def test_a_plain_value_is_kept_for_the_next_deploy(session):
    ssm = session.client("ssm")
    name = "/twofold/dev/verify-service-sid"
    assert ensure_value(ssm, name, None) is None
    assert ensure_value(ssm, name, "VA" + "1" * 32) == "VA" + "1" * 32
    assert ensure_value(ssm, name, None) == "VA" + "1" * 32
    assert ssm.get_parameter(Name=name)["Parameter"]["Type"] == "String"
