"""Setting up (or repairing) the automations of one call, all or nothing.

Per entity: create what is missing, write what differs. Then every action this call created or
wrote is read back once: an action of ours that carries a `warning` (Odoo 18.2+) makes Odoo refuse
every save its rule fires on, so it fails its entity like an error from Odoo does (17 refuses a
group-restricted payload field at create with a ValidationError; any other Odoo error counts too).

When an entity fails, the call is undone: what it created is unlinked, what it wrote gets its
previous values back. An action of ours that carries a warning is never put back: it is removed
with its rule (no rule is better than one that blocks the tenant's work), whether this call made
it or found it so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from odoo_sync.core.automation_model import AutomationSetupFailedError, EntityAutomation, EntityStatus
from odoo_sync.core.automation_odoo import OdooAutomations
from odoo_sync.core.automation_rules import (
    ACTION_MODEL,
    AUTOMATION_MODEL,
    Found,
    Wanted,
    action_differences,
    automation_differences,
)
from odoo_sync.core.webhook_tokens import WebhookToken
from odoo_sync.odoo import OdooError

_CHANGED = frozenset({EntityStatus.CREATED, EntityStatus.UPDATED})


@dataclass(frozen=True)
class Target:
    """Where our actions must POST: the connection's token and the URL that carries it."""

    token: WebhookToken
    url: str
    prefix: str  # the URL without the token: an action elsewhere is re-pointed


@dataclass
class SetupFailedError(Exception):
    """One entity failed; `warned` maps the actions of ours that carry a warning to their entity."""

    entity: str
    reason: str
    odoo: dict[str, object] | None = None
    states: list[EntityAutomation] = field(default_factory=list)
    warned: dict[int, str] = field(default_factory=dict)


def apply_all(
    odoo: OdooAutomations, wanted: dict[str, Wanted], found: dict[str, Found], target: Target
) -> list[EntityAutomation]:
    """Every wanted entity as it should be in Odoo, then read back; SetupFailedError otherwise (the
    caller undoes the call with `undo`)."""
    states: list[EntityAutomation] = []
    for name, want in wanted.items():
        try:
            states.append(apply_one(odoo, want, found.get(name), target))
        except OdooError as exc:
            raise SetupFailedError(name, exc.message, exc.to_dict(), states) from exc
    try:
        warnings = odoo.action_warnings(
            int(state.action_id) for state in states if state.status in _CHANGED and state.action_id
        )
    except OdooError as exc:
        first = next(state.entity for state in states if state.status in _CHANGED)
        raise SetupFailedError(
            first, f"its rule could not be read back: {exc.message}", exc.to_dict(), states
        ) from exc
    for state in states:
        have = found.get(state.entity)
        if state.status not in _CHANGED and have is not None and have.warning and state.action_id:
            warnings[int(state.action_id)] = have.warning  # untouched, and Odoo already warned
        if state.action_id in warnings:
            state.warning = warnings[state.action_id]
    warned = {action_id: state.entity for state in states if (action_id := state.action_id) in warnings}
    if warned:
        flagged = next(state for state in states if state.action_id in warnings)
        raise SetupFailedError(flagged.entity, f"Odoo warns: {flagged.warning}", None, states, warned)
    return states


def apply_one(odoo: OdooAutomations, want: Wanted, have: Found | None, target: Target) -> EntityAutomation:
    """Create what is missing, write what differs; the entity's state afterwards."""
    have = have or Found(want.entity)
    created = False
    written: list[str] = []
    if have.automation is None:
        automation_id = odoo.create_automation(want, have.automation_xmlid)
        created = True
    else:
        automation_id = int(have.automation["id"])
        changes = automation_differences(want, have.automation)
        if changes:
            odoo.write(AUTOMATION_MODEL, have.automation, changes)
            written += sorted(changes)
    if have.action is None:
        action_id = odoo.create_action(want, automation_id, target.url, have.action_xmlid)
        created = True
    else:
        action_id = int(have.action["id"])
        changes = action_differences(want, have.action, automation_id, target.token.token_hash, target.prefix)
        if "webhook_url" in changes:
            changes["webhook_url"] = target.url
        if changes:
            odoo.write(ACTION_MODEL, have.action, changes)
            written += sorted(changes)
    status = EntityStatus.CREATED if created else EntityStatus.UPDATED if written else EntityStatus.UP_TO_DATE
    return EntityAutomation(
        entity=want.entity,
        odoo_model=want.odoo_model,
        status=status,
        automation_id=automation_id,
        action_id=action_id,
        trigger_fields=list(want.trigger_fields),
        differences=written,
    )


def undo(
    odoo: OdooAutomations, failure: SetupFailedError, wanted: dict[str, Wanted], found: dict[str, Found]
) -> AutomationSetupFailedError:
    """Put Odoo back as this call found it (warned actions of ours removed); the error to answer."""
    left = odoo.undo(keep_removed=set(failure.warned))
    stale = [
        item
        for item in (found.get(entity) for entity in set(failure.warned.values()))
        if item is not None and item.action is not None and int(item.action["id"]) in failure.warned
    ]
    try:
        odoo.remove(stale)
    except OdooError as exc:
        left += [_left(item, exc) for item in stale]
    removed = sorted({item.entity for item in stale})
    return AutomationSetupFailedError(
        failure.entity,
        failure.reason,
        odoo=failure.odoo,
        entities=_states_after(failure, wanted),
        left_in_odoo=left,
        removed=removed,
    )


def _states_after(failure: SetupFailedError, wanted: dict[str, Wanted]) -> list[EntityAutomation]:
    states = {state.entity: state for state in failure.states}
    if failure.entity not in states:
        want = wanted[failure.entity]
        states[failure.entity] = EntityAutomation(
            entity=failure.entity, odoo_model=want.odoo_model, status=EntityStatus.FAILED
        )
    warned_entities = set(failure.warned.values())
    for state in states.values():
        if state.entity == failure.entity or state.entity in warned_entities:
            state.status = EntityStatus.FAILED
            state.reason = (
                failure.reason if state.entity == failure.entity else f"Odoo warns: {state.warning}"
            )
        elif state.status in _CHANGED:
            state.status = EntityStatus.ROLLED_BACK
    return list(states.values())


def _left(item: Found, exc: OdooError) -> dict[str, Any]:
    record = item.action or {}
    return {"model": ACTION_MODEL, "id": record.get("id"), "left": "warned", "reason": exc.message}
