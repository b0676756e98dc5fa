"""`load()`: Odoo's import, addressing records by external id and relations by name or xmlid."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import OdooException
from .external_ids import xmlid_rows

if TYPE_CHECKING:
    from .base import BaseModel


class ImportRowError(Exception):
    def __init__(self, field: str, field_string: str, message: str, relation: str | None) -> None:
        super().__init__(message)
        self.field = field
        self.field_string = field_string
        self.message = message
        self.relation = relation


def _resolve_xmlid(model: BaseModel, xmlid: str) -> tuple[str, int] | None:
    module, _, name = xmlid.partition(".")
    if not name:
        module, name = "__import__", xmlid
    for _xid, row in xmlid_rows(model.env.store, module, name):
        return str(row["model"]), int(row["res_id"])
    return None


def _convert_cell(model: BaseModel, column: str, cell: Any) -> tuple[str, Any]:
    name, _, suffix = column.partition("/")
    fld = model._fields[name]
    if fld.type not in ("many2one", "many2many") or cell in (None, False, ""):
        return name, cell if cell != "" else False
    comodel = model.env[fld.relation or ""]
    found: list[int] = []
    for part in str(cell).split(",") if fld.type == "many2many" else [str(cell)]:
        target = _resolve_xmlid(model, part.strip()) if suffix == "id" else None
        if suffix == "id" and target:
            found.append(target[1])
            continue
        matches = [] if suffix == "id" else comodel._name_search_pairs(part.strip(), "=ilike")
        if not matches:
            kind = "external id" if suffix == "id" else "name"
            message = f"No matching record found for {kind} '{part.strip()}' in field '{fld.string}'"
            raise ImportRowError(name, fld.string, message, fld.relation)
        found.append(matches[0][0])
    return name, (found[0] if fld.type == "many2one" else [(6, 0, found)])


def _error_message(index: int, error: ImportRowError) -> dict[str, Any]:
    message: dict[str, Any] = {
        "rows": {"from": index, "to": index},
        "type": "error",
        "record": index,
        "field": error.field,
        "message": error.message,
    }
    if error.relation:
        message["moreinfo"] = {
            "name": "Possible Values",
            "type": "ir.actions.act_window",
            "target": "new",
            "view_mode": "list,form",
            "views": [[False, "list"], [False, "form"]],
            "context": {"create": False},
            "help": "See all possible values",
            "res_model": error.relation,
        }
    message["field_name"] = error.field_string
    return message


def _import_row(model: BaseModel, fields: list[str], row: list[Any]) -> int:
    vals: dict[str, Any] = {}
    xmlid: str | None = None
    for column, cell in zip(fields, row, strict=False):
        if column == "id":
            xmlid = str(cell) if cell else None
            continue
        name, value = _convert_cell(model, column, cell)
        vals[name] = value
    existing = _resolve_xmlid(model, xmlid) if xmlid else None
    if existing and existing[1] in model._table():
        model.browse([existing[1]]).write(vals)
        return existing[1]
    rid = model.create(vals).ids[0]
    if xmlid:
        module, _, name = xmlid.partition(".")
        if not name:
            module, name = "__import__", xmlid
        model.sudo_create_xmlid(module, name, rid)
    return rid


def run_import(model: BaseModel, fields: list[str], data: list[list[Any]]) -> dict[str, Any]:
    ids: list[int] = []
    messages: list[dict[str, Any]] = []
    for index, row in enumerate(data):
        try:
            ids.append(_import_row(model, fields, row))
        except ImportRowError as error:
            messages.append(_error_message(index, error))
        except OdooException as error:
            messages.append(
                {
                    "rows": {"from": index, "to": index},
                    "type": "error",
                    "record": index,
                    "message": error.message,
                }
            )
    if messages:
        # Odoo rolls the whole import back when a row fails.
        raise ImportFailedError({"ids": False, "messages": messages, "nextrow": 0})
    return {"ids": ids, "messages": [], "nextrow": 0}


class ImportFailedError(Exception):
    """Carries load()'s answer for a failed import; the dispatcher rolls back, then returns it."""

    def __init__(self, answer: dict[str, Any]) -> None:
        super().__init__("import failed")
        self.answer = answer
