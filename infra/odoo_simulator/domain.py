"""Odoo's domain language, evaluated in memory: prefix &, |, ! with an implicit &, leaves
(path, operator, value) with dotted paths through relational fields."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .errors import PythonError, type_error, value_error
from .fields import DATE_FORMAT, DATETIME_FORMAT, X2MANY, Field

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
NEGATIVE = frozenset({"!=", "<>", "not like", "not ilike", "not in", "not any"})
Predicate = Callable[[int], bool]


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
        return _through_relation(model, fld, rest, operator, value)
    if operator in ("any", "not any"):
        return _any(model, fld, operator, value)
    if operator in ("child_of", "parent_of"):
        return _hierarchy(model, fld, operator, value)
    return _compare_field(model, fld, operator, value)


def _related_ids(model: BaseModel, fld: Field, rid: int) -> list[int]:
    raw = model._raw(rid, fld.name)
    if fld.type in X2MANY:
        return list(raw or [])
    return [raw] if raw else []


def _through_relation(model: BaseModel, fld: Field, rest: str, operator: str, value: Any) -> Predicate:
    if not fld.relation:
        raise value_error(
            f"Invalid field {model._name}.{fld.name} in leaf {(fld.name + '.' + rest, operator)}"
        )
    comodel = model.env[fld.relation].with_context(active_test=False)
    matching = set(comodel._search_ids([(rest, operator, value)]))
    return lambda rid: any(target in matching for target in _related_ids(model, fld, rid))


def _any(model: BaseModel, fld: Field, operator: str, value: Any) -> Predicate:
    if not fld.relation:
        raise value_error(f"Invalid field {model._name}.{fld.name} for operator {operator}")
    matching = set(model.env[fld.relation]._search_ids(value))
    found: Predicate = lambda rid: any(t in matching for t in _related_ids(model, fld, rid))  # noqa: E731
    return found if operator == "any" else (lambda rid: not found(rid))


def _hierarchy(model: BaseModel, fld: Field, operator: str, value: Any) -> Predicate:
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
    return lambda rid: any(t in allowed for t in _related_ids(model, fld, rid))


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


def _compare_field(model: BaseModel, fld: Field, operator: str, value: Any) -> Predicate:
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
            return lambda rid: not _related_ids(model, fld, rid)
        return lambda rid: bool(_related_ids(model, fld, rid))
    if _is_textual_value(value):
        comodel = model.env[fld.relation or ""].with_context(active_test=False)
        positive = operator.replace("not ", "").replace("!=", "=")
        texts = value if isinstance(value, (list, tuple)) else [value]
        ids = {rid for text in texts for rid, _n in comodel._name_search_pairs(str(text), positive)}
    else:
        ids = set(value) if isinstance(value, (list, tuple)) else {value}
    if operator in NEGATIVE:
        return lambda rid: not (set(_related_ids(model, fld, rid)) & ids)
    return lambda rid: bool(set(_related_ids(model, fld, rid)) & ids)


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
