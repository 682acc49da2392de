"""Bring a stage's DynamoDB tables up to what the models declare.

On demand billing, TTL on the model's TTLAttribute, point-in-time recovery on tables whose
items never expire (the users). Safe to run again: each step looks before it changes.
What cannot change in place (keys, local indexes) is reported, never forced.
"""

import time

from botocore.exceptions import ClientError

from deploy.errors import DeployError

ON_DEMAND = "PAY_PER_REQUEST"
POLL_SECONDS = 2
ACTIVE_TIMEOUT = 20 * 60  # a new GSI backfills the whole table first


def ensure_tables(dynamodb, specs, log=print):
    """Create or update every table in ``specs`` (schema.TableSpec)."""
    for spec in specs:
        ensure_table(dynamodb, spec, log)


def ensure_table(dynamodb, spec, log=print):
    table = _describe(dynamodb, spec.name)
    if table is None:
        dynamodb.create_table(**_create_arguments(spec))
        log(f"table {spec.name}: created")
        _wait_active(dynamodb, spec.name)
    else:
        _check_keys(spec, table)
        _ensure_on_demand(dynamodb, spec, table, log)
        _ensure_indexes(dynamodb, spec, table, log)
    _ensure_ttl(dynamodb, spec, log)
    if spec.durable:
        _ensure_point_in_time_recovery(dynamodb, spec, log)


def delete_tables(dynamodb, specs, log=print):
    """Delete every table in ``specs`` that exists. Their data is gone for good."""
    for spec in specs:
        try:
            dynamodb.delete_table(TableName=spec.name)
        except dynamodb.exceptions.ResourceNotFoundException:
            continue
        log(f"table {spec.name}: deleted")


def _describe(dynamodb, name):
    try:
        return dynamodb.describe_table(TableName=name)["Table"]
    except dynamodb.exceptions.ResourceNotFoundException:
        return None


def _create_arguments(spec):
    arguments = {
        "TableName": spec.name,
        "KeySchema": spec.key_schema,
        "AttributeDefinitions": spec.attribute_definitions,
        "BillingMode": ON_DEMAND,
    }
    if spec.global_indexes:
        arguments["GlobalSecondaryIndexes"] = spec.global_indexes
    if spec.local_indexes:
        arguments["LocalSecondaryIndexes"] = spec.local_indexes
    return arguments


def _keys(key_schema):
    return sorted((key["KeyType"], key["AttributeName"]) for key in key_schema)


def _check_keys(spec, table):
    if _keys(table["KeySchema"]) != _keys(spec.key_schema):
        raise DeployError(
            f"table {spec.name} has keys {_keys(table['KeySchema'])} but {spec.model} declares "
            f"{_keys(spec.key_schema)}; keys cannot change in place: migrate to a new table"
        )
    missing = set(index["IndexName"] for index in spec.local_indexes) - {
        index["IndexName"] for index in table.get("LocalSecondaryIndexes", [])
    }
    if missing:
        raise DeployError(
            f"table {spec.name} lacks local index(es) {sorted(missing)}; a local index "
            "can only be made with the table: migrate to a new table"
        )


def _ensure_on_demand(dynamodb, spec, table, log):
    mode = table.get("BillingModeSummary", {}).get("BillingMode", "PROVISIONED")
    if mode != ON_DEMAND:
        dynamodb.update_table(TableName=spec.name, BillingMode=ON_DEMAND)
        log(f"table {spec.name}: billing {mode} → {ON_DEMAND}")
        _wait_active(dynamodb, spec.name)


def _ensure_indexes(dynamodb, spec, table, log):
    existing = {index["IndexName"] for index in table.get("GlobalSecondaryIndexes", [])}
    declared = {index["IndexName"] for index in spec.global_indexes}
    for index in spec.global_indexes:
        if index["IndexName"] in existing:
            continue
        dynamodb.update_table(  # one index per call: DynamoDB takes no more at once
            TableName=spec.name,
            AttributeDefinitions=spec.attribute_definitions,
            GlobalSecondaryIndexUpdates=[{"Create": index}],
        )
        log(f"table {spec.name}: index {index['IndexName']} created")
        _wait_active(dynamodb, spec.name)
    for name in sorted(existing - declared):
        log(f"table {spec.name}: index {name} is not in {spec.model}; left in place")


def _ensure_ttl(dynamodb, spec, log):
    if spec.ttl_attribute is None:
        return
    description = dynamodb.describe_time_to_live(TableName=spec.name)["TimeToLiveDescription"]
    status = description.get("TimeToLiveStatus", "DISABLED")
    attribute = description.get("AttributeName")
    if status in ("ENABLED", "ENABLING"):
        if attribute != spec.ttl_attribute:
            raise DeployError(
                f"table {spec.name} expires items on {attribute!r}, {spec.model} on "
                f"{spec.ttl_attribute!r}: disable TTL on the table first (once an hour at most)"
            )
        return
    dynamodb.update_time_to_live(
        TableName=spec.name,
        TimeToLiveSpecification={"Enabled": True, "AttributeName": spec.ttl_attribute},
    )
    log(f"table {spec.name}: TTL on {spec.ttl_attribute!r}")


def _ensure_point_in_time_recovery(dynamodb, spec, log):
    backups = dynamodb.describe_continuous_backups(TableName=spec.name)
    pitr = backups["ContinuousBackupsDescription"].get("PointInTimeRecoveryDescription", {})
    if pitr.get("PointInTimeRecoveryStatus") == "ENABLED":
        return
    deadline = time.monotonic() + ACTIVE_TIMEOUT
    while True:
        try:
            dynamodb.update_continuous_backups(
                TableName=spec.name,
                PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True},
            )
            break
        except ClientError as error:  # a new table's backups take a moment to be ready
            code = error.response["Error"]["Code"]
            if code != "ContinuousBackupsUnavailableException" or time.monotonic() > deadline:
                raise
            time.sleep(POLL_SECONDS)
    log(f"table {spec.name}: point-in-time recovery on")


def _wait_active(dynamodb, name):
    deadline = time.monotonic() + ACTIVE_TIMEOUT
    while True:
        table = dynamodb.describe_table(TableName=name)["Table"]
        statuses = [table["TableStatus"]]
        statuses += [index["IndexStatus"] for index in table.get("GlobalSecondaryIndexes", [])]
        if all(status == "ACTIVE" for status in statuses):
            return
        if time.monotonic() > deadline:
            raise DeployError(f"table {name} is still not active: {statuses}")
        time.sleep(POLL_SECONDS)
