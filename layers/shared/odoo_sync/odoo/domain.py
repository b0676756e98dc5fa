"""Validate an Odoo domain that arrived as JSON: it is checked as data and never evaluated.

A domain is a list in prefix notation: terms [field_path, operator, value] and the operators
'&', '|' (two operands) and '!' (one). Consecutive top-level expressions are AND-ed, as Odoo does.
"""

from __future__ import annotations

import math
import re
from typing import Any

FIELD_PATH = re.compile(r"^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)*$")
OPERATORS = frozenset(
    {
        "=",
        "!=",
        "<>",
        "<",
        "<=",
        ">",
        ">=",
        "in",
        "not in",
        "like",
        "not like",
        "ilike",
        "not ilike",
        "=like",
        "=ilike",
        "child_of",
        "parent_of",
        "any",
        "not any",
    }
)
NESTED_OPERATORS = frozenset({"any", "not any"})
LIST_OPERATORS = frozenset({"in", "not in"})
LOGIC_ARITY = {"&": 2, "|": 2, "!": 1}

MAX_ELEMENTS = 1000  # terms and operators, all levels together
MAX_DEPTH = 5  # nesting through any / not any
MAX_LIST_ITEMS = 10_000
MAX_STRING = 10_000
MAX_FIELD_PATH = 256

Path = tuple[int, ...]


class DomainError(ValueError):
    def __init__(self, message: str, path: Path = ()) -> None:
        where = f" at {'.'.join(str(i) for i in path)}" if path else ""
        super().__init__(f"{message}{where}")
        self.message = message
        self.path = path

    def to_dict(self) -> dict[str, object]:
        return {"message": self.message, "path": list(self.path)}


class _Budget:
    def __init__(self) -> None:
        self.elements = 0

    def spend(self, path: Path) -> None:
        self.elements += 1
        if self.elements > MAX_ELEMENTS:
            raise DomainError(f"domain has more than {MAX_ELEMENTS} elements", path)


def validate_domain(obj: object) -> list[Any]:
    """A validated copy of `obj` (terms as lists); DomainError with the index path at fault otherwise."""
    return _domain(obj, (), 0, _Budget())


def _domain(obj: object, path: Path, depth: int, budget: _Budget) -> list[Any]:
    if depth > MAX_DEPTH:
        raise DomainError(f"domain nested deeper than {MAX_DEPTH} levels", path)
    if not isinstance(obj, list):
        raise DomainError("domain must be a list", path)
    result: list[Any] = []
    for index, element in enumerate(obj):
        budget.spend((*path, index))
        if isinstance(element, str):
            if element not in LOGIC_ARITY:
                raise DomainError(
                    f"unknown logical operator {element[:20]!r} (use '&', '|' or '!')", (*path, index)
                )
            result.append(element)
        else:
            result.append(_term(element, (*path, index), depth, budget))
    _check_arity(result, path)
    return result


def _check_arity(elements: list[Any], path: Path) -> None:
    """Prefix notation: reading right to left, each operator consumes its operands from a stack."""
    available = 0
    for index in range(len(elements) - 1, -1, -1):
        element = elements[index]
        if isinstance(element, str):
            arity = LOGIC_ARITY[element]
            if available < arity:
                raise DomainError(f"operator {element!r} needs {arity} operand(s)", (*path, index))
            available -= arity - 1
        else:
            available += 1


def _term(element: object, path: Path, depth: int, budget: _Budget) -> list[Any]:
    if not isinstance(element, list | tuple) or len(element) != 3:
        raise DomainError("a term must be [field, operator, value]", path)
    field, operator, value = element
    if not isinstance(field, str) or len(field) > MAX_FIELD_PATH or not FIELD_PATH.match(field):
        raise DomainError("invalid field path (lowercase names joined by dots)", (*path, 0))
    if not isinstance(operator, str) or operator not in OPERATORS:
        raise DomainError(f"operator not allowed: {str(operator)[:20]!r}", (*path, 1))
    value_path = (*path, 2)
    if operator in NESTED_OPERATORS:
        return [field, operator, _domain(value, value_path, depth + 1, budget)]
    if operator in LIST_OPERATORS:
        if not isinstance(value, list):
            raise DomainError(f"operator {operator!r} needs a list value", value_path)
        return [field, operator, _scalar_list(value, value_path)]
    if isinstance(value, list):
        return [field, operator, _scalar_list(value, value_path)]
    return [field, operator, _scalar(value, value_path)]


def _scalar_list(values: list[Any], path: Path) -> list[Any]:
    if len(values) > MAX_LIST_ITEMS:
        raise DomainError(f"value list longer than {MAX_LIST_ITEMS}", path)
    return [_scalar(item, (*path, index)) for index, item in enumerate(values)]


def _scalar(value: object, path: Path) -> object:
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise DomainError("value must be a finite number", path)
        return value
    if isinstance(value, str):
        if len(value) > MAX_STRING:
            raise DomainError(f"string value longer than {MAX_STRING} characters", path)
        return value
    raise DomainError("value must be a string, number, boolean, null or a list of those", path)
