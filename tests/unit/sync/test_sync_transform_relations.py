"""many2one / many2many by value map, lookup or id; country and state by ISO code."""

from __future__ import annotations

import pytest

from odoo_sync.sync.issues import InvalidValueError, IssueCode
from odoo_sync.sync.lookups import LookupRequest, ReverseLookup, StaticResolver
from odoo_sync.sync.transform_core import OdooFieldInfo
from odoo_sync.sync.transforms import TransformSpecError, convert, parse_transform_spec
from odoo_sync.sync.value_maps import ValueMap, ValueMaps

CATEGORY_BY_NAME = LookupRequest(model="product.category", by="name", match_field="name", value="Saleable")
CALIFORNIA = LookupRequest(
    model="res.country.state", by="code", match_field="code", value="CA", scope=(("country_code", "US"),)
)


@pytest.fixture
def resolver() -> StaticResolver:
    found = StaticResolver()
    found.add(CATEGORY_BY_NAME, [9])
    found.add(LookupRequest(model="product.category", by="name", match_field="name", value="Twice"), [4, 5])
    found.add(
        LookupRequest(model="res.partner", by="external_id", match_field="id", value="shop.cust_7"), [98]
    )
    found.add_description(
        ReverseLookup(model="product.category", by="name", match_field="name", odoo_id=9), "Saleable"
    )
    found.add_description(
        ReverseLookup(model="res.partner", by="external_id", match_field="id", odoo_id=98), "shop.cust_7"
    )
    found.add(LookupRequest(model="res.country", by="code", match_field="code", value="BE"), [20])
    found.add_description(ReverseLookup(model="res.country", by="code", match_field="code", odoo_id=20), "BE")
    found.add(CALIFORNIA, [13])
    found.add_description(
        ReverseLookup(model="res.country.state", by="code", match_field="code", odoo_id=13), "CA"
    )
    return found


def test_many2one_by_name_lookup(make_ctx, resolver):
    spec = parse_transform_spec("many2one", {"model": "product.category", "by": "name"})
    ctx = make_ctx("many2one", relation="product.category", resolver=resolver)
    assert spec.lookups(" Saleable ", ctx) == [CATEGORY_BY_NAME]
    assert spec.to_odoo(" Saleable ", ctx) == 9
    # Odoo reads [id, display name]; the display name is not always the name, so ask.
    assert spec.reverse_lookups([9, "All / Saleable"], ctx)
    assert spec.from_odoo([9, "All / Saleable"], ctx) == "Saleable"


def test_many2one_by_display_name_uses_the_label_odoo_sent(make_ctx):
    spec = parse_transform_spec(
        "many2one", {"model": "res.partner", "by": "name", "match_field": "display_name"}
    )
    ctx = make_ctx("many2one")
    assert not spec.reverse_lookups([98, "Azure Interior"], ctx)
    assert spec.from_odoo([98, "Azure Interior"], ctx) == "Azure Interior"


def test_many2one_by_external_id_both_ways(make_ctx, resolver):
    spec = parse_transform_spec("many2one", {"model": "res.partner", "by": "external_id"})
    ctx = make_ctx("many2one", resolver=resolver)
    assert spec.to_odoo("shop.cust_7", ctx) == 98
    assert spec.from_odoo(98, ctx) == "shop.cust_7"  # bare id, as read with load=''
    assert spec.from_odoo([98, "Azure Interior"], ctx) == "shop.cust_7"


def test_not_found_and_ambiguous_lookups_are_named(make_ctx, resolver):
    spec = parse_transform_spec("many2one", {"model": "product.category", "by": "name"})
    ctx = make_ctx("many2one", resolver=resolver)
    with pytest.raises(InvalidValueError) as missing:
        spec.to_odoo("Nowhere", ctx)
    assert missing.value.code is IssueCode.NOT_FOUND_IN_ODOO
    assert "'Nowhere'" in missing.value.message
    with pytest.raises(InvalidValueError) as twice:
        spec.to_odoo("Twice", ctx)
    assert twice.value.code is IssueCode.AMBIGUOUS_MATCH


