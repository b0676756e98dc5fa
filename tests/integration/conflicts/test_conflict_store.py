"""Recording held conflicts: one open conflict per field, refreshed, never duplicated."""

from __future__ import annotations

from typing import Any

import pytest

from odoo_sync.api.dependencies import conflict_store
from odoo_sync.core.conflicts import ConflictQuery, DetectedConflict, Resolution
from odoo_sync.errors import ConflictError

TENANT = "ten_00000000000000aa"
OTHER = "ten_00000000000000bb"
CONNECTION = "con_0123456789abcdef"


def detected(local_id: str = "c-1", odoo_field: str = "name", **values: Any) -> DetectedConflict:
    return DetectedConflict(
        connection_id=CONNECTION,
        entity=values.pop("entity", "customer"),
        local_id=local_id,
        odoo_id=values.pop("odoo_id", 7),
        odoo_field=odoo_field,
        local_fields=[odoo_field],
        base=values.pop("base", "A"),
        local=values.pop("local", "L"),
        odoo=values.pop("odoo", "O"),
    )


def open_list(tenant: str = TENANT, **filters: Any) -> list[Any]:
    items, _ = conflict_store().page(tenant, ConflictQuery(**filters))
    return items


def test_a_held_field_becomes_one_open_conflict(aws):
    conflict_store().hold(TENANT, [detected()])

    [conflict] = open_list()
    assert (conflict.entity, conflict.local_id, conflict.odoo_field, conflict.status) == (
        "customer",
        "c-1",
        "name",
        "open",
    )
    assert (conflict.base, conflict.local_value, conflict.odoo_value) == ("A", "L", "O")
    assert conflict_store().get(TENANT, conflict.conflict_id) == conflict


def test_detecting_it_again_refreshes_the_values_and_keeps_one_conflict(aws):
    conflict_store().hold(TENANT, [detected()])
    [first] = open_list()

    conflict_store().hold(TENANT, [detected(local="L2", odoo=12.5), detected()])
    conflict_store().hold(TENANT, [detected(local="L3", odoo=12.5)])

    [again] = open_list()
    assert again.conflict_id == first.conflict_id
    assert (again.local_value, again.odoo_value, again.detected_at) == ("L3", 12.5, first.detected_at)
    assert conflict_store().get(TENANT, first.conflict_id) == again


def test_open_fields_per_record_and_for_many(aws):
    conflict_store().hold(
        TENANT,
        [detected("c-1", "name"), detected("c-1", "email"), detected("c-2", "phone"), detected("c-3", "vat")],
    )
    conflict_store().hold(OTHER, [detected("c-1", "city")])

    assert conflict_store().open_fields(TENANT, CONNECTION, "customer", "c-1") == {"name", "email"}
    assert conflict_store().open_fields(TENANT, CONNECTION, "customer", "c-9") == set()
    assert conflict_store().open_fields(TENANT, "con_ffffffffffffffff", "customer", "c-1") == set()
    assert conflict_store().open_fields_many(TENANT, CONNECTION, "customer", ["c-1", "c-2", "c-9"]) == {
        "c-1": {"name", "email"},
        "c-2": {"phone"},
    }
    assert conflict_store().open_fields_many(TENANT, CONNECTION, "customer", []) == {}


def test_a_resolved_conflict_is_closed_once_and_a_new_detection_opens_another(aws):
    conflict_store().hold(TENANT, [detected()])
    [conflict] = open_list()
    resolution = Resolution(winner="odoo", value="O", resolved_at="2024-05-01T12:00:00Z")

    closed = conflict_store().mark_resolved(TENANT, conflict, resolution)
    with pytest.raises(ConflictError):
        conflict_store().mark_resolved(TENANT, conflict, resolution)
    conflict_store().hold(TENANT, [detected(local="L2")])

    assert closed.status == "resolved"
    assert conflict_store().open_fields(TENANT, CONNECTION, "customer", "c-1") == {"name"}
    [reopened] = open_list()
    assert reopened.conflict_id != conflict.conflict_id
    [resolved] = open_list(status="resolved")
    assert (resolved.conflict_id, resolved.resolution) == (conflict.conflict_id, resolution)


def test_lists_page_with_a_cursor_and_filter_by_entity(aws):
    conflict_store().hold(TENANT, [detected(f"c-{n}") for n in range(5)])
    conflict_store().hold(TENANT, [detected("p-1", "list_price", entity="product")])

    first, cursor = conflict_store().page(TENANT, ConflictQuery(entity="customer", limit=3))
    second, end = conflict_store().page(TENANT, ConflictQuery(entity="customer", limit=3, cursor=cursor))

    assert [c.local_id for c in first + second] == [f"c-{n}" for n in range(5)]
    assert cursor is not None
    assert end is None or conflict_store().page(TENANT, ConflictQuery(entity="customer", cursor=end))[0] == []
    assert [c.local_id for c in open_list(entity="product")] == ["p-1"]
    assert open_list(OTHER) == []
