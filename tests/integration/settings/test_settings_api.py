"""Entities, field mappings and value maps through the settings routes, checked against the simulator."""

from __future__ import annotations

import pytest

from settings_api.handler import lambda_handler
from tests.integration.service.conftest import connect
from tests.support.api import call

ENTITIES = "/v1/entities"
ENTITY = "/v1/entities/{entity}"
MAPPINGS = "/v1/field-mappings"
MAPPING = "/v1/field-mappings/{mapping_id}"
VALUE_MAP = "/v1/value-maps/{kind}"

TAG_ENTITY = {
    "name": "tag",
    "odoo_model": "res.partner.category",
    "description": "Contact tags",
    "match_keys": [{"local_field": "label", "odoo_field": "name"}],
    "fields": [
        {"field": "label", "kind": "single_line", "required": True},
        {"field": "colour", "kind": "integer"},
    ],
}


def _call(link, method, resource, params=None, **kwargs):
    return call(lambda_handler, method, resource, params, tenant_id=link.tenant_id, **kwargs)


def _mapping(**overrides):
    body = {"entity": "customer", "local_field": "nickname", "odoo_field": "comment"}
    body.update(overrides)
    return body


def _mappings(link, entity):
    answer = _call(link, "GET", MAPPINGS, query=f"entity={entity}")
    assert answer.status == 200, answer.body
    return answer.body["items"]


# -- entities ---------------------------------------------------------------------------------------


def test_the_presets_are_listed_and_shown(linked):
    listed = _call(linked, "GET", ENTITIES)

    assert listed.status == 200
    by_name = {item["name"]: item for item in listed.body["items"]}
    assert by_name["customer"]["preset"] is True
    assert by_name["customer"]["odoo_model"] == "res.partner"
    assert [key["odoo_field"] for key in by_name["customer"]["match_keys"]] == ["ref", "email", "vat"]
    assert by_name["product"]["odoo_model"] == "product.template"
    assert by_name["product"]["variant_model"] == "product.product"
    assert by_name["product"]["match_keys"][0] == {
        "local_field": "sku",
        "odoo_field": "default_code",
        "default_from_local_id": True,
    }
    assert _call(linked, "GET", ENTITY, {"entity": "product"}).body["preset"] is True


def test_a_tenant_entity_is_checked_against_odoo_saved_and_listed(linked):
    created = _call(linked, "POST", ENTITIES, body=TAG_ENTITY)

    assert created.status == 201, created.body
    assert created.body["preset"] is False
    assert created.body["updated_at"].endswith("Z")
    shown = _call(linked, "GET", ENTITY, {"entity": "tag"})
    assert shown.body["fields"][0]["field"] == "label"
    assert "tag" in {item["name"] for item in _call(linked, "GET", ENTITIES).body["items"]}
    replaced = _call(linked, "POST", ENTITIES, body={**TAG_ENTITY, "description": "Tags"})
    assert replaced.status == 200
    assert _call(linked, "GET", ENTITY, {"entity": "tag"}).body["description"] == "Tags"


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"odoo_model": "no.such.model"}, 422, "odoo_model"),
        ({"match_keys": [{"local_field": "label", "odoo_field": "nope"}]}, 422, "match_keys.0.odoo_field"),
        ({"match_keys": [{"local_field": "other", "odoo_field": "name"}]}, 422, "match_keys.0.local_field"),
        ({"match_keys": []}, 422, "match_keys"),
        ({"variant_model": "no.such.variant"}, 422, "variant_model"),
        ({"timezone": "Mars/Olympus"}, 422, "timezone"),
        ({"fields": [{"field": "label"}, {"field": "label"}]}, 422, "fields"),
        ({"name": "Tag"}, 422, "name"),
        ({"name": "customer"}, 409, "name"),
        ({"connection_id": "con_0000000000000000"}, 404, "connection_id"),
        ({"unknown": 1}, 422, "unknown"),
    ],
)
def test_a_bad_entity_is_refused_with_its_field(linked, change, status, field):
    answer = _call(linked, "POST", ENTITIES, body={**TAG_ENTITY, **change})

    assert answer.status == status, answer.body
    assert answer.body["field"] == field
    assert _call(linked, "GET", ENTITY, {"entity": "tag"}).status == 404


