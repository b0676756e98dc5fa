"""A tenant's entities and the field mappings that apply to them, as pushes, pulls and records read them.

The read side of the settings, apart from the rules for saving them, because most of the service
only reads: plans, records and automation need an entity and its effective mappings, never the
checks against Odoo. Entities are the presets (`customer`, `product`, with the tenant's conflict
policy when it set one) plus the tenant's own. The mappings that apply to an entity are the
presets' defaults merged with the tenant's own (`effective_mappings`): a tenant mapping for the
same local field and direction replaces the preset one, and an inactive tenant mapping switches
it off.
"""

from __future__ import annotations

from collections.abc import Iterable

from odoo_sync.core.settings_models import EntityView, PresetPolicy
from odoo_sync.core.settings_ports import SettingsRepository
from odoo_sync.errors import NotFoundError
from odoo_sync.sync import presets
from odoo_sync.sync.model import Direction, EntityDefinition, FieldMapping
from odoo_sync.sync.transform_core import TransformSpec, parse_transform_spec

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
