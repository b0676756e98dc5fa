"""What our automation should look like in Odoo, and how Odoo's rows differ from it (no I/O).

Trigger fields (`base.automation.trigger_field_ids`) are the fields whose change notifies us: the
fields an entity's mappings read from Odoo. They may be any field, group-restricted ones included.

Payload fields (`ir.actions.server.webhook_field_ids`) are only `id` and `write_date`: the receiver
needs the model, the id and the version (`_model`/`_id` are always sent), and the worker re-reads
the record through the connection's own credentials anyway. Odoo refuses a payload field declared
with `groups=` (17: ValidationError at create; 19: a `warning` on the action, after which every
create or write of the model is refused), and it does not tell which fields those are through the
API (ir.model.fields.groups stays empty for fields declared in code). A payload of `id` and
`write_date` can never contain one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from odoo_sync.core.automation_model import EntityAutomation, EntityStatus
from odoo_sync.core.webhook_tokens import WebhookToken, url_carries
from odoo_sync.sync.finance_presets import watched_fields as read_only_watched_fields
from odoo_sync.sync.model import ConflictPolicy, Direction, EntityDefinition, FieldMapping

PAYLOAD_FIELDS = ("id", "write_date")
TRIGGER = "on_create_or_write"
AUTOMATION_MODEL = "base.automation"
ACTION_MODEL = "ir.actions.server"
AUTOMATION_FIELDS = ["model_id", "trigger", "trigger_field_ids", "filter_domain", "active"]
ACTION_FIELDS = ["model_id", "state", "usage", "base_automation_id", "webhook_url", "webhook_field_ids"]


@dataclass(frozen=True)
class Wanted:
    """One entity's automation as it should be in Odoo."""

    entity: str
    odoo_model: str
    model_id: int
    trigger_fields: tuple[str, ...]
    trigger_field_ids: frozenset[int]
    payload_field_ids: frozenset[int]


@dataclass
class Found:
    """What of ours exists in Odoo for one entity: its external ids and the records they name."""

    entity: str
    automation_xmlid: dict[str, Any] | None = None
    action_xmlid: dict[str, Any] | None = None
    automation: dict[str, Any] | None = None
    action: dict[str, Any] | None = None

    @property
    def present(self) -> bool:
        return self.automation is not None or self.action is not None

    @property
    def warning(self) -> str | None:
        """Odoo's warning on our action, as read (Odoo 18.2+; None before)."""
        value = self.action.get("warning") if self.action else None
        return str(value) if value else None


def automation_xmlid_name(entity: str, connection_id: str) -> str:
    return f"automation_{entity}_{connection_id}"


def action_xmlid_name(entity: str, connection_id: str) -> str:
    return f"webhook_{entity}_{connection_id}"


def watched_fields(entity: EntityDefinition, mappings: Iterable[FieldMapping]) -> tuple[str, ...]:
    """The Odoo fields whose change should notify us: those the mappings read from Odoo.

    An entity with mappings only towards Odoo (watched for its conflicts, or because it was
    asked for) is watched on every field it maps, so that changes made in Odoo are noticed.
    """
    shaped = read_only_watched_fields(entity)
    if shaped:  # invoice, stock: no mappings, their shape's fields
        return shaped
    on_model = [m for m in mappings if m.is_active and m.odoo_model == entity.odoo_model]
    reading = [m for m in on_model if m.applies(Direction.FROM_ODOO)]
    return tuple(sorted({m.odoo_field for m in (reading or on_model)} - set(PAYLOAD_FIELDS)))


def reads_from_odoo(entity: EntityDefinition, mappings: Iterable[FieldMapping]) -> bool:
    reading = any(m.applies(Direction.FROM_ODOO) and m.odoo_model == entity.odoo_model for m in mappings)
    return reading or entity.conflicts != ConflictPolicy()


def automation_differences(wanted: Wanted, row: dict[str, Any]) -> dict[str, Any]:
    """The values to write so that the automation row is as wanted (empty when it is)."""
    changes: dict[str, Any] = {}
    model_changes = many2one_id(row.get("model_id")) != wanted.model_id
    if model_changes:
        changes["model_id"] = wanted.model_id
    # Odoo recomputes the trigger and its fields when the model changes: send them again then.
    if model_changes or row.get("trigger") != TRIGGER:
        changes["trigger"] = TRIGGER
    if model_changes or set(row.get("trigger_field_ids") or []) != wanted.trigger_field_ids:
        changes["trigger_field_ids"] = [[6, 0, sorted(wanted.trigger_field_ids)]]
    if row.get("filter_domain") not in (False, None, "", "[]"):
        changes["filter_domain"] = False
    if row.get("active") is not True:
        changes["active"] = True
    return changes


def action_differences(
    wanted: Wanted, row: dict[str, Any], automation_id: int, token_hash: str, url_prefix: str
) -> dict[str, Any]:
    """The values to write so that the webhook action is as wanted; `webhook_url` stands for the
    URL with the connection's current token (the caller fills it in when it knows the token)."""
    changes: dict[str, Any] = {}
    if many2one_id(row.get("model_id")) != wanted.model_id:
        changes["model_id"] = wanted.model_id
    if row.get("state") != "webhook":
        changes["state"] = "webhook"
    if row.get("usage") != "base_automation":
        changes["usage"] = "base_automation"
    if many2one_id(row.get("base_automation_id")) != automation_id:
        changes["base_automation_id"] = automation_id
    url = row.get("webhook_url")
    if not (isinstance(url, str) and url.startswith(url_prefix) and url_carries(url, token_hash)):
        changes["webhook_url"] = None
    if set(row.get("webhook_field_ids") or []) != wanted.payload_field_ids:
        changes["webhook_field_ids"] = [[6, 0, sorted(wanted.payload_field_ids)]]
    return changes


def previous_values(row: dict[str, Any], names: Iterable[str]) -> dict[str, Any]:
    """The values of `row` (as read) for `names`, as a write takes them: to put a row back."""
    values: dict[str, Any] = {}
    for name in names:
        value = row.get(name)
        if name in ("trigger_field_ids", "webhook_field_ids"):
            values[name] = [[6, 0, sorted(value or [])]]
        elif name in ("model_id", "base_automation_id"):
            values[name] = many2one_id(value) or False
        else:
            values[name] = value
    return values


def many2one_id(value: Any) -> int | None:
    if isinstance(value, list | tuple) and value:
        value = value[0]
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def compare(want: Wanted, have: Found | None, token: WebhookToken | None, prefix: str) -> EntityAutomation:
    """An entity's state in Odoo against what it should be; nothing is written."""
    state = EntityAutomation(
        entity=want.entity,
        odoo_model=want.odoo_model,
        status=EntityStatus.MISSING,
        trigger_fields=list(want.trigger_fields),
    )
    if have is None or have.automation is None or have.action is None:
        if have is not None:
            state.automation_id = int(have.automation["id"]) if have.automation else None
            state.action_id = int(have.action["id"]) if have.action else None
            state.differences = ["automation"] if have.automation is None else ["action"]
        return state
    automation_id = int(have.automation["id"])
    differences = sorted(automation_differences(want, have.automation))
    differences += sorted(
        action_differences(want, have.action, automation_id, token.token_hash if token else "", prefix)
    )
    if have.warning:
        differences.append("warning")
    state.automation_id, state.action_id = automation_id, int(have.action["id"])
    state.differences = differences
    state.warning = have.warning
    state.status = EntityStatus.DRIFTED if differences else EntityStatus.UP_TO_DATE
    return state
