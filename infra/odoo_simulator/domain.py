"""Odoo's domain language, evaluated in memory: prefix &, |, ! with an implicit &, leaves
(path, operator, value) with dotted paths through relational fields.

This module checks and compiles a domain and an `order`; a leaf on a field is compared in
domain_compare, a leaf through a relation followed in domain_relations."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .domain_compare import compare_field
from .domain_relations import Predicate, hierarchy, related_any, through_relation
from .errors import PythonError, type_error, value_error

if TYPE_CHECKING:
    from .models.base import BaseModel


OPERATORS = frozenset(
    {
        "=",
        "!=",
        "<>",
        "<",
        "<=",
        ">",
        ">=",
        "=?",
        "=like",
        "=ilike",
        "like",
        "not like",
        "ilike",
        "not ilike",
        "in",
        "not in",
        "child_of",
        "parent_of",
        "any",
        "not any",
    }
)


def check_domain_type(model: BaseModel, domain: Any) -> list[Any]:
    if isinstance(domain, (list, tuple)):
        return list(domain)
    if model.env.personality.new_style and model.env.personality.major >= 19:
        raise type_error(f"Domain() invalid argument type for domain: {domain!r}")
    raise PythonError(
        "AssertionError",
        "Domains to normalize must have a 'domain' form: a list or tuple of domain components",
    )


def compile_domain(model: BaseModel, domain: Any) -> Predicate:
    """A predicate over record ids of `model`, raising Odoo's errors for a malformed domain."""
    items = check_domain_type(model, domain)
    if not items:
        return lambda _rid: True
    predicates: list[Predicate] = []
    position = 0
    while position < len(items):
        predicate, position = _parse(model, items, position)
        predicates.append(predicate)
    return lambda rid: all(predicate(rid) for predicate in predicates)


def ids_named(domain: Any) -> set[int] | None:
    """The only ids a domain can match when it is a conjunction with an `id` leaf (`=` or `in`
    integers), None when it may match others."""
    if not isinstance(domain, (list, tuple)) or any(item in ("|", "!") for item in domain):
        return None
    named: set[int] | None = None
    for leaf in domain:
        if not isinstance(leaf, (list, tuple)) or len(leaf) != 3 or leaf[0] != "id":
            continue
        operator, value = leaf[1], leaf[2]
        values = [value] if operator == "=" else value if operator == "in" else None
        if not isinstance(values, (list, tuple)) or not all(type(v) is int for v in values):
            continue
        named = set(values) if named is None else named & set(values)
    return named


def values_named(domain: Any, column: str) -> set[str | int] | None:
    """The only values of `column` a domain can match when it is a conjunction with a `column`
    leaf (`=` or `in` strings or integers), None when it may match others. Like `ids_named`, for
    a column an index covers."""
    if not isinstance(domain, (list, tuple)) or any(item in ("|", "!") for item in domain):
        return None
    named: set[str | int] | None = None
    for leaf in domain:
        if not isinstance(leaf, (list, tuple)) or len(leaf) != 3 or leaf[0] != column:
            continue
        operator, value = leaf[1], leaf[2]
        values = [value] if operator == "=" else value if operator == "in" else None
        if not isinstance(values, (list, tuple)) or not all(type(v) in (str, int) for v in values):
            continue
        named = set(values) if named is None else named & set(values)
    return named


def _parse(model: BaseModel, items: list[Any], position: int) -> tuple[Predicate, int]:
    item = items[position]
    if item == "!":
        inner, nxt = _parse(model, items, position + 1)
        return (lambda rid: not inner(rid)), nxt
    if item in ("&", "|"):
        left, nxt = _parse(model, items, position + 1)
        right, nxt = _parse(model, items, nxt)
        if item == "&":
            return (lambda rid: left(rid) and right(rid)), nxt
        return (lambda rid: left(rid) or right(rid)), nxt
    return compile_leaf(model, item), position + 1


def _leaf_repr(leaf: Any) -> str:
    return repr(tuple(leaf)) if isinstance(leaf, (list, tuple)) else repr(leaf)


def compile_leaf(model: BaseModel, leaf: Any) -> Predicate:
    personality = model.env.personality
    if leaf is True or leaf is False:
        return lambda _rid: bool(leaf)
    if not isinstance(leaf, (list, tuple)) or len(leaf) != 3:
        raise value_error(personality.msg("invalid_operator", leaf=_leaf_repr(leaf)))
    path, operator, value = leaf
    if isinstance(path, int) and path in (0, 1) and operator == "=":
        return lambda _rid: path == value
    if not isinstance(operator, str) or operator.lower() not in OPERATORS:
        raise value_error(personality.msg("invalid_operator", leaf=_leaf_repr(leaf)))
    operator = operator.lower()
    if not isinstance(path, str):
        raise value_error(personality.msg("invalid_operator", leaf=_leaf_repr(leaf)))
    name, _, rest = path.partition(".")
    if name not in model._fields:
        raise value_error(
            personality.msg("invalid_field_domain", model=model._name, field=name, leaf=_leaf_repr(leaf))
        )
    fld = model._fields[name]
    if rest:
        return through_relation(model, fld, rest, operator, value)
    if operator in ("any", "not any"):
        return related_any(model, fld, operator, value)
    if operator in ("child_of", "parent_of"):
        return hierarchy(model, fld, operator, value)
    return compare_field(model, fld, operator, value)


def parse_order(model: BaseModel, order: Any) -> list[tuple[str, bool]]:
    """'name asc, id desc' as [(field, descending)], refusing unknown fields like Odoo."""
    if not order:
        order = model._order
    if not isinstance(order, str):
        raise value_error(f"Invalid order: {order!r}")
    keys: list[tuple[str, bool]] = []
    for part in order.split(","):
        words = part.strip().split()
        if not words:
            continue
        name = words[0].strip('"')
        direction = words[1].lower() if len(words) > 1 else "asc"
        if direction not in ("asc", "desc") or len(words) > 4:
            raise value_error(f"Invalid order {order!r} for model {model._name!r}")
        if name not in model._fields:
            raise value_error(f"Invalid field {name!r} on model {model._name!r}")
        keys.append((name, direction == "desc"))
    return keys