def test_a_preset_cannot_be_deleted(linked):
    answer = _call(linked, "DELETE", ENTITY, {"entity": "customer"})

    assert answer.status == 409
    assert _call(linked, "GET", ENTITY, {"entity": "customer"}).status == 200


def test_deleting_an_entity_removes_its_mappings(linked):
    _call(linked, "POST", ENTITIES, body=TAG_ENTITY)
    _call(linked, "POST", MAPPINGS, body={"entity": "tag", "local_field": "label", "odoo_field": "name"})

    deleted = _call(linked, "DELETE", ENTITY, {"entity": "tag"})

    assert deleted.status == 204
    assert _call(linked, "GET", ENTITY, {"entity": "tag"}).status == 404
    assert _call(linked, "DELETE", ENTITY, {"entity": "tag"}).status == 404
    _call(linked, "POST", ENTITIES, body=TAG_ENTITY)
    assert _mappings(linked, "tag") == []


def test_another_tenants_entities_are_invisible(linked):
    _call(linked, "POST", ENTITIES, body=TAG_ENTITY)
    other = connect(linked.sim)

    assert _call(other, "GET", ENTITY, {"entity": "tag"}).status == 404
    assert "tag" not in {item["name"] for item in _call(other, "GET", ENTITIES).body["items"]}
    assert _call(other, "DELETE", ENTITY, {"entity": "tag"}).status == 404
    assert _call(linked, "GET", ENTITY, {"entity": "tag"}).status == 200


def test_an_entity_needs_a_connection_when_the_tenant_has_none(aws):
    answer = call(lambda_handler, "POST", ENTITIES, body=TAG_ENTITY, tenant_id="ten_cccccccccccccccc")

    assert answer.status == 400
    assert answer.body["field"] == "connection_id"


# -- field mappings ---------------------------------------------------------------------------------


def test_the_effective_mappings_of_a_preset_are_its_defaults(linked):
    items = _mappings(linked, "product")

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
    saved = _call(
        linked,
        "POST",
        MAPPINGS,
        body=_mapping(local_field="email", odoo_field="email", mapping_type="transform", transform="string",
                      transform_params={"case": "lower"}),
    )  # fmt: skip

    assert saved.status == 201, saved.body
    assert saved.body["mapping_id"].startswith("map_")
    assert saved.body["source"] == "tenant"
    assert saved.body["odoo_model"] == "res.partner"
    emails = [item for item in _mappings(linked, "customer") if item["local_field"] == "email"]
    assert [(item["source"], item["transform"]) for item in emails] == [("tenant", "string")]


def test_a_mapping_for_one_direction_leaves_the_preset_the_other(linked):
    _call(
        linked, "POST", MAPPINGS, body=_mapping(local_field="city", odoo_field="street2", direction="to_odoo")
    )

    cities = [item for item in _mappings(linked, "customer") if item["local_field"] == "city"]

    assert sorted((item["source"], item["direction"], item["odoo_field"]) for item in cities) == [
        ("preset", "from_odoo", "city"),
        ("tenant", "to_odoo", "street2"),
    ]


def test_an_inactive_mapping_switches_the_preset_off_without_asking_odoo(linked):
    linked.sim.reset_calls()

    saved = _call(
        linked, "POST", MAPPINGS, body=_mapping(local_field="mobile", odoo_field="mobile", is_active=False)
    )

    assert saved.status == 201
    assert linked.sim.total_calls == 0
    mobiles = [item for item in _mappings(linked, "customer") if item["local_field"] == "mobile"]
    assert [(item["source"], item["is_active"]) for item in mobiles] == [("tenant", False)]


def test_saving_the_same_field_and_direction_again_replaces_the_tenants_mapping(linked):
    first = _call(linked, "POST", MAPPINGS, body=_mapping())
    second = _call(linked, "POST", MAPPINGS, body=_mapping(priority=5))

    assert second.status == 200
    assert second.body["mapping_id"] == first.body["mapping_id"]
    nicknames = [item for item in _mappings(linked, "customer") if item["local_field"] == "nickname"]
    assert [item["priority"] for item in nicknames] == [5]


