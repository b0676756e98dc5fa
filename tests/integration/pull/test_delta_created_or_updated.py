"""Created or updated in the change feed of a delta: Odoo's create_date against the cursor."""

from __future__ import annotations

from datetime import datetime

import pytest

from odoo_sync.api import dependencies
from odoo_sync.sync.model import ChangeAction, SyncOptions, TriggeredBy
from tests.integration.pull.conftest import drain


@pytest.fixture
def frozen(sim):
    sim.clock.freeze(datetime(2031, 4, 1, 12, 0, 0))
    yield sim.clock
    sim.clock.unfreeze()


def _delta(tenant) -> None:
    dependencies.pull_service().start_delta(
        tenant.tenant_id, None, "customer", full=False, batch_size=50, triggered_by=TriggeredBy.SCHEDULE
    )
    drain()


def _feed(tenant) -> dict[str, list[ChangeAction]]:
    actions: dict[str, list[ChangeAction]] = {}
    for item in dependencies.change_log().read(tenant.tenant_id, "customer", 0, 500):
        actions.setdefault(item.data.local_id, []).append(item.data.action)
    return actions


def test_odoo_records_new_since_the_cursor_are_created_and_known_ones_updated(pulling, sim, frozen):
    client = dependencies.connection_service().client(pulling.tenant_id, pulling.connection_id)
    [known] = client.create("res.partner", [{"name": "known", "ref": "cu-known"}])
    _delta(pulling)  # the cursor is set; "known" was read from Odoo
    frozen.advance(30)
    dependencies.record_store().put(pulling.tenant_id, "customer", "cu-pushed", {"name": "pushed"})
    [pushed] = dependencies.push_service().push(
        pulling.tenant_id,
        pulling.connection_id,
        "customer",
        ["cu-pushed"],
        options=SyncOptions(),
        triggered_by=TriggeredBy.API,
    )
    [brand_new] = client.create("res.partner", [{"name": "brand new", "ref": "cu-new"}])
    frozen.advance(5)
    assert pushed.odoo_id is not None
    client.write("res.partner", [pushed.odoo_id, known], {"city": "Ghent"})

    _delta(pulling)

    feed = _feed(pulling)
    assert feed["cu-known"] == [ChangeAction.CREATED, ChangeAction.UPDATED]
    # The local record (and its link) existed, but Odoo created the record after the cursor.
    assert feed["cu-pushed"] == [ChangeAction.CREATED]
    assert feed["cu-new"] == [ChangeAction.CREATED]
    assert brand_new != known
