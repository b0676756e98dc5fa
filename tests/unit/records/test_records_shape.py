"""What a stored record may look like, and how list filters compare values (pure)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from odoo_sync.core.records import record_matches, record_shape_problems
from odoo_sync.sync.filters import RecordFilters
from odoo_sync.sync.model import LinkStatus


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"name": "Acme", "price": 19.99, "stock": 3, "vip": True, "note": None},
        {"tags": ["a", "b"], "address": {"street": "Main 1", "lines": [{"n": 1}]}},
        {"big": 10**40, "small": 1e-120, "zero": 0, "negative": -12.5},
        {f"f{i}": i for i in range(200)},
    ],
)
def test_json_records_within_the_limits_are_accepted(data):
    assert record_shape_problems(data) == []


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ([1, 2], "body"),
        ("text", "body"),
        (None, "body"),
        ({f"f{i}": i for i in range(201)}, "body"),
        ({"name": "x" * 70_000}, "data.name"),
        ({"bad-name": 1}, "data.bad-name"),
        ({"1st": 1}, "data.1st"),
        ({"big": 12345678901234567890123456789012345678901}, "data.big"),
        ({"huge": 1e200}, "data.huge"),
        ({"tiny": 1e-200}, "data.tiny"),
        ({"nan": float("nan")}, "data.nan"),
        ({"inf": float("inf")}, "data.inf"),
        ({"deep": [[[[[[1]]]]]]}, "data.deep"),
        ({"many": list(range(1001))}, "data.many"),
        ({"wide": {f"k{i}": i for i in range(201)}}, "data.wide"),
        ({"odd": {1, 2}}, "data.odd"),
        ({f"t{i}": "y" * 60_000 for i in range(2)}, "body"),
    ],
)
def test_records_of_the_wrong_shape_are_named_by_field(data, field):
    problems = record_shape_problems(data)

    assert [name for name, _ in problems] == [field]


ITEM = {
    "updated_at": "2024-05-01T12:00:00Z",
    "data": {"country": "BE", "vip": True, "size": Decimal("10"), "price": Decimal("19.9"), "tags": ["a"]},
    "links": {"con_a": {"odoo_id": Decimal(4), "status": "synced"}, "con_b": {"status": "error"}},
}


@pytest.mark.parametrize(
    ("filters", "matches"),
    [
        ({}, True),
        ({"fields": {"country": "BE"}}, True),
        ({"fields": {"country": "be"}}, False),
        ({"fields": {"vip": True}}, True),
        ({"fields": {"vip": "true"}}, True),
        ({"fields": {"vip": 1}}, False),
        ({"fields": {"size": 10}}, True),
        ({"fields": {"size": "10"}}, True),
        ({"fields": {"size": 10.0}}, True),
        ({"fields": {"price": 19.9}}, True),
        ({"fields": {"price": "19.90"}}, False),
        ({"fields": {"tags": "a"}}, False),
        ({"fields": {"absent": ""}}, False),
        ({"modified_since": datetime(2024, 5, 1, 12, 0, tzinfo=UTC)}, True),
        ({"modified_since": datetime(2024, 5, 1, 12, 0, 1, tzinfo=UTC)}, False),
        ({"has_odoo_id": True, "connection_id": "con_a"}, True),
        ({"has_odoo_id": True, "connection_id": "con_b"}, False),
        ({"has_odoo_id": False, "connection_id": "con_c"}, True),
        ({"status": LinkStatus.SYNCED, "connection_id": "con_a"}, True),
        ({"status": LinkStatus.ERROR, "connection_id": "con_b"}, True),
        ({"status": LinkStatus.PENDING, "connection_id": "con_c"}, True),
        ({"status": LinkStatus.PENDING, "connection_id": "con_a"}, False),
    ],
)
def test_filters_match_stored_records(filters, matches):
    assert record_matches(ITEM, RecordFilters(**filters)) is matches
