"""Delta polling against the simulator's transaction clock: straddling commits, archives, deletes."""

from __future__ import annotations

import json
from datetime import datetime

import boto3
import pytest

from odoo_sync.api import dependencies
from odoo_sync.settings import service_settings
from odoo_sync.stores.sync_log import LogQuery
from odoo_sync.sync.model import LinkStatus, TriggeredBy
from sync_worker import handler as worker
from tests.integration.pull.conftest import _record, drain, local_records
from tests.support.events import LambdaContextStub


@pytest.fixture
def frozen(sim):
    sim.clock.freeze(datetime(2031, 3, 1, 12, 0, 0, 250_000))
    yield sim.clock
    sim.clock.unfreeze()


def _delta(tenant, *, full: bool = False):
    submitted = dependencies.pull_service().start_delta(
        tenant.tenant_id, None, "customer", full=full, batch_size=50, triggered_by=TriggeredBy.SCHEDULE
    )
    drain()
    return submitted


def _cursor(tenant):
    return dependencies.pull_service()._cursors.get(tenant.tenant_id, tenant.connection_id, "customer")


def _client(tenant):
    return dependencies.connection_service().client(tenant.tenant_id, tenant.connection_id)


def test_a_long_transaction_committed_after_the_cursor_moved_is_still_pulled(pulling, sim, frozen):
    _delta(pulling)  # everything there is: the cursor starts at the newest write_date
    long = sim.open_transaction()  # started now: its records get this write_date
    long.create("res.partner", {"name": "straddler", "ref": "dlt-long"})
    frozen.advance(20)
    [short_id] = _client(pulling).create("res.partner", [{"name": "quick", "ref": "dlt-short"}])
    _delta(pulling)
    moved_to = _cursor(pulling).cursor
    long.commit()  # committed after the cursor passed its write_date

    third = _delta(pulling)

    records = local_records(pulling)
    assert "dlt-long" in records
    assert records["dlt-short"].links[pulling.connection_id].odoo_id == short_id
    assert moved_to == "2031-03-01 12:00:20"
    entries, _ = dependencies.sync_log().query(
        pulling.tenant_id, LogQuery(batch_id=third.batch_id, limit=200)
    )
    by_local = {entry.local_id: entry.sync_type for entry in entries}
    assert by_local["dlt-long"] == "create"
    assert by_local["dlt-short"] == "skip"  # re-read in the overlap, not applied twice


def test_the_cursor_does_not_move_before_the_pages_are_applied(pulling, sim, frozen):
    _client(pulling).create("res.partner", [{"name": "pending", "ref": "dlt-pend"}])
    submitted = dependencies.pull_service().start_delta(
        pulling.tenant_id, None, "customer", full=False, batch_size=50, triggered_by=TriggeredBy.SCHEDULE
    )

    assert _cursor(pulling).cursor is None
    assert _cursor(pulling).pending_batch == submitted.batch_id
    drain()
    newest = max(row["write_date"] for row in sim.records("res.partner", active_test=False))
    assert _cursor(pulling).cursor == newest


def test_the_cursor_moves_when_the_batch_completes_whichever_lane_finishes_last(pulling, sim, frozen):
    client = _client(pulling)
    client.create("res.partner", [{"name": f"lane {n}", "ref": f"dlt-lane-{n}"} for n in range(12)])
    dependencies.pull_service().start_delta(
        pulling.tenant_id, None, "customer", full=False, batch_size=2, triggered_by=TriggeredBy.SCHEDULE
    )
    sqs = boto3.client("sqs")
    url = service_settings().sync_queue_url
    queued = []
    while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        # The two lanes run at once: the last-numbered page may well finish before the others.
        for message in sorted(messages, key=lambda m: -json.loads(m["Body"])["chunk"]):
            event = {"Records": [_record(dict(message))]}
            assert worker.lambda_handler(event, LambdaContextStub())["batchItemFailures"] == []
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        queued += messages

    newest = max(row["write_date"] for row in sim.records("res.partner", active_test=False))
    assert len({json.loads(m["Body"])["lane"] for m in queued}) == 2
    assert _cursor(pulling).cursor == newest


def test_archiving_in_odoo_archives_the_link_and_keeps_the_data(pulling, sim, frozen):
    client = _client(pulling)
    [odoo_id] = client.create("res.partner", [{"name": "to archive", "ref": "dlt-arch"}])
    _delta(pulling)
    frozen.advance(5)
    client.write("res.partner", [odoo_id], {"active": False})

    _delta(pulling)

    record = local_records(pulling)["dlt-arch"]
    assert record.links[pulling.connection_id].status is LinkStatus.ARCHIVED
    assert record.data["name"] == "to archive"


def test_a_full_delta_marks_records_deleted_in_odoo(pulling, sim, frozen):
    client = _client(pulling)
    [odoo_id] = client.create("res.partner", [{"name": "to delete", "ref": "dlt-del"}])
    _delta(pulling)
    client.unlink("res.partner", [odoo_id])

    assert _delta(pulling).deleted == 0  # a delta alone cannot see a deletion
    assert _delta(pulling, full=True).deleted == 1

    record = local_records(pulling)["dlt-del"]
    assert record.links[pulling.connection_id].status is LinkStatus.DELETED
    assert record.data["name"] == "to delete"  # the tenant's copy is kept
    assert _delta(pulling, full=True).deleted == 0  # once
