"""GET /v1/conflicts and POST /v1/conflicts/{id}/resolve against the Odoo simulator."""

from __future__ import annotations

from typing import Any

import pytest

from conflicts_api import handler as conflicts_api
from odoo_simulator import OdooSimulator
from odoo_sync.api.dependencies import conflict_store, connection_service, sync_log
from odoo_sync.core.conflicts import DetectedConflict
from odoo_sync.stores.sync_log import LogQuery
from settings_api import handler as settings_api
from tests.integration.conflicts.conftest import push, put_record, stored
from tests.integration.service.conftest import TenantConnection, connect
from tests.support.api import ApiAnswer, call

LIST = "/v1/conflicts"
ONE = "/v1/conflicts/{conflict_id}"
RESOLVE = "/v1/conflicts/{conflict_id}/resolve"


def diverge(account: TenantConnection, local_id: str = "c-1") -> str:
    """A pushed customer whose name then changed on both sides, held as a manual conflict."""
    put_record(account, local_id, {"name": "Ada", "email": f"{local_id}@example.com"})
    odoo_id = push(account, local_id)["odoo_id"]
    put_record(account, local_id, {"name": "Ada Local", "email": f"{local_id}@example.com"})
    client = connection_service().client(account.tenant_id, account.connection_id)
    client.write("res.partner", [odoo_id], {"name": "Ada Odoo"})
    found = DetectedConflict(
        connection_id=account.connection_id,
        entity="customer",
        local_id=local_id,
        odoo_id=odoo_id,
        odoo_field="name",
        local_fields=["name"],
        base="Ada",
        local="Ada Local",
        odoo="Ada Odoo",
    )
    conflict_store().hold(account.tenant_id, [found])
    [conflict] = [item for item in listed(account) if item["local_id"] == local_id]
    conflict_id: str = conflict["conflict_id"]
    return conflict_id


def listed(account: TenantConnection, query: str = "") -> list[dict[str, Any]]:
    answer = call(conflicts_api.lambda_handler, "GET", LIST, query=query, tenant_id=account.tenant_id)
    assert answer.status == 200, answer.body
    items: list[dict[str, Any]] = answer.body["items"]
    return items


def resolve(account: TenantConnection, conflict_id: str, body: Any, tenant: str | None = None) -> ApiAnswer:
    return call(
        conflicts_api.lambda_handler,
        "POST",
        RESOLVE,
        {"conflict_id": conflict_id},
        body=body,
        tenant_id=tenant or account.tenant_id,
    )


def odoo_name(sim: OdooSimulator, account: TenantConnection, local_id: str) -> str:
    odoo_id = stored(account, local_id).links[account.connection_id].odoo_id
    name: str = sim.records("res.partner", [["id", "=", odoo_id]])[0]["name"]
    return name


def test_an_open_conflict_is_listed_and_shown(account):
    conflict_id = diverge(account)

    [item] = listed(account, "entity=customer")
    shown = call(
        conflicts_api.lambda_handler, "GET", ONE, {"conflict_id": conflict_id}, tenant_id=account.tenant_id
    )

    assert item["conflict_id"] == conflict_id
    assert (item["odoo_field"], item["base"], item["local_value"], item["odoo_value"], item["status"]) == (
        "name",
        "Ada",
        "Ada Local",
        "Ada Odoo",
        "open",
    )
    assert shown.status == 200
    assert shown.body == item
    assert listed(account, "entity=product") == []
    assert listed(account, "status=resolved") == []


@pytest.mark.parametrize(
    ("body", "local_name", "odoo_value"),
    [
        ({"winner": "local"}, "Ada Local", "Ada Local"),
        ({"winner": "odoo"}, "Ada Odoo", "Ada Odoo"),
        ({"winner": "value", "value": "Ada Lovelace"}, "Ada Lovelace", "Ada Lovelace"),
    ],
)
def test_resolving_writes_the_winner_to_the_losing_side_and_settles_the_field(
    sim, account, body, local_name, odoo_value
):
    conflict_id = diverge(account)

    answer = resolve(account, conflict_id, body)

    assert answer.status == 200, answer.body
    assert answer.body["status"] == "resolved"
    assert (answer.body["resolution"]["winner"], answer.body["resolution"]["value"]) == (
        body["winner"],
        odoo_value,
    )
    record = stored(account, "c-1")
    assert record.data["name"] == local_name
    assert odoo_name(sim, account, "c-1") == odoo_value
    assert (record.links[account.connection_id].snapshot or {})["name"] == odoo_value
    assert conflict_store().open_fields(account.tenant_id, account.connection_id, "customer", "c-1") == set()
    assert [item["conflict_id"] for item in listed(account, "status=resolved")] == [conflict_id]
    assert listed(account) == []
    entries, _ = sync_log().query(account.tenant_id, LogQuery(entity="customer", local_id="c-1"))
    resolutions = [e for e in entries if (e.error_details or {}).get("conflict_id") == conflict_id]
    expected = {"local": {"to_odoo"}, "odoo": {"from_odoo"}, "value": {"to_odoo", "from_odoo"}}
    assert {e.sync_direction for e in resolutions} == expected[body["winner"]]
    # Agreed: the next push finds nothing to write.
    assert push(account, "c-1")["action"] == "unchanged"


