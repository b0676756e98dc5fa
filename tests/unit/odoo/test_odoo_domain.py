"""Domains arriving as JSON are validated as data: shape, operators, arity, bounds."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from odoo_sync.odoo import DomainError, validate_domain
from odoo_sync.odoo.domain import MAX_DEPTH, MAX_ELEMENTS, OPERATORS

FIELDS = st.from_regex(r"\A[a-z_][a-z0-9_]{0,8}(\.[a-z_][a-z0-9_]{0,8}){0,2}\Z")
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
)
FLAT_OPERATORS = sorted(OPERATORS - {"any", "not any", "in", "not in"})


def terms(depth: int = 0) -> st.SearchStrategy[list[Any]]:
    flat = st.one_of(
        st.tuples(FIELDS, st.sampled_from(FLAT_OPERATORS), SCALARS).map(list),
        st.tuples(FIELDS, st.sampled_from(["in", "not in"]), st.lists(SCALARS, max_size=5)).map(list),
    )
    if depth >= 1:
        return flat
    nested = st.tuples(FIELDS, st.sampled_from(["any", "not any"]), domains(depth + 1)).map(list)
    return st.one_of(flat, nested)


def expressions(depth: int) -> st.SearchStrategy[list[Any]]:
    """One well-formed prefix expression, as a flat list."""
    return st.recursive(
        terms(depth).map(lambda t: [t]),
        lambda inner: st.one_of(
            st.tuples(st.sampled_from(["&", "|"]), inner, inner).map(lambda p: [p[0], *p[1], *p[2]]),
            inner.map(lambda e: ["!", *e]),
        ),
        max_leaves=4,
    )


def domains(depth: int = 0) -> st.SearchStrategy[list[Any]]:
    return st.lists(expressions(depth), max_size=3).map(lambda parts: [x for part in parts for x in part])


@given(domains())
@settings(max_examples=150, deadline=None)
def test_every_well_formed_domain_is_accepted_unchanged(domain: list[Any]) -> None:
    assert validate_domain(json.loads(json.dumps(domain))) == domain


@given(domains().filter(bool), st.sampled_from(["&", "|", "!"]))
@settings(max_examples=50, deadline=None)
def test_an_operator_without_operands_is_refused(domain: list[Any], operator: str) -> None:
    with pytest.raises(DomainError):
        validate_domain([*domain, operator])


@given(st.one_of(SCALARS, st.dictionaries(st.text(max_size=3), SCALARS, max_size=2)))
def test_a_domain_must_be_a_list(value: object) -> None:
    with pytest.raises(DomainError, match="must be a list"):
        validate_domain(value)


@given(st.text(min_size=1, max_size=20).filter(lambda s: s not in OPERATORS))
def test_unknown_operators_are_refused_with_the_path(operator: str) -> None:
    with pytest.raises(DomainError) as caught:
        validate_domain([["name", "=", "x"], ["name", operator, "x"]])
    assert caught.value.path == (1, 1)


@pytest.mark.parametrize(
    ("domain", "path", "fragment"),
    [
        ([["Name", "=", 1]], (0, 0), "field path"),
        ([["name; drop", "=", 1]], (0, 0), "field path"),
        ([["partner_id..name", "=", 1]], (0, 0), "field path"),
        ([["__import__('os')", "=", 1]], (0, 0), "field path"),
        ([[1, "=", 1]], (0, 0), "field path"),
        ([["name", "=", {"a": 1}]], (0, 2), "value"),
        ([["name", "=", [[1]]]], (0, 2, 0), "value"),
        ([["name", "=", float("nan")]], (0, 2), "finite"),
        ([["id", "in", 5]], (0, 2), "list"),
        ([["name", "="]], (0,), "field, operator, value"),
        (["and", ["a", "=", 1]], (0,), "logical operator"),
        (["&", ["a", "=", 1]], (0,), "needs 2"),
        (["!"], (0,), "needs 1"),
        ([["child_ids", "any", [["name", "~", 1]]]], (0, 2, 0, 1), "operator"),
        ([["child_ids", "any", "name = 1"]], (0, 2), "must be a list"),
        ([["name", "=", "x" * 10_001]], (0, 2), "longer"),
    ],
)
def test_bad_domains_name_the_element_at_fault(domain: Any, path: tuple[int, ...], fragment: str) -> None:
    with pytest.raises(DomainError, match=fragment) as caught:
        validate_domain(domain)
    assert caught.value.path == path
    assert caught.value.to_dict()["path"] == list(path)


def test_size_and_depth_are_bounded() -> None:
    with pytest.raises(DomainError, match="more than"):
        validate_domain([["id", "=", i] for i in range(MAX_ELEMENTS + 1)])
    nested: list[Any] = [["name", "=", "x"]]
    for _ in range(MAX_DEPTH + 1):
        nested = [["child_ids", "any", nested]]
    with pytest.raises(DomainError, match="deeper"):
        validate_domain(nested)


def test_typical_domains_pass() -> None:
    domain = ["|", ["is_company", "=", True], "!", ["name", "ilike", "deco"], ["id", "in", [1, 2]]]
    assert validate_domain(domain) == domain
    assert validate_domain([]) == []
    assert validate_domain([("write_date", ">", "2026-01-01 00:00:00")]) == [
        ["write_date", ">", "2026-01-01 00:00:00"]
    ]
