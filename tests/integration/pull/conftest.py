"""Pulling from the Odoo simulator through the real queue (moto) and the real worker."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from odoo_changes import handler as notices
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
    monkeypatch.setattr(notices.metrics, "namespace", "OdooSyncTests")
    return linked


def drain(max_rounds: int = 20) -> list[dict[str, Any]]:
    """Deliver every queued message to its function (the sync worker, the notices function; in
    queue order) until both queues are empty; answers the bodies delivered."""
    settings = service_settings()
    queues = (
        (settings.sync_queue_url, worker.lambda_handler),
        (settings.odoo_change_queue_url, notices.lambda_handler),
    )
    delivered: list[dict[str, Any]] = []
    for _ in range(max_rounds):
        bodies = [body for url, handler in queues for body in _deliver(url, handler)]
        if not bodies:
            return delivered
        delivered += bodies
    raise AssertionError("the queues never emptied")


def _deliver(url: str, handler: Any) -> list[dict[str, Any]]:
    """One receive of up to 10 messages, handed to the function; all must succeed."""
    sqs = boto3.client("sqs")
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, MessageSystemAttributeNames=["All"])
    if not messages.get("Messages"):
        return []
    event = {"Records": [_record(dict(message)) for message in messages["Messages"]]}
    failures = handler(event, LambdaContextStub())["batchItemFailures"]
    assert failures == [], failures
    sqs.delete_message_batch(
        QueueUrl=url,
        Entries=[
            {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages["Messages"])
        ],
    )
    return [json.loads(m["Body"]) for m in messages["Messages"]]


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
