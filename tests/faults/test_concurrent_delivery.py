"""One chunk delivered twice at the same time: two workers in threads on the same SQS message.

SQS FIFO keeps a group's message invisible while one worker has it (the visibility timeout is six
times the worker's timeout), so this needs the first worker to outlive its visibility: rare. A push
chunk takes a lease on its slots (core.lanes) before it calls Odoo, so the second worker finds
them taken and hands the message back: only one of them ever pushes. The first worker is held
inside its first write to Odoo while the second one runs.
"""

from __future__ import annotations

import itertools
import threading
from collections import Counter
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from odoo_simulator import OdooSimulator
from odoo_sync.api import dependencies
from odoo_sync.odoo.client import OdooClient
from sync_worker import handler as worker
from tests.faults.rig import FaultRig, _sqs_record, open_rig
from tests.support.events import LambdaContextStub

RECORDS = 10
_tenants = itertools.count(0xC0)


@pytest.fixture(scope="module")
def sim() -> Iterator[OdooSimulator]:
    with OdooSimulator(version="19", port=0, seed_partners=2, seed_products=1) as simulator:
        yield simulator


@pytest.fixture
def rig(aws: Any, sim: OdooSimulator, monkeypatch: pytest.MonkeyPatch) -> FaultRig:
    monkeypatch.setenv("ALLOW_PRIVATE_ODOO_HOSTS", "true")
    sim.knobs.reset()
    # One lane: the batch is one chunk.
    return open_rig(monkeypatch, sim, aws.queues["SyncQueue"], f"ten_{next(_tenants):016x}", max_in_flight=1)


def _one_message(rig: FaultRig) -> dict[str, Any]:
    got = boto3.client("sqs").receive_message(
        QueueUrl=rig.queue_url, MaxNumberOfMessages=10, AttributeNames=["All"]
    )["Messages"]
    assert len(got) == 1, "the batch must be one chunk"
    return _sqs_record(got[0])


def _deliver(record: dict[str, Any]) -> dict[str, Any]:
    answer: dict[str, Any] = worker.lambda_handler({"Records": [record]}, LambdaContextStub())
    return answer


def _first_worker_held_in_odoo(
    monkeypatch: pytest.MonkeyPatch, record: dict[str, Any]
) -> tuple[threading.Thread, list[dict[str, Any]], threading.Event]:
    """The first delivery, started in a thread and held at its first create in Odoo until the
    returned event is set; answers (the thread, where its answer lands, the event)."""
    inside, release = threading.Event(), threading.Event()
    original = OdooClient.create

    def create(self: OdooClient, model: str, vals_list: list[dict[str, Any]]) -> list[int]:
        if not inside.is_set():
            inside.set()
            assert release.wait(10), "the test never let the first worker go on"
        return original(self, model, vals_list)

    monkeypatch.setattr(OdooClient, "create", create)
    answers: list[dict[str, Any]] = []
    first = threading.Thread(target=lambda: answers.append(_deliver(record)))
    first.start()
    assert inside.wait(10), "the first worker never reached Odoo"
    return first, answers, release


def _partners(rig: FaultRig, ids: list[str]) -> Counter[str]:
    rows = rig.sim.records("res.partner", [["ref", "in", ids]], active_test=False)
    return Counter(str(row["ref"]) for row in rows)


def test_two_workers_on_one_chunk_at_once_make_each_odoo_record_once(
    rig: FaultRig, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = rig.seed(RECORDS, "race")
    rig.push(ids, batch_size=RECORDS)
    record = _one_message(rig)
    first, answers, release = _first_worker_held_in_odoo(monkeypatch, record)

    second = _deliver(record)  # while the first holds the chunk's slots
    release.set()
    first.join(30)

    assert second == {"batchItemFailures": [{"itemIdentifier": record["messageId"]}]}  # handed back
    assert answers == [{"batchItemFailures": []}]
    assert _partners(rig, ids) == Counter(dict.fromkeys(ids, 1))
    assert _deliver(record) == {"batchItemFailures": []}  # its redelivery, later: nothing new
    assert _partners(rig, ids) == Counter(dict.fromkeys(ids, 1))


def test_two_workers_on_one_chunk_at_once_never_count_a_record_twice(
    rig: FaultRig, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = rig.seed(RECORDS, "racebook")
    batch_id = rig.push(ids, batch_size=RECORDS)
    record = _one_message(rig)
    first, _, release = _first_worker_held_in_odoo(monkeypatch, record)

    _deliver(record)
    release.set()
    first.join(30)
    _deliver(record)

    batch = dependencies.batches().get(rig.tenant.tenant_id, batch_id)
    assert batch is not None
    assert (batch.total, batch.succeeded, batch.failed) == (RECORDS, RECORDS, 0)
    assert batch.finished_at is not None
    store = dependencies.record_store()
    made = {str(row["ref"]): int(row["id"]) for row in rig.sim.records("res.partner", [["ref", "in", ids]])}
    for local_id in ids:
        stored = store.get(rig.tenant.tenant_id, "customer", local_id)
        assert stored is not None
        assert stored.links[rig.tenant.connection_id].odoo_id == made[local_id]
    creates = Counter(e.local_id for e in rig.successes_logged(batch_id) if e.sync_type == "create")
    assert creates == Counter(dict.fromkeys(ids, 1))
    assert not rig.errors_logged(batch_id)
