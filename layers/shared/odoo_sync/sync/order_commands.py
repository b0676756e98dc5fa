"""The x2many commands that make an order's lines in Odoo the wanted ones, and whether Odoo will
take changes to an order at all."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from odoo_sync.sync.order_lines import LineFields
from odoo_sync.sync.planner import read_value, same_value

LINE_NUMBERS = ("product_uom_qty", "price_unit", "discount")


def is_locked(current: Mapping[str, Any]) -> bool:
    """Confirmed and locked (17+), or `done` (Odoo's locked state before 17)."""
    state = current.get("state")
    return state == "done" or (state == "sale" and current.get("locked") is True)


def line_commands(
    wanted: Sequence[dict[str, Any]], current: Sequence[dict[str, Any]], fields: LineFields
) -> list[list[Any]]:
    """The x2many commands that make Odoo's lines the wanted ones: lines are paired by product in
    order; a paired line is updated with what differs, the others created or deleted."""
    existing = [row for row in current if not row.get("display_type")]
    used: set[int] = set()
    commands: list[list[Any]] = []
    for vals in wanted:
        row = next(
            (
                r
                for r in existing
                if int(r["id"]) not in used
                and read_value(r.get("product_id"), "many2one") == vals.get("product_id")
            ),
            None,
        )
        if row is None:
            commands.append([0, 0, dict(vals)])
            continue
        used.add(int(row["id"]))
        changed = {
            name: value
            for name, value in vals.items()
            if not _same_line_value(name, value, row.get(name), fields)
        }
        if changed:
            commands.append([1, int(row["id"]), changed])
    commands += [[2, int(row["id"]), 0] for row in existing if int(row["id"]) not in used]
    return commands


def _same_line_value(name: str, new: Any, current: Any, fields: LineFields) -> bool:
    if name == fields.taxes:
        wanted = new[0][2] if isinstance(new, list) and new and isinstance(new[0], list) else new
        return sorted(wanted or []) == sorted(read_value(current, "many2many"))
    if name in ("product_id", fields.uom):
        return bool(new == read_value(current, "many2one"))
    if name in LINE_NUMBERS:
        return round(float(new or 0), 6) == round(float(current or 0), 6)
    return bool(same_value(new, current, None))
