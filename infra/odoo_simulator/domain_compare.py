"""Domain leaves on one field of the record: its value against the leaf's, as PostgreSQL compares
them (NULLs, like patterns, membership, ordering, dates, many2one by name)."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .domain_relations import Predicate, related_ids
from .errors import PythonError, value_error
from .fields import DATE_FORMAT, DATETIME_FORMAT, X2MANY, Field

if TYPE_CHECKING:
    from .models.base import BaseModel

NEGATIVE = frozenset({"!=", "<>", "not like", "not ilike", "not in", "not any"})


def like_to_regex(pattern: str, *, wrap: bool) -> re.Pattern[str]:
    """SQL LIKE pattern (% and _ wildcards, backslash escapes) as a regular expression."""
    out: list[str] = []
    escaped = False
    for char in pattern:
        if escaped:
            out.append(re.escape(char))
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "%":
            out.append(".*")
        elif char == "_":
            out.append(".")
        else:
            out.append(re.escape(char))
    body = "".join(out)
    if wrap:
        body = f".*{body}.*"
    return re.compile(f"^{body}$", re.DOTALL)


def compare_field(model: BaseModel, fld: Field, operator: str, value: Any) -> Predicate:
    if operator == "=?":
        if value is False or value is None:
            return lambda _rid: True
        operator = "="
    if operator == "<>":
        operator = "!="
    if fld.type in X2MANY:
        return _compare_x2many(model, fld, operator, value)
    if fld.type == "many2one" and _is_textual_value(value) and operator not in ("in", "not in"):
        return _compare_many2one_by_name(model, fld, operator, value)
    if fld.type == "many2one" and operator in ("in", "not in") and any(isinstance(v, str) for v in value):
        return _compare_many2one_by_name(model, fld, "=" if operator == "in" else "!=", value)
    normalise = _normaliser(model, fld)
    target = _normalise_value(model, fld, operator, value)
    test = _scalar_test(operator, target)
    return lambda rid: test(normalise(model._raw(rid, fld.name)))


def _is_textual_value(value: Any) -> bool:
    return isinstance(value, str) or (
        isinstance(value, (list, tuple)) and bool(value) and all(isinstance(v, str) for v in value)
    )


def _compare_many2one_by_name(model: BaseModel, fld: Field, operator: str, value: Any) -> Predicate:
    comodel = model.env[fld.relation or ""].with_context(active_test=False)
    positive = operator.replace("not ", "").replace("!=", "=")
    values = value if isinstance(value, (list, tuple)) else [value]
    matching: set[int] = set()
    for text in values:
        matching.update(rid for rid, _n in comodel._name_search_pairs(str(text), positive))
    if operator in NEGATIVE:
        return lambda rid: model._raw(rid, fld.name) not in matching
    return lambda rid: model._raw(rid, fld.name) in matching


def _compare_x2many(model: BaseModel, fld: Field, operator: str, value: Any) -> Predicate:
    if value is False or value is None or value == []:
        if operator in ("=", "in"):
            return lambda rid: not related_ids(model, fld, rid)
        return lambda rid: bool(related_ids(model, fld, rid))
    if _is_textual_value(value):
        comodel = model.env[fld.relation or ""].with_context(active_test=False)
        positive = operator.replace("not ", "").replace("!=", "=")
        texts = value if isinstance(value, (list, tuple)) else [value]
        ids = {rid for text in texts for rid, _n in comodel._name_search_pairs(str(text), positive)}
    else:
        ids = set(value) if isinstance(value, (list, tuple)) else {value}
    if operator in NEGATIVE:
        return lambda rid: not (set(related_ids(model, fld, rid)) & ids)
    return lambda rid: bool(set(related_ids(model, fld, rid)) & ids)


def _normaliser(model: BaseModel, fld: Field) -> Callable[[Any], Any]:
    if fld.type == "datetime":
        # Odoo 19 compares whole seconds; older versions compare the microsecond column.
        truncate = model.env.personality.major >= 19

        def normalise_dt(raw: Any) -> Any:
            if not isinstance(raw, datetime):
                return None
            return raw.replace(microsecond=0) if truncate else raw

        return normalise_dt
    return lambda raw: None if raw is False or raw is None else raw


def _normalise_value(model: BaseModel, fld: Field, operator: str, value: Any) -> Any:
    if operator in ("in", "not in"):
        if not isinstance(value, (list, tuple)):
            value = [value]
        return [_normalise_scalar(model, fld, v) for v in value]
    if operator in ("like", "not like", "ilike", "not ilike", "=like", "=ilike"):
        return value
    return _normalise_scalar(model, fld, value)


def _normalise_scalar(model: BaseModel, fld: Field, value: Any) -> Any:
    if value is False or value is None:
        return None
    if fld.type == "datetime":
        return parse_domain_datetime(model, value)
    if fld.type == "date" and isinstance(value, str):
        try:
            return datetime.strptime(value[:10], DATE_FORMAT).strftime(DATE_FORMAT)
        except ValueError:
            raise value_error(f"Invalid term {value!r} in expression date: {value!r}") from None
    if fld.type in ("float", "monetary") and isinstance(value, (int, float)):
        return float(value)
    return value


def parse_domain_datetime(model: BaseModel, value: Any) -> datetime:
    """Datetime values in domains: 17 accepts ISO forms and ignores offsets, 19 refuses offsets."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    old_style = model.env.personality.major < 19
    if not isinstance(value, str):
        if old_style:  # 17 passes the value on to PostgreSQL, which refuses it
            raise _datetime_overflow(str(value))
        raise value_error(f"Failed to cast {value!r} into a datetime")
    text = value.strip()
    has_zone = text.endswith("Z") or bool(re.search(r"[+-]\d\d:?\d\d$", text[10:]))
    if has_zone and model.env.personality.major >= 19:
        raise value_error(f"expecting only datetimes with no timezone: {value!r}")
    bare = re.sub(r"(Z|[+-]\d\d:?\d\d)$", "", text) if has_zone else text
    bare = bare.replace("T", " ")
    for pattern in (DATETIME_FORMAT + ".%f", DATETIME_FORMAT, DATE_FORMAT):
        try:
            return datetime.strptime(bare, pattern)
        except ValueError:
            continue
    if old_style:
        raise _datetime_overflow(f"{text} 00:00:00" if len(text) == 10 else text)
    raise value_error(f"Invalid term {value!r} in expression date: {value!r}")


