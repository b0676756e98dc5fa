"""Pushing a record Odoo deleted or archived: refused with a way forward, or done when asked."""

from __future__ import annotations

from odoo_simulator import OdooSimulator
from odoo_sync.odoo import OdooClient
from odoo_sync.sync.engine import PushEngine
from odoo_sync.sync.model import LinkStatus, LocalRecord, OdooLink, SyncAction, SyncOptions
from tests.integration.push.builders import CONNECTION, customer_plan, partners_with_ref, prefix, record


def push(client: OdooClient, rec: LocalRecord, options: SyncOptions | None = None):
    result = PushEngine(client, customer_plan(client), CONNECTION).push([rec], options or SyncOptions())
    assert result.error is None
    [outcome] = result.outcomes
    return outcome


def linked(tag: str, odoo_id: int, status: LinkStatus, name: str) -> LocalRecord:
    rec = record("customer", tag, {"name": name})
    link = OdooLink(odoo_id=odoo_id, status=status, snapshot={"name": "before", "ref": tag})
    return rec.model_copy(update={"links": {CONNECTION: link}})


def test_a_record_deleted_in_odoo_is_not_created_again_silently(
    sim: OdooSimulator, client: OdooClient
) -> None:
    tag = prefix()
    [gone] = client.create("res.partner", [{"name": "before", "ref": tag}])
    client.unlink("res.partner", [gone])
    sim.reset_calls()

    outcome = push(client, linked(tag, gone, LinkStatus.DELETED, "after"))

    assert outcome.action is SyncAction.ERROR
    assert outcome.error_details == {"code": "deleted_in_odoo", "odoo_ids": [gone]}
    assert outcome.error_message is not None
    assert "recreate_deleted" in outcome.error_message
    assert partners_with_ref(sim, tag) == []
    assert sim.calls[("res.partner", "create")] == 0


def test_recreate_deleted_creates_it_again(sim: OdooSimulator, client: OdooClient) -> None:
    tag = prefix()
    [gone] = client.create("res.partner", [{"name": "before", "ref": tag}])
    client.unlink("res.partner", [gone])

    outcome = push(client, linked(tag, gone, LinkStatus.DELETED, "after"), SyncOptions(recreate_deleted=True))

    assert outcome.action is SyncAction.CREATED
    assert outcome.odoo_id not in (None, gone)
    assert [row["name"] for row in partners_with_ref(sim, tag)] == ["after"]


def test_recreate_deleted_matches_a_record_that_took_its_place(
    sim: OdooSimulator, client: OdooClient
) -> None:
    tag = prefix()
    [gone, successor] = client.create(
        "res.partner", [{"name": "before", "ref": "x" + tag}, {"name": "new", "ref": tag}]
    )
    client.unlink("res.partner", [gone])

    outcome = push(client, linked(tag, gone, LinkStatus.DELETED, "after"), SyncOptions(recreate_deleted=True))

    assert (outcome.action, outcome.odoo_id) == (SyncAction.UPDATED, successor)
    assert len(partners_with_ref(sim, tag)) == 1


def test_a_record_archived_in_odoo_is_not_written(sim: OdooSimulator, client: OdooClient) -> None:
    tag = prefix()
    [archived] = client.create("res.partner", [{"name": "before", "ref": tag, "active": False}])

    # The link need not know yet (no pull since): Odoo's own state decides.
    for status in (LinkStatus.ARCHIVED, LinkStatus.SYNCED):
        outcome = push(client, linked(tag, archived, status, "after"))

        assert outcome.action is SyncAction.ERROR
        assert outcome.error_details == {"code": "archived_in_odoo", "odoo_ids": [archived]}
        assert outcome.error_message is not None
        assert "write_archived" in outcome.error_message
    assert [row["name"] for row in partners_with_ref(sim, tag)] == ["before"]


def test_write_archived_updates_it_and_leaves_it_archived(sim: OdooSimulator, client: OdooClient) -> None:
    tag = prefix()
    [archived] = client.create("res.partner", [{"name": "before", "ref": tag, "active": False}])

    outcome = push(
        client, linked(tag, archived, LinkStatus.ARCHIVED, "after"), SyncOptions(write_archived=True)
    )

    assert (outcome.action, outcome.odoo_id) == (SyncAction.UPDATED, archived)
    [row] = partners_with_ref(sim, tag)
    assert (row["name"], row["active"]) == ("after", False)


def test_a_record_unarchived_in_odoo_since_the_pull_is_written(
    sim: OdooSimulator, client: OdooClient
) -> None:
    tag = prefix()
    [odoo_id] = client.create("res.partner", [{"name": "before", "ref": tag}])

    outcome = push(client, linked(tag, odoo_id, LinkStatus.ARCHIVED, "after"))

    assert (outcome.action, outcome.odoo_id) == (SyncAction.UPDATED, odoo_id)
