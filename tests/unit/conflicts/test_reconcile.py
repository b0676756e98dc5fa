"""The three-way merge: which side's change flows where, and which fields are held."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from odoo_sync.sync.conflicts import FieldComparison, FieldConflict, reconcile
from odoo_sync.sync.model import ConflictPolicy, ConflictRule
from odoo_sync.sync.transform_core import OdooFieldInfo

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
LATER = T0 + timedelta(minutes=5)


def merge(base, local, odoo, rule=ConflictRule.MANUAL, *, local_at=T0, odoo_at=T0, open_conflicts=(), **kw):
    return reconcile(
        base,
        local,
        odoo,
        ConflictPolicy(default=rule),
        local_changed_at=local_at,
        odoo_changed_at=odoo_at,
        open_conflicts=open_conflicts,
        **kw,
    )


def test_local_change_flows_to_odoo():
    result = merge(
        {"name": "A", "email": "a@x.be"}, {"name": "B", "email": "a@x.be"}, {"name": "A", "email": "a@x.be"}
    )
    assert result.to_odoo == {"name": "B"}
    assert result.to_local == {}
    assert result.held == []
    assert result.snapshot == {"name": "B", "email": "a@x.be"}


def test_odoo_change_flows_to_local():
    result = merge({"name": "A"}, {"name": "A"}, {"name": "C"})
    assert result.to_local == {"name": "C"}
    assert result.to_odoo == {}
    assert result.snapshot == {"name": "C"}


def test_changes_to_different_fields_both_flow():
    result = merge({"name": "A", "phone": "1"}, {"name": "B", "phone": "1"}, {"name": "A", "phone": "2"})
    assert result.to_odoo == {"name": "B"}
    assert result.to_local == {"phone": "2"}
    assert result.snapshot == {"name": "B", "phone": "2"}


def test_same_change_on_both_sides_is_settled_not_a_conflict():
    result = merge({"name": "A"}, {"name": "B"}, {"name": "B"})
    assert (result.to_odoo, result.to_local, result.held) == ({}, {}, [])
    assert result.snapshot == {"name": "B"}


@pytest.mark.parametrize(
    ("rule", "local_at", "odoo_at", "winner"),
    [
        (ConflictRule.ODOO, LATER, T0, "odoo"),
        (ConflictRule.LOCAL, T0, LATER, "local"),
        (ConflictRule.NEWEST_WINS, LATER, T0, "local"),
        (ConflictRule.NEWEST_WINS, T0, LATER, "odoo"),
        (ConflictRule.NEWEST_WINS, T0, T0, "odoo"),  # a tie goes to the ERP
    ],
)
def test_conflict_is_won_by_the_rule(rule, local_at, odoo_at, winner):
    result = merge({"name": "A"}, {"name": "L"}, {"name": "O"}, rule, local_at=local_at, odoo_at=odoo_at)
    assert result.held == []
    if winner == "local":
        assert (result.to_odoo, result.to_local, result.snapshot) == ({"name": "L"}, {}, {"name": "L"})
    else:
        assert (result.to_odoo, result.to_local, result.snapshot) == ({}, {"name": "O"}, {"name": "O"})


@pytest.mark.parametrize(("local_at", "odoo_at"), [(None, T0), (T0, None), (None, None)])
def test_newest_wins_without_both_times_holds_the_field(local_at, odoo_at):
    result = merge(
        {"name": "A"},
        {"name": "L"},
        {"name": "O"},
        ConflictRule.NEWEST_WINS,
        local_at=local_at,
        odoo_at=odoo_at,
    )
    assert result.held == [FieldConflict("name", "A", "L", "O")]
    assert (result.to_odoo, result.to_local) == ({}, {})


def test_manual_conflict_is_held_and_keeps_its_base():
    result = merge({"name": "A", "phone": "1"}, {"name": "L", "phone": "2"}, {"name": "O", "phone": "1"})
    assert result.held == [FieldConflict("name", "A", "L", "O")]
    assert result.to_odoo == {"phone": "2"}
    assert result.to_local == {}
    assert result.snapshot == {"name": "A", "phone": "2"}


def test_per_field_rule_overrides_the_default():
    policy = ConflictPolicy(default=ConflictRule.MANUAL, fields={"phone": ConflictRule.LOCAL})
    result = reconcile(
        {"name": "A", "phone": "1"},
        {"name": "L", "phone": "2"},
        {"name": "O", "phone": "3"},
        policy,
        local_changed_at=T0,
        odoo_changed_at=T0,
    )
    assert [conflict.odoo_field for conflict in result.held] == ["name"]
    assert result.to_odoo == {"phone": "2"}


def test_open_conflict_is_held_even_when_only_one_side_changed():
    result = merge({"name": "A"}, {"name": "A"}, {"name": "O2"}, ConflictRule.ODOO, open_conflicts={"name"})
    assert result.held == [FieldConflict("name", "A", "A", "O2")]
    assert (result.to_odoo, result.to_local, result.snapshot) == ({}, {}, {"name": "A"})


def test_first_sync_without_base_treats_differences_as_changes_on_both_sides():
    result = merge(None, {"name": "L", "email": "e"}, {"name": "O", "email": "e"}, ConflictRule.LOCAL)
    assert result.to_odoo == {"name": "L"}
    assert result.snapshot == {"name": "L", "email": "e"}


def test_first_sync_manual_difference_is_held_with_no_base_in_the_snapshot():
    result = merge(None, {"name": "L"}, {"name": "O"})
    assert result.held == [FieldConflict("name", None, "L", "O")]
    assert result.snapshot == {}


def test_field_carried_by_one_side_only_flows_from_it():
    result = merge({}, {"ref": "R1"}, {"comment": "from odoo"})
    assert result.to_odoo == {"ref": "R1"}
    assert result.to_local == {"comment": "from odoo"}


def test_field_comparison_uses_the_planners_rules():
    types = {"price": "float", "country_id": "many2one", "tag_ids": "many2many"}

    def info_of(name: str) -> OdooFieldInfo | None:
        return OdooFieldInfo(name=name, type=types[name]) if name in types else None

    comparison = FieldComparison.for_fields(info_of, lambda name: 2 if name == "price" else None)
    base = {"price": 10.0, "country_id": 7, "tag_ids": [1, 3]}
    local = {"price": 10.001, "country_id": 7, "tag_ids": [[6, 0, [3, 1]]]}
    odoo = {"price": 10.0, "country_id": 7, "tag_ids": [1, 3]}
    result = merge(base, local, odoo, comparison=comparison)
    assert (result.to_odoo, result.to_local, result.held) == ({}, {}, [])

    result = merge(base, {**local, "tag_ids": [[6, 0, [2]]]}, odoo, comparison=comparison)
    assert result.to_odoo == {"tag_ids": [[6, 0, [2]]]}
    assert result.snapshot["tag_ids"] == [2]  # kept in Odoo's read shape, like push snapshots


# --- properties -------------------------------------------------------------------------------

NAMES = st.sampled_from(["a", "b", "c", "d"])
VALUES = st.one_of(st.integers(0, 3), st.sampled_from(["x", "y", False]))
RECORDS = st.dictionaries(NAMES, VALUES, max_size=4)
RULES = st.sampled_from(list(ConflictRule))
TIMES = st.one_of(st.none(), st.sampled_from([T0, LATER]))


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "base": draw(st.one_of(st.none(), RECORDS)),
        "local": draw(RECORDS),
        "odoo": draw(RECORDS),
        "policy": ConflictPolicy(default=draw(RULES), fields=draw(st.dictionaries(NAMES, RULES, max_size=2))),
        "local_changed_at": draw(TIMES),
        "odoo_changed_at": draw(TIMES),
        "open_conflicts": draw(st.frozensets(NAMES, max_size=2)),
    }


def run(s: dict[str, Any]):
    return reconcile(
        s["base"],
        s["local"],
        s["odoo"],
        s["policy"],
        local_changed_at=s["local_changed_at"],
        odoo_changed_at=s["odoo_changed_at"],
        open_conflicts=s["open_conflicts"],
    )


@given(scenarios())
def test_no_field_is_written_to_both_sides_or_both_written_and_held(s):
    result = run(s)
    held = {conflict.odoo_field for conflict in result.held}
    assert not set(result.to_odoo) & set(result.to_local)
    assert not held & (set(result.to_odoo) | set(result.to_local))


@given(scenarios())
def test_a_side_left_unchanged_takes_the_other_sides_value(s):
    base = s["base"] or {}
    result = run(s)
    for name in set(s["local"]) & set(s["odoo"]) & set(base):
        if name in s["open_conflicts"]:
            continue
        if s["local"][name] == base[name] and s["odoo"][name] != base[name]:
            assert result.to_local[name] == s["odoo"][name]
        if s["odoo"][name] == base[name] and s["local"][name] != base[name]:
            assert result.to_odoo[name] == s["local"][name]


@given(scenarios())
def test_equal_values_are_never_conflicts_nor_writes(s):
    result = run(s)
    for name in set(s["local"]) & set(s["odoo"]):
        if s["local"][name] == s["odoo"][name] and name not in s["open_conflicts"]:
            assert name not in result.to_odoo
            assert name not in result.to_local
            assert name not in {conflict.odoo_field for conflict in result.held}


@given(scenarios())
def test_held_fields_keep_their_base_and_open_conflicts_are_always_held(s):
    base = s["base"] or {}
    result = run(s)
    held = {conflict.odoo_field for conflict in result.held}
    assert held >= (set(s["open_conflicts"]) & (set(s["local"]) | set(s["odoo"])))
    for name in held:
        assert result.snapshot.get(name, "<absent>") == base.get(name, "<absent>")


@given(scenarios())
def test_owner_rules_never_hold_a_field(s):
    result = run(s)
    for conflict in result.held:
        rule = s["policy"].rule_for(conflict.odoo_field)
        assert conflict.odoo_field in s["open_conflicts"] or rule not in (
            ConflictRule.ODOO,
            ConflictRule.LOCAL,
        )


@given(scenarios())
def test_after_applying_the_result_both_sides_agree_with_the_snapshot(s):
    result = run(s)
    held = {conflict.odoo_field for conflict in result.held}
    local = {**s["local"], **result.to_local}
    odoo = {**s["odoo"], **result.to_odoo}
    for name in (set(local) & set(odoo)) - held:
        assert local[name] == odoo[name] == result.snapshot[name]
