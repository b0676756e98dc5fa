"""The AWS request meter: requests by service and operation, and what DynamoDB and SQS would bill."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
import pytest
from moto import mock_aws

from local_stack.meter import AwsMeter
from local_stack.moto_process import MotoProcess

TABLE = "Items"


@contextmanager
def moto_in_process(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        yield


@contextmanager
def moto_in_its_own_process(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """As the local stack runs it: the child counts the units, the answers carry them."""
    moto = MotoProcess()
    moto.start()
    try:
        monkeypatch.setenv("AWS_ENDPOINT_URL", moto.endpoint)
        yield
    finally:
        moto.stop()


@pytest.fixture(params=[moto_in_process, moto_in_its_own_process], ids=["in-process", "own-process"])
def dynamodb(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    with request.param(monkeypatch):
        client = boto3.client("dynamodb")
        client.create_table(
            TableName=TABLE,
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
                {"AttributeName": "state", "AttributeType": "S"},
            ],
            KeySchema=[
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            GlobalSecondaryIndexes=[
                {
                    "IndexName": "ByState",
                    "KeySchema": [{"AttributeName": "state", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "KEYS_ONLY"},
                }
            ],
        )
        yield client


def item(sk: str, size: int, **extra: str) -> dict[str, Any]:
    return {
        "pk": {"S": "p"},
        "sk": {"S": sk},
        "body": {"S": "x" * size},
        **{k: {"S": v} for k, v in extra.items()},
    }


def test_requests_are_counted_by_service_and_operation(dynamodb: Any) -> None:
    with AwsMeter() as meter:
        dynamodb.put_item(TableName=TABLE, Item=item("a", 10))
        dynamodb.put_item(TableName=TABLE, Item=item("b", 10))
        dynamodb.get_item(TableName=TABLE, Key={"pk": {"S": "p"}, "sk": {"S": "a"}})

    reading = meter.reading()
    assert reading.by_operation("dynamodb") == {"GetItem": 1, "PutItem": 2}
    assert reading.dynamodb_requests == 3


def test_a_write_costs_a_unit_per_kilobyte_and_twice_that_in_a_transaction(dynamodb: Any) -> None:
    with AwsMeter() as meter:
        dynamodb.put_item(TableName=TABLE, Item=item("big", 2500))  # 3 KB started
    with AwsMeter() as transaction:
        dynamodb.transact_write_items(
            TransactItems=[{"Put": {"TableName": TABLE, "Item": item("small", 10)}}]
        )

    assert meter.reading().write_units == {TABLE: 3}
    assert transaction.reading().write_units == {TABLE: 2}


def test_a_write_changing_an_index_key_pays_for_the_entry_it_moves(dynamodb: Any) -> None:
    dynamodb.put_item(TableName=TABLE, Item=item("a", 10, state="new"))
    with AwsMeter() as meter:
        dynamodb.put_item(TableName=TABLE, Item=item("a", 10, state="done"))

    assert meter.reading().write_units == {TABLE: 3}  # the item, the old entry out, the new one in


def test_reads_cost_by_4_kb_and_half_when_eventually_consistent(dynamodb: Any) -> None:
    dynamodb.put_item(TableName=TABLE, Item=item("a", 5000))  # 2 read units' worth
    key = {"pk": {"S": "p"}, "sk": {"S": "a"}}
    with AwsMeter() as strong:
        dynamodb.get_item(TableName=TABLE, Key=key, ConsistentRead=True)
    with AwsMeter() as eventual:
        dynamodb.get_item(TableName=TABLE, Key=key)

    assert strong.reading().read_units == {TABLE: 2}
    assert eventual.reading().read_units == {TABLE: 1}


def test_a_query_with_a_limit_reads_only_what_it_returns(dynamodb: Any) -> None:
    for n in range(40):
        dynamodb.put_item(TableName=TABLE, Item=item(f"i{n:02d}", 1000))
    condition = {"KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "p"}}}
    with AwsMeter() as one:
        dynamodb.query(TableName=TABLE, Limit=1, ConsistentRead=True, **condition)
    with AwsMeter() as everything:
        dynamodb.query(TableName=TABLE, ConsistentRead=True, **condition)

    assert one.reading().read_units == {TABLE: 1}
    assert everything.reading().read_units[TABLE] >= 10  # 40 KB


def test_sqs_bills_a_request_per_started_64_kb_and_keeps_empty_receives_apart(dynamodb: Any) -> None:
    sqs = boto3.client("sqs")
    url = sqs.create_queue(QueueName="q")["QueueUrl"]
    with AwsMeter() as meter:
        sqs.send_message(QueueUrl=url, MessageBody="x" * 70_000)
        sqs.receive_message(QueueUrl=url)
        sqs.receive_message(QueueUrl=url)

    reading = meter.reading()
    assert reading.count("sqs") == 3
    assert reading.sqs_billed == 2 + 2  # the send and the receive that got the message
    assert reading.sqs_empty_receives == 1  # a poller waiting: apart


def test_sqs_requests_to_a_fifo_queue_are_counted_apart_from_a_standard_queue_s(dynamodb: Any) -> None:
    sqs = boto3.client("sqs")
    standard = sqs.create_queue(QueueName="notices")["QueueUrl"]
    fifo = sqs.create_queue(QueueName="chunks.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    with AwsMeter() as meter:
        sqs.send_message(QueueUrl=standard, MessageBody="x")
        sqs.send_message(QueueUrl=fifo, MessageBody="y", MessageGroupId="g", MessageDeduplicationId="1")
        sqs.receive_message(QueueUrl=fifo)

    reading = meter.reading()
    assert reading.sqs_billed == 3
    assert reading.sqs_billed_fifo == 2


def test_meters_count_what_happens_while_each_runs(dynamodb: Any) -> None:
    with AwsMeter() as outer:
        dynamodb.put_item(TableName=TABLE, Item=item("a", 10))
        with AwsMeter() as inner:
            dynamodb.put_item(TableName=TABLE, Item=item("b", 10))

    assert outer.reading().count("dynamodb") == 2
    assert inner.reading().count("dynamodb") == 1


def test_a_refused_request_is_counted_and_billed(dynamodb: Any) -> None:
    dynamodb.put_item(TableName=TABLE, Item=item("a", 10))
    with AwsMeter() as meter, pytest.raises(dynamodb.exceptions.ConditionalCheckFailedException):
        dynamodb.put_item(TableName=TABLE, Item=item("a", 10), ConditionExpression="attribute_not_exists(pk)")

    assert meter.reading().by_operation("dynamodb") == {"PutItem": 1}
    assert meter.reading().write_units == {TABLE: 1}


# -- secondary indexes: what a write changes in each index's own entry of the item -----------------

INDEXED = "Indexed"


@pytest.fixture
def indexed(dynamodb: Any) -> Any:
    """A table with a KEYS_ONLY local index (on `updated`), an INCLUDE global index (on `state`,
    projecting `label`) and an ALL global index (on `group`)."""
    dynamodb.create_table(
        TableName=INDEXED,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": name, "AttributeType": "S"}
            for name in ("pk", "sk", "updated", "state", "group")
        ],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        LocalSecondaryIndexes=[
            {
                "IndexName": "ByUpdated",
                "KeySchema": [
                    {"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "updated", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            }
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "ByState",
                "KeySchema": [{"AttributeName": "state", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["label"]},
            },
            {
                "IndexName": "ByGroup",
                "KeySchema": [{"AttributeName": "group", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            },
        ],
    )
    return dynamodb


def units_of(client: Any, **update: Any) -> float:
    """The write units of one UpdateItem of the item pk=p sk=a."""
    with AwsMeter() as meter:
        client.update_item(TableName=INDEXED, Key={"pk": {"S": "p"}, "sk": {"S": "a"}}, **update)
    return meter.reading().write_units[INDEXED]


def set_values(expression: str, **values: str) -> dict[str, Any]:
    return {
        "UpdateExpression": expression,
        "ExpressionAttributeValues": {f":{k}": {"S": v} for k, v in values.items()},
    }


def test_a_write_that_leaves_a_keys_only_entry_alone_pays_for_the_item_only(indexed: Any) -> None:
    indexed.put_item(TableName=INDEXED, Item=item("a", 10, updated="t1"))

    assert units_of(indexed, **set_values("SET body = :b", b="changed")) == 1


def test_an_item_entering_an_index_pays_for_its_entry_sized_on_the_projection(indexed: Any) -> None:
    with AwsMeter() as meter:
        indexed.put_item(TableName=INDEXED, Item=item("a", 2500, updated="t1"))  # 3 KB, a small entry

    assert meter.reading().write_units == {INDEXED: 3 + 1}


def test_an_item_leaving_an_index_pays_for_the_old_entry(indexed: Any) -> None:
    indexed.put_item(TableName=INDEXED, Item=item("a", 10, updated="t1"))

    assert units_of(indexed, UpdateExpression="REMOVE updated") == 1 + 1


def test_a_moved_index_key_pays_for_a_delete_and_a_put(indexed: Any) -> None:
    indexed.put_item(TableName=INDEXED, Item=item("a", 10, updated="t1"))

    assert units_of(indexed, **set_values("SET updated = :u", u="t2")) == 1 + 2


def test_a_changed_projected_attribute_pays_for_the_larger_entry(indexed: Any) -> None:
    indexed.put_item(TableName=INDEXED, Item=item("a", 10, state="s", label="x" * 1500))

    # The item (1.5 KB: 2) and its INCLUDE entry, shrinking from 1.5 KB to a few bytes (2).
    assert units_of(indexed, **set_values("SET label = :l", l="short")) == 2 + 2
    # A change outside the projection does not touch the entry.
    assert units_of(indexed, **set_values("SET body = :b", b="other")) == 1


def test_an_all_index_pays_for_any_change_and_nothing_for_an_identical_overwrite(indexed: Any) -> None:
    indexed.put_item(TableName=INDEXED, Item=item("a", 10, group="g"))

    assert units_of(indexed, **set_values("SET body = :b", b="changed")) == 1 + 1
    with AwsMeter() as meter:
        indexed.put_item(TableName=INDEXED, Item=item("a", 10, group="g", body="changed"))

    # The same item written again: the table is billed, the index entry is as it was.
    assert meter.reading().write_units == {INDEXED: 1}


def test_a_deleted_item_pays_for_each_entry_it_had(indexed: Any) -> None:
    indexed.put_item(TableName=INDEXED, Item=item("a", 10, updated="t1", state="s", group="g"))
    with AwsMeter() as meter:
        indexed.delete_item(TableName=INDEXED, Key={"pk": {"S": "p"}, "sk": {"S": "a"}})

    assert meter.reading().write_units == {INDEXED: 1 + 3}


def test_a_transaction_pays_twice_for_the_item_and_once_for_its_index_writes(indexed: Any) -> None:
    indexed.put_item(TableName=INDEXED, Item=item("a", 10, updated="t1"))
    key = {"pk": {"S": "p"}, "sk": {"S": "a"}}
    with AwsMeter() as link_write:
        indexed.transact_write_items(
            TransactItems=[
                {"Update": {"TableName": INDEXED, "Key": key, **set_values("SET body = :b", b="l")}}
            ]
        )
    with AwsMeter() as data_write:
        indexed.transact_write_items(
            TransactItems=[
                {"Update": {"TableName": INDEXED, "Key": key, **set_values("SET updated = :u", u="t2")}}
            ]
        )

    assert link_write.reading().write_units == {INDEXED: 2}
    assert data_write.reading().write_units == {INDEXED: 2 * 1 + 2}  # the item twice, the move once


def test_a_transaction_refused_by_one_condition_writes_nothing_and_is_billed(dynamodb: Any) -> None:
    dynamodb.put_item(TableName=TABLE, Item=item("taken", 10))
    new = {"TableName": TABLE, "ConditionExpression": "attribute_not_exists(pk)"}
    with AwsMeter() as meter, pytest.raises(dynamodb.exceptions.TransactionCanceledException) as refused:
        dynamodb.transact_write_items(
            TransactItems=[
                {"Put": {**new, "Item": item("free", 10)}},
                {"Put": {**new, "Item": item("taken", 10)}},
            ]
        )

    reasons = [reason["Code"] for reason in refused.value.response["CancellationReasons"]]
    assert reasons == ["None", "ConditionalCheckFailed"]
    assert "Item" not in dynamodb.get_item(TableName=TABLE, Key={"pk": {"S": "p"}, "sk": {"S": "free"}})
    assert meter.reading().write_units == {TABLE: 4}  # two items, twice in a transaction


def test_a_condition_is_checked_with_each_write_s_own_values(dynamodb: Any) -> None:
    """The same condition text with other values is another condition (moto keeps parsed ones)."""
    dynamodb.put_item(TableName=TABLE, Item={**item("a", 10), "version": {"N": "1"}})
    update = {
        "TableName": TABLE,
        "Key": {"pk": {"S": "p"}, "sk": {"S": "a"}},
        "UpdateExpression": "SET version = :next",
        "ConditionExpression": "version = :read",
    }
    dynamodb.update_item(**update, ExpressionAttributeValues={":read": {"N": "1"}, ":next": {"N": "2"}})
    with pytest.raises(dynamodb.exceptions.ConditionalCheckFailedException):
        dynamodb.update_item(**update, ExpressionAttributeValues={":read": {"N": "1"}, ":next": {"N": "3"}})
    dynamodb.update_item(**update, ExpressionAttributeValues={":read": {"N": "2"}, ":next": {"N": "3"}})

    stored = dynamodb.get_item(TableName=TABLE, Key={"pk": {"S": "p"}, "sk": {"S": "a"}})["Item"]
    assert stored["version"] == {"N": "3"}


def test_binary_values_go_through_as_binary(dynamodb: Any) -> None:
    dynamodb.put_item(TableName=TABLE, Item={**item("a", 10), "blob": {"M": {"b": {"B": b"\x00\xff"}}}})

    stored = dynamodb.get_item(TableName=TABLE, Key={"pk": {"S": "p"}, "sk": {"S": "a"}})["Item"]
    assert stored["blob"] == {"M": {"b": {"B": b"\x00\xff"}}}


def test_an_item_s_nested_maps_and_lists_count_by_their_contents(dynamodb: Any) -> None:
    nested = {"M": {"a": {"M": {"b": {"L": [{"S": "x" * 700}, {"N": "12345"}]}}}, "c": {"SS": ["y" * 400]}}}
    with AwsMeter() as meter:
        dynamodb.put_item(TableName=TABLE, Item={**item("n", 10), "data": nested})

    assert meter.reading().write_units == {TABLE: 2}  # just over 1 KB: the map's contents, not its shape
