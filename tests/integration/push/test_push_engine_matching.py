"""Matching a chunk against the simulator: link, our external id, match keys; and the calls it costs."""

from __future__ import annotations

from collections import Counter

from odoo_simulator import OdooSimulator
from odoo_sync.odoo import OdooClient
from odoo_sync.sync.engine import PushEngine
from odoo_sync.sync.external_ids import xmlid_name
from odoo_sync.sync.model import SyncAction, SyncOptions
from tests.integration.push.builders import (
    CONNECTION,
    customer_plan,
    customers,
    open_client,
    partners_with_ref,
    prefix,
    record,
    relinked,
    xmlids,
)

OPTIONS = SyncOptions()


def push(client: OdooClient, records, options: SyncOptions = OPTIONS):
    return PushEngine(client, customer_plan(client), CONNECTION).push(records, options)


def test_new_records_are_created_in_one_call_with_their_external_ids(
    sim: OdooSimulator, client: OdooClient
) -> None:
    tag = prefix()
    records = customers(tag, 50)
    plan = customer_plan(client)
    sim.reset_calls()

    result = PushEngine(client, plan, CONNECTION).push(records, OPTIONS)

    assert result.error is None
    assert {o.action for o in result.outcomes} == {SyncAction.CREATED}
    assert sim.calls == Counter(
        {
            ("ir.model.data", "search_read"): 1,
            ("res.partner", "search_read"): 1,  # the ref key; no record has an e-mail
            ("res.partner", "create"): 1,
            ("ir.model.data", "create"): 1,
        }
    )
    assert result.calls == 4
    first = result.outcomes[0]
    stored = partners_with_ref(sim, f"{tag}-0")  # the ref defaults to the local id
    assert [p["id"] for p in stored] == [first.odoo_id]
    assert stored[0]["name"] == f"{tag} customer 0"
    assert xmlids(sim, xmlid_name("customer", f"{tag}-0"))[0]["res_id"] == first.odoo_id
    assert first.fields_synced == ["name", "ref"]
    assert first.snapshot == {"name": f"{tag} customer 0", "ref": f"{tag}-0"}


def test_linked_records_cost_one_read_and_no_write_when_unchanged(
    sim: OdooSimulator, client: OdooClient
) -> None:
    records = customers(prefix(), 30)
    created = push(client, records)
    linked = relinked(records, created.outcomes)
    plan = customer_plan(client)
    sim.reset_calls()

    again = PushEngine(client, plan, CONNECTION).push(linked, OPTIONS)

    assert sim.calls == Counter({("res.partner", "search_read"): 1})
    assert [o.action for o in again.outcomes] == [SyncAction.UNCHANGED] * 30
    assert [o.odoo_id for o in again.outcomes] == [o.odoo_id for o in created.outcomes]
    assert all(o.fields_synced == [] for o in again.outcomes)


def test_a_lost_link_is_found_again_through_our_external_id(sim: OdooSimulator, client: OdooClient) -> None:
    records = customers(prefix(), 5)
    created = push(client, records)
    plan = customer_plan(client)
    sim.reset_calls()

    again = PushEngine(client, plan, CONNECTION).push(records, OPTIONS)  # same records, no links kept

    assert [o.action for o in again.outcomes] == [SyncAction.UNCHANGED] * 5
    assert [o.odoo_id for o in again.outcomes] == [o.odoo_id for o in created.outcomes]
    assert sim.calls == Counter({("ir.model.data", "search_read"): 1, ("res.partner", "search_read"): 1})


def test_a_record_already_in_odoo_is_matched_by_key_updated_and_given_our_external_id(
    sim: OdooSimulator, client: OdooClient
) -> None:
    tag = prefix()
    existing = client.create("res.partner", [{"name": "Old name", "ref": f"{tag}-ref"}])[0]
    rec = record("customer", f"{tag}-1", {"name": "New name", "ref": f"{tag}-ref"})

    result = push(client, [rec])

    outcome = result.outcomes[0]
    assert (outcome.action, outcome.odoo_id, outcome.fields_synced) == (
        SyncAction.UPDATED,
        existing,
        ["name"],
    )
    assert partners_with_ref(sim, f"{tag}-ref")[0]["name"] == "New name"
    assert xmlids(sim, xmlid_name("customer", f"{tag}-1"))[0]["res_id"] == existing


def test_the_second_match_key_is_tried_when_the_first_finds_nothing(
    sim: OdooSimulator, client: OdooClient
) -> None:
    tag = prefix()
    email = f"{tag}@example.com"
    existing = client.create("res.partner", [{"name": "By mail", "email": email}])[0]
    rec = record("customer", f"{tag}-1", {"name": "By mail", "email": email})

    outcome = push(client, [rec]).outcomes[0]

    # Found by e-mail; its ref now carries the local id, the key every later push can use.
    assert (outcome.action, outcome.odoo_id) == (SyncAction.UPDATED, existing)
    assert outcome.fields_synced == ["ref"]
    assert partners_with_ref(sim, f"{tag}-1")[0]["id"] == existing