def test_lookup_auto_create_signal(make_ctx, resolver):
    spec = parse_transform_spec("many2one", {"model": "product.category", "by": "name", "auto_create": True})
    outcome = convert(spec, "to_odoo", "Gloves", make_ctx("many2one", field="category", resolver=resolver))
    assert outcome.auto_create is not None
    assert outcome.auto_create.value == "Gloves"
    assert not outcome.ok


def test_lookup_without_resolver_is_a_configuration_issue(make_ctx):
    spec = parse_transform_spec("many2one", {"model": "product.category", "by": "name"})
    with pytest.raises(InvalidValueError) as caught:
        spec.to_odoo("Saleable", make_ctx("many2one"))
    assert caught.value.code is IssueCode.CONFIGURATION


def test_many2one_by_value_map(make_ctx):
    maps = ValueMaps([ValueMap(kind="category", entries=[{"local": "Shoes", "odoo": 12}])])
    spec = parse_transform_spec(
        "many2one", {"model": "product.category", "by": "value_map", "value_map": "category"}
    )
    ctx = make_ctx("many2one", value_maps=maps)
    assert spec.to_odoo("shoes", ctx) == 12
    assert spec.from_odoo([12, "All / Shoes"], ctx) == "Shoes"
    assert spec.from_odoo(False, ctx) is None
    with pytest.raises(InvalidValueError) as caught:
        spec.to_odoo("Boots", ctx)
    assert "'category'" in caught.value.message


def test_many2many_taxes_through_a_value_map(make_ctx):
    maps = ValueMaps(
        [ValueMap(kind="tax", entries=[{"local": "VAT21", "odoo": 3}, {"local": "ECO", "odoo": 7}])]
    )
    spec = parse_transform_spec("many2one", {"model": "account.tax", "by": "value_map", "value_map": "tax"})
    ctx = make_ctx("many2many", value_maps=maps)
    assert spec.to_odoo(["VAT21", "ECO", "vat21"], ctx) == [[6, 0, [3, 7]]]
    assert spec.to_odoo("ECO", ctx) == [[6, 0, [7]]]
    assert spec.from_odoo([3, 7], ctx) == ["VAT21", "ECO"]
    assert spec.to_odoo([], ctx) == [[6, 0, []]]


def test_many2one_by_raw_id(make_ctx):
    spec = parse_transform_spec("many2one", {"model": "res.partner", "by": "id"})
    assert spec.to_odoo("42", make_ctx("many2one")) == 42
    assert spec.from_odoo([42, "X"], make_ctx("many2one")) == 42
    for bad in (-1, "abc", True, 1.5):
        with pytest.raises(InvalidValueError):
            spec.to_odoo(bad, make_ctx("many2one"))
    with pytest.raises(InvalidValueError):
        spec.to_odoo([1, 2], make_ctx("many2one"))


@pytest.mark.parametrize(
    "params",
    [
        {"model": "product.category", "by": "value_map"},
        {"model": "product.category", "by": "name", "value_map": "category"},
        {"model": "res.partner", "by": "external_id", "auto_create": True},
        {"model": "Bad Model", "by": "name"},
        {"by": "name"},
    ],
)
def test_incoherent_many2one_specs_are_refused(params):
    with pytest.raises(TransformSpecError):
        parse_transform_spec("many2one", params)


def test_many2one_relation_mismatch_is_reported():
    spec = parse_transform_spec("many2one", {"model": "product.category", "by": "name"})
    problems = spec.field_problems(OdooFieldInfo(name="country_id", type="many2one", relation="res.country"))
    assert problems
    assert "res.country" in problems[0]


