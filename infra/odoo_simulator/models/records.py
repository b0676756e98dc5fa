"""The recordset core every model builds on: ids, stored and computed values, translations,
display names, access rights and record rules."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, cast

from ..errors import AccessError, MissingError
from ..fields import Field, FieldSet
from ..personality import Personality
from .env import Env

if TYPE_CHECKING:
    from .base import BaseModel

OPERATION_VERBS = {"read": "access", "write": "modify", "create": "create", "unlink": "delete"}
Vals = dict[str, Any]
SOURCE_LANG = "en_US"
TRANSLATIONS = "__translations__"  # row key: {field: {lang: value}} for translatable fields


class RecordsCore:
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
    # Column sets a search looks rows up by, like PostgreSQL's indexes (char and integer columns).
    _indexes: ClassVar[tuple[tuple[str, ...], ...]] = ()
    # Operations the restricted (demo) user is refused, and the group Odoo names in the message.
    _restricted_operations: ClassVar[frozenset[str]] = frozenset()
    _granting_group: ClassVar[str] = "group_access_rights"
    _fields: ClassVar[FieldSet]
    _bound: ClassVar[bool] = False

    def __init__(self, env: Env, ids: Sequence[int]) -> None:
        self.env = env
        self.ids: list[int] = list(ids)

    def __repr__(self) -> str:
        inner = ", ".join(str(i) for i in self.ids) + ("," if len(self.ids) == 1 else "")
        return f"{self._name}({inner})"

    # -- plumbing ---------------------------------------------------------------------------

    def browse(self, ids: Iterable[int] | int) -> BaseModel:
        id_list = [ids] if isinstance(ids, int) else list(ids)
        return type(self)(self.env, id_list)._as_model()

    def with_context(self, **changes: Any) -> BaseModel:
        return type(self)(self.env.with_context(**changes), self.ids)._as_model()

    def _as_model(self) -> BaseModel:
        """These records typed as what they are: every model class is a BaseModel (the layers
        beneath it are never instantiated alone)."""
        return cast("BaseModel", self)

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
