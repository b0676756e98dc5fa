"""A tenant's sync settings: entities, field mappings and value maps, checked against its Odoo.

Entities are the presets (`customer`, `product`) plus the tenant's own. The mappings that apply
to an entity are the presets' defaults merged with the tenant's own (`effective_mappings`): a
tenant mapping for the same local field and direction replaces the preset one, and an inactive
tenant mapping switches it off. Whatever names an Odoo model or field is checked against that
Odoo's fields_get when saved, so mistakes surface at once rather than on every record.

An entity's conflict policy is set with the entity (`POST /v1/entities`) or on its own
(`PUT /v1/entities/{name}/conflicts`); the latter works for presets too, whose definition is
otherwise fixed: the tenant's policy is stored beside them and every read of the preset (the
catalog, hence plans, pulls and pushes) carries it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from pydantic import ValidationError

from odoo_sync.actors import Actor, current_actor
from odoo_sync.core.ids import iso, new_id, utc_now
from odoo_sync.core.odoo_fields import OdooFieldsCache
from odoo_sync.core.settings_models import (
    ConflictPolicyInput,
    EntityInput,
    EntityView,
    MappingInput,
    PresetPolicy,
    ValueMapInput,
    ValueMapView,
)
from odoo_sync.errors import ConflictError, NotFoundError, UnprocessableError
from odoo_sync.odoo import OdooClient, OdooError
from odoo_sync.odoo.errors import ErrorCategory
from odoo_sync.sync import presets
from odoo_sync.sync.issues import InvalidValueError
from odoo_sync.sync.model import (
    Direction,
    EntityDefinition,
    FieldMapping,
    MappingType,
)
from odoo_sync.sync.transform_core import (
    OdooFieldInfo,
    TransformSpec,
    TransformSpecError,
    parse_transform_spec,
    registered_transforms,
    tenant_timezone,
)
from odoo_sync.sync.value_maps import ValueMap, ValueMapKind

MAX_TENANT_ENTITIES = 50
MAX_MAPPINGS_PER_ENTITY = 200
# A value map is stored as one item (DynamoDB allows 400 KB).
MAX_VALUE_MAP_BYTES = 350_000


class OdooAccess(Protocol):
    """What the settings need from the connections (ConnectionService fits)."""

    def resolve_id(self, tenant_id: str, connection_id: str | None) -> str: ...
    def client(self, tenant_id: str, connection_id: str) -> OdooClient: ...


# -- storage -------------------------------------------------------------------------------------


class SettingsRepository(Protocol):
    def get_entity(self, tenant_id: str, name: str) -> EntityView | None: ...
    def list_entities(self, tenant_id: str) -> list[EntityView]: ...
    def put_entity(
        self, tenant_id: str, entity: EntityDefinition, updated_at: str, updated_by: Actor | None = None
    ) -> None: ...
    def delete_entity(self, tenant_id: str, name: str) -> bool:
        """Remove the entity and its mappings; False when there was none."""
        ...

    def list_mappings(self, tenant_id: str, entity: str | None = None) -> list[FieldMapping]: ...
    def put_mapping(self, tenant_id: str, mapping: FieldMapping) -> None: ...
    def delete_mapping(self, tenant_id: str, mapping_id: str) -> bool: ...
    def get_value_map(self, tenant_id: str, kind: ValueMapKind, name: str) -> ValueMapView | None: ...
    def get_value_maps(self, tenant_id: str, keys: Iterable[tuple[ValueMapKind, str]]) -> list[ValueMap]: ...
    def put_value_map(
        self, tenant_id: str, value_map: ValueMap, updated_at: str, updated_by: Actor | None = None
    ) -> None: ...
    def get_preset_policy(self, tenant_id: str, name: str) -> PresetPolicy | None:
        """The tenant's conflict policy for a preset entity and when it was set; None: the preset's."""
        ...

    def list_preset_policies(self, tenant_id: str) -> dict[str, PresetPolicy]: ...
    def put_preset_policy(self, tenant_id: str, name: str, policy: PresetPolicy) -> None: ...


# -- merging -------------------------------------------------------------------------------------

_SIDES = {
    Direction.TO_ODOO: frozenset({Direction.TO_ODOO}),
    Direction.FROM_ODOO: frozenset({Direction.FROM_ODOO}),
    Direction.BOTH: frozenset({Direction.TO_ODOO, Direction.FROM_ODOO}),
}


def effective_mappings(preset: Iterable[FieldMapping], tenant: Iterable[FieldMapping]) -> list[FieldMapping]:
    """Preset defaults merged with the tenant's own, sorted by priority (tenant last on ties).

    A tenant mapping for a local field takes over the directions it covers from the preset
    mappings of that field: a `both` mapping replaces the preset, a `to_odoo` one leaves the
    preset only `from_odoo`. Inactive tenant mappings take over too, which switches presets off.
    """
    tenant = list(tenant)
    covered: dict[str, set[Direction]] = {}
    for mapping in tenant:
        covered.setdefault(mapping.local_field, set()).update(_SIDES[mapping.direction])
    merged: list[FieldMapping] = []
    for mapping in preset:
        remaining = _SIDES[mapping.direction] - covered.get(mapping.local_field, set())
        if not remaining:
            continue
        direction = Direction.BOTH if len(remaining) == 2 else next(iter(remaining))
        merged.append(
            mapping if direction is mapping.direction else mapping.model_copy(update={"direction": direction})
        )
    merged.extend(tenant)
    return sorted(merged, key=lambda m: (m.priority, m.source == "tenant", m.local_field, m.mapping_id))


def mapping_spec(mapping: FieldMapping) -> TransformSpec:
    """The transform a mapping runs (`direct` when it names none)."""
    return parse_transform_spec(mapping.transform or "direct", mapping.transform_params)


# -- services ------------------------------------------------------------------------------------


class EntityCatalog:
    """Read side of entities: presets and the tenant's own (what records and plans need)."""

    def __init__(self, repository: SettingsRepository) -> None:
        self._repository = repository

    def get(self, tenant_id: str, name: str) -> EntityDefinition:
        return self.view(tenant_id, name).entity

    def view(self, tenant_id: str, name: str) -> EntityView:
        """The entity as this tenant has it (a preset with the tenant's conflict policy), or 404."""
        preset = presets.PRESET_ENTITIES.get(name)
        if preset is not None:
            return _with_policy(preset, self._repository.get_preset_policy(tenant_id, name))
        stored = self._repository.get_entity(tenant_id, name)
        if stored is None:
            raise NotFoundError("entity", name, field="entity")
        return stored

    def entities(self, tenant_id: str) -> list[EntityView]:
        own = self._repository.list_entities(tenant_id)
        policies = self._repository.list_preset_policies(tenant_id)
        return [
            _with_policy(entity, policies.get(entity.name)) for entity in presets.PRESET_ENTITIES.values()
        ] + sorted(own, key=lambda view: view.entity.name)

    def mappings(self, tenant_id: str, entity: str) -> list[FieldMapping]:
        """The effective mappings of one entity (active or not)."""
        self.get(tenant_id, entity)
        own = self._repository.list_mappings(tenant_id, entity)
        return effective_mappings(presets.preset_mappings(entity), own)


