"""External ids (ir.model.data) of records, and the export that names records by them."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

from ..errors import value_error
from ..fields import X2MANY
from .env import Env
from .reading import ReadableRecords
from .records import Vals

if TYPE_CHECKING:
    from .base import BaseModel


class ExternalIdRecords(ReadableRecords):
    def _external_ids(self) -> dict[int, list[str]]:
        data = self.env["ir.model.data"]
        rows = sorted(
            ((xid, row) for xid, row in data._table().items() if row.get("model") == self._name),
            key=lambda item: (item[1].get("module") or "", item[1].get("name") or ""),
        )
        found: dict[int, list[str]] = {rid: [] for rid in self.ids}
        for _xid, row in rows:
            if row.get("res_id") in found:
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
