"""Odoo's change notices (webhooks) through the notice queue: gathered, re-read, duplicates, out of
order, two-way."""

from __future__ import annotations

from odoo_sync.api import dependencies
from odoo_sync.core.ids import iso, utc_now
from odoo_sync.stores.sync_log import LogQuery
from odoo_sync.sync.model import LinkStatus, OdooChangeMessage
from tests.integration.pull.conftest import drain, local_records


def _client(tenant):
    return dependencies.connection_service().client(tenant.tenant_id, tenant.connection_id)


def _notice(tenant, odoo_id: int, write_date: str | None) -> OdooChangeMessage:
    return OdooChangeMessage(
        tenant_id=tenant.tenant_id,
        connection_id=tenant.connection_id,
        odoo_model="res.partner",
        odoo_ids=[odoo_id],
        write_date=write_date,
        received_at=iso(utc_now()),
    )


def _entries(tenant, local_id: str):
    entries, _ = dependencies.sync_log().query(
        tenant.tenant_id, LogQuery(entity="customer", local_id=local_id, limit=200)
    )
    return entries


def test_notices_still_on_the_sync_queue_collapse_and_are_read_again(pulling, sim):
    """As the sync queue carried them before the notice queue (a deploy keeps them)."""
    client = _client(pulling)
    [odoo_id] = client.create("res.partner", [{"name": "hooked", "ref": "chg-dup"}])
    write_date = sim.records("res.partner", [["id", "=", odoo_id]])[0]["write_date"] + ".587528"

    dependencies.chunk_queue().send([_notice(pulling, odoo_id, write_date) for _ in range(13)])
    delivered = drain()

    assert len(delivered) == 1  # Odoo's 13 identical POSTs of one create
    record = local_records(pulling)["chg-dup"]
    assert record.data["name"] == "hooked"  # read from Odoo, not from the notice
    assert [entry.sync_type for entry in _entries(pulling, "chg-dup")] == ["create"]


def test_a_gathering_reads_odoo_once_for_all_its_records_whatever_the_duplicates(pulling, sim):
    client = _client(pulling)
    ids = client.create("res.partner", [{"name": f"burst {n}", "ref": f"chg-burst-{n}"} for n in range(5)])
    reads_before = sim.calls[("res.partner", "read")]

    # Odoo's 6 identical POSTs of one create, and one notice each for 4 more saves: one delivery.
    notices = [_notice(pulling, ids[0], "v1") for _ in range(6)] + [
        _notice(pulling, i, "v1") for i in ids[1:]
    ]
    dependencies.notice_queue().send(notices)
    delivered = drain()

    assert len(delivered) == 10
    assert sim.calls[("res.partner", "read")] - reads_before == 1  # one read of the 5 records
    records = local_records(pulling)
    assert [records[f"chg-burst-{n}"].data["name"] for n in range(5)] == [f"burst {n}" for n in range(5)]
    assert [entry.sync_type for entry in _entries(pulling, "chg-burst-0")] == ["create"]


def test_late_and_repeated_notices_change_nothing(pulling, sim):
    client = _client(pulling)
    [odoo_id] = client.create("res.partner", [{"name": "first", "ref": "chg-order"}])
    sim.clock.advance(2)
    client.write("res.partner", [odoo_id], {"name": "second"})
    second = _notice(pulling, odoo_id, "later")
    first = _notice(pulling, odoo_id, "earlier")

    dependencies.notice_queue().send([second])
    drain()
    version = local_records(pulling)["chg-order"].version
    dependencies.notice_queue().send([first])  # delivered after the newer one
    drain()

    record = local_records(pulling)["chg-order"]
    assert (record.data["name"], record.version) == ("second", version)
    assert sorted(entry.sync_type for entry in _entries(pulling, "chg-order")) == ["create", "skip"]


def test_a_notice_for_an_archived_record_archives_the_link(pulling, sim):
    client = _client(pulling)
    [odoo_id] = client.create("res.partner", [{"name": "archived soon", "ref": "chg-arch"}])
    dependencies.notice_queue().send([_notice(pulling, odoo_id, "v1")])
    drain()
    sim.clock.advance(2)
    client.write("res.partner", [odoo_id], {"active": False})

    dependencies.notice_queue().send([_notice(pulling, odoo_id, "v2")])
    drain()

    assert local_records(pulling)["chg-arch"].links[pulling.connection_id].status is LinkStatus.ARCHIVED


def test_a_field_changed_on_both_sides_is_held_not_overwritten(pulling, sim):
    client = _client(pulling)
    [odoo_id] = client.create("res.partner", [{"name": "base", "ref": "chg-both", "city": "Ghent"}])
    dependencies.notice_queue().send([_notice(pulling, odoo_id, "v1")])
    drain()
    store = dependencies.record_store()
    record = local_records(pulling)["chg-both"]
    store.put(
        pulling.tenant_id, "customer", "chg-both", {**record.data, "name": "local name", "city": "Leuven"}
    )
    sim.clock.advance(2)
    client.write("res.partner", [odoo_id], {"name": "odoo name"})

    dependencies.notice_queue().send([_notice(pulling, odoo_id, "v2")])
    drain()

    after = local_records(pulling)["chg-both"]
    assert after.data["name"] == "local name"  # held: the default rule is manual
    assert after.data["city"] == "Leuven"  # a local-only change waits for the next push
    link = after.links[pulling.connection_id]
    assert link.snapshot is not None
    assert link.status is LinkStatus.PENDING
    assert link.snapshot["city"] == "Ghent"
    held = dependencies.conflict_store().open_fields(
        pulling.tenant_id, pulling.connection_id, "customer", "chg-both"
    )
    assert held == {"name"}
