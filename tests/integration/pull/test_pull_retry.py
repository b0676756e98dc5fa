"""Retrying a pull batch: its failed Odoo records are read from Odoo again, not pushed."""

from __future__ import annotations

import time
from typing import Any

import boto3
import pytest

from bulk_api.handler import lambda_handler as bulk_handler
from odoo_sync.api import dependencies
from odoo_sync.core import pull as pull_module
from odoo_sync.core.batches import BatchDirection, BatchStatus
from odoo_sync.core.pull import ImportRequest
from odoo_sync.settings import service_settings
from odoo_sync.stores.pull_records import DynamoPulledRecords
from odoo_sync.sync.external_ids import xmlid_module
from odoo_sync.sync.model import PullOptions, TriggeredBy
from sync_worker import handler as worker
from tests.integration.pull.conftest import _record, drain, local_records
from tests.support.api import call
from tests.support.events import LambdaContextStub


def _receive_all() -> list[dict[str, Any]]:
    sqs = boto3.client("sqs")
    url = service_settings().sync_queue_url
    found: list[dict[str, Any]] = []
    while batch := sqs.receive_message(
        QueueUrl=url, MaxNumberOfMessages=10, MessageSystemAttributeNames=["All"]
    ).get("Messages"):
        found += [dict(message) for message in batch]
        sqs.delete_message_batch(
            QueueUrl=url,
            Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(batch)],
        )
    return found


def _deliver(message: dict[str, Any], *, receive_count: int = 1) -> list[Any]:
    record = _record(message)
    record["attributes"]["ApproximateReceiveCount"] = str(receive_count)
    answer = worker.lambda_handler({"Records": [record]}, LambdaContextStub())
    failures: list[Any] = answer["batchItemFailures"]
    return failures


