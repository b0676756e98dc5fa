"""The entities every tenant has from the start: `customer` (res.partner) and `product`
(product.template), with their match keys, default field mappings and validation rules; the
sales presets `order`, `invoice` and `stock` (odoo_sync.sync.order_presets, .finance_presets).

A tenant overrides a preset mapping by saving its own for the same local field and direction,
and switches one off by saving it with `is_active=false`; presets themselves never change per
tenant. Mappings whose Odoo field a given Odoo lacks (`mobile` on Odoo 19, a custom `x_brand`)
are skipped for that Odoo when its plan is loaded, not refused.
"""

from __future__ import annotations

from typing import Any

from odoo_sync.sync.finance_presets import INVOICE, STOCK
from odoo_sync.sync.model import Direction, EntityDefinition, FieldMapping, MappingType, MatchKey
from odoo_sync.sync.order_presets import ORDER, ORDER_RULES, order_mappings
from odoo_sync.sync.validation import CUSTOMER_RULES, PRODUCT_RULES, RecordRules

# The mapping that carries a picture: the engine applies it only when a push asks for images
# (SyncOptions.sync_images), downloading the URL with a size cap and sending base64.
IMAGE_TRANSFORM = "image_url"
CATEGORY_VALUE_MAP = "category"

CUSTOMER = EntityDefinition(
    name="customer",
    odoo_model="res.partner",
    description="Customers and other contacts (res.partner).",
    match_keys=[
        MatchKey(local_field="ref", odoo_field="ref", default_from_local_id=True),
        MatchKey(local_field="email", odoo_field="email"),
        MatchKey(local_field="vat", odoo_field="vat"),
    ],
    fields=CUSTOMER_RULES.fields,
    preset=True,
)

PRODUCT = EntityDefinition(
    name="product",
    odoo_model="product.template",
    description="Products (product.template; product.product holds the variant fields).",
    match_keys=[
        MatchKey(local_field="sku", odoo_field="default_code", default_from_local_id=True),
        MatchKey(local_field="ean", odoo_field="barcode"),
    ],
    fields=PRODUCT_RULES.fields,
    variant_model="product.product",
    preset=True,
)

# `invoice` and `stock` are read from Odoo only and have no mappings (odoo_sync.sync.finance_presets).
PRESET_ENTITIES: dict[str, EntityDefinition] = {
    entity.name: entity for entity in (CUSTOMER, PRODUCT, ORDER, INVOICE, STOCK)
}
_PRESET_RULES: dict[str, RecordRules] = {
    "customer": CUSTOMER_RULES,
    "product": PRODUCT_RULES,
    ORDER.name: ORDER_RULES,
}


def _mapping(
    entity: EntityDefinition,
    local_field: str,
    odoo_field: str,
    transform: str | None = None,
    priority: int = 100,
    **params: Any,
) -> FieldMapping:
    return FieldMapping(
        mapping_id=f"preset.{entity.name}.{local_field}",
        entity=entity.name,
        local_field=local_field,
        odoo_field=odoo_field,
        odoo_model=entity.odoo_model,
        mapping_type=MappingType.DIRECT if transform is None else MappingType.TRANSFORM,
        transform=transform,
        transform_params=params,
        direction=Direction.BOTH,
        is_required=local_field in _required_fields(entity.name),
        priority=priority,
        source="preset",
    )


def _required_fields(entity: str) -> frozenset[str]:
    return frozenset(rule.field for rule in _PRESET_RULES[entity].fields if rule.required)


def _customer_mappings() -> tuple[FieldMapping, ...]:
    direct = ("name", "email", "phone", "mobile", "street", "street2", "zip", "city", "vat", "ref")
    return (
        *(_mapping(CUSTOMER, name, name) for name in direct),
        _mapping(CUSTOMER, "country", "country_id", "country"),
        # After the country: the state is looked up within it.
        _mapping(CUSTOMER, "state", "state_id", "state", priority=110),
        _mapping(CUSTOMER, "is_company", "is_company", "boolean"),
    )


def category_mapping(by_value_map: bool) -> FieldMapping:
    """The product category: through the tenant's `category` value map when it has one,
    otherwise looked up by name in Odoo (so a new tenant need not map every category first)."""
    if by_value_map:
        params: dict[str, Any] = {
            "model": "product.category",
            "by": "value_map",
            "value_map": CATEGORY_VALUE_MAP,
        }
    else:
        params = {"model": "product.category", "by": "name"}
    return _mapping(PRODUCT, "category", "categ_id", "many2one", **params)


def _product_mappings() -> tuple[FieldMapping, ...]:
    return (
        _mapping(PRODUCT, "title", "name"),
        _mapping(PRODUCT, "ean", "barcode"),
        _mapping(PRODUCT, "description", "description_sale"),
        _mapping(PRODUCT, "price", "list_price", "decimal", digits=2),
        _mapping(PRODUCT, "cost", "standard_price", "decimal", digits=2),
        _mapping(PRODUCT, "weight", "weight", "unit", local_unit="kg", odoo_unit="kg", digits=3),
        _mapping(PRODUCT, "sku", "default_code"),
        category_mapping(by_value_map=True),
        # A custom field: present only in Odoos that define it, skipped with a warning elsewhere.
        _mapping(PRODUCT, "brand", "x_brand"),
        _mapping(PRODUCT, "image_url", "image_1920", IMAGE_TRANSFORM, priority=200),
    )


_PRESET_MAPPINGS: dict[str, tuple[FieldMapping, ...]] = {
    "customer": _customer_mappings(),
    "product": _product_mappings(),
    ORDER.name: order_mappings(),
}


def is_preset(entity: str) -> bool:
    return entity in PRESET_ENTITIES


def preset_mappings(entity: str) -> tuple[FieldMapping, ...]:
    """The default mappings of a preset entity; none for a tenant's own entity."""
    return _PRESET_MAPPINGS.get(entity, ())


def preset_rules(entity: str) -> RecordRules | None:
    return _PRESET_RULES.get(entity)


def is_images_only(mapping: FieldMapping) -> bool:
    """True for mappings the engine applies only when a push asks for images."""
    return mapping.transform == IMAGE_TRANSFORM


def is_preset_category_mapping(mapping: FieldMapping) -> bool:
    return mapping.source == "preset" and mapping.mapping_id == f"preset.{PRODUCT.name}.category"