@pytest.mark.parametrize(
    ("transform", "params", "model"),
    [
        ("many2one", {"model": "product.category", "by": "name"}, "product.category"),
        ("country", {}, "res.country"),
        ("state", {}, "res.country.state"),
    ],
)
def test_every_relation_transform_reports_a_field_pointing_to_another_model(transform, params, model):
    spec = parse_transform_spec(transform, params)

    elsewhere = OdooFieldInfo(name="user_id", type="many2one", relation="res.users")

    assert spec.field_problems(elsewhere) == [f"Odoo field 'user_id' points to res.users, not {model}"]
    assert spec.field_problems(OdooFieldInfo(name="x_id", type="many2one", relation=model)) == []
    assert spec.field_problems(OdooFieldInfo(name="x_id", type="many2one")) == []


def test_country_and_state_ask_odoo_by_code_and_not_for_values_they_refuse(make_ctx):
    country, state = parse_transform_spec("country"), parse_transform_spec("state")
    in_us = make_ctx("many2one", record={"country": "us"})
    nowhere = make_ctx("many2one")

    assert state.lookups("ca", in_us) == [CALIFORNIA]
    assert not state.lookups("CA", nowhere)  # no country: to_odoo says why
    assert not country.lookups("UK", nowhere)
    assert not country.lookups(None, nowhere)
    assert country.reverse_lookups([20, "Belgium"], nowhere) == [
        ReverseLookup(model="res.country", by="code", match_field="code", odoo_id=20)
    ]
    assert state.reverse_lookups(13, nowhere) == [
        ReverseLookup(model="res.country.state", by="code", match_field="code", odoo_id=13)
    ]
    assert not state.reverse_lookups("California", nowhere)


def test_country_by_iso_code(make_ctx, resolver):
    spec = parse_transform_spec("country")
    ctx = make_ctx("many2one", relation="res.country", resolver=resolver)
    assert spec.to_odoo(" be ", ctx) == 20
    assert spec.from_odoo([20, "Belgium"], ctx) == "BE"
    assert spec.lookups("be", ctx) == [
        LookupRequest(model="res.country", by="code", match_field="code", value="BE")
    ]


def test_country_value_map_wins_for_local_names(make_ctx, resolver):
    maps = ValueMaps([ValueMap(kind="country", entries=[{"local": "Belgique", "odoo": 20}])])
    spec = parse_transform_spec("country")
    ctx = make_ctx("many2one", value_maps=maps, resolver=resolver)
    assert spec.to_odoo("Belgique", ctx) == 20
    assert not spec.lookups("Belgique", ctx)


@pytest.mark.parametrize(
    ("bad", "code"),
    [
        ("UK", IssueCode.INVALID_COUNTRY),
        ("Belgium", IssueCode.INVALID_COUNTRY),
        ("FR", IssueCode.NOT_FOUND_IN_ODOO),
        (32, IssueCode.INVALID_COUNTRY),
    ],
)
def test_bad_countries_are_named(make_ctx, resolver, bad, code):
    with pytest.raises(InvalidValueError) as caught:
        parse_transform_spec("country").to_odoo(bad, make_ctx("many2one", resolver=resolver))
    assert caught.value.code is code


def test_state_within_the_record_country(make_ctx, resolver):
    spec = parse_transform_spec("state")
    ctx = make_ctx("many2one", record={"country": "us"}, resolver=resolver)
    assert spec.to_odoo("ca", ctx) == 13
    assert spec.to_odoo("US-CA", make_ctx("many2one", resolver=resolver)) == 13
    assert spec.from_odoo([13, "California (US)"], ctx) == "CA"


@pytest.mark.parametrize(
    ("state", "record"), [("CA", {}), ("BE-CA", {"country": "US"}), ("CA", {"country": "XX"})]
)
def test_state_without_a_usable_country_is_an_error(make_ctx, resolver, state, record):
    with pytest.raises(InvalidValueError):
        parse_transform_spec("state").to_odoo(state, make_ctx("many2one", record=record, resolver=resolver))
