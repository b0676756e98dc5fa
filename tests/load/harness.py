"""Many tenants at once on the local stack, each with an Odoo simulator of its own.

One tenant floods the sync queue with a big bulk push in small chunks; the others each push a few
records just after it. The SyncQueue is drained in rounds of concurrent worker invocations
(see `run_flood`), and after every round the harness notes which batches have finished and how many
of the flood's records were done by then: the order in which tenants were served, without
measuring any time. Shared by tests/load and benchmarks/load.py.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from local_stack import LocalStack
from local_stack.demo import OdooTarget, seed
from local_stack.sqs_poller import QueueSource
from odoo_simulator import OdooSimulator

ROOT = Path(__file__).resolve().parents[2]
PARAMETERS = {"AllowPrivateOdooHosts": "true", "Stage": "local"}
SYNC_WORKER = "SyncWorkerFunction"


@dataclass
class LoadTenant:
    name: str
    sim: OdooSimulator
    api: httpx.Client
    batch_id: str = ""
    records: int = 0
    # Worker invocations (of all tenants) done when this tenant's batch finished.
    finished_after: int | None = None
    flood_done_when_finished: int | None = None

    def ok(self, response: httpx.Response, *statuses: int) -> Any:
        assert response.status_code in (statuses or (200,)), response.text
        return response.json()

    def push(self, count: int, batch_size: int) -> None:
        records = [
            {"local_id": f"{self.name}-{n:05d}", "data": {"name": f"{self.name} customer {n}"}}
            for n in range(count)
        ]
        for start in range(0, count, 500):
            self.ok(
                self.api.post("/v1/records/customer/batch", json={"records": records[start : start + 500]})
            )
        body = {"entity": "customer", "batch_size": batch_size}
        self.batch_id = self.ok(self.api.post("/v1/bulk-sync", json=body), 202)["batch_id"]
        self.records = count

    def batch(self) -> dict[str, Any]:
        answer: dict[str, Any] = self.ok(self.api.get(f"/v1/batches/{self.batch_id}"))
        return answer

    def in_odoo(self) -> list[str]:
        rows = self.sim.records("res.partner", [["ref", "=like", f"{self.name}-%"]], active_test=False)
        return [str(row["ref"]) for row in rows]


@dataclass
class LoadRun:
    flood: LoadTenant
    others: list[LoadTenant]
    invocations: int = 0
    flood_chunks: int = 0
    seconds: float = 0.0
    timeline: list[tuple[int, int]] = field(default_factory=list)  # (invocation, flood records done)

    @property
    def tenants(self) -> list[LoadTenant]:
        return [self.flood, *self.others]


@contextmanager
def load_world(tenants: int, stack_port: int = 0) -> Iterator[tuple[LocalStack, list[LoadTenant]]]:
    """The local stack and `tenants` tenants, each connected to its own simulator."""
    with ExitStack() as stack_of:
        stack = stack_of.enter_context(
            LocalStack(ROOT / "template.yaml", port=stack_port, parameter_overrides=PARAMETERS)
        )
        made: list[LoadTenant] = []
        operator_key = ""
        for number in range(tenants):
            sim = stack_of.enter_context(
                OdooSimulator(version="19", port=0, seed_partners=1, seed_products=1)
            )
            target = OdooTarget(sim.url, sim.database, sim.admin_login, sim.admin_api_key)
            if not operator_key:  # the first tenant installs the operator key; the others reuse it
                demo = seed(stack, target).demo
                operator_key, api_key = demo.operator_key, demo.api_key
            else:
                api_key = _another_tenant(stack.api_url, operator_key, target)
            api = stack_of.enter_context(
                httpx.Client(
                    base_url=stack.api_url, headers={"Authorization": f"Bearer {api_key}"}, timeout=120
                )
            )
            made.append(LoadTenant(f"t{number}", sim, api))
        yield stack, made


def _another_tenant(api_url: str, operator_key: str, odoo: OdooTarget) -> str:
    with httpx.Client(base_url=api_url, timeout=120) as api:
        made = api.post(
            "/v1/admin/tenants",
            json={"name": "Load tenant"},
            headers={"Authorization": f"Bearer {operator_key}"},
        )
        assert made.status_code == 201, made.text
        api_key = str(made.json()["api_key"])
        connection = api.post(
            "/v1/connections",
            json={
                "name": "Load simulator",
                "base_url": odoo.url,
                "database": odoo.database,
                "auth": {"type": "api_key", "login": odoo.login, "api_key": odoo.api_key},
            },
            headers={"Authorization": f"Bearer {api_key}"},
        )
        assert connection.status_code == 201, connection.text
    return api_key


def sync_source(stack: LocalStack) -> QueueSource:
    return next(source for source in stack.poller.sources if source.function == SYNC_WORKER)


def run_flood(
    stack: LocalStack,
    tenants: list[LoadTenant],
    *,
    flood_records: int,
    flood_batch_size: int,
    other_records: int,
    concurrency: int,
    max_rounds: int = 10_000,
) -> LoadRun:
    """The first tenant floods, then the others push; delivered until every batch finished.

    Each round takes up to `concurrency` batches off the queue before any is processed, as that
    many concurrent worker invocations would: SQS FIFO hands out nothing of a message group that
    has messages in flight, so the second batch of a round never holds the flood's chunks while
    the first does. Lambda scales a FIFO source out per active message group the same way.
    """
    flood, *others = tenants
    flood.push(flood_records, flood_batch_size)
    for tenant in others:
        tenant.push(other_records, other_records)
    run = LoadRun(flood, others, flood_chunks=-(-flood_records // flood_batch_size))
    source = sync_source(stack)
    sqs = stack.client("sqs")
    started = time.perf_counter()
    for _ in range(max_rounds):
        batches = [_receive(sqs, source) for _ in range(concurrency)]
        batches = [batch for batch in batches if batch]
        if not batches:
            break
        for messages in batches:
            _invoke(stack, sqs, source, messages)
            run.invocations += 1
        flood_done = _done(flood)
        run.timeline.append((run.invocations, flood_done))
        for tenant in run.tenants:
            if tenant.finished_after is None and tenant.batch()["status"] in {
                "completed",
                "completed_with_errors",
            }:
                tenant.finished_after = run.invocations
                tenant.flood_done_when_finished = flood_done
    run.seconds = time.perf_counter() - started
    stack.poller.drain()  # anything else the pushes queued (change deliveries)
    return run


def _receive(sqs: Any, source: QueueSource) -> list[dict[str, Any]]:
    answer = sqs.receive_message(
        QueueUrl=source.queue_url, MaxNumberOfMessages=source.batch_size, MessageSystemAttributeNames=["All"]
    )
    return list(answer.get("Messages", []))


def _invoke(stack: LocalStack, sqs: Any, source: QueueSource, messages: list[dict[str, Any]]) -> None:
    """One worker invocation with SQS's event; what succeeded is deleted, the rest comes back."""
    event = {"Records": [_record(source, message) for message in messages]}
    answer = stack.invoke(source.function, event) or {}
    failed = {failure["itemIdentifier"] for failure in answer.get("batchItemFailures", [])}
    for message in messages:
        if message["MessageId"] in failed:
            sqs.change_message_visibility(
                QueueUrl=source.queue_url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
            )
        else:
            sqs.delete_message(QueueUrl=source.queue_url, ReceiptHandle=message["ReceiptHandle"])


def _record(source: QueueSource, message: dict[str, Any]) -> dict[str, Any]:
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": dict(message.get("Attributes", {})),
        "messageAttributes": {},
        "md5OfBody": message.get("MD5OfBody", ""),
        "eventSource": "aws:sqs",
        "eventSourceARN": source.queue_arn,
        "awsRegion": "us-east-1",
    }


def _done(tenant: LoadTenant) -> int:
    batch = tenant.batch()
    return int(batch["succeeded"]) + int(batch["failed"])