def _with_policy(preset: EntityDefinition, policy: PresetPolicy | None) -> EntityView:
    if policy is None:
        return EntityView(entity=preset)
    return EntityView(
        entity=preset.model_copy(update={"conflicts": policy.policy}),
        updated_at=policy.updated_at,
        updated_by=policy.updated_by,
    )


@dataclass(frozen=True)
class _Odoo:
    tenant_id: str
    connection_id: str
    client: OdooClient


@dataclass(frozen=True)
class SavedMapping:
    mapping: FieldMapping
    created: bool


class SettingsService:
    def __init__(
        self, repository: SettingsRepository, odoo: OdooAccess, fields_cache: OdooFieldsCache
    ) -> None:
        self._repository = repository
        self._odoo = odoo
        self._fields = fields_cache
        self.catalog = EntityCatalog(repository)

    # entities

    def save_entity(self, tenant_id: str, data: EntityInput) -> tuple[EntityView, bool]:
        """Create or replace a tenant entity; True when it is new."""
        if presets.is_preset(data.name):
            raise ConflictError(f"{data.name!r} is a preset entity; choose another name", field="name")
        existing = self._repository.get_entity(tenant_id, data.name)
        if existing is None and len(self._repository.list_entities(tenant_id)) >= MAX_TENANT_ENTITIES:
            raise ConflictError(f"a tenant may define at most {MAX_TENANT_ENTITIES} entities", field="name")
        entity = self._entity_from(data)
        if existing is not None and existing.entity.odoo_model != entity.odoo_model:
            # The records' links hold ids of the old model; on another model they would name
            # unrelated records, and a push would overwrite them.
            raise ConflictError(
                f"{data.name!r} syncs with {existing.entity.odoo_model}; its Odoo model cannot change",
                field="odoo_model",
            )
        self._check_entity_in_odoo(tenant_id, data.connection_id, entity)
        view = EntityView(entity=entity, updated_at=iso(utc_now()), updated_by=current_actor())
        self._repository.put_entity(tenant_id, entity, str(view.updated_at), view.updated_by)
        return view, existing is None

    def get_entity(self, tenant_id: str, name: str) -> EntityView:
        return self.catalog.view(tenant_id, name)

    def set_conflict_policy(self, tenant_id: str, name: str, data: ConflictPolicyInput) -> EntityView:
        """Replace the conflict policy of a preset or tenant entity (404 for neither); per-field
        keys must be fields of the entity's Odoo model."""
        entity = self.catalog.get(tenant_id, name)
        odoo = self._connect(tenant_id, data.connection_id)
        policy = data.policy
        known = self._model_fields(odoo, entity.odoo_model, "entity", policy.fields)
        problems = [
            (f"fields.{field}", f"{entity.odoo_model} has no field {field!r}")
            for field in policy.fields
            if field not in known
        ]
        if problems:
            raise UnprocessableError(problems)
        view = EntityView(
            entity=entity.model_copy(update={"conflicts": policy}),
            updated_at=iso(utc_now()),
            updated_by=current_actor(),
        )
        if entity.preset:
            stamped = PresetPolicy(policy=policy, updated_at=str(view.updated_at), updated_by=view.updated_by)
            self._repository.put_preset_policy(tenant_id, name, stamped)
        else:
            self._repository.put_entity(tenant_id, view.entity, str(view.updated_at), view.updated_by)
        return view

    def delete_entity(self, tenant_id: str, name: str) -> None:
        if presets.is_preset(name):
            raise ConflictError(f"{name!r} is a preset entity and cannot be deleted", field="entity")
        if not self._repository.delete_entity(tenant_id, name):
            raise NotFoundError("entity", name, field="entity")

    @staticmethod
    def _entity_from(data: EntityInput) -> EntityDefinition:
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

    def _check_entity_in_odoo(
        self, tenant_id: str, connection_id: str | None, entity: EntityDefinition
    ) -> None:
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

    # field mappings

    def list_mappings(self, tenant_id: str, entity: str | None) -> list[FieldMapping]:
        names = (
            [entity]
            if entity is not None
            else [view.entity.name for view in self.catalog.entities(tenant_id)]
        )
        return [mapping for name in names for mapping in self.catalog.mappings(tenant_id, name)]

    def save_mapping(self, tenant_id: str, data: MappingInput) -> SavedMapping:
        """Create a tenant mapping, or replace the tenant's mapping for the same field and direction."""
        try:
            entity = self.catalog.get(tenant_id, data.entity)
        except NotFoundError as exc:
            raise UnprocessableError([("entity", f"there is no entity {data.entity!r}")]) from exc
        model = data.odoo_model or entity.odoo_model
        allowed = {entity.odoo_model, entity.variant_model} - {None}
        if model not in allowed:
            raise UnprocessableError(
                [("odoo_model", f"entity {entity.name!r} maps to {' or '.join(sorted(map(str, allowed)))}")]
            )
        own = self._repository.list_mappings(tenant_id, entity.name)
        same = next(
            (m for m in own if (m.local_field, m.direction) == (data.local_field, data.direction)), None
        )
        if same is None and len(own) >= MAX_MAPPINGS_PER_ENTITY:
            raise ConflictError(
                f"an entity may have at most {MAX_MAPPINGS_PER_ENTITY} mappings of the tenant's own",
                field="entity",
            )
        mapping = FieldMapping(
            mapping_id=same.mapping_id if same is not None else new_id("map"),
            source="tenant",
            odoo_model=model,
            updated_by=current_actor(),
            **data.model_dump(exclude={"connection_id", "odoo_model"}),
        )
        if mapping.is_active:
            spec = _checked_spec(mapping)
            self._check_mapping_in_odoo(tenant_id, data.connection_id, mapping, spec)
        self._repository.put_mapping(tenant_id, mapping)
        return SavedMapping(mapping, created=same is None)

    def delete_mapping(self, tenant_id: str, mapping_id: str) -> None:
        if mapping_id.startswith("preset."):
            raise ConflictError(
                "preset mappings cannot be deleted; save a mapping for the same field with is_active=false",
                field="mapping_id",
            )
        if not self._repository.delete_mapping(tenant_id, mapping_id):
            raise NotFoundError("field mapping", mapping_id, field="mapping_id")

    def _check_mapping_in_odoo(
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

    # value maps

    def put_value_map(
        self, tenant_id: str, kind: ValueMapKind, name: str, data: ValueMapInput
    ) -> ValueMapView:
        try:
            value_map = ValueMap(kind=kind, name=name, **data.model_dump())
        except ValidationError as exc:
            raise UnprocessableError(
                [(_location(error["loc"]) or "entries", error["msg"]) for error in exc.errors()]
            ) from exc
        if len(value_map.model_dump_json()) > MAX_VALUE_MAP_BYTES:
            raise UnprocessableError(
                [("entries", f"the map is too large to store (at most {MAX_VALUE_MAP_BYTES} bytes as JSON)")]
            )
        view = ValueMapView(value_map=value_map, updated_at=iso(utc_now()), updated_by=current_actor())
        self._repository.put_value_map(tenant_id, value_map, view.updated_at, view.updated_by)
        return view

    def get_value_map(self, tenant_id: str, kind: ValueMapKind, name: str) -> ValueMapView:
        found = self._repository.get_value_map(tenant_id, kind, name)
        if found is None:
            raise NotFoundError("value map", f"{kind.value}/{name}", field="kind")
        return found

    # Odoo

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


def _checked_spec(mapping: FieldMapping) -> TransformSpec:
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


def _location(location: Sequence[Any]) -> str:
    return ".".join(str(part) for part in location)