def test_a_second_resolution_is_refused(account):
    conflict_id = diverge(account)
    assert resolve(account, conflict_id, {"winner": "odoo"}).status == 200

    again = resolve(account, conflict_id, {"winner": "local"})

    assert again.status == 409
    assert again.body["field"] == "conflict_id"


def test_unknown_and_other_tenants_conflicts_are_not_found(account, sim):
    conflict_id = diverge(account)
    other = connect(sim)

    unknown = resolve(account, "cfl_0000000000000000", {"winner": "odoo"})
    foreign = resolve(account, conflict_id, {"winner": "odoo"}, tenant=other.tenant_id)
    shown = call(
        conflicts_api.lambda_handler, "GET", ONE, {"conflict_id": conflict_id}, tenant_id=other.tenant_id
    )

    assert (unknown.status, unknown.body["field"]) == (404, "conflict_id")
    assert (foreign.status, shown.status) == (404, 404)
    assert listed(other) == []
    assert stored(account, "c-1").data["name"] == "Ada Local"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"winner": "both"}, "winner"),
        ({}, "winner"),
        ({"winner": "value"}, "value"),
        ({"winner": "local", "value": "x"}, "value"),
        ({"winner": "odoo", "extra": 1}, "extra"),
    ],
)
def test_a_bad_resolution_is_refused_with_the_field(account, body, field):
    conflict_id = diverge(account)

    answer = resolve(account, conflict_id, body)

    assert answer.status == 422, answer.body
    assert field in (answer.body["field"] or "")
    assert listed(account)[0]["status"] == "open"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("status=closed", "status"),
        ("entity=Bad-Name", "entity"),
        ("limit=0", "limit"),
        ("cursor=%%%", "cursor"),
    ],
)
def test_bad_list_filters_are_refused_with_the_field(account, query, field):
    answer = call(conflicts_api.lambda_handler, "GET", LIST, query=query, tenant_id=account.tenant_id)

    assert answer.status in (400, 422), answer.body
    assert field in (answer.body["field"] or "")


def test_a_malformed_conflict_id_is_refused(account):
    answer = resolve(account, "nope", {"winner": "odoo"})

    assert answer.status == 422
    assert "conflict_id" in answer.body["field"]


def test_a_push_holds_a_field_changed_on_both_sides_once_until_it_is_resolved(sim, account):
    put_record(account, "c-9", {"name": "Ada", "email": "c-9@example.com"})
    odoo_id = push(account, "c-9")["odoo_id"]
    put_record(account, "c-9", {"name": "Ada Local", "email": "c-9@example.com", "city": "Paris"})
    client = connection_service().client(account.tenant_id, account.connection_id)
    client.write("res.partner", [odoo_id], {"name": "Ada Odoo"})

    first = push(account, "c-9")
    client.write("res.partner", [odoo_id], {"name": "Ada Odoo 2"})
    second = push(account, "c-9")

    assert first["fields_synced"] == ["city"]
    assert "conflict_held" in {warning["code"] for warning in first["warnings"]}
    assert second["action"] == "unchanged"
    [conflict] = listed(account)
    assert (conflict["local_id"], conflict["local_value"], conflict["odoo_value"]) == (
        "c-9",
        "Ada Local",
        "Ada Odoo 2",
    )
    assert odoo_name(sim, account, "c-9") == "Ada Odoo 2"

    assert resolve(account, conflict["conflict_id"], {"winner": "local"}).status == 200

    assert odoo_name(sim, account, "c-9") == "Ada Local"
    assert push(account, "c-9")["action"] == "unchanged"
    assert listed(account) == []


def test_a_field_not_mapped_from_odoo_can_only_be_won_by_the_local_side(sim, account):
    mapping = call(
        settings_api.lambda_handler,
        "POST",
        "/v1/field-mappings",
        body={"entity": "customer", "local_field": "note", "odoo_field": "comment", "direction": "to_odoo"},
        tenant_id=account.tenant_id,
    )
    assert mapping.status == 201, mapping.body
    put_record(account, "c-5", {"name": "Ada", "email": "c-5@example.com", "note": "local"})
    odoo_id = push(account, "c-5")["odoo_id"]
    found = DetectedConflict(
        connection_id=account.connection_id,
        entity="customer",
        local_id="c-5",
        odoo_id=odoo_id,
        odoo_field="comment",
        local_fields=["note"],
        base="before",
        local="local",
        odoo="odoo",
    )
    conflict_store().hold(account.tenant_id, [found])
    [conflict] = listed(account)

    refused = [
        resolve(account, conflict["conflict_id"], body)
        for body in ({"winner": "odoo"}, {"winner": "value", "value": "both"})
    ]

    assert [(answer.status, answer.body["field"]) for answer in refused] == [(422, "winner"), (422, "winner")]
    partner = sim.records("res.partner", [["id", "=", odoo_id]])[0]
    assert partner["comment"] in ("local", "<p>local</p>")  # nothing written by the refused ones
    assert listed(account)[0]["status"] == "open"
    assert resolve(account, conflict["conflict_id"], {"winner": "local"}).status == 200
