"""Applying one Odoo record: dedup by (id, write_date), options, archives, deletes, two-way merges."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from odoo_sync.stores.queue import deduplication_id
from odoo_sync.sync.conflicts import reconcile
from odoo_sync.sync.external_ids import xmlid_name
from odoo_sync.sync.model import (
    LOCAL_ID_PATTERN,
    ChangeAction,
    ConflictPolicy,
    ConflictRule,
    EntityDefinition,
    LinkStatus,
    LocalRecord,
    MatchKey,
    OdooChangeMessage,
    OdooLink,
    PullOptions,
    PullPageMessage,
)
from odoo_sync.sync.pull import decide, deleted, locally_changed
from odoo_sync.sync.pull_mapping import PulledRecord
from odoo_sync.sync.pull_matching import local_id_of_xmlid, new_local_id

CONNECTION = "con_0123456789abcdef"
NOW = "2031-01-01T10:00:05Z"


def pulled(write_date: str = "2031-01-01 10:00:00", *, active: bool = True, **values: Any) -> PulledRecord:
    values = values or {"title": "Chair"}
    return PulledRecord(
        odoo_id=7,
        values=dict(values),
        sources={name: f"x_{name}" for name in values},
        odoo_values={f"x_{name}": value for name, value in values.items()},
        write_date=write_date,
        active=active,
    )


def record(data: dict[str, Any] | None = None, link: OdooLink | None = None, version: int = 3) -> LocalRecord:
    return LocalRecord(
        entity="thing",
        local_id="c-1",
        data=data if data is not None else {"title": "Chair", "note": "mine"},
        version=version,
        updated_at="2031-01-01T09:00:00Z",
        links={CONNECTION: link} if link is not None else {},
    )


def applied(write_date: str = "2031-01-01 10:00:00", **snapshot: Any) -> OdooLink:
    return OdooLink(
        odoo_id=7,
        status=LinkStatus.SYNCED,
        synced_version=3,
        snapshot=snapshot or {"x_title": "Chair"},
        odoo_write_date=write_date,
    )


def test_a_new_odoo_record_creates_a_local_one():
    decision = decide(None, "c-1", pulled(), CONNECTION, PullOptions(), now=NOW)

    assert decision.create
    assert decision.data == {"title": "Chair"}
    assert decision.action is ChangeAction.CREATED
    assert decision.link is not None
    assert decision.link.odoo_write_date == "2031-01-01 10:00:00"


@pytest.mark.parametrize("write_date", ["2031-01-01 09:59:59", "2031-01-01 10:00:00"])
def test_a_version_already_applied_is_skipped(write_date):
    decision = decide(record(link=applied()), "c-1", pulled(write_date), CONNECTION, PullOptions(), now=NOW)

    assert decision.skipped == "stale"
    assert decision.action is None
    assert decision.link is None


def test_a_second_change_within_the_same_second_is_still_applied():
    decision = decide(
        record(link=applied()), "c-1", pulled(title="Table"), CONNECTION, PullOptions(), now=NOW
    )

    assert decision.skipped is None
    assert decision.action is ChangeAction.UPDATED
    assert decision.data == {"title": "Table", "note": "mine"}  # unmapped local fields kept
    assert decision.fields_changed == ["title"]


def test_the_options_skip_what_they_exclude():
    assert (
        decide(None, "c-1", pulled(), CONNECTION, PullOptions(create_missing=False), now=NOW).skipped
        == "not_created"
    )
    existing = record(link=applied("2031-01-01 09:00:00"))
    assert (
        decide(existing, "c-1", pulled(), CONNECTION, PullOptions(update_existing=False), now=NOW).skipped
        == "not_updated"
    )


def test_an_unchanged_newer_version_only_moves_the_link():
    decision = decide(
        record(link=applied("2031-01-01 09:00:00")), "c-1", pulled(), CONNECTION, PullOptions(), now=NOW
    )

    assert decision.data is None
    assert decision.action is None
    assert decision.link is not None
    assert decision.link.odoo_write_date == "2031-01-01 10:00:00"


def test_archiving_and_unarchiving_are_changes():
    archived = decide(
        record(link=applied("2031-01-01 09:00:00")),
        "c-1",
        pulled(active=False),
        CONNECTION,
        PullOptions(),
        now=NOW,
    )
    assert archived.action is ChangeAction.ARCHIVED
    assert archived.link is not None
    assert archived.link.status is LinkStatus.ARCHIVED

    back = record(link=applied("2031-01-01 09:00:00").model_copy(update={"status": LinkStatus.ARCHIVED}))
    revived = decide(back, "c-1", pulled(), CONNECTION, PullOptions(), now=NOW)
    assert revived.action is ChangeAction.UPDATED
    assert revived.link is not None
    assert revived.link.status is LinkStatus.SYNCED


def test_a_deleted_odoo_record_marks_the_link_once_and_keeps_the_data():
    decision = deleted(record(link=applied()), CONNECTION, now=NOW)

    assert decision is not None
    assert decision.action is ChangeAction.DELETED
    assert decision.data is None
    assert decision.link is not None
    assert decision.link.status is LinkStatus.DELETED
    assert decision.link.odoo_id == 7
    gone = record(link=decision.link)
    assert deleted(gone, CONNECTION, now=NOW) is None


def test_a_two_way_merge_applies_odoos_changes_and_leaves_local_ones_for_the_push():
    base = {"x_title": "Chair", "x_city": "Ghent"}
    local_record = record(
        {"title": "Chair", "city": "Leuven"}, OdooLink(odoo_id=7, synced_version=2, snapshot=base), version=3
    )
    incoming = pulled(title="Armchair", city="Ghent")
    merge = reconcile(
        base,
        {"x_title": "Chair", "x_city": "Leuven"},
        incoming.odoo_values,
        ConflictPolicy(default=ConflictRule.MANUAL),
        local_changed_at=None,
        odoo_changed_at=None,
    )

    decision = decide(local_record, "c-1", incoming, CONNECTION, PullOptions(), now=NOW, reconciliation=merge)

    assert locally_changed(local_record, CONNECTION)
    assert decision.data == {"title": "Armchair", "city": "Leuven"}
    assert decision.to_odoo == ["x_city"]
    assert decision.link is not None
    assert decision.link.status is LinkStatus.PENDING
    assert decision.link.snapshot == {"x_title": "Armchair", "x_city": "Ghent"}  # old base: the push sends it
    assert decision.keep_synced_version


def test_a_field_changed_on_both_sides_is_held():
    base = {"x_title": "Chair"}
    local_record = record({"title": "Stool"}, OdooLink(odoo_id=7, synced_version=2, snapshot=base))
    incoming = pulled(title="Armchair")
    merge = reconcile(
        base,
        {"x_title": "Stool"},
        incoming.odoo_values,
        ConflictPolicy(),
        local_changed_at=None,
        odoo_changed_at=None,
    )

    decision = decide(local_record, "c-1", incoming, CONNECTION, PullOptions(), now=NOW, reconciliation=merge)

    assert [c.odoo_field for c in decision.held] == ["x_title"]
    assert decision.data is None
    assert decision.link is not None
    assert decision.link.snapshot == base


@given(st.from_regex(LOCAL_ID_PATTERN, fullmatch=True))
def test_local_ids_come_back_from_our_external_ids(local_id):
    assert local_id_of_xmlid("customer", xmlid_name("customer", local_id)) == local_id


def test_foreign_external_ids_are_not_ours():
    assert local_id_of_xmlid("customer", "product-abc") is None
    assert local_id_of_xmlid("customer", "customer-a_zz_b") is None


def test_a_new_local_id_is_the_match_key_value_or_the_odoo_id():
    entity = EntityDefinition(
        name="customer", odoo_model="res.partner", match_keys=[MatchKey(local_field="ref", odoo_field="ref")]
    )
    assert new_local_id(entity, {"ref": "C-9"}, 4) == "C-9"
    assert new_local_id(entity, {"ref": "has space"}, 4) == "odoo-4"
    assert new_local_id(entity, {}, 4) == "odoo-4"


def change(
    write_date: str | None, ids: list[int], received: str = "2031-01-01T10:00:00Z"
) -> OdooChangeMessage:
    return OdooChangeMessage(
        tenant_id="ten_0123456789abcdef",
        connection_id=CONNECTION,
        odoo_model="res.partner",
        odoo_ids=ids,
        write_date=write_date,
        received_at=received,
    )


def test_identical_change_notices_share_a_deduplication_id_and_others_do_not():
    first = deduplication_id(change("2031-01-01 10:00:00.587528", [3, 4]))
    assert first == deduplication_id(
        change("2031-01-01 10:00:00.587528", [4, 3], received="2031-01-01T10:00:09Z")
    )
    assert first != deduplication_id(change("2031-01-01 10:00:01.000001", [3, 4]))
    assert first != deduplication_id(change("2031-01-01 10:00:00.587528", [3]))
    assert len(first) <= 128
    undated = change(None, [3])
    assert deduplication_id(undated) != deduplication_id(change(None, [3], received="2031-01-01T10:00:01Z"))


def test_pull_pages_and_push_chunks_of_one_batch_never_share_an_id():
    page = PullPageMessage(
        tenant_id="ten_0123456789abcdef",
        connection_id=CONNECTION,
        entity="customer",
        batch_id="bat_0123456789abcdef",
        chunk=0,
        odoo_ids=[1],
    )
    assert deduplication_id(page) == "pull#bat_0123456789abcdef#0"
    assert deduplication_id(page, 2) == "pull#bat_0123456789abcdef#r2#0"


def _decimal_pull(write_date: str = "2031-01-01 10:00:05", **values: Any) -> PulledRecord:
    change = pulled(write_date, **values)
    change.decimals = {"price"}
    return change


@pytest.mark.parametrize("stored", [12.5, Decimal("12.5"), Decimal("12.500"), "12.5", "12.50"])
def test_a_stored_decimal_told_another_way_is_no_change_and_is_kept(stored):
    current = record({"title": "Chair", "price": stored}, applied())

    decision = decide(
        current, "c-1", _decimal_pull(title="Chair", price="12.50"), CONNECTION, PullOptions(), now=NOW
    )

    assert decision.fields_changed == []
    assert decision.data is None  # the stored record keeps what it has
    assert decision.action is None


def test_with_another_change_a_stored_decimal_becomes_text():
    current = record({"title": "Chair", "price": 12.5}, applied())

    decision = decide(
        current, "c-1", _decimal_pull(title="Desk", price="12.50"), CONNECTION, PullOptions(), now=NOW
    )

    assert decision.fields_changed == ["title"]
    assert decision.data == {"title": "Desk", "price": "12.50"}


@pytest.mark.parametrize("stored", [12.49, "12.49", "twelve", None, True])
def test_a_decimal_that_differs_is_a_change(stored):
    current = record({"title": "Chair", "price": stored}, applied())

    decision = decide(
        current, "c-1", _decimal_pull(title="Chair", price="12.50"), CONNECTION, PullOptions(), now=NOW
    )

    assert decision.fields_changed == ["price"]


def test_only_decimal_fields_compare_by_value():
    current = record({"title": "1.0"}, applied())

    decision = decide(
        current, "c-1", pulled("2031-01-01 10:00:05", title="1.00"), CONNECTION, PullOptions(), now=NOW
    )

    assert decision.fields_changed == ["title"]  # text that looks like a number stays text


def test_nested_decimals_compare_by_value():
    change = pulled("2031-01-01 10:00:05", title="Chair", warehouses=[{"warehouse": "WH", "on_hand": "3.00"}])
    change.decimals = {"warehouses"}
    current = record({"title": "Chair", "warehouses": [{"warehouse": "WH", "on_hand": "3.0"}]}, applied())

    assert decide(current, "c-1", change, CONNECTION, PullOptions(), now=NOW).fields_changed == []
