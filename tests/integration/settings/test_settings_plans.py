"""PlanService against the simulator: what a push gets, and what it costs in Odoo calls."""

from __future__ import annotations

import pytest

from odoo_sync.api.dependencies import connection_service, plan_loader, settings_service
from odoo_sync.core.settings_models import MappingInput, ValueMapInput
from odoo_sync.errors import NotFoundError
from odoo_sync.sync.external_ids import xmlid_module
from odoo_sync.sync.model import Direction
from odoo_sync.sync.value_maps import ValueMapEntry, ValueMapKind
from tests.integration.service.conftest import connect


def _load(link, entity):
    client = connection_service().client(link.tenant_id, link.connection_id)
    return plan_loader().load(link.tenant_id, link.connection_id, entity, client)


def test_a_product_plan_skips_the_fields_this_odoo_lacks(linked):
    plan = _load(linked, "product")

    mapped = {m.local_field: m.odoo_field for m in plan.mappings}
    assert mapped["title"] == "name"
    assert mapped["price"] == "list_price"
    assert mapped["sku"] == "default_code"
    # The simulator's Odoo has neither a custom brand field nor image fields.
    assert "brand" not in mapped
    assert set(plan.skipped_fields) >= {"x_brand"}
    assert all(field not in plan.odoo_fields["product.template"] for field in plan.skipped_fields)
    assert plan.odoo_fields["product.template"]["categ_id"].relation == "product.category"
    assert plan.odoo_fields["product.template"]["list_price"].type == "float"
    assert plan.entity.variant_model == "product.product"
    assert plan.xmlid_module == xmlid_module(linked.tenant_id)
    assert [m.priority for m in plan.mappings] == sorted(m.priority for m in plan.mappings)


def test_a_customer_plan_on_odoo_19_skips_mobile_and_keeps_the_rest(linked):
    plan = _load(linked, "customer")

    assert "mobile" in plan.skipped_fields
    mapped = {m.local_field: m for m in plan.mappings}
    assert mapped["country"].transform == "country"
    assert mapped["state"].priority > mapped["country"].priority
    assert plan.rules.fields[0].field == "name"
    assert plan.rules.fields[0].required is True
    assert [key.odoo_field for key in plan.entity.match_keys] == ["ref", "email", "vat"]


def test_the_category_is_looked_up_by_name_until_the_tenant_maps_categories(linked):
    before = {m.local_field: m for m in _load(linked, "product").mappings}["category"]
    settings_service().put_value_map(
        linked.tenant_id,
        ValueMapKind.CATEGORY,
        "default",
        ValueMapInput(entries=[ValueMapEntry(local="Shoes", odoo=1)]),
    )
    plan = _load(linked, "product")
    after = {m.local_field: m for m in plan.mappings}["category"]

    assert before.transform_params == {"model": "product.category", "by": "name"}
    assert after.transform_params["by"] == "value_map"
    assert plan.value_maps.require("category").to_odoo("shoes") == 1


def test_tenant_mappings_and_their_value_maps_reach_the_plan(linked):
    service = settings_service()
    service.put_value_map(
        linked.tenant_id,
        ValueMapKind.SELECTION,
        "partner_type",
        ValueMapInput(entries=[ValueMapEntry(local="Billing", odoo="invoice")]),
    )
    service.save_mapping(
        linked.tenant_id,
        MappingInput(
            entity="customer",
            local_field="address_type",
            odoo_field="type",
            mapping_type="custom",
            transform="custom",
            transform_params={"function": "value_map", "value_map": "selection:partner_type"},
            is_required=True,
            direction=Direction.TO_ODOO,
        ),
    )
    service.save_mapping(
        linked.tenant_id,
        MappingInput(entity="customer", local_field="vat", odoo_field="vat", is_active=False),
    )

    plan = _load(linked, "customer")

    mapped = {m.local_field: m for m in plan.mappings}
    assert mapped["address_type"].source == "tenant"
    assert "vat" not in mapped
    assert "selection:partner_type" in plan.value_maps
    assert plan.rules.fields[-1].field == "address_type"
    assert plan.rules.fields[-1].required is True


def test_fields_get_is_asked_once_per_model_and_shared_with_mapping_checks(linked):
    linked.sim.reset_calls()

    settings_service().save_mapping(
        linked.tenant_id, MappingInput(entity="customer", local_field="nickname", odoo_field="comment")
    )
    for _ in range(3):
        _load(linked, "customer")
        _load(linked, "product")

    calls = linked.sim.calls
    assert calls[("res.partner", "fields_get")] == 1
    assert calls[("product.template", "fields_get")] == 1
    assert sum(count for (_, method), count in calls.items() if method == "fields_get") == 2


def test_an_unknown_entity_has_no_plan(linked):
    with pytest.raises(NotFoundError):
        _load(linked, "shipment")


def test_another_tenants_mappings_never_reach_a_plan(linked):
    settings_service().save_mapping(
        linked.tenant_id, MappingInput(entity="customer", local_field="nickname", odoo_field="comment")
    )
    other = connect(linked.sim)

    assert "nickname" not in {m.local_field for m in _load(other, "customer").mappings}
    assert "nickname" in {m.local_field for m in _load(linked, "customer").mappings}