def test_an_archived_record_is_matched_not_duplicated(sim: OdooSimulator, client: OdooClient) -> None:
    tag = prefix()
    archived = client.create("res.partner", [{"name": "Gone", "ref": f"{tag}-a", "active": False}])[0]
    rec = record("customer", f"{tag}-a", {"name": "Gone"})

    outcome = push(client, [rec]).outcomes[0]

    assert (outcome.action, outcome.odoo_id) == (SyncAction.UNCHANGED, archived)
    assert len(partners_with_ref(sim, f"{tag}-a")) == 1


def test_a_stale_link_falls_through_to_the_next_steps(sim: OdooSimulator, client: OdooClient) -> None:
    tag = prefix()
    gone = client.create("res.partner", [{"name": "Deleted"}])[0]
    client.unlink("res.partner", [gone])
    rec = record("customer", f"{tag}-1", {"name": "Back"}, odoo_id=gone)

    outcome = push(client, [rec]).outcomes[0]

    assert outcome.action is SyncAction.CREATED
    assert outcome.odoo_id not in (None, gone)
    assert len(partners_with_ref(sim, f"{tag}-1")) == 1


def test_a_key_matching_several_odoo_records_is_an_error_naming_them(
    sim: OdooSimulator, client: OdooClient
) -> None:
    tag = prefix()
    email = f"{tag}@example.com"
    ids = client.create("res.partner", [{"name": "A", "email": email}, {"name": "B", "email": email}])
    rec = record("customer", f"{tag}-1", {"name": "C", "email": email})

    outcome = push(client, [rec]).outcomes[0]

    assert outcome.action is SyncAction.ERROR
    assert outcome.error_details == {"code": "ambiguous_match", "odoo_ids": sorted(ids)}
    assert all(str(i) in outcome.error_message for i in ids)
    assert partners_with_ref(sim, f"{tag}-1") == []


def test_two_new_records_with_one_key_value_do_not_become_two_odoo_records(
    sim: OdooSimulator, client: OdooClient
) -> None:
    tag = prefix()
    email = f"{tag}@example.com"
    records = [record("customer", f"{tag}-{i}", {"name": f"Twin {i}", "email": email}) for i in range(2)]

    first, second = push(client, records).outcomes

    assert first.action is SyncAction.CREATED
    assert second.action is SyncAction.ERROR
    assert second.error_details is not None
    assert second.error_details["code"] == "duplicate_in_chunk"
    assert len(sim.records("res.partner", [["email", "=", email]])) == 1


def test_two_local_records_on_one_odoo_record_fail_the_second(sim: OdooSimulator, client: OdooClient) -> None:
    tag = prefix()
    odoo_id = client.create("res.partner", [{"name": "Shared"}])[0]
    records = [record("customer", f"{tag}-{i}", {"name": "Shared"}, odoo_id=odoo_id) for i in range(2)]

    first, second = push(client, records).outcomes

    assert first.action is SyncAction.UPDATED  # it gets its ref
    assert second.action is SyncAction.ERROR
    assert second.error_details == {"code": "duplicate_match", "odoo_ids": [odoo_id]}


def test_without_access_to_external_ids_matching_uses_links_and_keys(sim: OdooSimulator) -> None:
    records = customers(prefix(), 3)
    with open_client(sim, login="demo") as demo:
        plan = customer_plan(demo)
        sim.reset_calls()
        first = PushEngine(demo, plan, CONNECTION).push(records, OPTIONS)
        again = PushEngine(demo, plan, CONNECTION).push(records, OPTIONS)

    assert [o.action for o in first.outcomes] == [SyncAction.CREATED] * 3
    assert [o.action for o in again.outcomes] == [SyncAction.UNCHANGED] * 3
    assert {w.code for w in first.warnings} == {"external_ids_unavailable"}
    assert sim.calls[("ir.model.data", "create")] == 0  # not even tried once reading was refused


def test_a_linked_record_hidden_by_a_record_rule_does_not_fail_its_chunk(sim: OdooSimulator) -> None:
    [hidden] = partners_with_ref(sim, "SIM-CHI-1")  # another company's partner: the demo user cannot see it
    tag = prefix()
    with open_client(sim, login="demo") as demo:
        plan = customer_plan(demo)
        records = [
            record("customer", f"{tag}-hidden", {"name": f"{tag} hidden"}, odoo_id=hidden["id"]),
            *customers(tag, 3),
        ]

        result = PushEngine(demo, plan, CONNECTION).push(records, OPTIONS)

    actions = {o.local_id: o.action for o in result.outcomes}
    assert [actions[f"{tag}-{i}"] for i in range(3)] == [SyncAction.CREATED] * 3
    assert result.error is None
