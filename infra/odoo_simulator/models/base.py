"""BaseModel: the ORM behaviour every simulated model shares (search, read, create, write...).

Public methods keep Odoo's own names and signatures: argument binding errors then read exactly as
Odoo's ("BaseModel.read() takes from 1 to 3 positional arguments but 4 were given"), and
/doc-bearer/<model>.json can describe them with `inspect`.
"""

from __future__ import annotations

from typing import Any

from .automation import after_create, after_write, before_write
from .decorators import model_method, public, since
from .external_ids import ExternalIdRecords
from .records import Vals
from .registry import MODEL_CLASSES
from .search import SearchableRecords
from .writing import CASCADE, WritableRecords

__all__ = ["CASCADE", "BaseModel", "Vals", "public_method"]


class BaseModel(WritableRecords, SearchableRecords, ExternalIdRecords):
    """Odoo's public ORM methods, with Odoo's names and signatures; the layers beneath hold the
    private machinery (records, reading, search, x2many, writing, external_ids)."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls._name and not cls.__dict__.get("_bound"):
            MODEL_CLASSES[cls._name] = cls

    # -- search -----------------------------------------------------------------------------

    @model_method
    def search(
        self, domain: Any, offset: int = 0, limit: int | None = None, order: str | None = None
    ) -> BaseModel:
        self._check_access("read")
        return self.browse(self._search_ids(domain, offset, limit, order))

    @model_method
    def search_count(self, domain: Any, limit: int | None = None) -> int:
        self._check_access("read")
        count = len(self._search_ids(domain))
        return min(count, int(limit)) if limit else count

    @model_method
    def search_read(
        self,
        domain: Any = None,
        fields: list[str] | None = None,
        offset: int = 0,
        limit: int | None = None,
        order: str | None = None,
        **read_kwargs: Any,
    ) -> list[dict[str, Any]]:
        self._check_access("read")
        records = self.browse(self._search_ids(domain or [], offset, limit, order))
        return records._read_format(fields, **read_kwargs)

    @model_method
    def name_search(
        self, name: str = "", domain: Any = None, operator: str = "ilike", limit: int | None = 100
    ) -> list[list[Any]]:
        self._check_access("read")
        base = list(domain or [])
        extra: list[Any] = [("display_name", operator, name)] if name else []
        ids = self._search_ids(base + extra, limit=limit)
        return [[rid, self._display_name(rid)] for rid in ids]

    # -- read -------------------------------------------------------------------------------

    # Here rather than in reading.py: search_read passes its extra keyword arguments on, so a wrong
    # one fails as Odoo's does, naming BaseModel._read_format.
    def _read_format(self, fnames: Any, load: str | None = "_classic_read") -> list[dict[str, Any]]:
        names = self._field_names(fnames, "invalid_field_read")
        table = self._table()
        rows = []
        for rid in self.ids:
            if rid in table:
                row: dict[str, Any] = {"id": rid}
                row.update((name, self._read_value(rid, name, load)) for name in names)
                rows.append(row)
        return rows

    @public
    def read(self, fields: list[str] | None = None, load: str = "_classic_read") -> list[dict[str, Any]]:
        self._check_access("read")
        names = self._field_names(fields, "invalid_field_read")
        self._check_rules(self._existing(), "read")
        return self._read_format(["id", *names], load=load)

    @model_method
    def fields_get(
        self, allfields: list[str] | None = None, attributes: list[str] | None = None
    ) -> dict[str, Any]:
        wanted = set(allfields) if allfields else None
        return {
            name: fld.describe(attributes)
            for name, fld in self._fields.fields.items()
            if wanted is None or name in wanted
        }

    @model_method
    def default_get(self, fields: list[str]) -> dict[str, Any]:
        defaults = self._default_values()
        return {name: defaults[name] for name in fields if name in defaults}

    # -- create / write / unlink ------------------------------------------------------------

    @model_method
    def create(self, vals_list: Any) -> BaseModel:
        self._check_access("create")
        single = isinstance(vals_list, dict)
        items = [vals_list] if single else list(vals_list or [])
        new_ids = [self._create_one(self._check_vals_fields(vals)) for vals in items]
        created = self.browse(new_ids)
        created._validate(None)
        created._after_create()
        after_create(created)
        return created

    def _create_parent_for(self, child_model: str, vals: Vals) -> int:
        """Create the record a delegating (_inherits) child points to."""
        return self.create(vals).ids[0]

    @public
    def write(self, vals: Any) -> bool:
        self._check_access("write")
        vals = self._check_vals_fields(vals)
        self._ensure_exist()
        self._check_rules(self.ids, "write")
        before = before_write(self, vals)
        self._write_values(vals)
        self._validate(set(vals))
        after_write(self, before)
        return True

    @public
    def unlink(self) -> bool:
        self._check_access("unlink")
        self._ensure_exist()
        self._check_rules(self.ids, "unlink")
        self._before_unlink()
        ids = set(self.ids)
        for rid in ids:
            self.env.store.delete(self._name, rid)
        self._clean_references(ids)
        return True

    # -- other public methods ---------------------------------------------------------------

    @model_method
    def name_create(self, name: str) -> list[Any]:
        record = self.create({self._rec_name: name})
        rid = record.ids[0]
        return [rid, self._display_name(rid)]

    @public
    def copy(self, default: dict[str, Any] | None = None) -> BaseModel:
        self._check_access("create")
        self._ensure_exist()
        new_ids = []
        for rid in self.ids:
            vals = self._copy_values(rid)
            vals.update(default or {})
            new_ids.extend(self.create(vals).ids)
        return self.browse(new_ids)

    @model_method
    def check_access_rights(self, operation: str, raise_exception: bool = True) -> bool | None:
        allowed = self._allowed(operation)
        if raise_exception:
            self._check_access(operation)
            # Odoo 18+ kept the method for compatibility; it now returns None once access is checked.
            return None if self.env.personality.new_style else True
        return allowed

    @public
    @since(18)
    def has_access(self, operation: str) -> bool:
        if not self._allowed(operation):
            return False
        return self.env.is_privileged or all(self._rule_allows(rid) for rid in self._existing())

    @public
    def action_archive(self) -> None:
        self.write({"active": False})

    @public
    def action_unarchive(self) -> None:
        self.write({"active": True})

    @public
    def get_external_id(self) -> dict[int, str]:
        self._check_access("read")
        return {rid: (names[0] if names else "") for rid, names in self._external_ids().items()}

    @public
    def export_data(self, fields_to_export: list[str]) -> dict[str, Any]:
        self._check_access("read")
        rows = []
        for rid in self._existing():
            rows.append([self._export_value(rid, path) for path in fields_to_export])
        return {"datas": rows}

    @model_method
    def load(self, fields: list[str], data: list[list[Any]]) -> dict[str, Any]:
        from .importer import run_import  # noqa: PLC0415 - the importer depends on BaseModel

        return run_import(self, fields, data)


def public_method(model: BaseModel, name: str) -> Any:
    """The bound public method `name`, or None (private names are refused by the caller)."""
    func = getattr(type(model), name, None)
    if func is None or not getattr(func, "_public", False):
        return None
    major = model.env.personality.major
    if getattr(func, "_since", 0) > major or getattr(func, "_until", 999) < major:
        return None
    return getattr(model, name)
