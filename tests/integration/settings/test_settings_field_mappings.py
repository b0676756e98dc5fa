"""Field mappings through the settings routes: presets, tenant mappings over them, checks against the
simulator."""

from __future__ import annotations

import pytest

from tests.integration.service.conftest import connect
from tests.integration.settings.routes import (
    ENTITIES,
    MAPPING,
    MAPPINGS,
    TAG_ENTITY,
    call_as,
    mapping,
    mappings_of,
)


def test_the_effective_mappings_of_a_preset_are_its_defaults(linked):
    items = mappings_of(linked, "product")

    by_field = {item["local_field"]: item for item in items}
    assert set(by_field) == {
        "title", "ean", "description", "price", "cost", "weight", "sku", "category", "brand", "image_url",
    }  # fmt: skip
    assert all(item["source"] == "preset" for item in items)
    assert by_field["price"]["transform"] == "decimal"
    assert by_field["category"]["odoo_field"] == "categ_id"
    assert by_field["brand"]["odoo_field"] == "x_brand"
    assert by_field["image_url"]["transform"] == "image_url"
    assert [item["priority"] for item in items] == sorted(item["priority"] for item in items)


def test_a_tenant_mapping_replaces_the_preset_one_for_its_field(linked):
    saved = call_as(
        linked,
        "POST",
        MAPPINGS,
        body=mapping(local_field="email", odoo_field="email", mapping_type="transform", transform="string",
                      transform_params={"case": "lower"}),
    )  # fmt: skip

    assert saved.status == 201, saved.body
    assert saved.body["mapping_id"].startswith("map_")
    assert saved.body["source"] == "tenant"
    assert saved.body["odoo_model"] == "res.partner"
    emails = [item for item in mappings_of(linked, "customer") if item["local_field"] == "email"]
    assert [(item["source"], item["transform"]) for item in emails] == [("tenant", "string")]


def test_a_mapping_for_one_direction_leaves_the_preset_the_other(linked):
    call_as(
        linked,
        "POST",
        MAPPINGS,
        body=mapping(local_field="city", odoo_field="street2", direction="to_odoo"),
    )

    cities = [item for item in mappings_of(linked, "customer") if item["local_field"] == "city"]

    assert sorted((item["source"], item["direction"], item["odoo_field"]) for item in cities) == [
        ("preset", "from_odoo", "city"),
        ("tenant", "to_odoo", "street2"),
    ]


def test_an_inactive_mapping_switches_the_preset_off_without_asking_odoo(linked):
    linked.sim.reset_calls()

    saved = call_as(
        linked,
        "POST",
        MAPPINGS,
        body=mapping(local_field="mobile", odoo_field="mobile", is_active=False),
    )

    assert saved.status == 201
    assert linked.sim.total_calls == 0
    mobiles = [item for item in mappings_of(linked, "customer") if item["local_field"] == "mobile"]
    assert [(item["source"], item["is_active"]) for item in mobiles] == [("tenant", False)]


def test_saving_the_same_field_and_direction_again_replaces_the_tenants_mapping(linked):
    first = call_as(linked, "POST", MAPPINGS, body=mapping())
    second = call_as(linked, "POST", MAPPINGS, body=mapping(priority=5))

    assert second.status == 200
    assert second.body["mapping_id"] == first.body["mapping_id"]
    nicknames = [item for item in mappings_of(linked, "customer") if item["local_field"] == "nickname"]
    assert [item["priority"] for item in nicknames] == [5]


def test_deleting_a_tenant_mapping_brings_the_preset_back(linked):
    saved = call_as(linked, "POST", MAPPINGS, body=mapping(local_field="vat", odoo_field="comment"))

    deleted = call_as(linked, "DELETE", MAPPING, {"mapping_id": saved.body["mapping_id"]})

    assert deleted.status == 204
    vats = [item for item in mappings_of(linked, "customer") if item["local_field"] == "vat"]
    assert [(item["source"], item["odoo_field"]) for item in vats] == [("preset", "vat")]
    assert call_as(linked, "DELETE", MAPPING, {"mapping_id": saved.body["mapping_id"]}).status == 404


def test_a_preset_mapping_cannot_be_deleted(linked):
    answer = call_as(linked, "DELETE", MAPPING, {"mapping_id": "preset.customer.email"})

    assert answer.status == 409
    assert answer.body["field"] == "mapping_id"


TRANSFORM = {"mapping_type": "transform"}


