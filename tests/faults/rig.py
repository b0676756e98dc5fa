"""The push path under faults: records in through the API, chunks through the FIFO queue, the worker,
the simulator with its knobs; what came out counted.

The queue is moto's SQS, drained the way Lambda's event source does: a failed message becomes
visible again (at once: the backoff the worker asked for is not waited out) and its receive count
grows, so the worker's redelivery logic runs as deployed; `an_hour_later()` moves the worker's
clock so that its giving up after an hour of failures runs too. Retry pauses are recorded, not
slept.
"""

from __future__ import annotations

import dataclasses
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import boto3
import pytest

from odoo_simulator import OdooSimulator
from odoo_sync.api import dependencies
from odoo_sync.odoo import client as odoo_client
from odoo_sync.odoo.retry import RetryPolicy, run_with_retry
from odoo_sync.stores.sync_log import LogQuery
from odoo_sync.sync.model import SyncLogEntry
from sync_worker import handler as worker
from tests.security.world import Tenant, connection_body, expect
from tests.support.events import LambdaContextStub


@dataclass
class Figures:
    records_in: int
    odoo_records_out: int
    duplicates: int
    missing: int
    failures_logged: int
    deliveries: int
    redeliveries: int
    retries: int
    odoo_calls: int
    batch_status: str

    @property
    def exact(self) -> bool:
        return self.odoo_records_out == self.records_in and self.duplicates == 0 and self.missing == 0


@dataclass
class FaultRig:
    sim: OdooSimulator
    tenant: Tenant
    queue_url: str
    pauses: list[float] = field(default_factory=list)
    deliveries: int = 0
    redeliveries: int = 0
    last_batch: str = ""
    # Every message the worker tried and failed (the error's type), in order.
    failed_attempts: list[str] = field(default_factory=list)
    # What a retry found: the records the batch counted failed, and those logged as errors.
    failed_at_retry: set[str] = field(default_factory=set)
    logged_at_retry: set[str] = field(default_factory=set)
    hours_ahead: int = 0  # how far an_hour_later moved the worker's clock

    def seed(self, count: int, tag: str) -> list[str]:
        ids = [f"{tag}-{n:04d}" for n in range(count)]
        for start in range(0, count, 500):
            records = [
                {
                    "local_id": local_id,
                    "data": {"name": f"Customer {local_id}", "email": f"{local_id}@example.com"},
                }
                for local_id in ids[start : start + 500]
            ]
            expect(
                self.tenant.at(
                    "POST", "/v1/records/{entity}/batch", {"entity": "customer"}, body={"records": records}
                ),
                200,
                207,
            )
        return ids

    def push(self, local_ids: list[str], batch_size: int = 10) -> str:
        body = {"entity": "customer", "filters": {"local_ids": local_ids}, "batch_size": batch_size}
        self.last_batch = str(expect(self.tenant.at("POST", "/v1/bulk-sync", body=body), 202)["batch_id"])
        return self.last_batch

    def retry(self, batch_id: str) -> None:
        failed, _ = dependencies.batches().failed_local_ids(self.tenant.tenant_id, batch_id, 1000, None)
        self.failed_at_retry = set(failed)
        self.logged_at_retry = {entry.local_id for entry in self.errors_logged(batch_id)}
        expect(self.tenant.at("POST", "/v1/batches/{batch_id}/retry", {"batch_id": batch_id}, body={}), 202)

    def drain(
        self,
        *,
        twice: bool = False,
        before_delivery: Callable[[dict[str, Any]], None] | None = None,
        max_receives: int = 200,
    ) -> None:
        """Deliver every queued chunk until the queue is empty, as the event source mapping would."""
        sqs = boto3.client("sqs")
        for _ in range(max_receives):
            got = sqs.receive_message(
                QueueUrl=self.queue_url, MaxNumberOfMessages=10, AttributeNames=["All"], VisibilityTimeout=30
            ).get("Messages", [])
            if not got:
                return
            records = [_sqs_record(message) for message in got]
            for record in records:
                if before_delivery is not None:
                    before_delivery(record)
            failed = set(self._invoke(records))
            if twice:
                self._invoke([r for r in records if r["messageId"] not in failed])  # at-least-once delivery
            for message in got:
                if message["MessageId"] in failed:
                    self.redeliveries += 1
                    sqs.change_message_visibility(
                        QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
                    )
                else:
                    sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])
        raise AssertionError("the queue did not drain")

    def _invoke(self, records: list[dict[str, Any]]) -> list[str]:
        if not records:
            return []
        self.deliveries += len(records)
        answer = worker.lambda_handler({"Records": records}, LambdaContextStub())
        return [failure["itemIdentifier"] for failure in answer["batchItemFailures"]]

    def an_hour_later(self, patch: pytest.MonkeyPatch) -> None:
        """From now on the worker sees the time an hour further on (each call another hour):
        chunks failing since before give up."""
        self.hours_ahead += 1
        ahead = 3600 * self.hours_ahead
        patch.setattr(worker, "clock", lambda: time.time() + ahead)

    def errors_logged(self, batch_id: str) -> list[SyncLogEntry]:
        return self._logged(batch_id, "error")

    def successes_logged(self, batch_id: str) -> list[SyncLogEntry]:
        return self._logged(batch_id, "success")

    def _logged(self, batch_id: str, status: Literal["success", "error"]) -> list[SyncLogEntry]:
        found: list[SyncLogEntry] = []
        cursor: str | None = None
        while True:
            query = LogQuery(batch_id=batch_id, status=status, limit=200, cursor=cursor)
            entries, cursor = dependencies.sync_log().query(self.tenant.tenant_id, query)
            found += entries
            if cursor is None:
                return found

    def figures(self, local_ids: list[str], batch_id: str, calls_before: int) -> Figures:
        refs = Counter(
            str(row["ref"])
            for row in self.sim.records("res.partner", [["ref", "in", local_ids]], active_test=False)
        )
        entries = self.errors_logged(batch_id)
        batch = expect(self.tenant.at("GET", "/v1/batches/{batch_id}", {"batch_id": batch_id}), 200)
        return Figures(
            records_in=len(local_ids),
            odoo_records_out=sum(refs.values()),
            duplicates=sum(n - 1 for n in refs.values() if n > 1),
            missing=sum(1 for local_id in local_ids if refs[local_id] == 0),
            failures_logged=len(entries),
            deliveries=self.deliveries,
            redeliveries=self.redeliveries,
            retries=len(self.pauses),
            odoo_calls=sum(self.sim.calls.values()) - calls_before,
            batch_status=str(batch["status"]),
        )


