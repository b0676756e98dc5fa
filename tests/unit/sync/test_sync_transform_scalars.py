"""Booleans, empty values, strings, selections, direct, and the transform registry."""

from __future__ import annotations

import pytest

from odoo_sync.sync.issues import InvalidValueError, IssueCode
from odoo_sync.sync.transform_core import OdooFieldInfo
from odoo_sync.sync.transforms import (
    TransformSpecError,
    convert,
    parse_transform_spec,
    registered_transforms,
)


@pytest.mark.parametrize(
    ("given_value", "sent"),
    [
        (True, True),
        (False, False),
        ("true", True),
        ("FALSE", False),
        (" Yes ", True),
        ("no", False),
        (1, True),
        (0, False),
        ("1", True),
        ("0", False),
    ],
)
def test_listed_booleans_are_accepted(make_ctx, given_value, sent):
    assert parse_transform_spec("boolean").to_odoo(given_value, make_ctx("boolean")) is sent


@pytest.mark.parametrize("bad", ["y", "on", "maybe", 2, -1, 1.0, [True], "truee"])
def test_other_booleans_are_rejected_with_the_value_named(make_ctx, bad):
    with pytest.raises(InvalidValueError) as caught:
        parse_transform_spec("boolean").to_odoo(bad, make_ctx("boolean"))
    assert caught.value.code is IssueCode.INVALID_BOOLEAN
    assert caught.value.value is bad
    assert "yes" in caught.value.message  # the allowed values are listed


def test_boolean_false_stays_false_both_ways(make_ctx):
    spec = parse_transform_spec("boolean")
    assert spec.to_odoo(None, make_ctx("boolean")) is False
    assert spec.from_odoo(False, make_ctx("boolean")) is False
    assert spec.from_odoo(True, make_ctx("boolean")) is True


def test_custom_boolean_words(make_ctx):
    spec = parse_transform_spec("boolean", {"true_values": ["ja"], "false_values": ["nee"]})
    assert spec.to_odoo("JA", make_ctx("boolean")) is True
    with pytest.raises(InvalidValueError):
        spec.to_odoo("yes", make_ctx("boolean"))
    with pytest.raises(TransformSpecError):
        parse_transform_spec("boolean", {"true_values": ["x"], "false_values": ["X"]})


@pytest.mark.parametrize("field_type", ["char", "date", "many2one", "selection", "float"])
def test_empty_values_are_false_for_odoo_and_none_back(make_ctx, field_type):
    spec = parse_transform_spec("direct")
    for empty in (None, "", "   "):
        assert spec.to_odoo(empty, make_ctx(field_type)) is False
    assert spec.from_odoo(False, make_ctx(field_type)) is None


def test_empty_many2many_clears_the_set(make_ctx):
    assert parse_transform_spec("direct").to_odoo(None, make_ctx("many2many")) == [[6, 0, []]]


def test_direct_returns_the_id_of_a_many2one(make_ctx):
    spec = parse_transform_spec("direct")
    assert spec.from_odoo([20, "Belgium"], make_ctx("many2one")) == 20
    assert spec.from_odoo(20, make_ctx("many2one")) == 20
    assert spec.to_odoo("as is", make_ctx("char")) == "as is"


def test_string_trim_collapse_case_and_length(make_ctx):
    spec = parse_transform_spec("string", {"collapse_whitespace": True, "case": "upper", "max_length": 8})
    assert spec.to_odoo("  ab \t cd\n ", make_ctx("char")) == "AB CD"
    with pytest.raises(InvalidValueError) as caught:
        spec.to_odoo("abcdefghij", make_ctx("char"))
    assert caught.value.code is IssueCode.TOO_LONG
    truncating = parse_transform_spec("string", {"max_length": 3, "on_too_long": "truncate"})
    assert truncating.to_odoo("abcdef", make_ctx("char")) == "abc"
    assert parse_transform_spec("string", {"case": "lower"}).to_odoo(" MiXed ", make_ctx("char")) == "mixed"


