"""Comparing new values with Odoo's, grouping writes, and reading Odoo's error messages."""

from __future__ import annotations

import pytest

from odoo_sync.odoo import OdooServerError, OdooValidationError
from odoo_sync.sync.outcome_base import odoo_error_details
from odoo_sync.sync.planner import changed_values, create_values, group_writes, same_value, snapshot
from odoo_sync.sync.transform_core import OdooFieldInfo


def info(kind: str) -> OdooFieldInfo:
    return OdooFieldInfo(name="f", type=kind)


@pytest.mark.parametrize(
    ("kind", "new", "current", "digits", "same"),
    [
        ("many2one", 7, [7, "Belgium"], None, True),
        ("many2one", 8, [7, "Belgium"], None, False),
        ("many2one", False, False, None, True),
        ("many2many", [[6, 0, [3, 1]]], [1, 3], None, True),
        ("many2many", [[6, 0, [1]]], [1, 3], None, False),
        ("float", 19.99, 19.990000000000002, None, True),
        ("float", 19.99, 19.98, None, False),
        ("float", 1.2345, 1.23, 2, True),
        ("float", False, 0.0, None, True),
        ("integer", 3, 3, None, True),
        ("boolean", False, False, None, True),
        ("boolean", True, False, None, False),
        ("char", False, False, None, True),
        ("char", None, False, None, True),
        ("char", "", False, None, True),
        ("char", "a", "A", None, False),
        ("date", "2024-01-31", "2024-01-31", None, True),
        ("selection", "person", "company", None, False),
    ],
)
def test_same_value_reads_odoo_representation(
    kind: str, new: object, current: object, digits: int | None, same: bool
) -> None:
    assert same_value(new, current, info(kind), digits) is same


def test_only_changed_values_are_written_and_images_compare_by_digest() -> None:
    types = {"name": info("char"), "country_id": info("many2one"), "image_1920": info("binary")}
    vals = {"name": "New", "country_id": 5, "image_1920": "aGVsbG8="}
    current = {"name": "Old", "country_id": [5, "Spain"]}

    changed = changed_values(
        vals,
        current,
        types.get,
        lambda _name: None,
        digests={"image_1920": "sha256:a"},
        previous={"image_1920": "sha256:a"},
    )

    assert changed == {"name": "New"}


def test_a_field_odoo_did_not_return_counts_as_changed() -> None:
    assert changed_values({"ref": "x"}, {}, {"ref": info("char")}.get, lambda _n: None) == {"ref": "x"}


def test_create_values_leave_empty_fields_to_odoo_defaults_but_keep_false_booleans() -> None:
    types = {"name": info("char"), "email": info("char"), "is_company": info("boolean")}
    assert create_values({"name": "A", "email": False, "is_company": False}, types.get) == {
        "name": "A",
        "is_company": False,
    }


def test_writes_are_grouped_by_identical_values_in_first_seen_order() -> None:
    groups = group_writes(
        [
            ("a", 1, {"city": "X", "zip": "1"}),
            ("b", 2, {"zip": "1", "city": "X"}),
            ("c", 3, {"city": "Y"}),
        ]
    )
    assert [(g.odoo_ids, g.local_ids, g.vals) for g in groups] == [
        ([1, 2], ["a", "b"], {"city": "X", "zip": "1"}),
        ([3], ["c"], {"city": "Y"}),
    ]


def test_snapshot_keeps_written_values_over_read_ones_and_digests_for_images() -> None:
    types = {"name": info("char"), "country_id": info("many2one"), "image_1920": info("binary")}
    kept = snapshot(
        {"name": "New", "image_1920": "big base64"},
        {"name": "Old", "country_id": [5, "Spain"]},
        ["country_id", "image_1920", "name"],
        types.get,
        {"image_1920": "sha256:abc"},
    )
    assert kept == {"name": "New", "country_id": 5, "image_1920": "sha256:abc"}


@pytest.mark.parametrize(
    ("error", "field", "value"),
    [
        (
            OdooValidationError(
                "The operation cannot be completed: Missing required value for the field 'Name' (name)."
            ),
            "name",
            None,
        ),
        (
            OdooValidationError(
                "The operation cannot be completed:\n- Create/update: a mandatory field is not set.\n\n"
                "Model: Contact (res.partner)\nField: Name (name)"
            ),
            "name",
            None,
        ),
        (OdooServerError("Wrong value for res.partner.lang: 'xx_XX'"), "lang", "xx_XX"),
        (OdooServerError("Invalid field 'x_brand' on model 'product.template'"), "x_brand", None),
        (
            OdooValidationError(
                'Barcode(s) already assigned:\n\n- Barcode "4006381333931" already assigned to ...'
            ),
            "barcode",
            "4006381333931",
        ),
        (OdooValidationError("Something else entirely"), None, None),
    ],
)
def test_odoo_error_details_name_the_field_and_value_odoo_gives(
    error: OdooValidationError, field: str | None, value: str | None
) -> None:
    details = odoo_error_details(error)
    assert details["code"] == "odoo_rejected"
    assert details["message"] == error.message
    assert details.get("field") == field
    assert details.get("value") == value
