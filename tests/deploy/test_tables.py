"""deploy.tables against a moto server: on demand, keys and indexes, TTL, PITR; idempotent."""

import dataclasses

import pytest

from deploy.errors import DeployError
from deploy.tables import delete_tables, ensure_table, ensure_tables


def _state(dynamodb, spec):
    table = dynamodb.describe_table(TableName=spec.name)["Table"]
    ttl = dynamodb.describe_time_to_live(TableName=spec.name)["TimeToLiveDescription"]
    backups = dynamodb.describe_continuous_backups(TableName=spec.name)
    pitr = backups["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
    return table, ttl, pitr["PointInTimeRecoveryStatus"]


def test_creates_every_table_as_declared(session, specs, log):
    dynamodb = session.client("dynamodb")
    ensure_tables(dynamodb, specs, log)
    assert set(dynamodb.list_tables()["TableNames"]) == {spec.name for spec in specs}
    for spec in specs:
        table, ttl, pitr = _state(dynamodb, spec)
        assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
        assert sorted(table["KeySchema"], key=str) == sorted(spec.key_schema, key=str)
        indexes = [index["IndexName"] for index in table.get("GlobalSecondaryIndexes", [])]
        assert indexes == [index["IndexName"] for index in spec.global_indexes]
        if spec.ttl_attribute:
            assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": spec.ttl_attribute}
        assert pitr == ("ENABLED" if spec.durable else "DISABLED")


def test_users_have_point_in_time_recovery_and_ttl_tables_expire(session, specs, log):
    dynamodb = session.client("dynamodb")
    ensure_tables(dynamodb, specs, log)
    by_model = {spec.model: spec for spec in specs}
    assert _state(dynamodb, by_model["User"])[2] == "ENABLED"
    sessions = _state(dynamodb, by_model["Session"])[1]
    assert sessions["TimeToLiveStatus"] == "ENABLED" and sessions["AttributeName"] == "ttl"


def test_running_twice_changes_nothing(session, specs, log):
    dynamodb = session.client("dynamodb")
    ensure_tables(dynamodb, specs, log)
    first = len(log.lines)
    ensure_tables(dynamodb, specs, log)
    assert log.lines[first:] == []


def test_an_older_table_is_brought_up_to_date(session, specs, log):
    """Provisioned, without the GSI a later model added and without TTL: all fixed."""
    dynamodb = session.client("dynamodb")
    spec = next(spec for spec in specs if spec.global_indexes)
    dynamodb.create_table(
        TableName=spec.name,
        KeySchema=spec.key_schema,
        AttributeDefinitions=[
            a for a in spec.attribute_definitions if a["AttributeName"] in str(spec.key_schema)
        ],
        ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
    )
    ensure_table(dynamodb, spec, log)
    table, ttl, _ = _state(dynamodb, spec)
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert [i["IndexName"] for i in table["GlobalSecondaryIndexes"]] == spec.index_names
    assert ttl["TimeToLiveStatus"] == "ENABLED"
    assert f"index {spec.index_names[0]} created" in log


def test_a_table_whose_keys_changed_is_refused(session, specs, log):
    dynamodb = session.client("dynamodb")
    spec = specs[0]
    ensure_table(dynamodb, spec, log)
    changed = dataclasses.replace(
        spec,
        key_schema=[*spec.key_schema, {"KeyType": "RANGE", "AttributeName": "at"}],
        attribute_definitions=[
            *spec.attribute_definitions,
            {"AttributeName": "at", "AttributeType": "N"},
        ],
    )
    with pytest.raises(DeployError, match="keys cannot change in place"):
        ensure_table(dynamodb, changed, log)


def test_delete_tables_deletes_what_exists(session, specs, log):
    dynamodb = session.client("dynamodb")
    ensure_tables(dynamodb, specs[:2], log)
    delete_tables(dynamodb, specs, log)
    assert dynamodb.list_tables()["TableNames"] == []
    delete_tables(dynamodb, specs, log)  # nothing left: still fine
