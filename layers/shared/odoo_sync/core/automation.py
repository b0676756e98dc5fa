"""Real-time sync from Odoo (17+): webhook automations set up in the tenant's own Odoo.

For each entity, one automation rule (`base.automation`, trigger on create or write of the mapped
fields) runs one server action (`ir.actions.server`, state `webhook`) that POSTs the record to
`<public API>/v1/webhooks/odoo/<token>` (see ../shared/odoo-wire/*webhook*). Both records carry an
external id of ours (`odoo_sync.automation_<entity>_<connection>`, `odoo_sync.webhook_<...>`), so
a later call finds exactly what we created: setting up again compares and writes only what
differs, the status compares without writing, and removing unlinks only ours.

The trigger fields are never empty: without them Odoo sent 13-14 identical POSTs per create and
2 per write of any field (captured). Before 17 Odoo has no webhook action; polling is used then.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Annotated, Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from odoo_sync.core.ids import iso, utc_now
from odoo_sync.core.settings import EntityView
from odoo_sync.core.webhook_tokens import (
    WebhookToken,
    WebhookTokenRepository,
    hash_token,
    new_token,
    token_in_url,
    url_carries,
    webhook_url,
)
from odoo_sync.errors import ConflictError, NotFoundError, UnprocessableError
from odoo_sync.odoo import OdooClient
from odoo_sync.sync.finance_presets import is_optional_model
from odoo_sync.sync.finance_presets import watched_fields as read_only_watched_fields
from odoo_sync.sync.model import (
    ENTITY_NAME_PATTERN,
    ConflictPolicy,
    Direction,
    EntityDefinition,
    FieldMapping,
)

WEBHOOK_MIN_MAJOR = 17
AUTOMATION_MODULE = "base_automation"
XMLID_MODULE = "odoo_sync"
_INSTALLED = frozenset({"installed", "to upgrade"})
_AUTOMATION = "base.automation"
_ACTION = "ir.actions.server"
_TRIGGER = "on_create_or_write"
_ALWAYS_IN_PAYLOAD = ("id", "write_date")
_AUTOMATION_FIELDS = ["model_id", "trigger", "trigger_field_ids", "filter_domain", "active"]
_ACTION_FIELDS = ["model_id", "state", "usage", "base_automation_id", "webhook_url", "webhook_field_ids"]
POLLING_CRON = "*/5 * * * *"


# -- ports ---------------------------------------------------------------------------------------


class Connections(Protocol):
    def client(self, tenant_id: str, connection_id: str) -> OdooClient: ...


class Catalog(Protocol):
    """What the entity catalog offers (core.settings.EntityCatalog fits)."""

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
    DRIFTED = "drifted"  # present, but something differs (listed in `differences`)
    MISSING = "missing"  # not (or not completely) present in Odoo
    CREATED = "created"  # set up by this call
    UPDATED = "updated"  # repaired by this call (what was written is in `differences`)
    ORPHANED = "orphaned"  # ours in Odoo, for an entity that no longer exists here
    REMOVED = "removed"
    SKIPPED = "skipped"  # not set up: this Odoo lacks the entity's model (listed in `reason`)


class EntityAutomation(BaseModel):
    entity: str
    odoo_model: str
    status: EntityStatus
    automation_id: int | None = None
    action_id: int | None = None
    trigger_fields: list[str] = Field(default_factory=list)
    differences: list[str] = Field(default_factory=list)
    reason: str | None = None


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


class AutomationModuleMissingError(ConflictError):
    code = "odoo_module_missing"

    def __init__(self, state: str | None) -> None:
        found = "is not installed" if state is None else f"is {state!r}, not installed"
        super().__init__(
            f"The Odoo module {AUTOMATION_MODULE} (Automation Rules) {found}. Install it in Odoo "
            "(Apps, remove the 'Apps' filter, search 'Automation Rules', Activate), then call again.",
            details={"module": AUTOMATION_MODULE, "module_state": state},
        )


# -- what should be in Odoo ----------------------------------------------------------------------


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


@dataclass(frozen=True)
class _Token:
    value: WebhookToken
    plain: str | None  # known when created, rotated or recovered from one of our actions
    shown: Literal["created", "rotated", "kept"]


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
    return tuple(sorted({m.odoo_field for m in (reading or on_model)} - set(_ALWAYS_IN_PAYLOAD)))


def reads_from_odoo(entity: EntityDefinition, mappings: Iterable[FieldMapping]) -> bool:
    reading = any(m.applies(Direction.FROM_ODOO) and m.odoo_model == entity.odoo_model for m in mappings)
    return reading or entity.conflicts != ConflictPolicy()


def automation_differences(wanted: Wanted, row: dict[str, Any]) -> dict[str, Any]:
    """The values to write so that the automation row is as wanted (empty when it is)."""
    changes: dict[str, Any] = {}
    model_changes = _many2one_id(row.get("model_id")) != wanted.model_id
    if model_changes:
        changes["model_id"] = wanted.model_id
    # Odoo recomputes the trigger and its fields when the model changes: send them again then.
    if model_changes or row.get("trigger") != _TRIGGER:
        changes["trigger"] = _TRIGGER
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
    if _many2one_id(row.get("model_id")) != wanted.model_id:
        changes["model_id"] = wanted.model_id
    if row.get("state") != "webhook":
        changes["state"] = "webhook"
    if row.get("usage") != "base_automation":
        changes["usage"] = "base_automation"
    if _many2one_id(row.get("base_automation_id")) != automation_id:
        changes["base_automation_id"] = automation_id
    url = row.get("webhook_url")
    if not (isinstance(url, str) and url.startswith(url_prefix) and url_carries(url, token_hash)):
        changes["webhook_url"] = None
    if set(row.get("webhook_field_ids") or []) != wanted.payload_field_ids:
        changes["webhook_field_ids"] = [[6, 0, sorted(wanted.payload_field_ids)]]
    return changes


def _many2one_id(value: Any) -> int | None:
    if isinstance(value, list | tuple) and value:
        value = value[0]
    return value if isinstance(value, int) and not isinstance(value, bool) else None


# -- Odoo side -----------------------------------------------------------------------------------


class OdooAutomations:
    """Reads and writes our automations in one Odoo, a few calls for all entities at once."""

    def __init__(self, client: OdooClient, connection_id: str) -> None:
        self._client = client
        self._connection_id = connection_id
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
        names = sorted({name for _, fields in entities for name in fields} | set(_ALWAYS_IN_PAYLOAD))
        model_rows = self._client.search_read("ir.model", [["model", "in", models]], ["model"])
        model_ids = {str(row["model"]): int(row["id"]) for row in model_rows}
        field_rows = self._client.search_read(
            "ir.model.fields", [["model", "in", models], ["name", "in", names]], ["model", "name"]
        )
        field_ids = {(str(row["model"]), str(row["name"])): int(row["id"]) for row in field_rows}
        problems: list[tuple[str, str]] = []
        wanted: dict[str, Wanted] = {}
        for entity, fields in entities:
            if entity.odoo_model not in model_ids and is_optional_model(entity):
                self.skipped[entity.name] = (
                    f"Odoo has no model {entity.odoo_model!r} (its module is not installed); "
                    "nothing was set up for this entity"
                )
                continue
            if entity.odoo_model not in model_ids:
                problems.append((entity.name, f"Odoo has no model {entity.odoo_model!r}"))
                continue
            triggers = {
                name: field_ids[(entity.odoo_model, name)]
                for name in fields
                if (entity.odoo_model, name) in field_ids
            }
            if not triggers:
                problems.append((entity.name, f"none of the mapped fields exist on {entity.odoo_model}"))
                continue
            always = {
                field_ids[(entity.odoo_model, name)]
                for name in _ALWAYS_IN_PAYLOAD
                if (entity.odoo_model, name) in field_ids
            }
            wanted[entity.name] = Wanted(
                entity=entity.name,
                odoo_model=entity.odoo_model,
                model_id=model_ids[entity.odoo_model],
                trigger_fields=tuple(sorted(triggers)),
                trigger_field_ids=frozenset(triggers.values()),
                payload_field_ids=frozenset(triggers.values()) | frozenset(always),
            )
        if problems:
            raise UnprocessableError([(f"entities.{name}", message) for name, message in problems])
        return wanted

    def ours(self) -> dict[str, Found]:
        """Our automations and actions for this connection, by entity (three calls)."""
        suffix = f"_{self._connection_id}"
        rows = self._client.search_read(
            "ir.model.data",
            [["module", "=", XMLID_MODULE], ["model", "in", [_AUTOMATION, _ACTION]]],
            ["name", "model", "res_id"],
        )
        found: dict[str, Found] = {}
        for row in rows:
            name = str(row.get("name") or "")
            if not name.endswith(suffix):
                continue
            for prefix, model, slot in (
                ("automation_", _AUTOMATION, "automation_xmlid"),
                ("webhook_", _ACTION, "action_xmlid"),
            ):
                if name.startswith(prefix) and row.get("model") == model:
                    entity = name[len(prefix) : -len(suffix)]
                    setattr(found.setdefault(entity, Found(entity)), slot, row)
        automations = self._rows(
            _AUTOMATION, [f.automation_xmlid for f in found.values()], _AUTOMATION_FIELDS
        )
        actions = self._rows(_ACTION, [f.action_xmlid for f in found.values()], _ACTION_FIELDS)
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
        [automation_id] = self._client.create(
            _AUTOMATION,
            [
                {
                    "name": f"Odoo Sync: {wanted.entity} ({self._connection_id})",
                    "model_id": wanted.model_id,
                    "trigger": _TRIGGER,
                    "trigger_field_ids": [[6, 0, sorted(wanted.trigger_field_ids)]],
                }
            ],
        )
        self._mark(
            automation_xmlid_name(wanted.entity, self._connection_id),
            _AUTOMATION,
            automation_id,
            existing_xmlid,
        )
        return automation_id

    def create_action(
        self, wanted: Wanted, automation_id: int, url: str, existing_xmlid: dict[str, Any] | None
    ) -> int:
        [action_id] = self._client.create(
            _ACTION,
            [
                {
                    "name": f"Odoo Sync webhook: {wanted.entity}",
                    "model_id": wanted.model_id,
                    "state": "webhook",
                    "usage": "base_automation",
                    "base_automation_id": automation_id,
                    "sequence": 1,
                    "webhook_url": url,
                    "webhook_field_ids": [[6, 0, sorted(wanted.payload_field_ids)]],
                }
            ],
        )
        self._mark(action_xmlid_name(wanted.entity, self._connection_id), _ACTION, action_id, existing_xmlid)
        return action_id

    def write(self, model: str, record_id: int, values: dict[str, Any]) -> None:
        self._client.write(model, [record_id], values)

    def remove(self, found: Iterable[Found]) -> None:
        """Unlink our actions, then our automations, then any external id left behind."""
        items = list(found)
        actions = [int(f.action["id"]) for f in items if f.action is not None]
        automations = [int(f.automation["id"]) for f in items if f.automation is not None]
        self._client.unlink(_ACTION, actions)
        # Odoo deletes an action with its automation (ondelete cascade): read what is left.
        remaining = [int(row["id"]) for row in self._client.read(_AUTOMATION, automations, ["id"])]
        self._client.unlink(_AUTOMATION, remaining)
        xmlids = [
            int(row["id"]) for f in items for row in (f.automation_xmlid, f.action_xmlid) if row is not None
        ]
        left = self._client.search_read("ir.model.data", [["id", "in", xmlids]], ["id"]) if xmlids else []
        self._client.unlink("ir.model.data", [int(row["id"]) for row in left])

    def _mark(self, name: str, model: str, res_id: int, existing: dict[str, Any] | None) -> None:
        if existing is not None:  # its record was deleted in Odoo: point the external id anew
            self._client.write("ir.model.data", [int(existing["id"])], {"res_id": res_id})
            return
        self._client.create(
            "ir.model.data",
            [{"module": XMLID_MODULE, "name": name, "model": model, "res_id": res_id, "noupdate": True}],
        )


# -- the service ---------------------------------------------------------------------------------


@dataclass
class _Plan:
    """One call's view of the connection: Odoo's version and what is there."""

    odoo: OdooAutomations
    version: str
    major: int
    found: dict[str, Found] = field(default_factory=dict)


class AutomationService:
    def __init__(
        self,
        connections: Connections,
        catalog: Catalog,
        tokens: WebhookTokenRepository,
        *,
        generate_token: Callable[[], str] = new_token,
    ) -> None:
        self._connections = connections
        self._catalog = catalog
        self._tokens = tokens
        self._generate_token = generate_token

    def setup(
        self, tenant_id: str, connection_id: str, request: AutomationRequest, public_base_url: str
    ) -> AutomationAnswer:
        plan = self._plan(tenant_id, connection_id)
        entities = self._selected(tenant_id, request.entities)
        if plan.major < WEBHOOK_MIN_MAJOR:
            return _polling(connection_id, plan.version, entities)
        self._require_module(plan.odoo)
        plan.found = plan.odoo.ours()
        return self._converge(tenant_id, connection_id, plan, entities, public_base_url, rotate=False)

    def status(self, tenant_id: str, connection_id: str, public_base_url: str) -> AutomationAnswer:
        """What is in Odoo for each entity we watch or have set up; nothing is written."""
        plan = self._plan(tenant_id, connection_id)
        selected = self._selected(tenant_id, None)
        if plan.major < WEBHOOK_MIN_MAJOR:
            return _polling(connection_id, plan.version, selected)
        self._require_module(plan.odoo)
        plan.found = plan.odoo.ours()
        known, orphans = self._with_found(tenant_id, selected, plan.found)
        wanted = plan.odoo.wanted([(entity, fields) for entity, fields in known])
        token = self._tokens.get_for_connection(tenant_id, connection_id)
        prefix = webhook_url(public_base_url, "")
        states = [
            _compare(wanted[entity.name], plan.found.get(entity.name), token, prefix)
            for entity, _ in known
            if entity.name in wanted
        ]
        states += [_orphan(item) for item in orphans]
        states += _skipped(plan.odoo, known)
        return AutomationAnswer(
            mode="webhook", connection_id=connection_id, odoo_version=plan.version, entities=states
        )

    def teardown(self, tenant_id: str, connection_id: str) -> AutomationAnswer:
        """Unlink what we created in Odoo (found by our external ids) and revoke the token."""
        plan = self._plan(tenant_id, connection_id)
        found = list(plan.odoo.ours().values())
        plan.odoo.remove(found)
        token = self._tokens.get_for_connection(tenant_id, connection_id)
        if token is not None:
            self._tokens.revoke(token)
        removed = [
            EntityAutomation(
                entity=item.entity,
                odoo_model=self._model_of(tenant_id, item),
                status=EntityStatus.REMOVED,
                automation_id=int(item.automation["id"]) if item.automation else None,
                action_id=int(item.action["id"]) if item.action else None,
            )
            for item in found
            if item.present
        ]
        return AutomationAnswer(
            mode="webhook" if plan.major >= WEBHOOK_MIN_MAJOR else "polling",
            connection_id=connection_id,
            odoo_version=plan.version,
            entities=removed,
        )

    def rotate_token(self, tenant_id: str, connection_id: str, public_base_url: str) -> AutomationAnswer:
        """A new token; the old one stops working at once and our actions are re-pointed."""
        plan = self._plan(tenant_id, connection_id)
        if plan.major < WEBHOOK_MIN_MAJOR:
            return _polling(connection_id, plan.version, self._selected(tenant_id, None))
        self._require_module(plan.odoo)
        plan.found = plan.odoo.ours()
        known, _ = self._with_found(tenant_id, [], plan.found)
        return self._converge(tenant_id, connection_id, plan, known, public_base_url, rotate=True)

    # -- steps -----------------------------------------------------------------------------------

    def _plan(self, tenant_id: str, connection_id: str) -> _Plan:
        client = self._connections.client(tenant_id, connection_id)
        info = client.server_info()
        return _Plan(OdooAutomations(client, connection_id), info.version, info.major)

    @staticmethod
    def _require_module(odoo: OdooAutomations) -> None:
        state = odoo.module_state()
        if state not in _INSTALLED:
            raise AutomationModuleMissingError(state)

    def _selected(
        self, tenant_id: str, names: list[str] | None
    ) -> list[tuple[EntityDefinition, tuple[str, ...]]]:
        if names is None:
            chosen: list[tuple[EntityDefinition, tuple[str, ...]]] = []
            for view in self._catalog.entities(tenant_id):
                mappings = self._catalog.mappings(tenant_id, view.entity.name)
                if reads_from_odoo(view.entity, mappings) and watched_fields(view.entity, mappings):
                    chosen.append((view.entity, watched_fields(view.entity, mappings)))
            return chosen
        problems: list[tuple[str, str]] = []
        selected: list[tuple[EntityDefinition, tuple[str, ...]]] = []
        for index, name in enumerate(dict.fromkeys(names)):
            try:
                entity = self._catalog.get(tenant_id, name)
            except NotFoundError:
                problems.append((f"entities.{index}", f"no entity {name!r}"))
                continue
            fields = watched_fields(entity, self._catalog.mappings(tenant_id, name))
            if not fields:
                problems.append((f"entities.{index}", f"{name!r} has no active mapping to watch in Odoo"))
                continue
            selected.append((entity, fields))
        if problems:
            raise UnprocessableError(problems)
        return selected

    def _with_found(
        self,
        tenant_id: str,
        selected: list[tuple[EntityDefinition, tuple[str, ...]]],
        found: dict[str, Found],
    ) -> tuple[list[tuple[EntityDefinition, tuple[str, ...]]], list[Found]]:
        """The selected entities plus those we set up earlier; ours whose entity is gone apart."""
        known = list(selected)
        names = {entity.name for entity, _ in known}
        orphans: list[Found] = []
        for name, item in sorted(found.items()):
            if name in names or not item.present:
                continue
            try:
                entity = self._catalog.get(tenant_id, name)
            except NotFoundError:
                orphans.append(item)
                continue
            fields = watched_fields(entity, self._catalog.mappings(tenant_id, name))
            if fields:
                known.append((entity, fields))
            else:
                orphans.append(item)
        return known, orphans

    def _converge(
        self,
        tenant_id: str,
        connection_id: str,
        plan: _Plan,
        entities: list[tuple[EntityDefinition, tuple[str, ...]]],
        public_base_url: str,
        *,
        rotate: bool,
    ) -> AutomationAnswer:
        wanted = plan.odoo.wanted(entities)
        token = self._token(
            tenant_id, connection_id, plan.found, rotate=rotate, needed=bool(wanted) or rotate
        )
        states: list[EntityAutomation] = []
        if token is not None and token.plain is not None:
            url = webhook_url(public_base_url, token.plain)
            prefix = webhook_url(public_base_url, "")
            for name, want in wanted.items():
                states.append(
                    _apply(plan.odoo, want, plan.found.get(name), token=token.value, url=url, prefix=prefix)
                )
            present = {f.entity for f in plan.found.values() if f.present} | set(wanted)
            models = sorted(
                {want.odoo_model for want in wanted.values()} | self._models_of(tenant_id, present)
            )
            if models != sorted(token.value.models):
                self._tokens.set_models(token.value, models)
        states += _skipped(plan.odoo, entities)
        shown = token is not None and token.shown != "kept"
        return AutomationAnswer(
            mode="webhook",
            connection_id=connection_id,
            odoo_version=plan.version,
            entities=states,
            token=token.shown if token is not None else None,
            webhook_url=webhook_url(public_base_url, token.plain)
            if shown and token and token.plain
            else None,
        )

    def _token(
        self, tenant_id: str, connection_id: str, found: dict[str, Found], *, rotate: bool, needed: bool
    ) -> _Token | None:
        """The connection's token, with its plain value whenever our actions need writing.

        The plain token is never stored here, but Odoo holds it in our actions' URLs: reading it
        back from there keeps the token when entities are added or repaired. Only when no action
        of ours carries it any more (or when asked) is a new one made.
        """
        stored = self._tokens.get_for_connection(tenant_id, connection_id)
        if not needed:
            return None if stored is None else _Token(stored, None, "kept")
        if stored is not None and not rotate:
            for item in found.values():
                url = item.action.get("webhook_url") if item.action else None
                if url_carries(url, stored.token_hash):
                    return _Token(stored, token_in_url(url), "kept")
        plain = self._generate_token()
        fresh = WebhookToken(
            token_hash=hash_token(plain),
            tenant_id=tenant_id,
            connection_id=connection_id,
            created_at=iso(utc_now()),
            models=list(stored.models) if stored is not None else [],
        )
        self._tokens.replace(fresh, stored)
        return _Token(fresh, plain, "created" if stored is None else "rotated")

    def _models_of(self, tenant_id: str, entities: Iterable[str]) -> set[str]:
        models: set[str] = set()
        for name in entities:
            try:
                models.add(self._catalog.get(tenant_id, name).odoo_model)
            except NotFoundError:
                continue
        return models

    def _model_of(self, tenant_id: str, item: Found) -> str:
        try:
            return self._catalog.get(tenant_id, item.entity).odoo_model
        except NotFoundError:
            return ""


def _apply(
    odoo: OdooAutomations, want: Wanted, have: Found | None, *, token: WebhookToken, url: str, prefix: str
) -> EntityAutomation:
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
            odoo.write(_AUTOMATION, automation_id, changes)
            written += sorted(changes)
    if have.action is None:
        action_id = odoo.create_action(want, automation_id, url, have.action_xmlid)
        created = True
    else:
        action_id = int(have.action["id"])
        changes = action_differences(want, have.action, automation_id, token.token_hash, prefix)
        if "webhook_url" in changes:
            changes["webhook_url"] = url
        if changes:
            odoo.write(_ACTION, action_id, changes)
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


def _compare(want: Wanted, have: Found | None, token: WebhookToken | None, prefix: str) -> EntityAutomation:
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
    state.automation_id, state.action_id = automation_id, int(have.action["id"])
    state.differences = differences
    state.status = EntityStatus.DRIFTED if differences else EntityStatus.UP_TO_DATE
    return state


def _skipped(
    odoo: OdooAutomations, entities: Sequence[tuple[EntityDefinition, tuple[str, ...]]]
) -> list[EntityAutomation]:
    return [
        EntityAutomation(
            entity=entity.name,
            odoo_model=entity.odoo_model,
            status=EntityStatus.SKIPPED,
            reason=odoo.skipped[entity.name],
        )
        for entity, _ in entities
        if entity.name in odoo.skipped
    ]


def _orphan(item: Found) -> EntityAutomation:
    return EntityAutomation(
        entity=item.entity,
        odoo_model="",
        status=EntityStatus.ORPHANED,
        automation_id=int(item.automation["id"]) if item.automation else None,
        action_id=int(item.action["id"]) if item.action else None,
    )


def _polling(
    connection_id: str, version: str, entities: list[tuple[EntityDefinition, tuple[str, ...]]]
) -> AutomationAnswer:
    return AutomationAnswer(
        mode="polling",
        connection_id=connection_id,
        odoo_version=version,
        reason=(
            f"Odoo {version} cannot send webhooks (server actions of type 'webhook' exist from "
            f"Odoo {WEBHOOK_MIN_MAJOR}); changes are read by polling instead. Nothing was created in Odoo."
        ),
        suggested_schedules=[
            SuggestedSchedule(name=f"{entity.name} from Odoo", entity=entity.name) for entity, _ in entities
        ],
    )
