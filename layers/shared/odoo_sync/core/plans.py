"""Loading what a push of one entity through one connection needs (core.ports.PlanLoader).

Entity -> effective active mappings by priority -> the value maps they use -> fields_get of each
Odoo model involved (cached per connection and model, so at most one call per model per hour)
-> field infos. Mappings whose Odoo field this Odoo lacks are left out and listed in
`skipped_fields`, so one missing custom field does not fail every record.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from odoo_sync.core.entity_catalog import EntityCatalog, mapping_spec
from odoo_sync.core.odoo_fields import OdooFieldsCache
from odoo_sync.core.settings_ports import SettingsRepository
from odoo_sync.odoo import OdooClient
from odoo_sync.sync import presets
from odoo_sync.sync.external_ids import xmlid_module
from odoo_sync.sync.model import Direction, EntityDefinition, FieldMapping
from odoo_sync.sync.order_presets import implied_value_maps, related_models
from odoo_sync.sync.plan import SyncPlan
from odoo_sync.sync.transform_core import TransformSpecError
from odoo_sync.sync.validation import FieldRule, RecordRules
from odoo_sync.sync.value_maps import ValueMapKind, ValueMaps


class PlanService:
    def __init__(self, repository: SettingsRepository, fields_cache: OdooFieldsCache) -> None:
        self._repository = repository
        self._catalog = EntityCatalog(repository)
        self._fields = fields_cache

    def load(self, tenant_id: str, connection_id: str, entity: str, client: OdooClient) -> SyncPlan:
        """The plan; NotFoundError for an unknown entity, Odoo's errors when fields_get fails."""
        definition = self._catalog.get(tenant_id, entity)
        mappings = [m for m in self._catalog.mappings(tenant_id, entity) if m.is_active]
        wanted_maps = [*_value_map_keys(mappings), *implied_value_maps(definition.odoo_model)]
        value_maps = ValueMaps(self._repository.get_value_maps(tenant_id, wanted_maps))
        mappings = [_adapted(mapping, value_maps) for mapping in mappings]
        models = dict.fromkeys(
            [definition.odoo_model, *(m.odoo_model for m in mappings), *related_models(definition.odoo_model)]
        )
        odoo_fields = {
            model: self._fields.fields(tenant_id, connection_id, model, client) for model in models
        }
        kept = [m for m in mappings if m.odoo_field in odoo_fields[m.odoo_model]]
        skipped = dict.fromkeys(m.odoo_field for m in mappings if m not in kept)
        return SyncPlan(
            entity=definition,
            mappings=tuple(kept),
            value_maps=value_maps,
            odoo_fields=odoo_fields,
            rules=entity_rules(definition, kept),
            skipped_fields=tuple(skipped),
            xmlid_module=xmlid_module(tenant_id),
        )


def entity_rules(entity: EntityDefinition, mappings: Sequence[FieldMapping]) -> RecordRules:
    """The entity's validation rules; a required mapping makes its local field required."""
    base = presets.preset_rules(entity.name) if entity.preset else None
    rules = list(base.fields if base is not None else entity.fields)
    required = {m.local_field for m in mappings if m.is_required and m.applies(Direction.TO_ODOO)}
    by_field = {rule.field: index for index, rule in enumerate(rules)}
    for name in sorted(required):
        if name in by_field:
            rule = rules[by_field[name]]
            rules[by_field[name]] = rule if rule.required else rule.model_copy(update={"required": True})
        else:
            rules.append(FieldRule(field=name, kind="any", required=True))
    if base is not None:
        return base.model_copy(update={"fields": rules})
    return RecordRules(fields=rules)


def _value_map_keys(mappings: Iterable[FieldMapping]) -> list[tuple[ValueMapKind, str]]:
    keys: list[tuple[ValueMapKind, str]] = []
    for mapping in mappings:
        try:
            spec = mapping_spec(mapping)
        except TransformSpecError:
            continue  # a transform the engine registers itself (images); it names no value map
        name = getattr(spec, "value_map", None)
        key = _parse_value_map_key(name) if isinstance(name, str) else None
        if key is not None:
            keys.append(key)
    return keys


def _parse_value_map_key(key: str) -> tuple[ValueMapKind, str] | None:
    """ValueMap.key back to (kind, name): "category" or "category:shop"."""
    kind, _, name = key.partition(":")
    try:
        return ValueMapKind(kind), name or "default"
    except ValueError:
        return None


def _adapted(mapping: FieldMapping, value_maps: ValueMaps) -> FieldMapping:
    """The preset category mapping looks categories up by name until the tenant maps them."""
    if presets.is_preset_category_mapping(mapping) and presets.CATEGORY_VALUE_MAP not in value_maps:
        fallback = presets.category_mapping(by_value_map=False)
        return mapping.model_copy(update={"transform_params": fallback.transform_params})
    return mapping
