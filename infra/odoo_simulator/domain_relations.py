"""Domain leaves that follow relational fields: dotted paths (partner_id.country_id.code),
any / not any, child_of / parent_of; and the ids a relational field holds."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from .errors import value_error
from .fields import X2MANY, Field

if TYPE_CHECKING:
    from .models.base import BaseModel

Predicate = Callable[[int], bool]


def related_ids(model: BaseModel, fld: Field, rid: int) -> list[int]:
    raw = model._raw(rid, fld.name)
    if fld.type in X2MANY:
        return list(raw or [])
    return [raw] if raw else []


def through_relation(model: BaseModel, fld: Field, rest: str, operator: str, value: Any) -> Predicate:
    if not fld.relation:
        raise value_error(
            f"Invalid field {model._name}.{fld.name} in leaf {(fld.name + '.' + rest, operator)}"
        )
    comodel = model.env[fld.relation].with_context(active_test=False)
    matching = set(comodel._search_ids([(rest, operator, value)]))
    return lambda rid: any(target in matching for target in related_ids(model, fld, rid))


def related_any(model: BaseModel, fld: Field, operator: str, value: Any) -> Predicate:
    if not fld.relation:
        raise value_error(f"Invalid field {model._name}.{fld.name} for operator {operator}")
    matching = set(model.env[fld.relation]._search_ids(value))
    found: Predicate = lambda rid: any(t in matching for t in related_ids(model, fld, rid))  # noqa: E731
    return found if operator == "any" else (lambda rid: not found(rid))


def hierarchy(model: BaseModel, fld: Field, operator: str, value: Any) -> Predicate:
    target_model = model if fld.name == "id" else model.env[fld.relation or model._name]
    roots = _as_id_list(target_model, value)
    parent_name = target_model._parent_name
    if parent_name not in target_model._fields:
        allowed = set(roots)
    elif operator == "child_of":
        allowed = _descendants(target_model, roots, parent_name)
    else:
        allowed = _ancestors(target_model, roots, parent_name)
    if fld.name == "id":
        return lambda rid: rid in allowed
    return lambda rid: any(t in allowed for t in related_ids(model, fld, rid))


def _as_id_list(model: BaseModel, value: Any) -> list[int]:
    if isinstance(value, str):
        return [rid for rid, _name in model.with_context(active_test=False)._name_search_pairs(value, "=")]
    if isinstance(value, (list, tuple)):
        return [v for v in value if isinstance(v, int)]
    return [value] if isinstance(value, int) and not isinstance(value, bool) else []


def _descendants(model: BaseModel, roots: Iterable[int], parent_name: str) -> set[int]:
    children: dict[int, list[int]] = {}
    for rid in model._table():
        parent = model._raw(rid, parent_name)
        if parent:
            children.setdefault(parent, []).append(rid)
    found: set[int] = set()
    pending = [r for r in roots if r in model._table()]
    while pending:
        current = pending.pop()
        if current not in found:
            found.add(current)
            pending.extend(children.get(current, []))
    return found


def _ancestors(model: BaseModel, roots: Iterable[int], parent_name: str) -> set[int]:
    found: set[int] = set()
    for root in roots:
        current: Any = root
        while current and current not in found and current in model._table():
            found.add(current)
            current = model._raw(current, parent_name)
    return found
