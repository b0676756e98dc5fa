"""BaseModel: the ORM behaviour every simulated model shares (search, read, create, write...).

Public methods keep Odoo's own names and signatures: argument binding errors then read exactly as
Odoo's ("BaseModel.read() takes from 1 to 3 positional arguments but 4 were given"), and
/doc-bearer/<model>.json can describe them with `inspect`.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from typing import Any, ClassVar

from ..domain import compile_domain, ids_named, parse_order
from ..errors import AccessError, MissingError, ValidationError, value_error
from ..fields import RELATIONAL, X2MANY, Field, FieldSet
from ..personality import Personality
from .automation import after_create, after_write, before_write
from .decorators import model_method, public, since
from .env import Env
from .registry import MODEL_CLASSES

OPERATION_VERBS = {"read": "access", "write": "modify", "create": "create", "unlink": "delete"}
Vals = dict[str, Any]
SOURCE_LANG = "en_US"
TRANSLATIONS = "__translations__"  # row key: {field: {lang: value}} for translatable fields


class BaseModel:
    _name: ClassVar[str] = ""
    _description: ClassVar[str] = ""
    _order: ClassVar[str] = "id"
    _rec_name: ClassVar[str] = "name"
    _parent_name: ClassVar[str] = "parent_id"
    _inherits: ClassVar[dict[str, str]] = {}  # parent model -> many2one field (delegation)
    _declared_fields: ClassVar[tuple[Field, ...]] = ()
    _override_fields: ClassVar[frozenset[str]] = frozenset()
    _removed_fields: ClassVar[dict[str, tuple[str, ...]]] = {}
    _inverse_fields: ClassVar[dict[str, str]] = {}
    _computed_fields: ClassVar[frozenset[str]] = frozenset()
    _defaults: ClassVar[dict[str, Any]] = {}
    _no_copy: ClassVar[frozenset[str]] = frozenset()
    _copy_suffix: ClassVar[bool] = False
    # Operations the restricted (demo) user is refused, and the group Odoo names in the message.
    _restricted_operations: ClassVar[frozenset[str]] = frozenset()
    _granting_group: ClassVar[str] = "group_access_rights"
    _fields: ClassVar[FieldSet]
    _bound: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls._name and not cls.__dict__.get("_bound"):
            MODEL_CLASSES[cls._name] = cls

    def __init__(self, env: Env, ids: Sequence[int]) -> None:
        self.env = env
        self.ids: list[int] = list(ids)

    def __repr__(self) -> str:
        inner = ", ".join(str(i) for i in self.ids) + ("," if len(self.ids) == 1 else "")
        return f"{self._name}({inner})"

    # -- plumbing ---------------------------------------------------------------------------

    def browse(self, ids: Iterable[int] | int) -> BaseModel:
        id_list = [ids] if isinstance(ids, int) else list(ids)
        return type(self)(self.env, id_list)

    def with_context(self, **changes: Any) -> BaseModel:
        return type(self)(self.env.with_context(**changes), self.ids)

    def _table(self) -> dict[int, dict[str, Any]]:
        return self.env.store.table(self._name)

    def _existing(self) -> list[int]:
        table = self._table()
        return [rid for rid in self.ids if rid in table]

    def _missing_error(self, ids: Sequence[int]) -> MissingError:
        inner = ", ".join(str(i) for i in ids) + ("," if len(ids) == 1 else "")
        return MissingError(
            "Record does not exist or has been deleted.\n"
            f"(Record: {self._name}({inner}), User: {self.env.uid})"
        )

    def _ensure_exist(self) -> None:
        table = self._table()
        missing = [rid for rid in dict.fromkeys(self.ids) if rid not in table]
        if missing:
            raise self._missing_error(missing)

    def _delegate_of(self, name: str) -> tuple[str, str] | None:
        """(parent model, link field) when `name` is stored on an _inherits parent."""
        if name in self._delegated_names():
            for parent_model, link in self._inherits.items():
                return parent_model, link
        return None

    @classmethod
    def _own_stored_names(cls) -> frozenset[str]:
        cached: frozenset[str] | None = cls.__dict__.get("_own_stored_cache")
        if cached is None:
            delegated = cls._delegated_names()
            cached = frozenset(
                name
                for name, fld in cls._fields.fields.items()
                if not fld.computed and fld.type != "one2many" and name not in delegated
            )
            cls._own_stored_cache = cached  # type: ignore[attr-defined]
        return cached

    @classmethod
    def _delegated_names(cls) -> frozenset[str]:
        return frozenset()

    @classmethod
    def _personalise_fields(cls, fieldset: FieldSet, personality: Personality) -> None:
        """Adjust this model's fields for one Odoo version (after the captured set is built)."""
        return

    def _raw(self, rid: int, name: str) -> Any:
        """The stored (or computed) value of one field: ids for relations, datetime objects."""
        fld = self._fields[name]
        if name == "id":
            return rid
        if fld.computed:
            return self._compute(rid, name)
        if fld.type == "one2many":
            return self._one2many_ids(rid, fld)
        delegate = self._delegate_of(name)
        if delegate:
            parent_model, link = delegate
            parent_id = self._table().get(rid, {}).get(link)
            return self.env[parent_model]._raw(parent_id, name) if parent_id else False
        row = self._table().get(rid, {})
        lang = self._translation_lang()
        if fld.translate and lang is not None and lang in row.get(TRANSLATIONS, {}).get(name, {}):
            return row[TRANSLATIONS][name][lang]
        value = row.get(name, False)
        return list(value) if isinstance(value, list) else value

    def _translation_lang(self) -> str | None:
        """The context language when it is not the source language (en_US is the stored value)."""
        lang = self.env.context.get("lang")
        return lang if isinstance(lang, str) and lang and lang != SOURCE_LANG else None

    def _write_translations(self, rid: int, own: Vals) -> Vals:
        """Odoo writes a translatable field in the context language only: that language's value
        changes, en_US (and other languages) stay. Returns the values stored as usual."""
        lang = self._translation_lang()
        if lang is None:
            return own
        translated = {name: value for name, value in own.items() if self._fields[name].translate}
        if not translated:
            return own
        stored = dict(self._table().get(rid, {}).get(TRANSLATIONS, {}))
        for name, value in translated.items():
            stored[name] = {**stored.get(name, {}), lang: value}
        return {**{k: v for k, v in own.items() if k not in translated}, TRANSLATIONS: stored}

    def _one2many_ids(self, rid: int, fld: Field) -> list[int]:
        comodel = self.env[fld.relation or ""]
        inverse = fld.inverse_name or ""
        return [cid for cid, row in comodel._table().items() if row.get(inverse) == rid]

    def _compute(self, rid: int, name: str) -> Any:
        if name == "display_name":
            return self._display_name(rid)
        return False

    def _display_name(self, rid: int) -> str:
        if self._rec_name in self._fields and self._rec_name != "display_name":
            value = self._raw(rid, self._rec_name)
            if value:
                return str(value)
        return f"{self._name},{rid}"

    # -- access control ---------------------------------------------------------------------

    def _allowed(self, operation: str) -> bool:
        return self.env.is_privileged or operation not in self._restricted_operations

    def _check_access(self, operation: str) -> None:
        if self._allowed(operation):
            return
        group = self.env.personality.msg(self._granting_group)
        raise AccessError(
            f"You are not allowed to {OPERATION_VERBS[operation]} '{self._description}' ({self._name}) "
            f"records.\n\nThis operation is allowed for the following groups:\n\t- {group}\n\n"
            "Contact your administrator to request access if necessary."
        )

    def _rule_allows(self, rid: int) -> bool:
        """Record rules for the restricted user (multi-company style); privileged users see all."""
        return True

    def _check_rules(self, ids: Iterable[int], operation: str) -> None:
        if self.env.is_privileged:
            return
        if any(not self._rule_allows(rid) for rid in ids):
            raise AccessError(
                "Uh-oh! Looks like you have stumbled upon some top-secret records.\n\n"
                f"Sorry, {self.env.user_name()} (id={self.env.uid}) doesn't have 'read' access to:\n"
                f"- {self._description} ({self._name})\n\n"
                "If you really, really need access, perhaps you can win over your friendly administrator "
                "with a batch of freshly baked cookies."
            )

    # -- search -----------------------------------------------------------------------------

    def _search_ids(
        self, domain: Any, offset: int = 0, limit: int | None = None, order: str | None = None
    ) -> list[int]:
        predicate = compile_domain(self, domain)
        keys = parse_order(self, order)
        active_filter = self._active_filter(domain)
        privileged = self.env.is_privileged
        found = [
            rid
            for rid in self._candidates(domain)
            if active_filter(rid) and (privileged or self._rule_allows(rid)) and predicate(rid)
        ]
        ordered = self._sorted(found, keys)
        offset = int(offset or 0)
        return ordered[offset : offset + int(limit)] if limit else ordered[offset:]

    def _candidates(self, domain: Any) -> Iterable[int]:
        """The rows a domain may match: those it names by id when all its leaves must hold (what
        PostgreSQL's primary key finds without reading the table), else every row."""
        table = self._table()
        named = ids_named(domain)
        return table if named is None else sorted(rid for rid in named if rid in table)

    def _active_filter(self, domain: Any) -> Any:
        uses_active = isinstance(domain, (list, tuple)) and any(
            isinstance(leaf, (list, tuple)) and len(leaf) == 3 and str(leaf[0]).split(".")[0] == "active"
            for leaf in domain
        )
        if "active" not in self._fields or uses_active or not self.env.context.get("active_test", True):
            return lambda _rid: True
        return lambda rid: bool(self._raw(rid, "active"))

    def _sort_value(self, rid: int, name: str) -> Any:
        fld = self._fields[name]
        value = self._raw(rid, name)
        if fld.type == "many2one":
            return self.env[fld.relation or ""]._display_name(value).casefold() if value else None
        if value is False or value is None or value == "":
            return None if fld.type not in ("boolean", "integer", "float", "monetary") else value
        return value.casefold() if isinstance(value, str) else value

    def _sorted(self, ids: list[int], keys: list[tuple[str, bool]]) -> list[int]:
        ordered = list(ids)
        for name, descending in reversed(keys):
            values = {rid: self._sort_value(rid, name) for rid in ordered}
            present = [rid for rid in ordered if values[rid] is not None]
            nulls = [rid for rid in ordered if values[rid] is None]
            present.sort(key=lambda rid: values[rid], reverse=descending)
            # PostgreSQL: NULLS LAST ascending, NULLS FIRST descending.
            ordered = nulls + present if descending else present + nulls
        return ordered

    def _name_search_pairs(self, name: str, operator: str = "ilike") -> list[tuple[int, str]]:
        domain: list[Any] = [("display_name", operator, name)] if name else []
        ids = self._search_ids(domain)
        return [(rid, self._display_name(rid)) for rid in ids]

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

    def _default_values(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name, default in self._defaults.items():
            if name in self._fields:
                values[name] = default(self) if callable(default) else default
        if "active" in self._fields and "active" not in values:
            values["active"] = True
        return values

    # -- create / write / unlink ------------------------------------------------------------

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

    def _create_parent_for(self, child_model: str, vals: Vals) -> int:
        """Create the record a delegating (_inherits) child points to."""
        return self.create(vals).ids[0]

    def _prepare_create(self, vals: Vals) -> Vals:
        return dict(vals)

    def _after_create(self) -> None:
        return None

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

    def _apply_x2many(self, rid: int, fld: Field, commands: Any) -> None:
        comodel = self.env[fld.relation or ""]
        if commands is False or commands is None:
            commands = [(5, 0, 0)]
        if isinstance(commands, (list, tuple)) and commands and all(isinstance(c, int) for c in commands):
            commands = [(6, 0, list(commands))]
        for command in commands or []:
            if not isinstance(command, (list, tuple)) or not command:
                raise value_error(f"Invalid command {command!r} for field {self._name}.{fld.name}")
            if fld.type == "many2many":
                self._many2many_command(rid, fld, comodel, list(command))
            else:
                self._one2many_command(rid, fld, comodel, list(command))

    def _linked(self, rid: int, fld: Field) -> list[int]:
        return list(self._table()[rid].get(fld.name) or [])

    def _many2many_command(self, rid: int, fld: Field, comodel: BaseModel, command: list[Any]) -> None:
        code = command[0]
        current = self._linked(rid, fld)
        target = command[1] if len(command) > 1 else 0
        if code == 0:
            current.append(comodel.create(command[2]).ids[0])
        elif code == 1:
            comodel.browse([target]).write(command[2])
        elif code == 2:
            comodel.browse([target]).unlink()
            current = [i for i in current if i != target]
        elif code == 3:
            current = [i for i in current if i != target]
        elif code == 4:
            comodel.browse([target])._ensure_exist()
            current = current if target in current else [*current, target]
        elif code == 5:
            current = []
        elif code == 6:
            ids = list(command[2] or [])
            comodel.browse(ids)._ensure_exist()
            current = list(dict.fromkeys(ids))
        else:
            raise value_error(f"Invalid command {tuple(command)!r}")
        self.env.store.update(self._name, rid, {fld.name: current})

    def _one2many_command(self, rid: int, fld: Field, comodel: BaseModel, command: list[Any]) -> None:
        code = command[0]
        inverse = fld.inverse_name or ""
        target = command[1] if len(command) > 1 else 0
        if code == 0:
            comodel.create({**(command[2] or {}), inverse: rid})
        elif code == 1:
            comodel.browse([target]).write(command[2])
        elif code == 2:
            comodel.browse([target]).unlink()
        elif code == 3:
            comodel.browse([target])._write_values({inverse: False})
        elif code == 4:
            comodel.browse([target])._write_values({inverse: rid})
        elif code == 5:
            comodel.browse(self._one2many_ids(rid, fld))._write_values({inverse: False})
        elif code == 6:
            keep = list(command[2] or [])
            stale = [cid for cid in self._one2many_ids(rid, fld) if cid not in keep]
            comodel.browse(stale)._write_values({inverse: False})
            comodel.browse(keep)._write_values({inverse: rid})
        else:
            raise value_error(f"Invalid command {tuple(command)!r}")

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
        data = self.env["ir.model.data"]
        for xid, row in list(data._table().items()):
            if row.get("model") == self._name and row.get("res_id") in ids:
                store.delete("ir.model.data", xid)

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

    @public
    def get_external_id(self) -> dict[int, str]:
        self._check_access("read")
        return {rid: (names[0] if names else "") for rid, names in self._external_ids().items()}

    def _ensure_xmlid(self, rid: int) -> str:
        names = self._external_ids().get(rid) or []
        if names:
            return names[0]
        name = f"{self._name.replace('.', '_')}_{rid}_{secrets.token_hex(4)}"
        self.env["ir.model.data"].sudo_create(
            {"module": "__export__", "name": name, "model": self._name, "res_id": rid}
        )
        return f"__export__.{name}"

    @public
    def export_data(self, fields_to_export: list[str]) -> dict[str, Any]:
        self._check_access("read")
        rows = []
        for rid in self._existing():
            rows.append([self._export_value(rid, path) for path in fields_to_export])
        return {"datas": rows}

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

    @model_method
    def load(self, fields: list[str], data: list[list[Any]]) -> dict[str, Any]:
        from .importer import run_import  # noqa: PLC0415 - the importer depends on BaseModel

        return run_import(self, fields, data)

    def sudo_create_xmlid(self, module: str, name: str, rid: int) -> None:
        self.env["ir.model.data"].sudo_create(
            {"module": module, "name": name, "model": self._name, "res_id": rid}
        )

    def sudo_create(self, vals: Vals) -> BaseModel:
        privileged = Env(self.env.registry, self.env.store, 1, self.env.context, now=self.env.now)
        return privileged[self._name].create(vals)


# many2one fields whose target's deletion deletes the record (ondelete='cascade').
CASCADE = frozenset({("res.partner", "parent_id"), ("product.product", "product_tmpl_id")})


def public_method(model: BaseModel, name: str) -> Any:
    """The bound public method `name`, or None (private names are refused by the caller)."""
    func = getattr(type(model), name, None)
    if func is None or not getattr(func, "_public", False):
        return None
    major = model.env.personality.major
    if getattr(func, "_since", 0) > major or getattr(func, "_until", 999) < major:
        return None
    return getattr(model, name)