def test_deleting_a_tenant_mapping_brings_the_preset_back(linked):
    saved = _call(linked, "POST", MAPPINGS, body=_mapping(local_field="vat", odoo_field="comment"))

    deleted = _call(linked, "DELETE", MAPPING, {"mapping_id": saved.body["mapping_id"]})

    assert deleted.status == 204
    vats = [item for item in _mappings(linked, "customer") if item["local_field"] == "vat"]
    assert [(item["source"], item["odoo_field"]) for item in vats] == [("preset", "vat")]
    assert _call(linked, "DELETE", MAPPING, {"mapping_id": saved.body["mapping_id"]}).status == 404


def test_a_preset_mapping_cannot_be_deleted(linked):
    answer = _call(linked, "DELETE", MAPPING, {"mapping_id": "preset.customer.email"})

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
    answer = _call(linked, "POST", MAPPINGS, body=_mapping(**change))

    assert answer.status == 422, answer.body
    assert answer.body["field"] == field
    if named is not None:
        assert named in answer.body["message"]
    assert all(item["source"] == "preset" for item in _mappings(linked, "customer"))


def test_a_mapping_fits_the_variant_model_of_a_product(linked):
    saved = _call(
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
    _call(linked, "POST", ENTITIES, body=TAG_ENTITY)

    good = _call(
        linked, "POST", MAPPINGS, body={"entity": "tag", "local_field": "colour", "odoo_field": "color"}
    )
    bad = _call(
        linked, "POST", MAPPINGS, body={"entity": "tag", "local_field": "label", "odoo_field": "email"}
    )

    assert good.status == 201
    assert bad.status == 422
    assert "res.partner.category" in bad.body["message"]
    assert [item["local_field"] for item in _mappings(linked, "tag")] == ["colour"]


def test_mappings_of_every_entity_are_listed_without_a_filter(linked):
    answer = _call(linked, "GET", MAPPINGS)

    assert answer.status == 200
    assert {item["entity"] for item in answer.body["items"]} == {"customer", "product", "order"}


def test_listing_the_mappings_of_an_unknown_entity_is_404(linked):
    assert _call(linked, "GET", MAPPINGS, query="entity=shipment").status == 404
    assert _call(linked, "GET", MAPPINGS, query="entity=Bad-Name").status == 422


def test_another_tenants_mappings_are_invisible(linked):
    saved = _call(linked, "POST", MAPPINGS, body=_mapping())
    other = connect(linked.sim)

    assert all(item["source"] == "preset" for item in _mappings(other, "customer"))
    assert _call(other, "DELETE", MAPPING, {"mapping_id": saved.body["mapping_id"]}).status == 404
    assert "nickname" in {item["local_field"] for item in _mappings(linked, "customer")}


@pytest.mark.parametrize("mapping_id", ["map_123", "anything", "preset.Bad"])
def test_a_bad_mapping_id_is_refused(linked, mapping_id):
    assert _call(linked, "DELETE", MAPPING, {"mapping_id": mapping_id}).status == 422


def test_an_idempotency_key_saves_a_mapping_once(linked):
    headers = {"Idempotency-Key": "save-nickname"}
    first = _call(linked, "POST", MAPPINGS, body=_mapping(), headers=headers)
    again = _call(linked, "POST", MAPPINGS, body=_mapping(), headers=headers)

    assert first.status == again.status == 201
    assert again.body == first.body


# -- value maps -------------------------------------------------------------------------------------

CATEGORIES = {
    "entries": [{"local": "Shoes", "odoo": 5}, {"local": "Hats", "odoo": 6, "direction": "to_odoo"}],
    "auto_create": True,
}


def test_a_value_map_round_trips(linked):
    saved = _call(linked, "PUT", VALUE_MAP, {"kind": "category"}, body=CATEGORIES)

    assert saved.status == 200, saved.body
    shown = _call(linked, "GET", VALUE_MAP, {"kind": "category"})
    assert shown.status == 200
    assert shown.body["kind"] == "category"
    assert shown.body["name"] == "default"
    assert shown.body["odoo_model"] == "product.category"
    assert shown.body["auto_create"] is True
    assert shown.body["entries"] == [
        {"local": "Shoes", "odoo": 5, "direction": "both"},
        {"local": "Hats", "odoo": 6, "direction": "to_odoo"},
    ]
    replaced = _call(linked, "PUT", VALUE_MAP, {"kind": "category"}, body={"entries": []})
    assert replaced.status == 200
    assert _call(linked, "GET", VALUE_MAP, {"kind": "category"}).body["entries"] == []


def test_several_maps_of_a_kind_are_told_apart_by_name(linked):
    _call(linked, "PUT", VALUE_MAP, {"kind": "selection"}, query="name=partner_type",
          body={"entries": [{"local": "Billing", "odoo": "invoice"}]})  # fmt: skip

    assert _call(linked, "GET", VALUE_MAP, {"kind": "selection"}).status == 404
    named = _call(linked, "GET", VALUE_MAP, {"kind": "selection"}, query="name=partner_type")
    assert named.body["entries"][0]["odoo"] == "invoice"


def test_a_value_map_that_was_never_saved_is_404(linked):
    answer = _call(linked, "GET", VALUE_MAP, {"kind": "tax"})

    assert answer.status == 404


@pytest.mark.parametrize(
    ("kind", "query", "body", "field"),
    [
        ("colour", "", {"entries": []}, "kind"),
        ("category", "name=Bad Name", {"entries": []}, "name"),
        ("category", "", {"entries": [{"local": "Shoes", "odoo": "five"}]}, "entries"),
        (
            "category",
            "",
            {"entries": [{"local": "Shoes", "odoo": 5}, {"local": "shoes", "odoo": 6}]},
            "entries",
        ),
        ("category", "", {"entries": [{"local": " ", "odoo": 5}]}, "entries.0.local"),
        ("selection", "", {"entries": [], "auto_create": True}, "entries"),
        ("category", "", {"entries": [{"local": "a", "odoo": 1}] * 10_001}, "entries"),
        ("category", "", {"entries": [], "colour": "red"}, "colour"),
        (
            "category",
            "",
            {"entries": [{"local": f"{n:0400d}", "odoo": n + 1} for n in range(1000)]},
            "entries",
        ),
    ],
)
def test_a_bad_value_map_is_refused(linked, kind, query, body, field):
    answer = _call(linked, "PUT", VALUE_MAP, {"kind": kind}, query=query, body=body)

    assert answer.status == 422, answer.body
    assert answer.body["field"] == field
    assert _call(linked, "GET", VALUE_MAP, {"kind": "category"}).status == 404


def test_another_tenants_value_maps_are_invisible(linked):
    _call(linked, "PUT", VALUE_MAP, {"kind": "category"}, body=CATEGORIES)
    other = connect(linked.sim)

    assert _call(other, "GET", VALUE_MAP, {"kind": "category"}).status == 404


def test_a_repeated_delete_with_its_idempotency_key_replays_the_204(linked):
    saved = _call(linked, "POST", MAPPINGS, body=_mapping())
    params = {"mapping_id": saved.body["mapping_id"]}
    headers = {"Idempotency-Key": "drop-nickname"}

    first = _call(linked, "DELETE", MAPPING, params, headers=headers)
    again = _call(linked, "DELETE", MAPPING, params, headers=headers)
    without_key = _call(linked, "DELETE", MAPPING, params)

    assert (first.status, again.status) == (204, 204)
    assert again.raw == ""
    assert without_key.status == 404


def test_an_entity_cannot_move_to_another_odoo_model(linked):
    assert _call(linked, "POST", ENTITIES, body=TAG_ENTITY).status == 201

    moved = _call(
        linked,
        "POST",
        ENTITIES,
        body={
            **TAG_ENTITY,
            "odoo_model": "res.partner",
            "match_keys": [{"local_field": "label", "odoo_field": "ref"}],
        },
    )

    assert moved.status == 409
    assert moved.body["field"] == "odoo_model"