@pytest.mark.parametrize("bad", [True, ["a"], {"a": 1}, 1.5])
def test_string_rejects_non_text(make_ctx, bad):
    with pytest.raises(InvalidValueError) as caught:
        parse_transform_spec("string").to_odoo(bad, make_ctx("char"))
    assert caught.value.code is IssueCode.WRONG_TYPE


PARTNER_TYPES = ("contact", "invoice", "delivery", "other")


def test_selection_maps_local_values_to_odoo_keys(make_ctx):
    spec = parse_transform_spec("selection", {"values": {"Billing": "invoice", "Shipping": "delivery"}})
    ctx = make_ctx("selection", selection=PARTNER_TYPES)
    assert spec.to_odoo("billing", ctx) == "invoice"
    assert spec.to_odoo("other", ctx) == "other"  # already an Odoo key
    assert spec.from_odoo("delivery", ctx) == "Shipping"
    assert spec.from_odoo("contact", ctx) == "contact"


def test_unknown_selection_value_names_the_allowed_keys(make_ctx):
    spec = parse_transform_spec("selection", {"values": {"Billing": "invoice"}})
    with pytest.raises(InvalidValueError) as caught:
        spec.to_odoo("Warehouse", make_ctx("selection", field="kind", selection=PARTNER_TYPES))
    assert caught.value.code is IssueCode.UNKNOWN_SELECTION_VALUE
    assert "'Warehouse'" in caught.value.message
    for key in ("Billing", *PARTNER_TYPES):
        assert key in caught.value.message


def test_strict_selection_without_pass_through(make_ctx):
    spec = parse_transform_spec("selection", {"values": {"B": "invoice"}, "pass_through": False})
    ctx = make_ctx("selection", selection=PARTNER_TYPES)
    with pytest.raises(InvalidValueError):
        spec.to_odoo("contact", ctx)
    with pytest.raises(InvalidValueError):
        spec.from_odoo("contact", ctx)


def test_selection_map_to_a_key_odoo_lacks_is_a_configuration_issue(make_ctx):
    spec = parse_transform_spec("selection", {"values": {"VIP": "vip"}})
    with pytest.raises(InvalidValueError) as caught:
        spec.to_odoo("VIP", make_ctx("selection", selection=PARTNER_TYPES))
    assert caught.value.code is IssueCode.CONFIGURATION
    problems = spec.field_problems(OdooFieldInfo(name="type", type="selection", selection=PARTNER_TYPES))
    assert problems
    assert "vip" in problems[0]


def test_registry_lists_every_transform():
    assert set(registered_transforms()) >= {
        "boolean",
        "country",
        "custom",
        "date",
        "datetime",
        "decimal",
        "direct",
        "many2one",
        "selection",
        "state",
        "string",
        "unit",
    }


def test_unknown_transform_names_the_known_ones():
    with pytest.raises(TransformSpecError) as caught:
        parse_transform_spec("rot13")
    assert "rot13" in str(caught.value)
    assert "decimal" in str(caught.value)


def test_bad_parameters_are_refused_with_the_parameter_named():
    with pytest.raises(TransformSpecError) as caught:
        parse_transform_spec("decimal", {"digits": 99, "colour": "red"})
    assert "digits" in str(caught.value)
    assert "colour" in str(caught.value)


def test_transform_type_mismatch_is_reported_for_the_mapping():
    spec = parse_transform_spec("boolean")
    problems = spec.field_problems(OdooFieldInfo(name="email", type="char"))
    assert problems
    assert "email" in problems[0]


def test_specs_serialise_and_parse_back():
    spec = parse_transform_spec("decimal", {"digits": 3, "output": "string"})
    assert parse_transform_spec("decimal", spec.model_dump()) == spec


def test_convert_collects_issues_instead_of_raising(make_ctx):
    spec = parse_transform_spec("boolean")
    outcome = convert(spec, "to_odoo", "maybe", make_ctx("boolean", field="is_company"))
    assert not outcome.ok
    assert outcome.issue is not None
    assert outcome.issue.field == "is_company"
    assert outcome.issue.code == "invalid_boolean"
    assert outcome.issue.value == "maybe"
    assert convert(spec, "to_odoo", "yes", make_ctx("boolean")).value is True