def _datetime_overflow(sent: str) -> PythonError:
    return PythonError(
        "DatetimeFieldOverflow",
        f'date/time field value out of range: "{sent}"\n'
        'HINT:  Perhaps you need a different "datestyle" setting.\n',
        module="psycopg2.errors",
    )


def _scalar_test(operator: str, target: Any) -> Callable[[Any], bool]:
    if operator in ("like", "not like", "ilike", "not ilike", "=like", "=ilike"):
        return _like_test(operator, target)
    if operator == "=":
        return lambda v: v == target if target is not None else v is None
    if operator == "!=":
        return lambda v: v != target if target is not None else v is not None
    if operator in ("in", "not in"):
        members = [t for t in target if t is not None]
        with_null = any(t is None for t in target)
        try:  # a set when every member can be hashed: a long `in` list is tested once per record
            lookup: Collection[Any] = frozenset(members)
        except TypeError:
            lookup = members

        def inside(v: Any) -> bool:
            if v is None:
                return with_null
            try:
                return v in lookup
            except TypeError:  # an unhashable value (a list) is compared member by member
                return v in members

        return inside if operator == "in" else (lambda v: not inside(v))
    return _ordering_test(operator, target)


def _ordering_test(operator: str, target: Any) -> Callable[[Any], bool]:
    def test(value: Any) -> bool:
        if value is None or target is None:
            return False
        try:
            if operator == "<":
                return bool(value < target)
            if operator == "<=":
                return bool(value <= target)
            if operator == ">":
                return bool(value > target)
            return bool(value >= target)
        except TypeError:
            return False

    return test


def _like_test(operator: str, target: Any) -> Callable[[Any], bool]:
    if target is False or target is None:
        # Odoo treats ('x', 'ilike', False) as "x is not set".
        positive = not operator.startswith("not")
        return lambda v: (v is None) == positive
    wrap = not operator.startswith("=")
    insensitive = "ilike" in operator
    text = str(target)
    regex = like_to_regex(text.lower() if insensitive else text, wrap=wrap)

    def matches(value: Any) -> bool:
        if value is None:
            return False
        subject = str(value).lower() if insensitive else str(value)
        return regex.match(subject) is not None

    if operator.startswith("not"):
        return lambda v: v is None or not matches(v)
    return matches
