"""Any JSON value through any transform gives a value or an issue, never an exception."""

from __future__ import annotations

import json
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from odoo_sync.sync.lookups import LookupRequest, StaticResolver
from odoo_sync.sync.transform_core import Direction, OdooFieldInfo, TransformContext
from odoo_sync.sync.transforms import convert, parse_transform_spec
from odoo_sync.sync.value_maps import ValueMap, ValueMaps

SPECS: list[tuple[str, dict[str, Any], str]] = [
    ("direct", {}, "char"),
    ("string", {"max_length": 5, "collapse_whitespace": True}, "char"),
    ("boolean", {}, "boolean"),
    ("decimal", {"digits": 2}, "monetary"),
    ("decimal", {"digits": 0}, "integer"),
    ("unit", {"local_unit": "g", "odoo_unit": "kg", "digits": 3}, "float"),
    ("selection", {"values": {"B": "invoice"}}, "selection"),
    ("date", {}, "date"),
    ("datetime", {}, "datetime"),
    ("many2one", {"model": "product.category", "by": "name"}, "many2one"),
    ("many2one", {"model": "account.tax", "by": "value_map", "value_map": "tax"}, "many2many"),
    ("many2one", {"model": "res.partner", "by": "id"}, "many2one"),
    ("country", {}, "many2one"),
    ("state", {}, "many2one"),
    ("custom", {"function": "concat", "fields": ["a", "b"]}, "char"),
    ("custom", {"function": "split", "index": 1}, "char"),
    ("custom", {"function": "map", "values": {"a": 1}}, "integer"),
    ("custom", {"function": "value_map", "value_map": "tax"}, "many2one"),
]

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=8,
)


def context(field_type: str, record: object) -> TransformContext:
    resolver = StaticResolver()
    resolver.add(LookupRequest(model="res.country", by="code", match_field="code", value="BE"), [20])
    return TransformContext(
        field="f",
        target=OdooFieldInfo(name="f", type=field_type, selection=("contact", "invoice")),
        tenant_tz=ZoneInfo("Europe/Brussels"),
        record=record if isinstance(record, dict) else {},
        value_maps=ValueMaps([ValueMap(kind="tax", entries=[{"local": "VAT21", "odoo": 3}])]),
        resolver=resolver,
    )


@settings(max_examples=150)
@given(JSON, JSON, st.dictionaries(st.sampled_from(["a", "b", "country"]), JSON, max_size=3))
def test_any_value_converts_or_gives_an_issue(to_odoo_value, from_odoo_value, record):
    for name, params, field_type in SPECS:
        spec = parse_transform_spec(name, params)
        ctx = context(field_type, record)
        directions: tuple[tuple[Direction, object], ...] = (
            ("to_odoo", to_odoo_value),
            ("from_odoo", from_odoo_value),
        )
        for direction, value in directions:
            outcome = convert(spec, direction, value, ctx)
            if outcome.issue is not None:
                json.dumps(outcome.issue.model_dump())
        spec.lookups(to_odoo_value, ctx)
        spec.reverse_lookups(from_odoo_value, ctx)
