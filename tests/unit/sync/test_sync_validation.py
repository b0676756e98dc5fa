"""Whole-record validation: every reason at once, normalised values, never an exception."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from odoo_sync.sync.validation import (
    CUSTOMER_RULES,
    PRODUCT_RULES,
    FieldRule,
    RecordRules,
    ValidationReport,
    validate_record,
)


def test_a_good_customer_is_normalised():
    report = validate_record(
        {
            "name": "  Ann   Lee ",
            "email": "Ann@Example.COM",
            "phone": "02 555 12 12",
            "mobile": "",
            "street": " Rue  de la Loi\t16 ",
            "zip": "1000",
            "city": "Brussels",
            "country": "be",
            "vat": "0477.472.701",
            "is_company": "yes",
            "custom_field": {"kept": True},
        },
        CUSTOMER_RULES,
    )
    assert report.valid
    assert report.issues == []
    assert report.record == {
        "name": "Ann Lee",
        "email": "Ann@example.com",
        "phone": "+3225551212",
        "mobile": None,
        "street": "Rue de la Loi 16",
        "zip": "1000",
        "city": "Brussels",
        "country": "BE",
        "vat": "BE0477472701",
        "is_company": True,
        "custom_field": {"kept": True},
    }


def test_every_reason_is_reported_not_only_the_first():
    report = validate_record(
        {
            "email": "ann@",
            "phone": "12",
            "zip": "ABCDE",
            "country": "BE",
            "vat": "BE0477472702",
            "is_company": "perhaps",
        },
        CUSTOMER_RULES,
    )
    assert not report.valid
    assert [(issue.field, issue.code) for issue in report.issues] == [
        ("name", "required"),
        ("email", "invalid_email"),
        ("phone", "invalid_phone"),
        ("zip", "invalid_zip"),
        ("vat", "invalid_vat"),
        ("is_company", "invalid_boolean"),
    ]
    assert {issue.field: issue.value for issue in report.issues}["vat"] == "BE0477472702"


def test_phone_region_comes_from_the_record_country():
    belgian = validate_record({"name": "A", "phone": "02 555 12 12", "country": "BE"}, CUSTOMER_RULES)
    assert belgian.record["phone"] == "+3225551212"
    nowhere = validate_record({"name": "A", "phone": "02 555 12 12"}, CUSTOMER_RULES)
    assert [issue.code for issue in nowhere.issues] == ["invalid_phone"]
    fallback = CUSTOMER_RULES.model_copy(update={"default_country": "BE"})
    assert validate_record({"name": "A", "phone": "02 555 12 12"}, fallback).valid


def test_an_invalid_country_is_reported_and_not_used():
    report = validate_record({"name": "A", "country": "UK", "zip": "sw1a1aa"}, CUSTOMER_RULES)
    assert [(issue.field, issue.code) for issue in report.issues] == [("country", "invalid_country")]
    assert "GB" in report.issues[0].message


def test_unchecked_vat_is_a_warning_not_a_rejection():
    report = validate_record({"name": "A", "country": "US", "vat": "12-3456789"}, CUSTOMER_RULES)
    assert report.valid
    assert [warning.code for warning in report.warnings] == ["vat_not_checked"]


def test_product_rules():
    good = validate_record(
        {
            "title": "Chair",
            "ean": "4006381333931",
            "price": "19.99",
            "weight": 1.5,
            "image_url": "https://x.example/a.png",
        },
        PRODUCT_RULES,
    )
    assert good.valid
    assert good.record["price"] == Decimal("19.99")
    bad = validate_record(
        {"title": "  ", "ean": "4006381333932", "price": "-1", "cost": "cheap", "image_url": "ftp://x/a.png"},
        PRODUCT_RULES,
    )
    assert [(issue.field, issue.code) for issue in bad.issues] == [
        ("title", "required"),
        ("ean", "invalid_barcode"),
        ("price", "out_of_range"),
        ("cost", "invalid_number"),
        ("image_url", "invalid_url"),
    ]


def test_limits_dates_integers():
    rules = RecordRules(
        fields=[
            FieldRule(field="code", kind="single_line", max_length=3),
            FieldRule(field="born", kind="date"),
            FieldRule(field="seen", kind="datetime"),
            FieldRule(field="qty", kind="integer", max_value=Decimal(10)),
            FieldRule(field="state", kind="state"),
        ]
    )
    good = validate_record(
        {"code": "ab", "born": "2000-02-29", "seen": "2026-01-31T10:00:00Z", "qty": "7", "state": "ca"}, rules
    )
    assert good.valid
    assert good.record["seen"] == "2026-01-31T10:00:00+00:00"
    assert good.record["qty"] == 7
    assert good.record["state"] == "CA"
    bad = validate_record(
        {"code": "abcd", "born": "2001-02-29", "seen": "noon", "qty": 11, "state": "C A!"}, rules
    )
    assert [issue.code for issue in bad.issues] == [
        "too_long",
        "invalid_date",
        "invalid_datetime",
        "out_of_range",
        "invalid_state",
    ]


@pytest.mark.parametrize("not_a_record", [None, [], "text", 12, [{"name": "A"}]])
def test_non_objects_are_rejected(not_a_record):
    report = validate_record(not_a_record, CUSTOMER_RULES)
    assert not report.valid
    assert report.issues[0].code == "not_an_object"


def test_report_is_storable_as_json():
    report = validate_record({"name": "A", "email": "x", "price": Decimal("1.50")}, CUSTOMER_RULES)
    stored = json.loads(report.model_dump_json())
    assert stored["issues"][0] == {
        "field": "email",
        "code": "invalid_email",
        "message": "'x' is not a valid email: it needs exactly one '@'",
        "value": "x",
    }
    assert ValidationReport.model_validate(stored).issues == report.issues


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
FIELDS = [rule.field for rule in CUSTOMER_RULES.fields + PRODUCT_RULES.fields]
TEXTY = st.text(alphabet=st.characters(codec="utf-8"), max_size=60) | st.sampled_from(
    [
        "+32 2 555 12 12",
        "BE0477472701",
        "a@b.c",
        "a@xn--.com",
        "US-CA",
        "1000",
        "2026-03-29T02:30:00",
        "NaN",
        "1e999",
    ]
)


@settings(max_examples=300)
@given(st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=5), JSON | TEXTY, max_size=12) | JSON)
def test_arbitrary_json_never_raises(record):
    for rules in (CUSTOMER_RULES, PRODUCT_RULES):
        report = validate_record(record, rules)
        json.loads(report.model_dump_json())
        assert report.valid == (not report.issues)
