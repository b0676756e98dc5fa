"""Webhook automations: the API's payloads, the statuses an entity can have, the errors, the ports.

The behaviour is described in `odoo_sync.core.automation` and docs/automation.md.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from odoo_sync.core.settings_models import EntityView
from odoo_sync.errors import ConflictError
from odoo_sync.sync.model import ENTITY_NAME_PATTERN, EntityDefinition, FieldMapping

WEBHOOK_MIN_MAJOR = 17
AUTOMATION_MODULE = "base_automation"
XMLID_MODULE = "odoo_sync"
POLLING_CRON = "*/5 * * * *"


# -- ports ---------------------------------------------------------------------------------------


class Catalog(Protocol):
    """What the entity catalog offers (core.entity_catalog.EntityCatalog fits)."""

    def get(self, tenant_id: str, name: str) -> EntityDefinition: ...
    def entities(self, tenant_id: str) -> list[EntityView]: ...
    def mappings(self, tenant_id: str, entity: str) -> list[FieldMapping]: ...


# -- payloads ------------------------------------------------------------------------------------


class AutomationRequest(BaseModel):
    """Body of POST /v1/connections/{id}/automation (optional)."""

    model_config = ConfigDict(extra="forbid")

    entities: list[Annotated[str, Field(pattern=ENTITY_NAME_PATTERN)]] | None = Field(
        default=None,
        min_length=1,
        max_length=60,
        description="Entities to watch; by default those whose mappings read from Odoo.",
    )


class EntityStatus(StrEnum):
    UP_TO_DATE = "up_to_date"  # present in Odoo as it should be
    DRIFTED = "drifted"  # present, but something differs (`differences`) or Odoo warns (`warning`)
    MISSING = "missing"  # not (or not completely) present in Odoo
    CREATED = "created"  # set up by this call
    UPDATED = "updated"  # repaired by this call (what was written is in `differences`)
    ORPHANED = "orphaned"  # ours in Odoo, for an entity that no longer exists here
    REMOVED = "removed"
    SKIPPED = "skipped"  # not set up: this Odoo lacks the entity's model (listed in `reason`)
    FAILED = "failed"  # Odoo refused or flagged its rule (`reason`); the whole call was undone
    ROLLED_BACK = "rolled_back"  # set up or repaired by a call that failed, then undone


class EntityAutomation(BaseModel):
    entity: str
    odoo_model: str
    status: EntityStatus
    automation_id: int | None = None
    action_id: int | None = None
    trigger_fields: list[str] = Field(default_factory=list)
    differences: list[str] = Field(default_factory=list)
    reason: str | None = None
    # Odoo's own warning on our webhook action (Odoo 18.2+): Odoo refuses to run a warned action
    # and, while it exists, every create or write of the model that fires its rule.
    warning: str | None = None


class SuggestedSchedule(BaseModel):
    """A body for POST /v1/schedules that polls Odoo for the entity's changes."""

    name: str
    entity: str
    cron_expression: str = POLLING_CRON
    timezone: str = "UTC"
    sync_direction: Literal["from_odoo"] = "from_odoo"
    sync_type: Literal["incremental"] = "incremental"
    is_enabled: bool = True


class AutomationAnswer(BaseModel):
    mode: Literal["webhook", "polling"]
    connection_id: str
    odoo_version: str
    entities: list[EntityAutomation] = Field(default_factory=list)
    # Shown only when this call created or rotated the token: it is stored only as a hash.
    webhook_url: str | None = None
    token: Literal["created", "rotated", "kept"] | None = None
    reason: str | None = None
    suggested_schedules: list[SuggestedSchedule] = Field(default_factory=list)


# -- errors --------------------------------------------------------------------------------------


class AutomationModuleMissingError(ConflictError):
    code = "odoo_module_missing"

    def __init__(self, state: str | None) -> None:
        found = "is not installed" if state is None else f"is {state!r}, not installed"
        super().__init__(
            f"The Odoo module {AUTOMATION_MODULE} (Automation Rules) {found}. Install it in Odoo "
            "(Apps, remove the 'Apps' filter, search 'Automation Rules', Activate), then call again.",
            details={"module": AUTOMATION_MODULE, "module_state": state},
        )


class AutomationSetupFailedError(ConflictError):
    """409: Odoo refused (or flagged with a warning) one entity's rule; the call was undone."""

    code = "automation_setup_failed"

    def __init__(
        self,
        entity: str,
        reason: str,
        *,
        odoo: dict[str, object] | None,
        entities: list[EntityAutomation],
        left_in_odoo: list[dict[str, Any]],
        removed: list[str],
    ) -> None:
        outcome = (
            "Nothing this call made is left in Odoo"
            if not left_in_odoo
            else "Odoo failed while this call was being undone: what is left is in `left_in_odoo`"
        )
        if removed:
            outcome += (
                f"; the rules of {', '.join(repr(name) for name in removed)} carried a warning in Odoo, "
                "which then refuses every save they watch, so they were removed (set up again to "
                "recreate them)"
            )
        super().__init__(
            f"Odoo did not accept the automation rule for entity {entity!r}: {reason}. {outcome}.",
            details={
                "entity": entity,
                "reason": reason,
                "odoo": odoo,
                "entities": [item.model_dump(mode="json") for item in entities],
                "undone": not left_in_odoo,
                "left_in_odoo": left_in_odoo,
            },
        )
