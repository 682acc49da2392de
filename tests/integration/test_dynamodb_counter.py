"""devstack.dynamodb_counter: forwards to DynamoDB unchanged, counts what AWS would bill."""

import threading

import boto3
import pytest
import requests

from devstack import dynamodb_counter

TABLE = "twofold-local-rate-limits"  # any table of the stack will do; keys are ours


@pytest.fixture
def counter(stack):
    server = dynamodb_counter.make_server(0, stack.dynamodb_url)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def dynamodb(counter):
    return boto3.client(
        "dynamodb",
        endpoint_url=counter,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def tallies(counter):
    return requests.get(f"{counter}/_counter/stats", timeout=5).json()


def test_operations_pass_through_and_are_counted(dynamodb, counter):
    dynamodb.put_item(TableName=TABLE, Item={"key": {"S": "counted"}, "count": {"N": "1"}})
    found = dynamodb.get_item(TableName=TABLE, Key={"key": {"S": "counted"}})
    dynamodb.get_item(TableName=TABLE, Key={"key": {"S": "counted"}}, ConsistentRead=True)
    dynamodb.update_item(
        TableName=TABLE,
        Key={"key": {"S": "counted"}},
        UpdateExpression="ADD #c :one",
        ExpressionAttributeNames={"#c": "count"},
        ExpressionAttributeValues={":one": {"N": "1"}},
    )
    dynamodb.delete_item(TableName=TABLE, Key={"key": {"S": "counted"}})

    assert found["Item"]["count"] == {"N": "1"}
    counted = tallies(counter)
    assert counted["operations"] == {"PutItem": 1, "GetItem": 2, "UpdateItem": 1, "DeleteItem": 1}
    assert (counted["reads"], counted["writes"]) == (2, 3)
    assert counted["read_units"] == 1.5  # eventually consistent 0.5, strongly consistent 1
    assert counted["write_units"] == 3


def test_a_failed_condition_is_billed_and_counted_as_an_error(dynamodb, counter):
    dynamodb.put_item(TableName=TABLE, Item={"key": {"S": "taken"}})
    with pytest.raises(dynamodb.exceptions.ConditionalCheckFailedException):
        dynamodb.put_item(
            TableName=TABLE,
            Item={"key": {"S": "taken"}},
            ConditionExpression="attribute_not_exists(#k)",
            ExpressionAttributeNames={"#k": "key"},
        )
    counted = tallies(counter)
    assert counted["errors"] == {"PutItem": 1}
    assert counted["write_units"] == 2


@pytest.mark.parametrize(
    "operation, request_body, response_body, units",
    [
        ("GetItem", {}, {}, 0.5),  # nothing found still costs the minimum
        ("GetItem", {}, {"Item": {"k": {"S": "x" * 5000}}}, 1.0),  # two 4 KB steps
        ("Query", {}, {"Items": [{"k": {"S": "a"}}, {"k": {"S": "b"}}]}, 0.5),  # summed first
        ("Query", {"ConsistentRead": True}, {"Items": []}, 1.0),
    ],
)
def test_read_units(operation, request_body, response_body, units):
    assert dynamodb_counter.read_units(operation, request_body, response_body) == units


@pytest.mark.parametrize(
    "operation, request_body, units",
    [
        ("PutItem", {"Item": {"k": {"S": "x" * 1500}}}, 2),  # 1 KB steps
        ("UpdateItem", {}, 1),
        ("TransactWriteItems", {"TransactItems": [{}, {}]}, 4),  # twice, per item
        ("BatchWriteItem", {"RequestItems": {"t": [{}, {}, {}]}}, 3),
    ],
)
def test_write_units(operation, request_body, units):
    assert dynamodb_counter.write_units(operation, request_body) == units
