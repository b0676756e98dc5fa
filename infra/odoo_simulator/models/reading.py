"""Field values as read() answers them: field names checked, relations as (id, name), defaults."""

from __future__ import annotations

from typing import Any

from ..errors import value_error
from ..fields import X2MANY
from .records import RecordsCore


class ReadableRecords(RecordsCore):
    def _field_names(self, fields: Any, message_key: str) -> list[str]:
        if not fields:
            return [name for name in self._fields.fields if name != "id"]
        if isinstance(fields, str):
            fields = [fields]
        for name in fields:
            if name not in self._fields:
                message = self.env.personality.msg(message_key, field=name, model=self._name)
                raise value_error(message)
        return [name for name in fields if name != "id"]

    def _read_value(self, rid: int, name: str, load: str | None) -> Any:
        fld = self._fields[name]
        raw = self._raw(rid, name)
        if fld.type == "many2one":
            if not raw:
                return False
            if load == "_classic_read":
                return [raw, self.env[fld.relation or ""]._display_name(raw)]
            return raw
        if fld.type in X2MANY:
            return list(raw or [])
        if fld.computed and fld.type == "char":
            return raw if raw else False
        return fld.convert_to_read_simple(raw)

    def _default_values(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name, default in self._defaults.items():
            if name in self._fields:
                values[name] = default(self) if callable(default) else default
        if "active" in self._fields and "active" not in values:
            values["active"] = True
        return values
