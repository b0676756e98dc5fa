"""Pulling from the Odoo simulator through the real queue (moto) and the real worker."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from odoo_simulator import OdooSimulator
from odoo_sync.api import dependencies
from odoo_sync.settings import service_settings
from odoo_sync.sync.filters import RecordFilters
from odoo_sync.sync.model import LocalRecord
from sync_worker import handler as worker
from tests.integration.service.conftest import TenantConnection, allow_loopback, connect, linked
from tests.support.events import LambdaContextStub

__all__ = ["allow_loopback", "linked"]


@pytest.fixture(scope="module")
def sim() -> Iterator[OdooSimulator]:
    with OdooSimulator(version="19", port=0, seed_partners=12, seed_products=5) as simulator:
        yield simulator


@pytest.fixture
def pulling(linked: TenantConnection, monkeypatch: pytest.MonkeyPatch) -> TenantConnection:
    monkeypatch.setattr(worker.metrics, "namespace", "OdooSyncTests")
    return linked


def drain(max_rounds: int = 20) -> list[dict[str, Any]]:
    """Deliver every queued message to the worker (in queue order) until the queue is empty;
    answers the bodies delivered."""
    sqs = boto3.client("sqs")
    url = service_settings().sync_queue_url
    delivered: list[dict[str, Any]] = []
    for _ in range(max_rounds):
        answer = sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, MessageSystemAttributeNames=["All"]
        )
        messages = answer.get("Messages", [])
        if not messages:
            return delivered
        event = {"Records": [_record(dict(message)) for message in messages]}
        failures = worker.lambda_handler(event, LambdaContextStub())["batchItemFailures"]
        assert failures == [], failures
        sqs.delete_message_batch(
            QueueUrl=url,
            Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)],
        )
        delivered += [json.loads(m["Body"]) for m in messages]
    raise AssertionError("the queue never emptied")


def _record(message: dict[str, Any]) -> dict[str, Any]:
    attributes = message.get("Attributes", {})
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": {
            "ApproximateReceiveCount": attributes.get("ApproximateReceiveCount", "1"),
            "SentTimestamp": attributes.get("SentTimestamp", "0"),
            "SenderId": "AIDAEXAMPLE",
            "ApproximateFirstReceiveTimestamp": "0",
            "SequenceNumber": attributes.get("SequenceNumber", "1"),
            "MessageGroupId": attributes.get("MessageGroupId", "g"),
            "MessageDeduplicationId": attributes.get("MessageDeduplicationId", message["MessageId"]),
        },
        "messageAttributes": {},
        "md5OfBody": message.get("MD5OfBody", "0" * 32),
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:SyncQueue.fifo",
        "awsRegion": "us-east-1",
    }


def local_records(tenant: TenantConnection, entity: str = "customer") -> dict[str, LocalRecord]:
    store = dependencies.record_store()
    found: dict[str, LocalRecord] = {}
    cursor: str | None = None
    while True:
        page, cursor = store.list(tenant.tenant_id, entity, RecordFilters(), 200, cursor)
        found.update({record.local_id: record for record in page})
        if cursor is None:
            return found


__all__ += ["connect", "drain", "local_records"]
