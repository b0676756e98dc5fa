"""Our automations in one Odoo: found by our external ids, created, written, read back, undone.

A few calls serve every entity at once (module state, our external ids, their rows, model and
field ids). Every create and write is kept in a journal, so that a call that fails part-way can
put Odoo back as it found it (`undo`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from odoo_sync.core.automation_model import AUTOMATION_MODULE, XMLID_MODULE
from odoo_sync.core.automation_rules import (
    ACTION_FIELDS,
    ACTION_MODEL,
    AUTOMATION_FIELDS,
    AUTOMATION_MODEL,
    PAYLOAD_FIELDS,
    TRIGGER,
    Found,
    Wanted,
    action_xmlid_name,
    automation_xmlid_name,
    previous_values,
)
from odoo_sync.core.webhook_tokens import WEBHOOK_ROUTE, url_carries
from odoo_sync.errors import UnprocessableError
from odoo_sync.odoo import OdooClient, OdooError
from odoo_sync.odoo.detection import ServerInfo
from odoo_sync.sync.finance_presets import is_optional_model
from odoo_sync.sync.model import EntityDefinition

_XMLID = "ir.model.data"
# ir.actions.server has `warning` from 18.2 (odoo/odoo#190613), when Odoo stopped refusing a
# group-restricted payload field and started refusing to run an action that has a warning.
_WARNINGS_FROM = (18, 2)


def has_action_warnings(info: ServerInfo) -> bool:
    minor = info.version_info[1] if len(info.version_info) > 1 else 0
    return (info.major, minor if isinstance(minor, int) else 0) >= _WARNINGS_FROM


def warned_actions(client: OdooClient, token_hash: str) -> list[tuple[str, str]]:
    """(name, warning) of the webhook actions that POST to this connection's URL and carry a
    warning in Odoo: one search_read (the warning is computed, Odoo cannot search on it)."""
    rows = client.search_read(
        ACTION_MODEL,
        [["state", "=", "webhook"], ["webhook_url", "like", WEBHOOK_ROUTE]],
        ["name", "warning", "webhook_url"],
    )
    return [
        (str(row.get("name") or ""), str(row["warning"]))
        for row in rows
        if row.get("warning") and url_carries(row.get("webhook_url"), token_hash)
    ]


@dataclass
class Journal:
    """What one call changed in Odoo, in order: records created, and rows written with the
    values they had before."""

    created: list[tuple[str, int]] = field(default_factory=list)
    updated: list[tuple[str, int, dict[str, Any]]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.created and not self.updated


class OdooAutomations:
    """Reads and writes our automations in one Odoo, a few calls for all entities at once."""

    def __init__(self, client: OdooClient, connection_id: str, *, warnings: bool) -> None:
        self._client = client
        self._connection_id = connection_id
        # Whether this Odoo has `warning` on ir.actions.server (read with our actions then).
        self.warnings = warnings
        self.journal = Journal()
        # Entity -> why it was left out by `wanted` (its model is from a module Odoo lacks).
        self.skipped: dict[str, str] = {}

    def module_state(self) -> str | None:
        rows = self._client.search_read(
            "ir.module.module", [["name", "=", AUTOMATION_MODULE]], ["state"], limit=1
        )
        return str(rows[0]["state"]) if rows else None

    def wanted(self, entities: Sequence[tuple[EntityDefinition, tuple[str, ...]]]) -> dict[str, Wanted]:
        """Model and field ids from ir.model / ir.model.fields (two calls for every entity)."""
        if not entities:
            return {}
        models = sorted({entity.odoo_model for entity, _ in entities})
        names = sorted({name for _, fields in entities for name in fields} | set(PAYLOAD_FIELDS))
        model_rows = self._client.search_read("ir.model", [["model", "in", models]], ["model"])
        model_ids = {str(row["model"]): int(row["id"]) for row in model_rows}
        field_rows = self._client.search_read(
            "ir.model.fields", [["model", "in", models], ["name", "in", names]], ["model", "name"]
        )
        field_ids = {(str(row["model"]), str(row["name"])): int(row["id"]) for row in field_rows}
        problems: list[tuple[str, str]] = []
        wanted: dict[str, Wanted] = {}
        for entity, fields in entities:
            model = entity.odoo_model
            if model not in model_ids and is_optional_model(entity):
                self.skipped[entity.name] = (
                    f"Odoo has no model {model!r} (its module is not installed); "
                    "nothing was set up for this entity"
                )
                continue
            if model not in model_ids:
                problems.append((entity.name, f"Odoo has no model {model!r}"))
                continue
            triggers = {name: field_ids[(model, name)] for name in fields if (model, name) in field_ids}
            if not triggers:
                problems.append((entity.name, f"none of the mapped fields exist on {model}"))
                continue
            payload = {field_ids[(model, name)] for name in PAYLOAD_FIELDS if (model, name) in field_ids}
            wanted[entity.name] = Wanted(
                entity=entity.name,
                odoo_model=model,
                model_id=model_ids[model],
                trigger_fields=tuple(sorted(triggers)),
                trigger_field_ids=frozenset(triggers.values()),
                payload_field_ids=frozenset(payload),
            )
        if problems:
            raise UnprocessableError([(f"entities.{name}", message) for name, message in problems])
        return wanted

    def ours(self) -> dict[str, Found]:
        """Our automations and actions for this connection, by entity (three calls)."""
        suffix = f"_{self._connection_id}"
        rows = self._client.search_read(
            _XMLID,
            [["module", "=", XMLID_MODULE], ["model", "in", [AUTOMATION_MODEL, ACTION_MODEL]]],
            ["name", "model", "res_id"],
        )
        found: dict[str, Found] = {}
        for row in rows:
            name = str(row.get("name") or "")
            if not name.endswith(suffix):
                continue
            for prefix, model, slot in (
                ("automation_", AUTOMATION_MODEL, "automation_xmlid"),
                ("webhook_", ACTION_MODEL, "action_xmlid"),
            ):
                if name.startswith(prefix) and row.get("model") == model:
                    entity = name[len(prefix) : -len(suffix)]
                    setattr(found.setdefault(entity, Found(entity)), slot, row)
        action_fields = [*ACTION_FIELDS, "warning"] if self.warnings else ACTION_FIELDS
        automations = self._rows(
            AUTOMATION_MODEL, [f.automation_xmlid for f in found.values()], AUTOMATION_FIELDS
        )
        actions = self._rows(ACTION_MODEL, [f.action_xmlid for f in found.values()], action_fields)
        for item in found.values():
            if item.automation_xmlid is not None:
                item.automation = automations.get(int(item.automation_xmlid["res_id"]))
            if item.action_xmlid is not None:
                item.action = actions.get(int(item.action_xmlid["res_id"]))
        return found

    def _rows(
        self, model: str, xmlids: list[dict[str, Any] | None], fields: list[str]
    ) -> dict[int, dict[str, Any]]:
        ids = sorted({int(row["res_id"]) for row in xmlids if row is not None and row.get("res_id")})
        return {int(row["id"]): row for row in self._client.read(model, ids, fields)}

    def create_automation(self, wanted: Wanted, existing_xmlid: dict[str, Any] | None) -> int:
        values = {
            "name": f"Odoo Sync: {wanted.entity} ({self._connection_id})",
            "model_id": wanted.model_id,
            "trigger": TRIGGER,
            "trigger_field_ids": [[6, 0, sorted(wanted.trigger_field_ids)]],
        }
        automation_id = self._create(AUTOMATION_MODEL, values)
        name = automation_xmlid_name(wanted.entity, self._connection_id)
        self._mark(name, AUTOMATION_MODEL, automation_id, existing_xmlid)
        return automation_id

    def create_action(
        self, wanted: Wanted, automation_id: int, url: str, existing_xmlid: dict[str, Any] | None
    ) -> int:
        values = {
            "name": f"Odoo Sync webhook: {wanted.entity}",
            "model_id": wanted.model_id,
            "state": "webhook",
            "usage": "base_automation",
            "base_automation_id": automation_id,
            "sequence": 1,
            "webhook_url": url,
            "webhook_field_ids": [[6, 0, sorted(wanted.payload_field_ids)]],
        }
        action_id = self._create(ACTION_MODEL, values)
        name = action_xmlid_name(wanted.entity, self._connection_id)
        self._mark(name, ACTION_MODEL, action_id, existing_xmlid)
        return action_id

    def write(self, model: str, row: dict[str, Any], values: dict[str, Any]) -> None:
        """Write `values` on the row as read; the journal keeps what it had before."""
        record_id = int(row["id"])
        self._client.write(model, [record_id], values)
        self.journal.updated.append((model, record_id, previous_values(row, values)))

    def action_warnings(self, action_ids: Iterable[int]) -> dict[int, str]:
        """Odoo's warning on each of these actions that has one (one read; none before 18.2)."""
        ids = sorted(set(action_ids))
        if not self.warnings or not ids:
            return {}
        rows = self._client.read(ACTION_MODEL, ids, ["warning"])
        return {int(row["id"]): str(row["warning"]) for row in rows if row.get("warning")}

    def remove(self, found: Iterable[Found]) -> None:
        """Unlink our actions, then our automations, then any external id left behind."""
        items = list(found)
        actions = [int(f.action["id"]) for f in items if f.action is not None]
        automations = [int(f.automation["id"]) for f in items if f.automation is not None]
        xmlids = [int(row["id"]) for f in items for row in (f.automation_xmlid, f.action_xmlid) if row]
        self._client.unlink(ACTION_MODEL, actions)
        self._unlink(AUTOMATION_MODEL, automations)
        self._unlink(_XMLID, xmlids)

    def undo(self, *, keep_removed: set[int]) -> list[dict[str, Any]]:
        """Put back what this call changed, newest first: rows written get their old values, records
        created are unlinked. An action in `keep_removed` is not put back (it is being removed).
        Best effort: answers what could not be undone ({model, id, left}), and clears the journal."""
        journal, self.journal = self.journal, Journal()
        left: list[dict[str, Any]] = []
        for model, record_id, values in reversed(journal.updated):
            if model == ACTION_MODEL and record_id in keep_removed:
                continue
            try:
                self._client.write(model, [record_id], values)
            except OdooError as exc:
                left.append({"model": model, "id": record_id, "left": "changed", "reason": exc.message})
        created = list(reversed(journal.created))
        for model in (ACTION_MODEL, AUTOMATION_MODEL, _XMLID):
            ids = [record_id for kind, record_id in created if kind == model]
            try:
                if model == ACTION_MODEL:  # nothing deletes them on its own
                    self._client.unlink(model, ids)
                else:
                    self._unlink(model, ids)
            except OdooError as exc:
                left += [{"model": model, "id": i, "left": "created", "reason": exc.message} for i in ids]
        return left

    def _create(self, model: str, values: dict[str, Any]) -> int:
        [record_id] = self._client.create(model, [values])
        self.journal.created.append((model, record_id))
        return record_id

    def _unlink(self, model: str, ids: list[int]) -> None:
        """Unlink those of `ids` that still exist: Odoo deletes a record's external ids with it, and
        an automation's actions. `read` finds archived records too and skips deleted ones."""
        if not ids:
            return
        remaining = [int(row["id"]) for row in self._client.read(model, ids, ["id"])]
        self._client.unlink(model, remaining)

    def _mark(self, name: str, model: str, res_id: int, existing: dict[str, Any] | None) -> None:
        if existing is not None:  # its record was deleted in Odoo: point the external id anew
            self.write(_XMLID, existing, {"res_id": res_id})
            return
        self._create(
            _XMLID, {"module": XMLID_MODULE, "name": name, "model": model, "res_id": res_id, "noupdate": True}
        )
