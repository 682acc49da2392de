"""deploy.ses: no deploy without a sender SES may send from, nor a prod one in the sandbox."""

import pytest

from deploy import ses
from deploy.errors import DeployError
from deploy.project import load_stage
from tests.deploy.conftest import SENDER


def test_the_sender_comes_from_the_command(aws_env):
    assert ses.sender_of(load_stage("dev"), {"EMAIL_FROM": f" {SENDER} "}) == SENDER


@pytest.mark.parametrize(
    "environ, message",
    [
        ({}, "EMAIL_FROM is required"),
        ({"EMAIL_FROM": "Twofold <no-reply@login.example.com>"}, "no display name"),
        ({"EMAIL_FROM": "no-reply"}, "an address like"),
    ],
)
def test_a_missing_or_bad_sender_stops_the_deploy(aws_env, environ, message):
    with pytest.raises(DeployError, match=message):
        ses.sender_of(load_stage("dev"), environ)


def test_a_verified_domain_lets_its_addresses_send(session, log):
    ses.check_identity(session.client("sesv2"), load_stage("prod"), SENDER, log)
    assert f"SES: login.example.com is verified; the stage's emails come from {SENDER}" in log


def test_a_verified_address_is_enough(session, log):
    client = session.client("sesv2")
    client.create_email_identity(EmailIdentity="login@other.example")
    ses.check_identity(client, load_stage("dev"), "login@other.example", log)
    assert "SES: login@other.example is verified" in log


def test_a_sender_ses_does_not_know_stops_the_deploy(session, log):
    with pytest.raises(DeployError, match="SES has no identity for no-reply@unknown.example"):
        ses.check_identity(
            session.client("sesv2"), load_stage("dev"), "no-reply@unknown.example", log
        )


def test_the_sandbox_stops_prod_and_is_noted_elsewhere(session, log):
    session.ses_account.production = False
    client = session.client("sesv2")
    with pytest.raises(DeployError, match="sandbox"):
        ses.check_identity(client, load_stage("prod"), SENDER, log)
    ses.check_identity(client, load_stage("dev"), SENDER, log)
    assert "note: SES is in its sandbox in this region" in log


def test_up_checks_the_sender_before_it_makes_anything(session, chalice, log):
    from deploy import cli

    environ = {"AUTHY_API_KEY": "k", "EMAIL_FROM": "no-reply@unknown.example"}
    with pytest.raises(DeployError, match="SES has no identity"):
        cli.up("dev", environ=environ, session=session, log=log)
    assert session.client("dynamodb").list_tables()["TableNames"] == []
