"""Everything the engine needs to push one entity through one connection, loaded once per chunk."""

from __future__ import annotations

from dataclasses import dataclass, field

from odoo_sync.sync.model import Direction, EntityDefinition, FieldMapping
from odoo_sync.sync.transform_core import OdooFieldInfo
from odoo_sync.sync.validation import RecordRules
from odoo_sync.sync.value_maps import ValueMaps


@dataclass(frozen=True)
class SyncPlan:
    entity: EntityDefinition
    mappings: tuple[FieldMapping, ...]  # effective (preset + tenant), active, sorted by priority
    value_maps: ValueMaps
    # fields_get of every Odoo model the mappings touch: {model: {field: info}}
    odoo_fields: dict[str, dict[str, OdooFieldInfo]]
    rules: RecordRules
    # Odoo fields the mappings name but this Odoo lacks: skipped with a warning, not failed.
    skipped_fields: tuple[str, ...] = field(default_factory=tuple)
    # The ir.model.data module our external ids live in for this tenant, e.g. "odoo_sync_ab12cd34".
    xmlid_module: str = "odoo_sync"

    def mappings_for(self, direction: Direction) -> tuple[FieldMapping, ...]:
        return tuple(m for m in self.mappings if m.applies(direction))
