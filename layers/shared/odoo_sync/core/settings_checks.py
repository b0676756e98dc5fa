"""Whether a setting can work, checked before it is saved: its own consistency, then every Odoo
model and field it names against that Odoo's fields_get.

Mistakes surface once, with the field at fault, rather than on every record of every later sync.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from odoo_sync.core.entity_catalog import mapping_spec
from odoo_sync.core.odoo_fields import OdooFieldsCache
from odoo_sync.core.settings_models import EntityInput
from odoo_sync.core.settings_ports import OdooAccess
from odoo_sync.errors import UnprocessableError
from odoo_sync.odoo import OdooClient, OdooError
from odoo_sync.odoo.errors import ErrorCategory
from odoo_sync.sync.issues import InvalidValueError
from odoo_sync.sync.model import ConflictPolicy, EntityDefinition, FieldMapping, MappingType
from odoo_sync.sync.transform_core import (
    OdooFieldInfo,
    TransformSpec,
    TransformSpecError,
    registered_transforms,
    tenant_timezone,
)


def entity_from(data: EntityInput) -> EntityDefinition:
    """The tenant entity the input describes, once its fields, match keys and timezone agree."""
    problems: list[tuple[str, str]] = []
    try:
        tenant_timezone(data.timezone)
    except InvalidValueError as exc:
        problems.append(("timezone", exc.message))
    declared = [rule.field for rule in data.fields]
    duplicates = sorted({name for name in declared if declared.count(name) > 1})
    if duplicates:
        problems.append(("fields", f"fields declared twice: {', '.join(duplicates)}"))
    for index, key in enumerate(data.match_keys):
        if declared and key.local_field not in declared:
            problems.append(
                (
                    f"match_keys.{index}.local_field",
                    f"{key.local_field!r} is not one of the entity's fields",
                )
            )
    if problems:
        raise UnprocessableError(problems)
    return EntityDefinition(**data.model_dump(exclude={"connection_id"}), preset=False)


def checked_spec(mapping: FieldMapping) -> TransformSpec:
    """The transform the mapping runs, once its type, transform and parameters agree."""
    transform = mapping.transform
    if mapping.mapping_type is MappingType.DIRECT and transform not in (None, "direct"):
        raise UnprocessableError(
            [
                (
                    "mapping_type",
                    f"a direct mapping takes no transform; use mapping_type 'transform' for {transform!r}",
                )
            ]
        )
    if mapping.lang is not None and mapping.mapping_type is not MappingType.DIRECT:
        raise UnprocessableError([("lang", "a mapping per language is a direct mapping (no transform)")])
    if mapping.mapping_type is not MappingType.DIRECT and transform is None:
        raise UnprocessableError([("transform", f"a {mapping.mapping_type.value} mapping needs a transform")])
    if (mapping.mapping_type is MappingType.CUSTOM) != (transform == "custom"):
        raise UnprocessableError(
            [("transform", "custom mappings, and only they, use the 'custom' transform")]
        )
    if transform is not None and transform not in registered_transforms():
        raise UnprocessableError(
            [("transform", f"unknown transform {transform!r}; known: {', '.join(registered_transforms())}")]
        )
    try:
        return mapping_spec(mapping)
    except TransformSpecError as exc:
        raise UnprocessableError([("transform_params", str(exc))]) from exc


@dataclass(frozen=True)
class _Odoo:
    tenant_id: str
    connection_id: str
    client: OdooClient


class OdooChecks:
    """What a setting names, checked against the fields of the tenant's Odoo (cached)."""

    def __init__(self, odoo: OdooAccess, fields_cache: OdooFieldsCache) -> None:
        self._odoo = odoo
        self._fields = fields_cache

    def check_entity(self, tenant_id: str, connection_id: str | None, entity: EntityDefinition) -> None:
        odoo = self._connect(tenant_id, connection_id)
        wanted = [*(key.odoo_field for key in entity.match_keys), *entity.conflicts.fields]
        known = self._model_fields(odoo, entity.odoo_model, "odoo_model", wanted)
        problems = [
            (f"match_keys.{index}.odoo_field", f"{entity.odoo_model} has no field {key.odoo_field!r}")
            for index, key in enumerate(entity.match_keys)
            if key.odoo_field not in known
        ]
        problems += [
            (f"conflicts.fields.{name}", f"{entity.odoo_model} has no field {name!r}")
            for name in entity.conflicts.fields
            if name not in known
        ]
        if entity.variant_model is not None:
            self._model_fields(odoo, entity.variant_model, "variant_model", ())
        if problems:
            raise UnprocessableError(problems)

    def check_conflict_policy(
        self, tenant_id: str, connection_id: str | None, entity: EntityDefinition, policy: ConflictPolicy
    ) -> None:
        """Per-field keys must be fields of the entity's Odoo model."""
        odoo = self._connect(tenant_id, connection_id)
        known = self._model_fields(odoo, entity.odoo_model, "entity", policy.fields)
        problems = [
            (f"fields.{field}", f"{entity.odoo_model} has no field {field!r}")
            for field in policy.fields
            if field not in known
        ]
        if problems:
            raise UnprocessableError(problems)

    def check_mapping(
        self, tenant_id: str, connection_id: str | None, mapping: FieldMapping, spec: TransformSpec
    ) -> None:
        odoo = self._connect(tenant_id, connection_id)
        known = self._model_fields(odoo, mapping.odoo_model, "odoo_model", [mapping.odoo_field])
        target = known.get(mapping.odoo_field)
        if target is None:
            raise UnprocessableError(
                [("odoo_field", f"{mapping.odoo_model} has no field {mapping.odoo_field!r} in this Odoo")]
            )
        if mapping.lang is not None and not target.translate:
            raise UnprocessableError(
                [
                    (
                        "odoo_field",
                        f"{mapping.odoo_model}.{mapping.odoo_field} is not translatable in this Odoo, "
                        f"so it has no value per language ({mapping.lang})",
                    )
                ]
            )
        problems = spec.field_problems(target)
        if problems:
            raise UnprocessableError([("transform", problem) for problem in problems])

    def _connect(self, tenant_id: str, connection_id: str | None) -> _Odoo:
        resolved = self._odoo.resolve_id(tenant_id, connection_id)
        return _Odoo(tenant_id, resolved, self._odoo.client(tenant_id, resolved))

    def _model_fields(
        self, odoo: _Odoo, model: str, field: str, wanted: Iterable[str]
    ) -> dict[str, OdooFieldInfo]:
        try:
            return self._fields.fields(
                odoo.tenant_id, odoo.connection_id, model, odoo.client, refresh_unless=wanted
            )
        except OdooError as exc:
            if exc.category in (ErrorCategory.NOT_FOUND, ErrorCategory.SERVER, ErrorCategory.VALIDATION):
                raise UnprocessableError(
                    [(field, f"this Odoo has no model {model!r} ({exc.message})")]
                ) from exc
            raise
