"""A change notice whose record Odoo deleted before the worker read it again."""

from __future__ import annotations

from odoo_sync.api import dependencies
from odoo_sync.core.ids import iso, utc_now
from odoo_sync.stores.sync_log import LogQuery
from odoo_sync.sync.model import ChangeAction, LinkStatus, OdooChangeMessage
from tests.integration.pull.conftest import drain, local_records


def _notice(tenant, odoo_id: int, write_date: str) -> OdooChangeMessage:
    return OdooChangeMessage(
        tenant_id=tenant.tenant_id,
        connection_id=tenant.connection_id,
        odoo_model="res.partner",
        odoo_ids=[odoo_id],
        write_date=write_date,
        received_at=iso(utc_now()),
    )


def _feed(tenant) -> list[tuple[str, ChangeAction]]:
    return [
        (item.data.local_id, item.data.action)
        for item in dependencies.change_log().read(tenant.tenant_id, "customer", 0, 100)
    ]


def test_a_linked_record_deleted_right_after_its_notice_is_marked_deleted(pulling, sim):
    client = dependencies.connection_service().client(pulling.tenant_id, pulling.connection_id)
    [odoo_id] = client.create("res.partner", [{"name": "short-lived", "ref": "gone-1"}])
    dependencies.notice_queue().send([_notice(pulling, odoo_id, "v1")])
    drain()
    client.unlink("res.partner", [odoo_id])

    dependencies.notice_queue().send([_notice(pulling, odoo_id, "v2")])
    drain()
    dependencies.notice_queue().send([_notice(pulling, odoo_id, "v3")])  # Odoo's duplicate, later
    drain()

    record = local_records(pulling)["gone-1"]
    link = record.links[pulling.connection_id]
    assert (link.status, link.odoo_id) == (LinkStatus.DELETED, odoo_id)
    assert record.data["name"] == "short-lived"  # the tenant's copy is kept
    assert _feed(pulling) == [("gone-1", ChangeAction.CREATED), ("gone-1", ChangeAction.DELETED)]
    entries, _ = dependencies.sync_log().query(
        pulling.tenant_id, LogQuery(entity="customer", local_id="gone-1", limit=50)
    )
    codes = [(entry.error_details or {}).get("code") for entry in entries]
    assert codes.count("deleted_in_odoo") == 1


def test_a_notice_for_an_id_nobody_is_linked_to_is_skipped(pulling, sim):
    client = dependencies.connection_service().client(pulling.tenant_id, pulling.connection_id)
    [odoo_id] = client.create("res.partner", [{"name": "never seen", "ref": "gone-2"}])
    client.unlink("res.partner", [odoo_id])

    dependencies.notice_queue().send([_notice(pulling, odoo_id, "v1")])
    drain()

    assert _feed(pulling) == []
    assert "gone-2" not in local_records(pulling)
    entries, _ = dependencies.sync_log().query(pulling.tenant_id, LogQuery(entity="customer", limit=50))
    assert [(e.odoo_id, e.sync_type, e.error_details) for e in entries] == [
        (odoo_id, "skip", {"code": "not_in_odoo"})
    ]
