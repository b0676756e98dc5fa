"""Value maps: local values to Odoo ids/keys per direction, unmapped values, auto-create."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from odoo_sync.sync.issues import InvalidValueError, IssueCode
from odoo_sync.sync.lookups import AutoCreateNeeded
from odoo_sync.sync.value_maps import ValueMap, ValueMapKind, ValueMaps


def category_map(**options) -> ValueMap:
    return ValueMap.model_validate(
        {
            "kind": "category",
            "entries": [
                {"local": "Shoes", "odoo": 12},
                {"local": "Footwear", "odoo": 12, "direction": "to_odoo"},
                {"local": "Hats", "odoo": 13},
            ],
            **options,
        }
    )


def test_local_values_map_to_ids_case_insensitively():
    value_map = category_map()
    assert value_map.to_odoo(" shoes ") == 12
    assert value_map.to_odoo("Footwear") == 12
    assert value_map.odoo_model == "product.category"


def test_ids_map_back_to_the_entry_used_in_that_direction():
    value_map = category_map()
    assert value_map.from_odoo(12) == "Shoes"
    assert value_map.from_odoo(13) == "Hats"


def test_unmapped_value_names_the_value_and_the_map():
    with pytest.raises(InvalidValueError) as caught:
        category_map().to_odoo("Gloves")
    assert caught.value.code is IssueCode.UNMAPPED_VALUE
    assert "'Gloves'" in caught.value.message
    assert "'category'" in caught.value.message
    with pytest.raises(InvalidValueError) as back:
        category_map().from_odoo(99)
    assert "99" in back.value.message


def test_case_sensitive_map():
    with pytest.raises(InvalidValueError):
        category_map(case_sensitive=True).to_odoo("shoes")


def test_auto_create_signals_instead_of_failing():
    with pytest.raises(AutoCreateNeeded) as signal:
        category_map(auto_create=True).to_odoo(" Gloves ")
    request = signal.value.request
    assert (request.model, request.match_field, request.value, request.value_map) == (
        "product.category",
        "name",
        "Gloves",
        "category",
    )


@pytest.mark.parametrize(
    "entries",
    [
        [{"local": "A", "odoo": 1}, {"local": "a", "odoo": 2}],  # one local value, two ids
        [{"local": "A", "odoo": 1}, {"local": "B", "odoo": 1}],  # one id back to two values
        [{"local": "A", "odoo": "shoes"}],  # a key in a model map
        [{"local": "A", "odoo": 0}],
        [{"local": "   ", "odoo": 1}],
    ],
)
def test_inconsistent_maps_are_refused_when_saved(entries):
    with pytest.raises(ValidationError):
        ValueMap.model_validate({"kind": "category", "entries": entries})


def test_selection_maps_hold_keys_and_cannot_auto_create():
    value_map = ValueMap(
        kind=ValueMapKind.SELECTION, name="partner-type", entries=[{"local": "Billing", "odoo": "invoice"}]
    )
    assert value_map.key == "selection:partner-type"
    assert value_map.to_odoo("billing") == "invoice"
    with pytest.raises(ValidationError):
        ValueMap(kind=ValueMapKind.SELECTION, entries=[{"local": "A", "odoo": 3}])
    with pytest.raises(ValidationError):
        ValueMap(kind=ValueMapKind.SELECTION, auto_create=True)


@pytest.mark.parametrize("bad", [None, True, 1.5, ["Shoes"]])
def test_values_that_cannot_be_keys_are_rejected(bad):
    with pytest.raises(InvalidValueError) as caught:
        category_map().to_odoo(bad)
    assert caught.value.code is IssueCode.WRONG_TYPE


def test_maps_round_trip_through_json():
    value_map = category_map()
    again = ValueMap.model_validate_json(value_map.model_dump_json())
    assert again.to_odoo("hats") == 13


def test_value_maps_container_requires_defined_maps():
    maps = ValueMaps([category_map()])
    assert "category" in maps
    assert maps.get("tax") is None
    with pytest.raises(InvalidValueError) as caught:
        maps.require("tax")
    assert caught.value.code is IssueCode.CONFIGURATION
