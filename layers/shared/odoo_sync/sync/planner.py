"""Deciding what a chunk must send: which values changed, and which writes can share one call.

Pure functions over Odoo's read representation: many2one as `[id, name]`, x2many as id lists,
floats rounded to the field's digits, `False` for empty. A record whose mapped values already
are in Odoo is not written; records whose changes are the same values share one write.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from odoo_sync.sync.transform_core import OdooFieldInfo

FieldInfoOf = Callable[[str], OdooFieldInfo | None]
DigitsOf = Callable[[str], int | None]
_FLOAT_TYPES = frozenset({"float", "monetary"})
_TEXT_TYPES = frozenset({"char", "text", "html", "selection", "date", "datetime"})


def read_value(value: Any, field_type: str | None) -> Any:
    """Odoo's read value in the shape we write: many2one id, x2many id list, False for empty."""
    if value is None:
        return False
    if field_type == "many2one" and isinstance(value, list | tuple):
        return value[0] if value else False
    if field_type in ("many2many", "one2many"):
        return sorted(_ids_of(value))
    return value


def _ids_of(value: Any) -> list[int]:
    """Ids from an id list or from our own `[[6, 0, ids]]` replace command."""
    if value is False or value is None:
        return []
    if isinstance(value, list) and len(value) == 1 and isinstance(value[0], list) and value[0][:1] == [6]:
        return [int(i) for i in value[0][2]]
    if isinstance(value, list):
        return [int(i) for i in value if isinstance(i, int) and not isinstance(i, bool)]
    return []


def same_value(new: Any, current: Any, info: OdooFieldInfo | None, digits: int | None = None) -> bool:
    """Whether writing `new` would leave Odoo's `current` value as it is."""
    field_type = info.type if info is not None else None
    current = read_value(current, field_type)
    new = read_value(new, field_type)
    if field_type in _FLOAT_TYPES or field_type == "integer":
        return _same_number(new, current, digits if field_type != "integer" else 0)
    if field_type == "boolean":
        return bool(new) == bool(current)
    if field_type in _TEXT_TYPES:
        return _text(new) == _text(current)
    return bool(new == current)


def _same_number(new: Any, current: Any, digits: int | None) -> bool:
    new_number = 0.0 if new is False else new
    current_number = 0.0 if current is False else current
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (new_number, current_number)):
        return bool(new == current)
    if digits is not None:
        return round(float(new_number), digits) == round(float(current_number), digits)
    return math.isclose(float(new_number), float(current_number), rel_tol=1e-12, abs_tol=1e-9)


def _text(value: Any) -> str:
    return "" if value is False or value is None else str(value)


def changed_values(
    vals: Mapping[str, Any],
    current: Mapping[str, Any],
    info_of: FieldInfoOf,
    digits_of: DigitsOf,
    *,
    digests: Mapping[str, str] | None = None,
    previous: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The subset of `vals` that differs from Odoo's `current` row.

    Images are not read back (they are large, and Odoo re-encodes them): they count as changed
    when their digest differs from the one the link's snapshot kept.
    """
    changed: dict[str, Any] = {}
    for name, value in vals.items():
        if digests is not None and name in digests:
            if (previous or {}).get(name) != digests[name]:
                changed[name] = value
            continue
        if name not in current or not same_value(value, current[name], info_of(name), digits_of(name)):
            changed[name] = value
    return changed


def create_values(vals: Mapping[str, Any], info_of: FieldInfoOf) -> dict[str, Any]:
    """A new record's values without the empty ones, so Odoo's defaults apply to them."""
    kept: dict[str, Any] = {}
    for name, value in vals.items():
        info = info_of(name)
        if value is False and (info is None or info.type != "boolean"):
            continue
        kept[name] = value
    return kept


def snapshot(
    vals: Mapping[str, Any],
    current: Mapping[str, Any] | None,
    fields: Sequence[str],
    info_of: FieldInfoOf,
    digests: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The mapped values now in Odoo, for the link: what was read, updated with what was written."""
    result: dict[str, Any] = {}
    for name in fields:
        info = info_of(name)
        field_type = info.type if info is not None else None
        if name in vals:
            result[name] = read_value(vals[name], field_type)
        elif current is not None and name in current:
            result[name] = read_value(current[name], field_type)
    for name, digest in (digests or {}).items():
        result[name] = digest
    return result


@dataclass(frozen=True)
class WriteGroup:
    """One write call: the same values for every record in it."""

    vals: dict[str, Any]
    odoo_ids: list[int]
    local_ids: list[str]


def group_writes(updates: Sequence[tuple[str, int, dict[str, Any]]]) -> list[WriteGroup]:
    """(local id, odoo id, vals) grouped by identical vals, in first-seen order."""
    groups: dict[str, WriteGroup] = {}
    for local_id, odoo_id, vals in updates:
        key = json.dumps(vals, sort_keys=True, default=str)
        group = groups.get(key)
        if group is None:
            groups[key] = WriteGroup(vals=dict(vals), odoo_ids=[odoo_id], local_ids=[local_id])
        else:
            group.odoo_ids.append(odoo_id)
            group.local_ids.append(local_id)
    return list(groups.values())
