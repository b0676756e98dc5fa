"""Presets, the merge of preset and tenant mappings, and the plan's fields cache (no Odoo needed)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import cast

import pytest

from odoo_sync.api.dependencies import settings_repository
from odoo_sync.core.entity_catalog import effective_mappings, mapping_spec
from odoo_sync.core.odoo_fields import OdooFieldsCache
from odoo_sync.core.plans import PlanService, entity_rules
from odoo_sync.odoo import OdooClient
from odoo_sync.sync import presets
from odoo_sync.sync.model import Direction, FieldMapping
from odoo_sync.sync.transform_core import TransformSpecError
from tests.unit.records.conftest import TENANT_A


def _tenant(local_field, odoo_field="comment", **overrides):
    return FieldMapping(
        mapping_id=f"map_{local_field}",
        entity="customer",
        local_field=local_field,
        odoo_field=odoo_field,
        odoo_model="res.partner",
        **overrides,
    )


def test_every_preset_mapping_names_a_valid_transform_but_the_image_one():
    for entity in presets.PRESET_ENTITIES:
        for mapping in presets.preset_mappings(entity):
            if presets.is_images_only(mapping):
                with pytest.raises(TransformSpecError):
                    mapping_spec(mapping)  # registered by the engine that downloads images
                continue
            assert mapping_spec(mapping).name == (mapping.transform or "direct")


def test_presets_map_the_issues_fields():
    customer = {m.local_field: m.odoo_field for m in presets.preset_mappings("customer")}
    product = {m.local_field: m.odoo_field for m in presets.preset_mappings("product")}

    assert customer == {
        "name": "name", "email": "email", "phone": "phone", "mobile": "mobile", "street": "street",
        "street2": "street2", "zip": "zip", "city": "city", "country": "country_id", "state": "state_id",
        "vat": "vat", "ref": "ref", "is_company": "is_company",
    }  # fmt: skip
    assert product == {
        "title": "name", "ean": "barcode", "description": "description_sale", "price": "list_price",
        "cost": "standard_price", "weight": "weight", "sku": "default_code", "category": "categ_id",
        "brand": "x_brand", "image_url": "image_1920",
    }  # fmt: skip
    assert [m.local_field for m in presets.preset_mappings("product") if presets.is_images_only(m)] == [
        "image_url"
    ]


def test_a_tenant_mapping_for_both_directions_replaces_the_preset():
    merged = effective_mappings(presets.preset_mappings("customer"), [_tenant("email")])

    emails = [m for m in merged if m.local_field == "email"]
    assert [(m.source, m.odoo_field) for m in emails] == [("tenant", "comment")]


def test_a_tenant_mapping_for_one_direction_narrows_the_preset_to_the_other():
    merged = effective_mappings(
        presets.preset_mappings("customer"), [_tenant("email", direction=Direction.FROM_ODOO)]
    )

    emails = sorted((m.source, m.direction.value) for m in merged if m.local_field == "email")
    assert emails == [("preset", "to_odoo"), ("tenant", "from_odoo")]


def test_two_tenant_mappings_covering_both_directions_replace_the_preset():
    tenant = [_tenant("email", direction=Direction.TO_ODOO), _tenant("email", direction=Direction.FROM_ODOO)]

    merged = effective_mappings(presets.preset_mappings("customer"), tenant)

    assert {m.source for m in merged if m.local_field == "email"} == {"tenant"}


def test_an_inactive_tenant_mapping_switches_the_preset_off():
    merged = effective_mappings(
        presets.preset_mappings("customer"), [_tenant("phone", "phone", is_active=False)]
    )

    phones = [m for m in merged if m.local_field == "phone"]
    assert [(m.source, m.is_active) for m in phones] == [("tenant", False)]
    assert not any(m.applies(Direction.TO_ODOO) for m in phones)


def test_mappings_are_ordered_by_priority_and_tenant_wins_ties():
    tenant = [_tenant("nickname", "name", priority=100), _tenant("first", "comment", priority=5)]

    merged = effective_mappings(presets.preset_mappings("customer"), tenant)

    assert merged[0].local_field == "first"
    writers_of_name = [m.local_field for m in merged if m.odoo_field == "name"]
    assert writers_of_name == ["name", "nickname"]  # later ones win a field
    assert [m.priority for m in merged] == sorted(m.priority for m in merged)


def test_required_mappings_make_their_local_fields_required():
    customer = presets.PRESET_ENTITIES["customer"]
    mappings = [
        _tenant("email", "email", is_required=True),
        _tenant("nickname", is_required=True),
        _tenant("notes", is_required=True, direction=Direction.FROM_ODOO),
    ]

    rules = entity_rules(customer, mappings)

    by_field = {rule.field: rule for rule in rules.fields}
    assert by_field["email"].required is True
    assert by_field["email"].kind == "email"
    assert by_field["nickname"].required is True
    assert "notes" not in by_field
    preset = presets.preset_rules("customer")
    assert preset is not None
    assert preset.fields[1].required is False


class _FakeOdoo:
    """An Odoo that only answers fields_get, counting the calls."""

    def __init__(self, fields):
        self.fields = fields
        self.calls = []

    def fields_get(self, model, attributes=None):
        self.calls.append(model)
        return self.fields[model]


PRODUCT_FIELDS = {
    "product.template": {
        name: {"type": kind, "string": name}
        for name, kind in [
            ("name", "char"), ("barcode", "char"), ("description_sale", "text"), ("list_price", "float"),
            ("standard_price", "float"), ("weight", "float"), ("default_code", "char"),
            ("image_1920", "binary"), ("x_brand", "char"),
        ]
    }
    | {"categ_id": {"type": "many2one", "relation": "product.category"}},
}  # fmt: skip


class _Clock:
    def __init__(self):
        self.now = datetime(2024, 5, 1, tzinfo=UTC)

    def __call__(self):
        return self.now


def _plans(clock):
    repository = settings_repository()
    return PlanService(repository, OdooFieldsCache(repository, max_age=timedelta(hours=1), clock=clock))


def test_a_custom_field_the_odoo_has_is_mapped(aws):
    odoo = _FakeOdoo(PRODUCT_FIELDS)

    plan = _plans(_Clock()).load(TENANT_A, "con_0123456789abcdef", "product", odoo)

    mapped = {m.local_field: m.odoo_field for m in plan.mappings}
    assert mapped["brand"] == "x_brand"
    assert mapped["image_url"] == "image_1920"
    assert plan.skipped_fields == ()
    assert plan.odoo_fields["product.template"]["image_1920"].type == "binary"


def test_fields_get_is_asked_again_only_after_an_hour(aws):
    odoo = _FakeOdoo(PRODUCT_FIELDS)
    clock = _Clock()
    plans = _plans(clock)

    plans.load(TENANT_A, "con_0123456789abcdef", "product", odoo)
    clock.now += timedelta(minutes=59)
    plans.load(TENANT_A, "con_0123456789abcdef", "product", odoo)
    assert odoo.calls == ["product.template"]
    clock.now += timedelta(minutes=2)
    plans.load(TENANT_A, "con_0123456789abcdef", "product", odoo)
    assert odoo.calls == ["product.template", "product.template"]


def test_the_fields_cache_is_per_connection_and_tenant(aws):
    odoo = _FakeOdoo(PRODUCT_FIELDS)
    plans = _plans(_Clock())

    plans.load(TENANT_A, "con_0123456789abcdef", "product", odoo)
    plans.load(TENANT_A, "con_fedcba9876543210", "product", odoo)
    plans.load("ten_bbbbbbbbbbbbbbbb", "con_0123456789abcdef", "product", odoo)

    assert len(odoo.calls) == 3


def test_a_field_missing_from_the_cache_is_asked_again_when_named(aws):
    odoo = _FakeOdoo({"res.partner": {"name": {"type": "char"}}})
    client = cast(OdooClient, odoo)
    cache = OdooFieldsCache(settings_repository(), clock=_Clock())
    cache.fields(TENANT_A, "con_0123456789abcdef", "res.partner", client)
    odoo.fields["res.partner"]["x_loyalty"] = {"type": "integer"}

    found = cache.fields(
        TENANT_A, "con_0123456789abcdef", "res.partner", client, refresh_unless=["x_loyalty"]
    )

    assert found["x_loyalty"].type == "integer"
    assert len(odoo.calls) == 2
