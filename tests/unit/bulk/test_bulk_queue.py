"""The SQS FIFO sender: message groups, deduplication ids, batches of ten, retries, errors."""

from __future__ import annotations

import json
from typing import Any, cast

import boto3
import pytest
from botocore.exceptions import ClientError

from odoo_sync.errors import StorageError
from odoo_sync.stores.queue import SqsChunkQueue
from odoo_sync.sync.model import PushChunkMessage

TENANT = "ten_0123456789abcdef"
CONNECTION = "con_0123456789abcdef"


def message(
    chunk: int, ids: int = 2, batch: str = "bat_0123456789abcdef", tenant: str = TENANT
) -> PushChunkMessage:
    return PushChunkMessage(
        tenant_id=tenant,
        connection_id=CONNECTION,
        entity="product",
        batch_id=batch,
        chunk=chunk,
        local_ids=[f"c{chunk}-{n}-{'x' * 100}" for n in range(ids)],
    )


def receive_all(url: str) -> list[dict[str, Any]]:
    sqs = boto3.client("sqs")
    found: list[dict[str, Any]] = []
    while batch := sqs.receive_message(
        QueueUrl=url, MaxNumberOfMessages=10, MessageSystemAttributeNames=["All"]
    ).get("Messages"):
        found.extend(cast(list[dict[str, Any]], batch))
        sqs.delete_message_batch(
            QueueUrl=url,
            Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(batch)],
        )
    return found


class Recording:
    """An SQS client that fails as told, keeping each SendMessageBatch request."""

    def __init__(self, answers: list[Any]) -> None:
        self.answers = answers
        self.requests: list[list[dict[str, str]]] = []

    def send_message_batch(self, QueueUrl: str, Entries: list[dict[str, str]]) -> Any:  # noqa: N803
        self.requests.append(Entries)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        if answer == "ok":
            return {"Successful": [{"Id": e["Id"]} for e in Entries], "Failed": []}
        return answer(Entries)


def test_chunks_arrive_in_order_grouped_by_tenant_connection_with_dedup_ids(aws):
    queue = SqsChunkQueue(boto3.client("sqs"), aws.queues["SyncQueue"])

    sent = queue.send([message(n) for n in range(23)])

    received = receive_all(aws.queues["SyncQueue"])
    assert sent == 23
    assert [json.loads(m["Body"])["chunk"] for m in received] == list(range(23))
    assert {m["Attributes"]["MessageGroupId"] for m in received} == {f"{TENANT}#{CONNECTION}"}
    assert [m["Attributes"]["MessageDeduplicationId"] for m in received[:2]] == [
        "bat_0123456789abcdef#0",
        "bat_0123456789abcdef#1",
    ]
    assert PushChunkMessage.model_validate_json(received[5]["Body"]) == message(5)


def test_a_resend_is_dropped_but_a_retry_attempt_is_not(aws):
    queue = SqsChunkQueue(boto3.client("sqs"), aws.queues["SyncQueue"])

    queue.send([message(0)])
    queue.send([message(0)])  # the same chunk again within the deduplication window
    queue.send([message(0)], attempt=1)

    received = receive_all(aws.queues["SyncQueue"])
    assert [m["Attributes"]["MessageDeduplicationId"] for m in received] == [
        "bat_0123456789abcdef#0",
        "bat_0123456789abcdef#r1#0",
    ]


def test_requests_hold_at_most_ten_messages_and_256_kib():
    client = Recording(["ok"] * 10)
    queue = SqsChunkQueue(client, "url")  # type: ignore[arg-type]

    queue.send([message(n, ids=500) for n in range(12)])  # ~55 KB each

    sizes = [sum(len(e["MessageBody"].encode()) for e in request) for request in client.requests]
    assert sum(len(r) for r in client.requests) == 12
    assert all(len(r) <= 10 for r in client.requests)
    assert all(size <= 262_144 for size in sizes)
    assert len(client.requests) == 3


def test_failed_entries_are_sent_again_alone():
    def one_throttled(entries: list[dict[str, str]]) -> Any:
        return {
            "Successful": [{"Id": e["Id"]} for e in entries[1:]],
            "Failed": [{"Id": entries[0]["Id"], "SenderFault": False, "Code": "InternalError"}],
        }

    client = Recording([one_throttled, "ok"])
    queue = SqsChunkQueue(client, "url", sleep=lambda _: None)  # type: ignore[arg-type]

    assert queue.send([message(0), message(1), message(2)]) == 3
    assert [[e["Id"] for e in r] for r in client.requests] == [["0", "1", "2"], ["0"]]


def test_a_sender_fault_is_a_storage_error_naming_what_was_sent():
    def refused(entries: list[dict[str, str]]) -> Any:
        return {
            "Successful": [],
            "Failed": [{"Id": "0", "SenderFault": True, "Code": "InvalidParameterValue"}],
        }

    client = Recording(["ok", refused])
    queue = SqsChunkQueue(client, "url")  # type: ignore[arg-type]

    with pytest.raises(StorageError, match="InvalidParameterValue") as caught:
        queue.send([message(n) for n in range(15)])
    assert caught.value.details["messages_sent"] == 10


def test_entries_failing_every_time_give_up():
    def throttled(entries: list[dict[str, str]]) -> Any:
        return {"Successful": [], "Failed": [{"Id": e["Id"], "SenderFault": False} for e in entries]}

    queue = SqsChunkQueue(Recording([throttled] * 5), "url", sleep=lambda _: None)  # type: ignore[arg-type]

    with pytest.raises(StorageError):
        queue.send([message(0)])


def test_a_client_error_is_a_storage_error():
    error = ClientError({"Error": {"Code": "AWS.SimpleQueueService.NonExistentQueue"}}, "SendMessageBatch")

    with pytest.raises(StorageError):
        SqsChunkQueue(Recording([error]), "url").send([message(0)])  # type: ignore[arg-type]
