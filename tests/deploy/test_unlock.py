"""make unlock: an operator lifts an account's wrong-code lock, and it shows in its activity."""

import pytest

from deploy import cli
from deploy.errors import DeployError
from deploy.project import load_stage
from deploy.schema import table_specs
from deploy.tables import ensure_tables
from deploy.unlock import unlock


@pytest.fixture
def dev_tables(session):
    ensure_tables(session.client("dynamodb"), table_specs(load_stage("dev")), log=lambda _: 0)
    return session.resource("dynamodb")


def locked_user(dynamodb, email="ada@example.com"):
    dynamodb.Table("twofold-dev-users").put_item(
        Item={
            "email": email,
            "state": "active",
            "name": "Ada",
            "password_hash": "x",
            "country_code": 1,
            "phone": "+12015550123",
            "created_at": 1,
            "failed_codes": 100,
            "locked_at": 2,
        }
    )


def test_unlock_resets_the_count_and_records_who_did_it(dev_tables, log):
    locked_user(dev_tables)

    unlock("dev", " Ada@Example.com ", log=log)

    user = dev_tables.Table("twofold-dev-users").get_item(Key={"email": "ada@example.com"})["Item"]
    assert user["failed_codes"] == 0 and "locked_at" not in user
    events = dev_tables.Table("twofold-dev-audit").scan()["Items"]
    assert [(e["email"], e["kind"], e["method"]) for e in events] == [
        ("ada@example.com", "account_unlocked", "operator")
    ]
    assert "ada@example.com" in " ".join(log.lines).lower()


def test_an_unknown_account_is_an_error_and_creates_nothing(dev_tables):
    with pytest.raises(DeployError, match="no account"):
        unlock("dev", "nobody@example.com")
    assert dev_tables.Table("twofold-dev-users").scan()["Items"] == []


def test_the_command_line(dev_tables, capsys):
    locked_user(dev_tables)
    cli.main(["unlock", "--stage", "dev", "--email", "ada@example.com"])
    assert "unlocked on dev" in capsys.readouterr().out
