"""A tenant's sync settings: saving entities, field mappings, conflict policies and value maps.

The write side of the settings: the limits of what a tenant may store, and which checks run
before a change is kept (`odoo_sync.core.settings_checks`: whatever names an Odoo model or field
is checked against that Odoo's fields_get when saved, so mistakes surface at once rather than on
every record). What is read back, and how preset and tenant mappings merge, is
`odoo_sync.core.entity_catalog`.

An entity's conflict policy is set with the entity (`POST /v1/entities`) or on its own
(`PUT /v1/entities/{name}/conflicts`); the latter works for presets too, whose definition is
otherwise fixed: the tenant's policy is stored beside them and every read of the preset (the
catalog, hence plans, pulls and pushes) carries it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from odoo_sync.actors import current_actor
from odoo_sync.core.entity_catalog import EntityCatalog
from odoo_sync.core.ids import iso, new_id, utc_now
from odoo_sync.core.odoo_fields import OdooFieldsCache
from odoo_sync.core.settings_checks import OdooChecks, checked_spec, entity_from
from odoo_sync.core.settings_models import (
    ConflictPolicyInput,
    EntityInput,
    EntityView,
    MappingInput,
    PresetPolicy,
    ValueMapInput,
    ValueMapView,
)
from odoo_sync.core.settings_ports import OdooAccess, SettingsRepository
from odoo_sync.errors import ConflictError, NotFoundError, UnprocessableError
from odoo_sync.sync import presets
from odoo_sync.sync.model import FieldMapping
from odoo_sync.sync.value_maps import ValueMap, ValueMapKind

MAX_TENANT_ENTITIES = 50
MAX_MAPPINGS_PER_ENTITY = 200
# A value map is stored as one item (DynamoDB allows 400 KB).
MAX_VALUE_MAP_BYTES = 350_000


@dataclass(frozen=True)
class SavedMapping:
    mapping: FieldMapping
    created: bool


class SettingsService:
    def __init__(
        self, repository: SettingsRepository, odoo: OdooAccess, fields_cache: OdooFieldsCache
    ) -> None:
        self._repository = repository
        self._checks = OdooChecks(odoo, fields_cache)
        self.catalog = EntityCatalog(repository)

    # entities

    def save_entity(self, tenant_id: str, data: EntityInput) -> tuple[EntityView, bool]:
        """Create or replace a tenant entity; True when it is new."""
        if presets.is_preset(data.name):
            raise ConflictError(f"{data.name!r} is a preset entity; choose another name", field="name")
        existing = self._repository.get_entity(tenant_id, data.name)
        if existing is None and len(self._repository.list_entities(tenant_id)) >= MAX_TENANT_ENTITIES:
            raise ConflictError(f"a tenant may define at most {MAX_TENANT_ENTITIES} entities", field="name")
        entity = entity_from(data)
        if existing is not None and existing.entity.odoo_model != entity.odoo_model:
            # The records' links hold ids of the old model; on another model they would name
            # unrelated records, and a push would overwrite them.
            raise ConflictError(
                f"{data.name!r} syncs with {existing.entity.odoo_model}; its Odoo model cannot change",
                field="odoo_model",
            )
        self._checks.check_entity(tenant_id, data.connection_id, entity)
        view = EntityView(entity=entity, updated_at=iso(utc_now()), updated_by=current_actor())
        self._repository.put_entity(tenant_id, entity, str(view.updated_at), view.updated_by)
        return view, existing is None

    def get_entity(self, tenant_id: str, name: str) -> EntityView:
        return self.catalog.view(tenant_id, name)

    def set_conflict_policy(self, tenant_id: str, name: str, data: ConflictPolicyInput) -> EntityView:
        """Replace the conflict policy of a preset or tenant entity (404 for neither); per-field
        keys must be fields of the entity's Odoo model."""
        entity = self.catalog.get(tenant_id, name)
        policy = data.policy
        self._checks.check_conflict_policy(tenant_id, data.connection_id, entity, policy)
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
            spec = checked_spec(mapping)
            self._checks.check_mapping(tenant_id, data.connection_id, mapping, spec)
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


def _location(location: Sequence[Any]) -> str:
    return ".".join(str(part) for part in location)