def _give_up(message: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """The page fails (it comes back after a backoff), then fails again an hour later: given up."""
    assert _deliver(message) != []
    monkeypatch.setattr(worker, "clock", lambda: time.time() + 3600)
    assert _deliver(message, receive_count=2) == []  # done: its records end failed
    monkeypatch.setattr(worker, "clock", time.time)


def _import_with_a_dead_first_page(
    pulling, sim, tag: str, monkeypatch: pytest.MonkeyPatch
) -> tuple[str, list[int]]:
    """Three partners in pages of two (one lane: pages in id order); the first page fails for an
    hour and is given up, the second lands."""
    monkeypatch.setattr(pull_module, "lane_count", lambda _: 1)
    client = dependencies.connection_service().client(pulling.tenant_id, pulling.connection_id)
    ids = client.create("res.partner", [{"name": f"{tag} {i}", "ref": f"{tag}-{i}"} for i in range(3)])
    request = ImportRequest(
        entity="customer", odoo_filters=[["ref", "like", f"{tag}-"]], batch_size=2, update_existing=False
    )
    submitted = dependencies.pull_service().start_import(pulling.tenant_id, request)
    first, second = _receive_all()
    sim.knobs.fail_next(1_000, "server")
    try:
        _give_up(first, monkeypatch)
    finally:
        sim.knobs.reset()
    assert _deliver(second) == []
    return submitted.batch_id, sorted(int(i) for i in ids)


def test_a_pull_batch_is_stored_with_its_direction_and_options(pulling, sim):
    tag = "pr0"
    dependencies.connection_service().client(pulling.tenant_id, pulling.connection_id).create(
        "res.partner", [{"name": f"{tag} 0", "ref": f"{tag}-0"}]
    )
    request = ImportRequest(entity="customer", odoo_filters=[["ref", "=", f"{tag}-0"]], create_missing=False)

    submitted = dependencies.pull_service().start_import(pulling.tenant_id, request)
    drain()

    batch = dependencies.batches().get(pulling.tenant_id, submitted.batch_id)
    assert batch is not None
    assert batch.direction is BatchDirection.FROM_ODOO
    assert batch.pull_options is not None
    assert (batch.pull_options.create_missing, batch.pull_options.update_existing) == (False, True)
    shown = call(
        bulk_handler,
        "GET",
        "/v1/batches/{batch_id}",
        {"batch_id": submitted.batch_id},
        tenant_id=pulling.tenant_id,
    )
    assert shown.body["direction"] == "from_odoo"


def test_retrying_a_pull_batch_reads_its_failed_records_from_odoo_again(pulling, sim, monkeypatch):
    tag = "pr1"
    batch_id, odoo_ids = _import_with_a_dead_first_page(pulling, sim, tag, monkeypatch)
    failed = dependencies.batches().get(pulling.tenant_id, batch_id)
    assert failed is not None
    assert (failed.status, failed.succeeded, failed.failed) == (BatchStatus.COMPLETED_WITH_ERRORS, 1, 2)
    assert sorted(k for k in local_records(pulling) if k.startswith(tag)) == [f"{tag}-2"]

    answer = call(
        bulk_handler,
        "POST",
        "/v1/batches/{batch_id}/retry",
        {"batch_id": batch_id},
        tenant_id=pulling.tenant_id,
    )
    pages = drain()

    assert answer.status == 202, answer.body
    assert (answer.body["records_queued"], answer.body["chunks"]) == (2, 1)
    assert [(p["kind"], p["odoo_ids"], p["triggered_by"]) for p in pages] == [
        ("pull_page", odoo_ids[:2], "retry")
    ]
    assert PullOptions.model_validate(pages[0]["options"]) == PullOptions(update_existing=False)
    retried = dependencies.batches().get(pulling.tenant_id, batch_id)
    assert retried is not None
    assert (retried.status, retried.succeeded, retried.failed, retried.retries) == (
        BatchStatus.COMPLETED,
        3,
        0,
        1,
    )
    records = local_records(pulling)
    assert sorted(k for k in records if k.startswith(tag)) == [f"{tag}-{i}" for i in range(3)]
    assert records[f"{tag}-0"].links[pulling.connection_id].odoo_id == odoo_ids[0]


def test_retrying_one_failed_odoo_record_of_a_pull_batch(pulling, sim, monkeypatch):
    tag = "pr2"
    batch_id, odoo_ids = _import_with_a_dead_first_page(pulling, sim, tag, monkeypatch)

    answer = call(
        bulk_handler,
        "POST",
        "/v1/batches/{batch_id}/retry",
        {"batch_id": batch_id},
        body={"local_ids": [f"odoo:{odoo_ids[1]}"]},
        tenant_id=pulling.tenant_id,
    )
    pages = drain()

    assert answer.status == 202, answer.body
    assert [p["odoo_ids"] for p in pages] == [[odoo_ids[1]]]
    batch = dependencies.batches().get(pulling.tenant_id, batch_id)
    assert batch is not None
    assert (batch.succeeded, batch.failed) == (2, 1)
    assert f"{tag}-1" in local_records(pulling)
    assert f"{tag}-0" not in local_records(pulling)


def test_retrying_an_odoo_record_that_did_not_fail_is_refused(pulling, sim, monkeypatch):
    tag = "pr3"
    batch_id, odoo_ids = _import_with_a_dead_first_page(pulling, sim, tag, monkeypatch)

    answer = call(
        bulk_handler,
        "POST",
        "/v1/batches/{batch_id}/retry",
        {"batch_id": batch_id},
        body={"local_ids": [f"odoo:{odoo_ids[2]}"]},
        tenant_id=pulling.tenant_id,
    )

    assert answer.status == 409
    assert answer.body["field"] == "local_ids"
    assert f"odoo:{odoo_ids[2]}" in answer.body["message"]
    assert drain() == []


def test_retrying_a_failed_delta_moves_its_cursor_once_everything_landed(pulling, sim, monkeypatch):
    monkeypatch.setattr(pull_module, "lane_count", lambda _: 1)
    client = dependencies.connection_service().client(pulling.tenant_id, pulling.connection_id)
    client.create("res.partner", [{"name": "delta retry", "ref": "pr4-0"}])
    service = dependencies.pull_service()
    submitted = service.start_delta(
        pulling.tenant_id, None, "customer", full=False, batch_size=10, triggered_by=TriggeredBy.SCHEDULE
    )
    first, *others = _receive_all()
    assert others  # the retry's one page is numbered 0, the delta's last page is not
    sim.knobs.fail_next(1_000, "server")
    try:
        _give_up(first, monkeypatch)
    finally:
        sim.knobs.reset()
    assert all(_deliver(page) == [] for page in others)
    cursors = service._cursors
    assert cursors.get(pulling.tenant_id, pulling.connection_id, "customer").cursor is None

    answer = call(
        bulk_handler,
        "POST",
        "/v1/batches/{batch_id}/retry",
        {"batch_id": submitted.batch_id},
        tenant_id=pulling.tenant_id,
    )
    drain()

    assert answer.status == 202, answer.body
    cursor = cursors.get(pulling.tenant_id, pulling.connection_id, "customer")
    assert cursor.cursor is not None
    assert cursor.pending_batch is None
    assert "pr4-0" in local_records(pulling)


def test_a_record_whose_write_lost_a_race_is_pulled_again_into_the_same_record(pulling, sim, monkeypatch):
    """Its external id went to Odoo while the page wrote: the page's next delivery finds the same
    local record through it, and nothing is created twice, in Odoo or here."""
    tag = "prrace"
    monkeypatch.setattr(pull_module, "lane_count", lambda _: 1)
    client = dependencies.connection_service().client(pulling.tenant_id, pulling.connection_id)
    client.create("res.partner", [{"name": f"{tag} {i}", "ref": f"{tag}-{i}"} for i in range(3)])
    request = ImportRequest(entity="customer", odoo_filters=[["ref", "like", f"{tag}-"]])
    submitted = dependencies.pull_service().start_import(pulling.tenant_id, request)
    (page,) = _receive_all()
    write_many = DynamoPulledRecords.write_many

    def a_tenant_write_wins_once(self, tenant_id, entity, connection_id, writes):
        monkeypatch.setattr(DynamoPulledRecords, "write_many", write_many)
        others = [write for write in writes if write.local_id != f"{tag}-1"]
        return write_many(self, tenant_id, entity, connection_id, others) | {f"{tag}-1"}

    monkeypatch.setattr(DynamoPulledRecords, "write_many", a_tenant_write_wins_once)
    assert _deliver(page) != []  # the page comes back for the record that lost
    assert _deliver(page, receive_count=2) == []

    records = local_records(pulling)
    assert sorted(local_id for local_id in records if local_id.startswith(tag)) == [
        f"{tag}-{i}" for i in range(3)
    ]
    xmlids = sim.records("ir.model.data", [["module", "=", xmlid_module(pulling.tenant_id)]])
    names = [row["name"] for row in xmlids if row["name"].startswith(f"customer-{tag}")]
    assert sorted(names) == sorted(f"customer-{tag}_2d_{i}" for i in range(3))  # each once
    batch = dependencies.batches().get(pulling.tenant_id, submitted.batch_id)
    assert batch is not None
    assert (batch.status, batch.succeeded, batch.failed) == (BatchStatus.COMPLETED, 3, 0)
