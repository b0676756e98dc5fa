"""External ids (ir.model.data) of records, found through the table's indexes, and the export that
names records by them."""

from __future__ import annotations

import secrets
from collections.abc import Collection
from typing import TYPE_CHECKING, Any

from ..errors import value_error
from ..fields import X2MANY
from .env import Env
from .reading import ReadableRecords
from .records import Vals

if TYPE_CHECKING:
    from ..store import Row, Store
    from .base import BaseModel

XMLID_MODEL = "ir.model.data"
XMLID_COLUMNS = ("module", "name")  # Odoo's unique ir_model_data_module_name_uniq_index
RECORD_COLUMNS = ("model", "res_id")  # Odoo's ir_model_data_model_res_id_index


def xmlid_rows(store: Store, module: Any, name: Any) -> list[tuple[int, Row]]:
    """The rows of the external id `module.name`, in table order (one, once committed)."""
    table = store.table(XMLID_MODEL)
    candidates = sorted(store.index(XMLID_MODEL, XMLID_COLUMNS).ids([(module, name)]))
    rows = [(xid, table[xid]) for xid in candidates]
    return [(xid, row) for xid, row in rows if row.get("module") == module and row.get("name") == name]


def xmlids_of_records(store: Store, model: str, res_ids: Collection[Any]) -> list[tuple[int, Row]]:
    """The external id rows of these records of `model`, in table order."""
    table = store.table(XMLID_MODEL)
    keys = [(model, res_id) for res_id in res_ids]
    candidates = sorted(store.index(XMLID_MODEL, RECORD_COLUMNS).ids(keys))
    rows = [(xid, table[xid]) for xid in candidates]
    return [(xid, row) for xid, row in rows if row.get("model") == model and row.get("res_id") in res_ids]


class ExternalIdRecords(ReadableRecords):
    def _external_ids(self) -> dict[int, list[str]]:
        found: dict[int, list[str]] = {rid: [] for rid in self.ids}
        rows = sorted(
            xmlids_of_records(self.env.store, self._name, found),
            key=lambda item: (item[1].get("module") or "", item[1].get("name") or ""),
        )
        for _xid, row in rows:
            found[row["res_id"]].append(f"{row['module']}.{row['name']}")
        return found

    def _ensure_xmlid(self, rid: int) -> str:
        names = self._external_ids().get(rid) or []
        if names:
            return names[0]
        name = f"{self._name.replace('.', '_')}_{rid}_{secrets.token_hex(4)}"
        self.env["ir.model.data"].sudo_create(
            {"module": "__export__", "name": name, "model": self._name, "res_id": rid}
        )
        return f"__export__.{name}"

    def _export_value(self, rid: int, path: str) -> Any:
        if path in ("id", ".id"):
            return self._ensure_xmlid(rid) if path == "id" else rid
        name = path.split("/", maxsplit=1)[0]
        if name not in self._fields:
            raise value_error(self.env.personality.msg("invalid_field_read", field=name, model=self._name))
        fld = self._fields[name]
        raw = self._raw(rid, name)
        if fld.type == "many2one":
            return self.env[fld.relation or ""]._display_name(raw) if raw else False
        if fld.type in X2MANY:
            comodel = self.env[fld.relation or ""]
            return ",".join(comodel._display_name(i) for i in raw or [])
        return self._read_value(rid, name, "_classic_read")

    def sudo_create_xmlid(self, module: str, name: str, rid: int) -> None:
        self.env["ir.model.data"].sudo_create(
            {"module": module, "name": name, "model": self._name, "res_id": rid}
        )

    def sudo_create(self, vals: Vals) -> BaseModel:
        privileged = Env(self.env.registry, self.env.store, 1, self.env.context, now=self.env.now)
        return privileged[self._name].create(vals)