def _sqs_record(message: Mapping[str, Any]) -> dict[str, Any]:
    attributes = message.get("Attributes", {})
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": {
            "ApproximateReceiveCount": attributes.get("ApproximateReceiveCount", "1"),
            "SentTimestamp": attributes.get("SentTimestamp", "0"),
            "SenderId": attributes.get("SenderId", "AIDAEXAMPLE"),
            "ApproximateFirstReceiveTimestamp": attributes.get("ApproximateFirstReceiveTimestamp", "0"),
            "SequenceNumber": attributes.get("SequenceNumber", "1"),
            "MessageGroupId": attributes.get("MessageGroupId", "group"),
            "MessageDeduplicationId": attributes.get("MessageDeduplicationId", message["MessageId"]),
        },
        "messageAttributes": {},
        "md5OfBody": message.get("MD5OfBody", ""),
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:SyncQueue.fifo",
        "awsRegion": "us-east-1",
    }


def open_rig(  # noqa: PLR0917 - the rig's knobs
    patch: pytest.MonkeyPatch,
    sim: OdooSimulator,
    queue_url: str,
    tenant_id: str,
    timeout_s: float = 1,
    max_in_flight: int = 2,
) -> FaultRig:
    patch.setattr(worker.metrics, "namespace", "OdooSyncFaults")
    tenant = Tenant(tenant_id)
    body = {**connection_body(sim, "faults"), "timeout_s": timeout_s, "max_in_flight": max_in_flight}
    made = expect(tenant.at("POST", "/v1/connections", body=body), 201)
    tenant.connection_id = made["connection_id"]
    rig = FaultRig(sim, tenant, queue_url)
    patch.setattr(odoo_client, "run_with_retry", _pausing(rig.pauses))
    patch.setattr(worker, "handle_message", _counting_failures(worker.handle_message, rig.failed_attempts))
    return rig


def _counting_failures(handle: Callable[[Any], None], failures: list[str]) -> Callable[[Any], None]:
    def handle_and_count(record: Any) -> None:
        try:
            handle(record)
        except Exception as exc:
            failures.append(type(exc).__name__)
            raise

    return handle_and_count


def _pausing(pauses: list[float]) -> Callable[..., Any]:
    def without_sleeping(action: Any, *, policy: RetryPolicy, idempotent: bool, what: str) -> Any:
        quick = dataclasses.replace(policy, sleep=pauses.append)
        return run_with_retry(action, policy=quick, idempotent=idempotent, what=what)

    return without_sleeping
