"""Entities and value maps through the settings routes, checked against the simulator."""

from __future__ import annotations

import pytest

from settings_api.handler import lambda_handler
from tests.integration.service.conftest import connect
from tests.integration.settings.routes import (
    ENTITIES,
    ENTITY,
    MAPPINGS,
    TAG_ENTITY,
    VALUE_MAP,
    call_as,
    mappings_of,
)
from tests.support.api import call

# -- entities ---------------------------------------------------------------------------------------


def test_the_presets_are_listed_and_shown(linked):
    listed = call_as(linked, "GET", ENTITIES)

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
    assert call_as(linked, "GET", ENTITY, {"entity": "product"}).body["preset"] is True


def test_a_tenant_entity_is_checked_against_odoo_saved_and_listed(linked):
    created = call_as(linked, "POST", ENTITIES, body=TAG_ENTITY)

    assert created.status == 201, created.body
    assert created.body["preset"] is False
    assert created.body["updated_at"].endswith("Z")
    shown = call_as(linked, "GET", ENTITY, {"entity": "tag"})
    assert shown.body["fields"][0]["field"] == "label"
    assert "tag" in {item["name"] for item in call_as(linked, "GET", ENTITIES).body["items"]}
    replaced = call_as(linked, "POST", ENTITIES, body={**TAG_ENTITY, "description": "Tags"})
    assert replaced.status == 200
    assert call_as(linked, "GET", ENTITY, {"entity": "tag"}).body["description"] == "Tags"


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
    answer = call_as(linked, "POST", ENTITIES, body={**TAG_ENTITY, **change})

    assert answer.status == status, answer.body
    assert answer.body["field"] == field
    assert call_as(linked, "GET", ENTITY, {"entity": "tag"}).status == 404


def test_a_preset_cannot_be_deleted(linked):
    answer = call_as(linked, "DELETE", ENTITY, {"entity": "customer"})

    assert answer.status == 409
    assert call_as(linked, "GET", ENTITY, {"entity": "customer"}).status == 200


def test_deleting_an_entity_removes_its_mappings(linked):
    call_as(linked, "POST", ENTITIES, body=TAG_ENTITY)
    call_as(linked, "POST", MAPPINGS, body={"entity": "tag", "local_field": "label", "odoo_field": "name"})

    deleted = call_as(linked, "DELETE", ENTITY, {"entity": "tag"})

    assert deleted.status == 204
    assert call_as(linked, "GET", ENTITY, {"entity": "tag"}).status == 404
    assert call_as(linked, "DELETE", ENTITY, {"entity": "tag"}).status == 404
    call_as(linked, "POST", ENTITIES, body=TAG_ENTITY)
    assert mappings_of(linked, "tag") == []


def test_another_tenants_entities_are_invisible(linked):
    call_as(linked, "POST", ENTITIES, body=TAG_ENTITY)
    other = connect(linked.sim)

    assert call_as(other, "GET", ENTITY, {"entity": "tag"}).status == 404
    assert "tag" not in {item["name"] for item in call_as(other, "GET", ENTITIES).body["items"]}
    assert call_as(other, "DELETE", ENTITY, {"entity": "tag"}).status == 404
    assert call_as(linked, "GET", ENTITY, {"entity": "tag"}).status == 200


def test_an_entity_needs_a_connection_when_the_tenant_has_none(aws):
    answer = call(lambda_handler, "POST", ENTITIES, body=TAG_ENTITY, tenant_id="ten_cccccccccccccccc")

    assert answer.status == 400
    assert answer.body["field"] == "connection_id"


def test_an_entity_cannot_move_to_another_odoo_model(linked):
    assert call_as(linked, "POST", ENTITIES, body=TAG_ENTITY).status == 201

    moved = call_as(
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


# -- value maps -------------------------------------------------------------------------------------

CATEGORIES = {
    "entries": [{"local": "Shoes", "odoo": 5}, {"local": "Hats", "odoo": 6, "direction": "to_odoo"}],
    "auto_create": True,
}


def test_a_value_map_round_trips(linked):
    saved = call_as(linked, "PUT", VALUE_MAP, {"kind": "category"}, body=CATEGORIES)

    assert saved.status == 200, saved.body
    shown = call_as(linked, "GET", VALUE_MAP, {"kind": "category"})
    assert shown.status == 200
    assert shown.body["kind"] == "category"
    assert shown.body["name"] == "default"
    assert shown.body["odoo_model"] == "product.category"
    assert shown.body["auto_create"] is True
    assert shown.body["entries"] == [
        {"local": "Shoes", "odoo": 5, "direction": "both"},
        {"local": "Hats", "odoo": 6, "direction": "to_odoo"},
    ]
    replaced = call_as(linked, "PUT", VALUE_MAP, {"kind": "category"}, body={"entries": []})
    assert replaced.status == 200
    assert call_as(linked, "GET", VALUE_MAP, {"kind": "category"}).body["entries"] == []


def test_several_maps_of_a_kind_are_told_apart_by_name(linked):
    call_as(linked, "PUT", VALUE_MAP, {"kind": "selection"}, query="name=partner_type",
          body={"entries": [{"local": "Billing", "odoo": "invoice"}]})  # fmt: skip

    assert call_as(linked, "GET", VALUE_MAP, {"kind": "selection"}).status == 404
    named = call_as(linked, "GET", VALUE_MAP, {"kind": "selection"}, query="name=partner_type")
    assert named.body["entries"][0]["odoo"] == "invoice"


def test_a_value_map_that_was_never_saved_is_404(linked):
    answer = call_as(linked, "GET", VALUE_MAP, {"kind": "tax"})

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
    answer = call_as(linked, "PUT", VALUE_MAP, {"kind": kind}, query=query, body=body)

    assert answer.status == 422, answer.body
    assert answer.body["field"] == field
    assert call_as(linked, "GET", VALUE_MAP, {"kind": "category"}).status == 404


def test_another_tenants_value_maps_are_invisible(linked):
    call_as(linked, "PUT", VALUE_MAP, {"kind": "category"}, body=CATEGORIES)
    other = connect(linked.sim)

    assert call_as(other, "GET", VALUE_MAP, {"kind": "category"}).status == 404
