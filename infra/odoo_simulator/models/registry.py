"""The models of one simulated server: declared classes bound to one version's field definitions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..fields import (
    GROUP_RESTRICTED_FIELDS,
    TRANSLATED_FIELDS,
    Field,
    FieldSet,
    captured_fields,
    field_from_capture,
    with_changes,
)
from ..personality import Personality

if TYPE_CHECKING:
    from .base import BaseModel

# Filled by BaseModel.__init_subclass__: declaring a model class is enough to serve it.
MODEL_CLASSES: dict[str, type[BaseModel]] = {}

MAGIC_FIELDS = (
    Field("id", "integer", "ID", readonly=True),
    Field("display_name", "char", "Display Name", readonly=True, computed=True),
    Field("create_uid", "many2one", "Created by", readonly=True, relation="res.users"),
    Field("create_date", "datetime", "Created on", readonly=True),
    Field("write_uid", "many2one", "Last Updated by", readonly=True, relation="res.users"),
    Field("write_date", "datetime", "Last Updated on", readonly=True),
)


def build_fields(cls: type[BaseModel], personality: Personality) -> FieldSet:
    captured = captured_fields(personality.fields_data).get(cls._name, {})
    fieldset = FieldSet(cls._name)
    for magic in MAGIC_FIELDS:
        fieldset.fields[magic.name] = with_changes(magic, model=cls._name)
    for name, spec in captured.items():
        translate = name in TRANSLATED_FIELDS.get(cls._name, ())
        fieldset.fields[name] = with_changes(
            field_from_capture(name, spec), model=cls._name, translate=translate
        )
    for declared in cls._declared_fields:
        if declared.name not in fieldset or declared.name in cls._override_fields:
            fieldset.fields[declared.name] = with_changes(declared, model=cls._name)
    for name in cls._removed_fields.get(personality.fields_data, ()):
        fieldset.fields.pop(name, None)
    for name, inverse in cls._inverse_fields.items():
        if name in fieldset:
            fieldset.fields[name] = with_changes(fieldset[name], inverse_name=inverse)
    for name in cls._computed_fields | {"display_name"}:
        if name in fieldset:
            fieldset.fields[name] = with_changes(fieldset[name], computed=True)
    for name, groups in GROUP_RESTRICTED_FIELDS.get(cls._name, {}).items():
        if name in fieldset:
            fieldset.fields[name] = with_changes(fieldset[name], groups=groups)
    cls._personalise_fields(fieldset, personality)
    return fieldset


class Registry:
    def __init__(self, personality: Personality) -> None:
        self.personality = personality
        self.models: dict[str, type[BaseModel]] = {
            name: type(cls.__name__, (cls,), {"_fields": build_fields(cls, personality), "_bound": True})
            for name, cls in MODEL_CLASSES.items()
        }
        # Models of modules that are not installed: unknown to callers, as in real Odoo.
        self.hidden: set[str] = set()

    def set_field_groups(self, model: str, name: str, groups: str | None) -> None:
        """Restrict a field to groups (or lift it), as installing a module that does so would."""
        fieldset = self.models[model]._fields
        fieldset.fields[name] = with_changes(fieldset[name], groups=groups)
