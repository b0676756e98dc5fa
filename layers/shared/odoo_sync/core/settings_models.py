"""What a tenant sends to change its sync settings, and what it is shown back: the bodies of the
settings routes (validated by pydantic before anything is checked against Odoo) and the views of
stored entities, value maps and preset conflict policies (core.settings_checks holds the rules)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from odoo_sync.actors import Actor
from odoo_sync.sync.model import (
    ENTITY_NAME_PATTERN,
    LOCAL_FIELD_PATTERN,
    ODOO_FIELD_PATTERN,
    ODOO_LANG_PATTERN,
    ODOO_MODEL_PATTERN,
    ConflictPolicy,
    ConflictRule,
    Direction,
    EntityDefinition,
    MappingType,
    MatchKey,
)
from odoo_sync.sync.validation import FieldRule
from odoo_sync.sync.value_maps import MAX_ENTRIES, ValueMap, ValueMapEntry

CONNECTION_ID_PATTERN = r"^con_[0-9a-f]{16}$"
VALUE_MAP_NAME_PATTERN = r"^[a-z0-9_.\-]{1,64}$"


# -- inputs --------------------------------------------------------------------------------------


class EntityInput(BaseModel):
    """Body of POST /v1/entities: a tenant's own entity over any Odoo model."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=ENTITY_NAME_PATTERN)
    odoo_model: str = Field(pattern=ODOO_MODEL_PATTERN, max_length=128)
    description: str = Field(default="", max_length=500)
    match_keys: list[MatchKey] = Field(min_length=1, max_length=5)
    fields: list[FieldRule] = Field(default_factory=list, max_length=200)
    variant_model: str | None = Field(default=None, pattern=ODOO_MODEL_PATTERN, max_length=128)
    timezone: str = Field(default="UTC", max_length=64)
    # Who wins a field changed on both sides; per-field keys are Odoo fields of the model.
    conflicts: ConflictPolicy = ConflictPolicy()
    connection_id: str | None = Field(default=None, pattern=CONNECTION_ID_PATTERN)


class MappingInput(BaseModel):
    """Body of POST /v1/field-mappings (a FieldMapping without its id and source)."""

    model_config = ConfigDict(extra="forbid")

    entity: str = Field(pattern=ENTITY_NAME_PATTERN)
    local_field: str = Field(pattern=LOCAL_FIELD_PATTERN)
    odoo_field: str = Field(pattern=ODOO_FIELD_PATTERN)
    odoo_model: str | None = Field(default=None, pattern=ODOO_MODEL_PATTERN, max_length=128)
    mapping_type: MappingType = MappingType.DIRECT
    transform: str | None = Field(default=None, max_length=64)
    transform_params: dict[str, Any] = Field(default_factory=dict, max_length=50)
    direction: Direction = Direction.BOTH
    is_required: bool = False
    is_active: bool = True
    priority: int = Field(default=100, ge=0, le=10_000)
    # The Odoo field's value in this language (e.g. fr_FR); the field must be translatable.
    lang: str | None = Field(default=None, pattern=ODOO_LANG_PATTERN)
    connection_id: str | None = Field(default=None, pattern=CONNECTION_ID_PATTERN)


class ConflictPolicyInput(BaseModel):
    """Body of PUT /v1/entities/{name}/conflicts: the entity's whole conflict policy."""

    model_config = ConfigDict(extra="forbid")

    default: ConflictRule = ConflictRule.MANUAL
    fields: dict[str, ConflictRule] = Field(default_factory=dict, max_length=200)
    # The Odoo whose fields the per-field keys are checked against (the only one when left out).
    connection_id: str | None = Field(default=None, pattern=CONNECTION_ID_PATTERN)

    @property
    def policy(self) -> ConflictPolicy:
        return ConflictPolicy(default=self.default, fields=self.fields)


class ValueMapInput(BaseModel):
    """Body of PUT /v1/value-maps/{kind}: the whole map (kind and name come from the route)."""

    model_config = ConfigDict(extra="forbid")

    odoo_model: str | None = Field(default=None, pattern=ODOO_MODEL_PATTERN, max_length=128)
    case_sensitive: bool = False
    auto_create: bool = False
    auto_create_field: str = Field(default="name", pattern=ODOO_FIELD_PATTERN)
    entries: list[ValueMapEntry] = Field(default_factory=list, max_length=MAX_ENTRIES)


class EntityView(BaseModel):
    entity: EntityDefinition
    updated_at: str | None = None
    updated_by: Actor | None = None  # who saved it last (the entity or its conflict policy)


class ValueMapView(BaseModel):
    value_map: ValueMap
    updated_at: str
    updated_by: Actor | None = None


class PresetPolicy(BaseModel):
    """A tenant's conflict policy for a preset entity, and who set it when."""

    policy: ConflictPolicy
    updated_at: str
    updated_by: Actor | None = None
