"""What create, write and unlink do underneath: values checked and converted, rows stored,
required fields and constraints validated, references to deleted records cleaned up."""

from __future__ import annotations

from typing import Any

from ..errors import ValidationError, value_error
from ..fields import RELATIONAL, X2MANY, Field
from .external_ids import XMLID_MODEL, xmlids_of_records
from .reading import ReadableRecords
from .records import Vals
from .x2many import X2ManyRecords

# many2one fields whose target's deletion deletes the record (ondelete='cascade').
CASCADE = frozenset({("res.partner", "parent_id"), ("product.product", "product_tmpl_id")})


class WritableRecords(ReadableRecords, X2ManyRecords):
    def _check_vals_fields(self, vals: Any) -> Vals:
        if not isinstance(vals, dict):
            raise value_error(f"Invalid vals {vals!r} for {self._name}")
        for name in vals:
            if name not in self._fields:
                raise value_error(
                    self.env.personality.msg("invalid_field_write", field=name, model=self._name)
                )
        return vals

    def _convert(self, fld: Field, value: Any) -> Any:
        try:
            converted = fld.convert_to_cache(value)
        except ValueError as exc:  # int('abc'), strptime...: Odoo shows Python's own message
            raise value_error(str(exc)) from None
        if fld.type == "many2one" and converted:
            comodel = self.env[fld.relation or ""]
            if converted not in comodel._table():
                raise comodel._missing_error([converted])
        return converted

    def _split_vals(self, vals: Vals) -> tuple[Vals, Vals, dict[str, Vals]]:
        """(own stored values, x2many commands, values for _inherits parents)."""
        own: Vals = {}
        relational: Vals = {}
        delegated: dict[str, Vals] = {}
        for name, value in vals.items():
            fld = self._fields[name]
            if name == "id" or (fld.readonly and fld.computed and name not in self._inverse_writable()):
                continue
            if name in self._inverse_writable():
                continue
            delegate = self._delegate_of(name)
            if delegate:
                delegated.setdefault(delegate[0], {})[name] = value
            elif fld.type in X2MANY:
                relational[name] = value
            elif not fld.computed:
                own[name] = self._convert(fld, value)
        return own, relational, delegated

    @classmethod
    def _inverse_writable(cls) -> frozenset[str]:
        """Computed fields whose write Odoo forwards elsewhere (handled by `_write_inverse`)."""
        return frozenset()

    def _write_inverse(self, rid: int, vals: Vals) -> None:
        return None

    def _audit_values(self, creating: bool) -> Vals:
        values: Vals = {"write_date": self.env.now, "write_uid": self.env.uid}
        if creating:
            values.update(create_date=self.env.now, create_uid=self.env.uid)
        return values

    def _create_one(self, vals: Vals) -> int:
        merged = {**self._default_values(), **self._prepare_create(vals)}
        own, relational, delegated = self._split_vals(merged)
        for parent_model, link in self._inherits.items():
            if not own.get(link):
                parent = self.env[parent_model]._create_parent_for(
                    self._name, delegated.get(parent_model, {})
                )
                own[link] = parent
            elif parent_model in delegated:
                self.env[parent_model].browse([own[link]])._write_values(delegated[parent_model])
        rid = self.env.store.next_id(self._name)
        row: dict[str, Any] = {
            fld.name: False for fld in self._fields.stored() if fld.name in self._own_stored_names()
        }
        row.update({name: [] for name, fld in self._fields.fields.items() if fld.type == "many2many"})
        row.update(own)
        row.update(self._audit_values(creating=True))
        self.env.store.insert(self._name, rid, row)
        for name, commands in relational.items():
            self._apply_x2many(rid, self._fields[name], commands)
        self._write_inverse(rid, {k: v for k, v in merged.items() if k in self._inverse_writable()})
        return rid

    def _prepare_create(self, vals: Vals) -> Vals:
        return dict(vals)

    def _after_create(self) -> None:
        return None

    def _write_values(self, vals: Vals) -> None:
        own, relational, delegated = self._split_vals(vals)
        unique_ids = list(dict.fromkeys(self.ids))
        for rid in unique_ids:
            row = self._write_translations(rid, own)
            row.update(self._audit_values(creating=False))
            self.env.store.update(self._name, rid, row)
            for name, commands in relational.items():
                self._apply_x2many(rid, self._fields[name], commands)
            self._write_inverse(rid, {k: v for k, v in vals.items() if k in self._inverse_writable()})
        for parent_model, parent_vals in delegated.items():
            link = self._inherits[parent_model]
            parent_ids = [self._table()[rid][link] for rid in unique_ids if self._table()[rid].get(link)]
            self.env[parent_model].browse(parent_ids)._write_values(parent_vals)

    def _validate(self, names: set[str] | None) -> None:
        """Required fields, then the model's own constraints; `names` is None on create."""
        self._check_required(names)
        self._check_constraints(names)

    def _check_required(self, names: set[str] | None) -> None:
        for name in self._own_stored_names():
            fld = self._fields[name]
            if not fld.required or (names is not None and name not in names):
                continue
            for rid in self.ids:
                value = self._table()[rid].get(name)
                if value is False or value is None or value == "":
                    raise ValidationError(
                        self.env.personality.msg(
                            "required",
                            model=self._name,
                            model_description=self._description,
                            field=name,
                            field_string=fld.string,
                        )
                    )

    def _check_constraints(self, names: set[str] | None) -> None:
        return None

    def _check_recursion(self, names: set[str] | None, message: str) -> None:
        parent_name = self._parent_name
        if parent_name not in self._fields or (names is not None and parent_name not in names):
            return
        for rid in self.ids:
            seen = {rid}
            current = self._raw(rid, parent_name)
            while current:
                if current in seen:
                    raise ValidationError(message)
                seen.add(current)
                current = self._raw(current, parent_name)

    def _before_unlink(self) -> None:
        return None

    def _clean_references(self, ids: set[int]) -> None:
        """Set null on many2one, drop from many2many, delete external ids (like Odoo's unlink)."""
        store = self.env.store
        for model_name, cls in self.env.registry.models.items():
            pointing = [f for f in cls._fields.stored() if f.relation == self._name and f.type in RELATIONAL]
            if not pointing:
                continue
            for rid, row in list(store.table(model_name).items()):
                changes = self._reference_changes(row, pointing, ids)
                if changes is None:
                    continue
                if changes == "cascade":
                    self.env[model_name].browse([rid]).unlink()
                else:
                    store.update(model_name, rid, changes)
        for xid, _row in xmlids_of_records(store, self._name, ids):
            store.delete(XMLID_MODEL, xid)

    def _reference_changes(self, row: dict[str, Any], pointing: list[Field], ids: set[int]) -> Any:
        changes: dict[str, Any] = {}
        for fld in pointing:
            value = row.get(fld.name)
            if fld.type == "many2one" and value in ids:
                if (fld.model, fld.name) in CASCADE:
                    return "cascade"
                changes[fld.name] = False
            elif fld.type == "many2many" and value and ids.intersection(value):
                changes[fld.name] = [i for i in value if i not in ids]
        return changes or None

    def _copy_values(self, rid: int) -> Vals:
        skip = {"id", "create_date", "create_uid", "write_date", "write_uid", *self._no_copy}
        vals: Vals = {}
        for name in self._own_stored_names() | self._delegated_names():
            fld = self._fields[name]
            if name in skip or fld.type == "one2many" or fld.computed:
                continue
            value = self._raw(rid, name)
            vals[name] = [(6, 0, value)] if fld.type == "many2many" else value
        for link in self._inherits.values():
            vals.pop(link, None)
        if self._copy_suffix and vals.get(self._rec_name):
            vals[self._rec_name] = f"{vals[self._rec_name]} (copy)"
        return vals
