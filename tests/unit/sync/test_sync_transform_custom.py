"""`custom` mappings: named, parameterised functions, never code."""

from __future__ import annotations

import pytest

from odoo_sync.sync.issues import InvalidValueError, IssueCode
from odoo_sync.sync.transforms import TransformSpecError, convert, parse_transform_spec
from odoo_sync.sync.value_maps import ValueMap, ValueMaps


def test_concat_joins_record_fields(make_ctx):
    spec = parse_transform_spec("custom", {"function": "concat", "fields": ["first", "middle", "last"]})
    ctx = make_ctx("char", record={"first": " Ann ", "middle": "", "last": "Lee"})
    assert spec.to_odoo(None, ctx) == "Ann Lee"
    keep_empty = parse_transform_spec(
        "custom",
        {"function": "concat", "fields": ["first", "middle", "last"], "separator": "|", "skip_empty": False},
    )
    assert keep_empty.to_odoo(None, ctx) == "Ann||Lee"


def test_concat_of_nothing_is_odoo_empty(make_ctx):
    spec = parse_transform_spec("custom", {"function": "concat", "fields": ["a", "b"]})
    assert spec.to_odoo(None, make_ctx("char", record={})) is False


def test_concat_reads_many2one_names_from_odoo_records(make_ctx):
    spec = parse_transform_spec(
        "custom", {"function": "concat", "fields": ["city", "country_id"], "separator": ", "}
    )
    ctx = make_ctx("char", record={"city": "Brussels", "country_id": [20, "Belgium"]})
    assert spec.from_odoo("ignored", ctx) == "Brussels, Belgium"


def test_concat_refuses_structured_fields(make_ctx):
    spec = parse_transform_spec("custom", {"function": "concat", "fields": ["tags"]})
    with pytest.raises(InvalidValueError) as caught:
        spec.to_odoo(None, make_ctx("char", record={"tags": {"a": 1}}))
    assert "'tags'" in caught.value.message


def test_split_takes_one_part(make_ctx):
    first = parse_transform_spec("custom", {"function": "split", "index": 0})
    last = parse_transform_spec("custom", {"function": "split", "index": -1})
    rest = parse_transform_spec("custom", {"function": "split", "index": 1, "rest": True})
    ctx = make_ctx("char")
    assert first.to_odoo("Ann Mary Lee", ctx) == "Ann"
    assert last.to_odoo("Ann Mary Lee", ctx) == "Lee"
    assert rest.to_odoo("Ann Mary Lee", ctx) == "Mary Lee"
    assert parse_transform_spec("custom", {"function": "split", "index": 5}).to_odoo("Ann", ctx) is False
    with pytest.raises(InvalidValueError):
        first.to_odoo(12, ctx)


def test_inline_map_with_and_without_default(make_ctx):
    spec = parse_transform_spec("custom", {"function": "map", "values": {"S": "small", "L": "large"}})
    ctx = make_ctx("char")
    assert spec.to_odoo("S", ctx) == "small"
    assert spec.from_odoo("large", ctx) == "L"
    with pytest.raises(InvalidValueError) as caught:
        spec.to_odoo("XL", ctx)
    assert caught.value.code is IssueCode.UNMAPPED_VALUE
    assert "'XL'" in caught.value.message
    defaulted = parse_transform_spec(
        "custom", {"function": "map", "values": {"S": "small"}, "default": "medium", "use_default": True}
    )
    assert defaulted.to_odoo("XL", ctx) == "medium"


def test_many_to_one_inline_map_cannot_map_back(make_ctx):
    spec = parse_transform_spec("custom", {"function": "map", "values": {"S": "small", "XS": "small"}})
    assert not spec.supports("from_odoo")
    outcome = convert(spec, "from_odoo", "small", make_ctx("char", field="size"))
    assert outcome.issue is not None
    assert outcome.issue.code == "configuration"


def test_named_value_map_lookup(make_ctx):
    maps = ValueMaps([ValueMap(kind="uom", entries=[{"local": "pcs", "odoo": 1}])])
    spec = parse_transform_spec("custom", {"function": "value_map", "value_map": "uom"})
    ctx = make_ctx("many2one", value_maps=maps)
    assert spec.to_odoo("PCS", ctx) == 1
    assert spec.from_odoo([1, "Units"], ctx) == "pcs"


def test_default_and_constant(make_ctx):
    default = parse_transform_spec("custom", {"function": "default", "value": "n/a"})
    constant = parse_transform_spec("custom", {"function": "constant", "value": "contact"})
    ctx = make_ctx("char")
    assert default.to_odoo("", ctx) == "n/a"
    assert default.to_odoo("given", ctx) == "given"
    assert default.from_odoo(False, ctx) == "n/a"
    assert constant.to_odoo("anything", ctx) == "contact"
    assert constant.to_odoo(None, ctx) == "contact"


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"function": "eval", "expression": "__import__('os')"},
        {"function": "concat", "fields": []},
        {"function": "concat"},
        {"function": "split", "separator": ""},
        {"function": "map", "values": {}},
        {"function": "constant"},
        {"function": "concat", "fields": ["a"], "template": "{a}"},
    ],
)
def test_anything_but_the_listed_functions_is_refused(params):
    with pytest.raises(TransformSpecError):
        parse_transform_spec("custom", params)