@pytest.mark.parametrize(
    ("change", "field", "named"),
    [
        ({"odoo_field": "no_such_field"}, "odoo_field", "no_such_field"),
        ({"odoo_field": "is_company", **TRANSFORM, "transform": "decimal"}, "transform", "is_company"),
        ({"odoo_field": "country_id", **TRANSFORM, "transform": "state"}, "transform", "res.country"),
        ({"mapping_type": "transform", "transform": "teleport"}, "transform", "teleport"),
        ({"mapping_type": "transform", "transform": "decimal", "odoo_field": "credit_limit",
          "transform_params": {"digits": 99}}, "transform_params", "digits"),
        ({"mapping_type": "transform"}, "transform", "needs a transform"),
        ({"transform": "string"}, "mapping_type", "string"),
        ({"mapping_type": "custom", "transform": "string"}, "transform", "custom"),
        ({"mapping_type": "transform", "transform": "custom",
          "transform_params": {"function": "concat", "fields": ["a"]}}, "transform", "custom"),
        ({"mapping_type": "custom", "transform": "custom", "transform_params": {"function": "eval"}},
         "transform_params", "function"),
        ({"odoo_model": "product.template"}, "odoo_model", "res.partner"),
        ({"entity": "shipment"}, "entity", "shipment"),
        ({"odoo_field": "Name"}, "odoo_field", None),
        ({"local_field": "bad-name"}, "local_field", None),
        ({"direction": "sideways"}, "direction", None),
        ({"priority": -1}, "priority", None),
        ({"surprise": True}, "surprise", None),
    ],
)  # fmt: skip
def test_a_bad_mapping_is_refused_naming_the_problem(linked, change, field, named):
    answer = call_as(linked, "POST", MAPPINGS, body=mapping(**change))

    assert answer.status == 422, answer.body
    assert answer.body["field"] == field
    if named is not None:
        assert named in answer.body["message"]
    assert all(item["source"] == "preset" for item in mappings_of(linked, "customer"))


def test_a_mapping_fits_the_variant_model_of_a_product(linked):
    saved = call_as(
        linked,
        "POST",
        MAPPINGS,
        body={
            "entity": "product",
            "local_field": "ean",
            "odoo_field": "barcode",
            "odoo_model": "product.product",
        },
    )

    assert saved.status == 201, saved.body
    assert saved.body["odoo_model"] == "product.product"


def test_a_mapping_of_a_tenant_entity_is_checked_against_its_model(linked):
    call_as(linked, "POST", ENTITIES, body=TAG_ENTITY)

    good = call_as(
        linked, "POST", MAPPINGS, body={"entity": "tag", "local_field": "colour", "odoo_field": "color"}
    )
    bad = call_as(
        linked, "POST", MAPPINGS, body={"entity": "tag", "local_field": "label", "odoo_field": "email"}
    )

    assert good.status == 201
    assert bad.status == 422
    assert "res.partner.category" in bad.body["message"]
    assert [item["local_field"] for item in mappings_of(linked, "tag")] == ["colour"]


def test_mappings_of_every_entity_are_listed_without_a_filter(linked):
    answer = call_as(linked, "GET", MAPPINGS)

    assert answer.status == 200
    assert {item["entity"] for item in answer.body["items"]} == {"customer", "product", "order"}


def test_listing_the_mappings_of_an_unknown_entity_is_404(linked):
    assert call_as(linked, "GET", MAPPINGS, query="entity=shipment").status == 404
    assert call_as(linked, "GET", MAPPINGS, query="entity=Bad-Name").status == 422


def test_another_tenants_mappings_are_invisible(linked):
    saved = call_as(linked, "POST", MAPPINGS, body=mapping())
    other = connect(linked.sim)

    assert all(item["source"] == "preset" for item in mappings_of(other, "customer"))
    assert call_as(other, "DELETE", MAPPING, {"mapping_id": saved.body["mapping_id"]}).status == 404
    assert "nickname" in {item["local_field"] for item in mappings_of(linked, "customer")}


@pytest.mark.parametrize("mapping_id", ["map_123", "anything", "preset.Bad"])
def test_a_bad_mapping_id_is_refused(linked, mapping_id):
    assert call_as(linked, "DELETE", MAPPING, {"mapping_id": mapping_id}).status == 422


def test_an_idempotency_key_saves_a_mapping_once(linked):
    headers = {"Idempotency-Key": "save-nickname"}
    first = call_as(linked, "POST", MAPPINGS, body=mapping(), headers=headers)
    again = call_as(linked, "POST", MAPPINGS, body=mapping(), headers=headers)

    assert first.status == again.status == 201
    assert again.body == first.body


def test_a_repeated_delete_with_its_idempotency_key_replays_the_204(linked):
    saved = call_as(linked, "POST", MAPPINGS, body=mapping())
    params = {"mapping_id": saved.body["mapping_id"]}
    headers = {"Idempotency-Key": "drop-nickname"}

    first = call_as(linked, "DELETE", MAPPING, params, headers=headers)
    again = call_as(linked, "DELETE", MAPPING, params, headers=headers)
    without_key = call_as(linked, "DELETE", MAPPING, params)

    assert (first.status, again.status) == (204, 204)
    assert again.raw == ""
    assert without_key.status == 404
