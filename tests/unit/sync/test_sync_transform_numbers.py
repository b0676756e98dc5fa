"""Decimal prices and unit conversions: exact both ways, bad numbers named."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from odoo_sync.sync.issues import InvalidValueError, IssueCode
from odoo_sync.sync.transform_core import OdooFieldInfo, TransformContext
from odoo_sync.sync.transforms import TransformSpecError, parse_transform_spec


def test_price_text_goes_to_odoo_as_the_float_with_that_decimal_text(make_ctx):
    spec = parse_transform_spec("decimal", {"digits": 2})
    sent = spec.to_odoo("19.99", make_ctx("monetary"))
    assert isinstance(sent, float)
    assert repr(sent) == "19.99"


def test_price_from_odoo_comes_back_exactly_as_the_text_a_push_takes(make_ctx):
    spec = parse_transform_spec("decimal", {"digits": 2})
    assert spec.from_odoo(19.99, make_ctx("float")) == "19.99"
    assert spec.from_odoo(453.07, make_ctx("monetary")) == "453.07"
    assert spec.from_odoo(70.0, make_ctx("float")) == "70.00"
    assert spec.from_odoo(7, make_ctx("integer")) == "7.00"


def test_string_output_for_json_records(make_ctx):
    spec = parse_transform_spec("decimal", {"digits": 3, "output": "string"})
    assert spec.from_odoo(0.1, make_ctx("float")) == "0.100"


def test_a_mapping_saved_with_decimal_output_gives_text_too(make_ctx):
    spec = parse_transform_spec("decimal", {"digits": 2, "output": "decimal"})
    assert spec.from_odoo(12.5, make_ctx("float")) == "12.50"


@pytest.mark.parametrize(
    ("odoo", "digits", "text"),
    [
        (0.1 + 0.2, 2, "0.30"),  # 0.30000000000000004: the float's drift never shows
        (2.675, 2, "2.68"),  # repr "2.675", rounded half up (its binary value is 2.67499...)
        (1e10, 0, "10000000000"),  # never an exponent
        (1e-7, 2, "0.00"),
        (-0.0, 2, "0.00"),  # never "-0.00"
        (-12.345, 2, "-12.35"),
        (123456789.12, 2, "123456789.12"),
    ],
)
def test_odoo_floats_become_decimal_text_without_drift(make_ctx, odoo, digits, text):
    spec = parse_transform_spec("decimal", {"digits": digits})
    assert spec.from_odoo(odoo, make_ctx("float")) == text


@pytest.mark.parametrize(
    ("given_value", "sent"),
    [(Decimal("1.005"), 1.01), ("2.675", 2.68), (19.999, 20.0), (3, 3.0), (" 4.5 ", 4.5), ("-0.125", -0.13)],
)
def test_rounds_half_up_to_the_field_digits(make_ctx, given_value, sent):
    assert parse_transform_spec("decimal").to_odoo(given_value, make_ctx("float")) == sent


def test_half_even_rounding_when_asked(make_ctx):
    spec = parse_transform_spec("decimal", {"rounding": "half_even"})
    assert spec.to_odoo("2.665", make_ctx("float")) == 2.66


def test_reject_rounding_refuses_extra_decimals(make_ctx):
    spec = parse_transform_spec("decimal", {"rounding": "reject"})
    with pytest.raises(InvalidValueError) as caught:
        spec.to_odoo("1.999", make_ctx("float"))
    assert caught.value.code is IssueCode.TOO_PRECISE
    assert spec.to_odoo("1.990", make_ctx("float")) == 1.99


def test_integer_field_gets_an_int(make_ctx):
    spec = parse_transform_spec("decimal", {"digits": 0})
    assert spec.to_odoo("41.5", make_ctx("integer")) == 42
    assert spec.field_problems(OdooFieldInfo(name="qty", type="integer")) == []
    assert parse_transform_spec("decimal").field_problems(OdooFieldInfo(name="qty", type="integer"))


@pytest.mark.parametrize(
    "bad", ["abc", "1,5", "1e", "NaN", "Infinity", True, [1], {"a": 1}, float("nan"), "12 34"]
)
def test_bad_numbers_are_named(make_ctx, bad):
    with pytest.raises(InvalidValueError) as caught:
        parse_transform_spec("decimal").to_odoo(bad, make_ctx("float"))
    assert caught.value.code is IssueCode.INVALID_NUMBER
    assert caught.value.value is bad


def test_more_digits_than_a_float_carries_is_refused_rather_than_drifting(make_ctx):
    spec = parse_transform_spec("decimal", {"digits": 4})
    with pytest.raises(InvalidValueError) as caught:
        spec.to_odoo("123456789012.3456", make_ctx("float"))
    assert caught.value.code is IssueCode.TOO_PRECISE


def test_odoo_sending_text_for_a_number_is_an_error(make_ctx):
    with pytest.raises(InvalidValueError) as caught:
        parse_transform_spec("decimal").from_odoo("19.99", make_ctx("float"))
    assert caught.value.code is IssueCode.WRONG_TYPE


def test_empty_price_is_false_for_odoo_and_none_back(make_ctx):
    spec = parse_transform_spec("decimal")
    assert spec.to_odoo(None, make_ctx("float")) is False
    assert spec.to_odoo("  ", make_ctx("float")) is False
    assert spec.from_odoo(False, make_ctx("float")) is None


@given(
    st.decimals(
        min_value=Decimal("-9999999999999.99"),
        max_value=Decimal("9999999999999.99"),
        places=2,
        allow_nan=False,
        allow_infinity=False,
    )
)
def test_two_digit_decimals_round_trip_exactly(price):
    ctx = TransformContext(field="price", target=OdooFieldInfo(name="list_price", type="float"))
    spec = parse_transform_spec("decimal", {"digits": 2})
    assert spec.from_odoo(spec.to_odoo(price, ctx), ctx) == str(price.quantize(Decimal("0.01")))
    string_spec = parse_transform_spec("decimal", {"digits": 2, "output": "string"})
    assert string_spec.from_odoo(string_spec.to_odoo(str(price), ctx), ctx) == str(
        price.quantize(Decimal("0.01"))
    )


@given(st.integers(min_value=0, max_value=6), st.integers(min_value=-(10**8), max_value=10**8))
def test_decimals_round_trip_at_any_digits(digits, units):
    value = Decimal(units).scaleb(-digits)
    ctx = TransformContext(field="x", target=OdooFieldInfo(name="x", type="float"))
    spec = parse_transform_spec("decimal", {"digits": digits})
    back = spec.from_odoo(spec.to_odoo(value, ctx), ctx)
    assert Decimal(back) == value
    assert back == format(value.quantize(Decimal(1).scaleb(-digits)), "f")
    assert spec.to_odoo(back, ctx) == spec.to_odoo(value, ctx)  # what comes back pushes unchanged


def test_grams_to_kilograms_and_back(make_ctx):
    spec = parse_transform_spec("unit", {"local_unit": "g", "odoo_unit": "kg"})
    assert spec.to_odoo("1234", make_ctx("float")) == 1.234
    assert spec.from_odoo(1.234, make_ctx("float")) == "1234"


def test_factor_with_rounding_on_both_sides(make_ctx):
    spec = parse_transform_spec("unit", {"factor": "0.45359237", "digits": 3, "local_digits": 2})
    assert spec.to_odoo(1, make_ctx("float")) == 0.454
    assert spec.from_odoo(0.454, make_ctx("float")) == "1.00"


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"factor": "0"},
        {"factor": "-1"},
        {"local_unit": "g"},
        {"local_unit": "g", "odoo_unit": "m"},
        {"local_unit": "stone", "odoo_unit": "kg"},
        {"factor": 2, "local_unit": "g", "odoo_unit": "kg"},
    ],
)
def test_bad_unit_specs_are_refused_when_saved(params):
    with pytest.raises(TransformSpecError):
        parse_transform_spec("unit", params)


def test_unit_rejects_non_numbers(make_ctx):
    spec = parse_transform_spec("unit", {"local_unit": "g", "odoo_unit": "kg"})
    with pytest.raises(InvalidValueError) as caught:
        spec.to_odoo("heavy", make_ctx("float"))
    assert "'heavy'" in caught.value.message


def test_numbers_beyond_odoo_range_are_out_of_range_issues(make_ctx):
    with pytest.raises(InvalidValueError) as too_big:
        parse_transform_spec("decimal").to_odoo("1e999", make_ctx("float"))
    assert too_big.value.code is IssueCode.OUT_OF_RANGE
    unit = parse_transform_spec("unit", {"local_unit": "kg", "odoo_unit": "g"})
    with pytest.raises(InvalidValueError) as overflow:
        unit.to_odoo("1e400", make_ctx("float"))
    assert overflow.value.code is IssueCode.OUT_OF_RANGE
    grams = parse_transform_spec("unit", {"local_unit": "g", "odoo_unit": "kg"})
    assert grams.from_odoo(1e25, make_ctx("float")) == "1" + "0" * 28  # never an exponent
