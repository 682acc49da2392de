"""make deploy for a Verify stage: Twilio's secret in a SecureString, the SID and the
Service kept for later deploys, a Service created when none is named (against moto's SSM
and the emulator's Verify); and an Authy stage as before."""

import threading

import pytest
from werkzeug.serving import make_server

from deploy.errors import DeployError
from deploy.policy import lambda_policy
from deploy.project import Stage
from deploy.schema import table_specs
from deploy.vendor_setup import vendor_environment
from devstack.emulator import LOCAL_ACCOUNT_SID, LOCAL_AUTH_TOKEN, create_app
from tests.deploy.conftest import SENDER

VERIFY = Stage(name="dev", app_name="twofold", table_prefix="twofold-dev", provider="verify")
AUTHY = Stage(name="dev", app_name="twofold", table_prefix="twofold-dev")


@pytest.fixture
def verify_api():
    """The emulator's Verify v2 on loopback; its URL."""
    emulator = create_app("unused")
    server = make_server("127.0.0.1", 0, emulator, threaded=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", emulator.extensions["emulator"]
    server.shutdown()
    server.server_close()


def account(verify_api, **extra):
    return {
        "TWILIO_ACCOUNT_SID": LOCAL_ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": LOCAL_AUTH_TOKEN,
        "VERIFY_API_URL": verify_api[0],
        **extra,
    }


def test_a_first_verify_deploy_stores_the_secret_and_creates_the_service(session, verify_api, log):
    ssm = session.client("ssm")

    environment = vendor_environment(ssm, VERIFY, account(verify_api), log)

    assert environment["TWILIO_ACCOUNT_SID"] == LOCAL_ACCOUNT_SID
    assert environment["TWILIO_AUTH_TOKEN_PARAM"] == "/twofold/dev/twilio-auth-token"
    assert environment["VERIFY_SERVICE_SID"].startswith("VA")
    assert LOCAL_AUTH_TOKEN not in str(environment)  # the Lambda gets the name, not the token
    token = ssm.get_parameter(Name="/twofold/dev/twilio-auth-token", WithDecryption=True)
    assert token["Parameter"]["Type"] == "SecureString"
    assert token["Parameter"]["Value"] == LOCAL_AUTH_TOKEN
    assert f"Verify Service {environment['VERIFY_SERVICE_SID']} (Twofold) created" in log


def test_a_later_deploy_reuses_what_is_stored(session, verify_api, log):
    ssm = session.client("ssm")
    first = vendor_environment(ssm, VERIFY, account(verify_api), log)

    again = vendor_environment(ssm, VERIFY, {"VERIFY_API_URL": verify_api[0]}, log)

    assert again == first
    assert sum("created" in line for line in log.lines) == 1  # one Service, not two


def test_a_named_service_is_used_as_it_is(session, verify_api, log):
    sid = "VA" + "a" * 32
    environment = vendor_environment(
        session.client("ssm"), VERIFY, account(verify_api, VERIFY_SERVICE_SID=sid), log
    )
    assert environment["VERIFY_SERVICE_SID"] == sid
    assert not any("created" in line for line in log.lines)


def test_an_api_key_goes_to_its_own_secure_string(session, verify_api, log):
    key = {"TWILIO_API_KEY_SID": "SK" + "1" * 32, "TWILIO_API_KEY_SECRET": "key-secret"}
    environment = vendor_environment(
        session.client("ssm"), VERIFY, {**key, "VERIFY_SERVICE_SID": "VA" + "b" * 32}, log
    )
    assert environment["TWILIO_API_KEY_SID"] == key["TWILIO_API_KEY_SID"]
    assert environment["TWILIO_API_KEY_SECRET_PARAM"] == "/twofold/dev/twilio-api-key-secret"
    assert "TWILIO_ACCOUNT_SID" not in environment


@pytest.mark.parametrize(
    "given, named",
    [
        ({"TWILIO_ACCOUNT_SID": LOCAL_ACCOUNT_SID}, "TWILIO_AUTH_TOKEN"),
        ({"TWILIO_AUTH_TOKEN": "t"}, "TWILIO_ACCOUNT_SID"),
        ({"TWILIO_API_KEY_SID": "SK" + "1" * 32}, "TWILIO_API_KEY_SECRET"),
        ({}, "TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN"),
    ],
)
def test_a_missing_or_half_given_setting_is_named(session, given, named):
    with pytest.raises(DeployError, match=named):
        vendor_environment(session.client("ssm"), VERIFY, given)
    assert session.client("ssm").describe_parameters()["Parameters"] == []


def test_an_authy_stage_keeps_its_key(session, log):
    environment = vendor_environment(session.client("ssm"), AUTHY, {"AUTHY_API_KEY": "k"}, log)
    assert environment == {"AUTHY_API_KEY_PARAM": "/twofold/dev/authy-api-key"}


def test_a_verify_stages_lambda_may_read_twilios_secret_and_not_authys(aws_env):
    policy = lambda_policy(VERIFY, table_specs(VERIFY))
    [parameters] = [s for s in policy["Statement"] if s["Sid"] == "Parameters"]
    assert "arn:aws:ssm:*:*:parameter/twofold/dev/twilio-auth-token" in parameters["Resource"]
    assert not any("authy" in arn for arn in parameters["Resource"])


def test_a_verify_stages_lambdas_get_the_names_and_no_authy_callback(session, verify_api):
    from deploy.api import Endpoints
    from deploy.cli import Addresses, lambda_settings

    vendor = vendor_environment(session.client("ssm"), VERIFY, account(verify_api))
    endpoints = Endpoints("https://abc.execute-api.eu-central-1.amazonaws.com/api")

    settings = lambda_settings(
        VERIFY, Addresses("https://login.example.com", SENDER), endpoints, vendor
    )

    assert "AUTHY_CALLBACK_URL" not in settings and "AUTHY_API_KEY_PARAM" not in settings
    assert settings["TWILIO_AUTH_TOKEN_PARAM"] == "/twofold/dev/twilio-auth-token"
    assert settings["VERIFY_SERVICE_SID"] == vendor["VERIFY_SERVICE_SID"]
