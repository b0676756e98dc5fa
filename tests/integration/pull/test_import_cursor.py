"""An import of a whole entity leaves the delta cursor where it stopped."""

from __future__ import annotations

from datetime import datetime

import pytest

from odoo_sync.api import dependencies
from odoo_sync.core.pull import ImportRequest
from odoo_sync.stores.sync_log import LogQuery
from odoo_sync.sync.model import TriggeredBy
from tests.integration.pull.conftest import drain


@pytest.fixture
def frozen(sim):
    sim.clock.freeze(datetime(2032, 5, 1, 9, 0, 0))
    yield sim.clock
    sim.clock.unfreeze()


def _cursor(tenant):
    return dependencies.pull_service()._cursors.get(tenant.tenant_id, tenant.connection_id, "customer")


def _client(tenant):
    return dependencies.connection_service().client(tenant.tenant_id, tenant.connection_id)


def test_a_delta_after_a_whole_import_reads_only_the_overlap_and_applies_nothing(pulling, sim, frozen):
    _client(pulling).create("res.partner", [{"name": f"icur {i}", "ref": f"icur-{i}"} for i in range(3)])
    imported = dependencies.pull_service().start_import(pulling.tenant_id, ImportRequest(entity="customer"))
    drain()
    frozen.advance(60 * 60)  # well past the overlap window
    sim.reset_calls()

    delta = dependencies.pull_service().start_delta(
        pulling.tenant_id, None, "customer", full=False, triggered_by=TriggeredBy.SCHEDULE
    )
    drain()

    assert imported.records_found > 3  # the seeded partners too
    assert _cursor(pulling).cursor == "2032-05-01 09:00:00"
    # only the three written within the overlap before the cursor are read again, and skipped
    assert delta.records_found == 3
    entries, _ = dependencies.sync_log().query(pulling.tenant_id, LogQuery(batch_id=delta.batch_id))
    assert sorted((entry.local_id, entry.sync_type) for entry in entries) == [
        (f"icur-{i}", "skip") for i in range(3)
    ]


def test_an_import_with_filters_leaves_the_delta_cursor_alone(pulling, sim, frozen):
    _client(pulling).create("res.partner", [{"name": "icur f", "ref": "icurf-1"}])
    request = ImportRequest(entity="customer", odoo_filters=[["ref", "like", "icurf-"]])

    dependencies.pull_service().start_import(pulling.tenant_id, request)
    drain()

    assert _cursor(pulling).cursor is None  # the first delta still reads everything
