"""Odoo rows back to local values: the inverse of each mapping, and what cannot be inverted."""

from __future__ import annotations

from typing import Any

import pytest

from odoo_sync.sync.lookups import ReverseLookup, StaticResolver
from odoo_sync.sync.model import Direction, EntityDefinition, FieldMapping, MappingType, MatchKey
from odoo_sync.sync.plan import SyncPlan
from odoo_sync.sync.pull_mapping import OdooRecordMapper
from odoo_sync.sync.transform_core import OdooFieldInfo
from odoo_sync.sync.validation import RecordRules
from odoo_sync.sync.value_maps import ValueMap, ValueMapEntry, ValueMapKind, ValueMaps

FIELDS = {
    "name": OdooFieldInfo("name", "char"),
    "ref": OdooFieldInfo("ref", "char"),
    "list_price": OdooFieldInfo("list_price", "float"),
    "is_company": OdooFieldInfo("is_company", "boolean"),
    "categ_id": OdooFieldInfo("categ_id", "many2one", relation="product.category"),
    "country_id": OdooFieldInfo("country_id", "many2one", relation="res.country"),
    "user_id": OdooFieldInfo("user_id", "many2one", relation="res.users"),
    "image_1920": OdooFieldInfo("image_1920", "binary"),
    "type": OdooFieldInfo("type", "selection", selection=("consu", "service")),
    "active": OdooFieldInfo("active", "boolean"),
    "write_date": OdooFieldInfo("write_date", "datetime"),
}


def m(
    local: str,
    odoo: str,
    transform: str | None = None,
    *,
    direction: Direction = Direction.BOTH,
    **params: Any,
):
    return FieldMapping(
        mapping_id=f"m-{local}",
        entity="thing",
        local_field=local,
        odoo_field=odoo,
        odoo_model="x.thing",
        mapping_type=MappingType.CUSTOM
        if transform == "custom"
        else MappingType.TRANSFORM
        if transform
        else MappingType.DIRECT,
        transform=transform,
        transform_params=params,
        direction=direction,
    )


def mapper(*mappings: FieldMapping, value_maps: ValueMaps | None = None) -> OdooRecordMapper:
    entity = EntityDefinition(
        name="thing", odoo_model="x.thing", match_keys=[MatchKey(local_field="code", odoo_field="ref")]
    )
    plan = SyncPlan(
        entity=entity,
        mappings=mappings,
        value_maps=value_maps or ValueMaps(),
        odoo_fields={"x.thing": FIELDS},
        rules=RecordRules(fields=[]),
    )
    return OdooRecordMapper(plan)


def row(**values: Any) -> dict[str, Any]:
    return {
        "id": 7,
        "write_date": "2031-01-01 10:00:00",
        "create_date": "2031-01-01 09:00:00",
        "active": True,
        **values,
    }


def test_scalar_mappings_are_inverted():
    pulling = mapper(
        m("title", "name"),
        m("price", "list_price", "decimal", digits=2),
        m("company", "is_company", "boolean"),
        m("kind", "type", "selection", values={"goods": "consu", "service": "service"}),
    )

    pulled = pulling.map_row(
        row(name="Chair", list_price=19.9, is_company=True, type="consu"), StaticResolver()
    )

    assert pulled.valid, pulled.issues
    assert pulled.values == {"title": "Chair", "price": "19.90", "company": True, "kind": "goods"}
    assert pulled.match_values == {}
    assert pulled.write_date == "2031-01-01 10:00:00"


def test_empty_odoo_values_become_none_and_the_match_key_is_kept():
    pulled = mapper(m("title", "name")).map_row(row(name=False, ref="SKU-1"), StaticResolver())

    assert pulled.values == {"title": None}
    assert pulled.match_values == {"code": "SKU-1"}
    assert pulled.odoo_values["ref"] == "SKU-1"


def test_a_many2one_comes_back_through_the_value_map_reversed():
    categories = ValueMap(
        kind=ValueMapKind.CATEGORY,
        entries=[ValueMapEntry(local="chairs", odoo=3), ValueMapEntry(local="desks", odoo=4)],
    )
    pulling = mapper(
        m("category", "categ_id", "many2one", model="product.category", by="value_map", value_map="category"),
        value_maps=ValueMaps([categories]),
    )

    pulled = pulling.map_row(row(categ_id=[4, "All / Desks"]), StaticResolver())

    assert pulled.values == {"category": "desks"}
    assert pulled.odoo_values == {"categ_id": 4}  # snapshots keep the id, as pushes do


def test_a_many2one_by_name_is_described_by_one_lookup_per_model():
    pulling = mapper(m("salesperson", "user_id", "many2one", model="res.users", by="name"))
    rows = [row(user_id=[2, "Mitchell Admin"]), {**row(user_id=[5, "Marc Demo"]), "id": 8}]
    lookups = pulling.reverse_lookups(rows)
    resolver = StaticResolver()
    for lookup in lookups:
        resolver.add_description(lookup, {2: "Mitchell Admin", 5: "Marc Demo"}[lookup.odoo_id])

    pulled = [pulling.map_row(r, resolver) for r in rows]

    assert lookups == {
        ReverseLookup("res.users", "name", "name", 2),
        ReverseLookup("res.users", "name", "name", 5),
    }
    assert [p.values["salesperson"] for p in pulled] == ["Mitchell Admin", "Marc Demo"]


def test_a_country_comes_back_as_its_iso_code():
    pulling = mapper(m("country", "country_id", "country"))
    resolver = StaticResolver()
    resolver.add_description(ReverseLookup("res.country", "code", "code", 21), "be")

    assert pulling.map_row(row(country_id=[21, "Belgium"]), resolver).values == {"country": "BE"}


def test_a_value_that_cannot_be_mapped_back_fails_the_record_with_the_reason():
    pulling = mapper(
        m("category", "categ_id", "many2one", model="product.category", by="value_map", value_map="category")
    )

    pulled = pulling.map_row(row(categ_id=[9, "Other"]), StaticResolver())

    assert not pulled.valid
    assert pulled.issues[0].field == "category"


@pytest.mark.parametrize(
    ("mapping", "reason"),
    [
        (m("picture", "image_1920", "image_url"), "images"),
        (m("full_name", "name", "custom", function="concat", fields=["first", "last"]), "taken apart"),
        (m("first", "name", "custom", function="split", index=0), "taken apart"),
        (m("kind", "type", "custom", function="map", values={"a": "consu", "b": "consu"}), "one-to-one"),
        (m("brand", "x_brand"), "not read"),
    ],
)
def test_what_cannot_be_inverted_is_skipped_with_a_warning(mapping, reason):
    pulling = mapper(m("title", "name"), mapping)

    pulled = pulling.map_row(row(name="Chair", image_1920="aGVsbG8=", type="consu"), StaticResolver())

    assert mapping.local_field not in pulled.values or mapping.local_field == "title"
    assert any(reason in warning.message for warning in pulling.warnings), pulling.warnings
    assert pulled.valid


def test_a_from_odoo_only_concat_reads_odoo_fields():
    pulling = mapper(
        m(
            "label",
            "name",
            "custom",
            function="concat",
            fields=["name", "ref"],
            separator=" / ",
            direction=Direction.FROM_ODOO,
        )
    )

    assert pulling.map_row(row(name="Chair", ref="C-1"), StaticResolver()).values == {"label": "Chair / C-1"}


def test_one_read_asks_for_mapped_fields_keys_and_the_version():
    pulling = mapper(m("title", "name"), m("picture", "image_1920", "image_url"))

    assert pulling.read_fields == ["active", "create_date", "name", "ref", "write_date"]
