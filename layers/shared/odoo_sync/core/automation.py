"""Real-time sync from Odoo (17+): webhook automations set up in the tenant's own Odoo.

For each entity, one automation rule (`base.automation`, trigger on create or write of the mapped
fields) runs one server action (`ir.actions.server`, state `webhook`) that POSTs the record's id
and write_date to `<public API>/v1/webhooks/odoo/<token>` (see ../shared/odoo-wire/*webhook*).
Both records carry an external id of ours (`odoo_sync.automation_<entity>_<connection>`,
`odoo_sync.webhook_<...>`), so a later call finds exactly what we created: setting up again
compares and writes only what differs, the status compares without writing, and removing unlinks
only ours.

The trigger fields are never empty: without them Odoo sent 13-14 identical POSTs per create and
2 per write of any field (captured). The payload never holds a group-restricted field
(`automation_rules`). A setup is all or nothing (`automation_setup`). Before 17 Odoo has no
webhook action; polling is used then. The whole behaviour: docs/automation.md.

Modules: `automation_model` (payloads, statuses, errors), `automation_rules` (what should be in
Odoo, comparison), `automation_odoo` (the calls to Odoo), `automation_setup` (one setup, all or
nothing), this one (the service).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Literal

from odoo_sync.core.automation_model import (
    WEBHOOK_MIN_MAJOR,
    AutomationAnswer,
    AutomationModuleMissingError,
    AutomationRequest,
    Catalog,
    EntityAutomation,
    EntityStatus,
    SuggestedSchedule,
)
from odoo_sync.core.automation_odoo import OdooAutomations, has_action_warnings
from odoo_sync.core.automation_rules import Found, compare, reads_from_odoo, watched_fields
from odoo_sync.core.automation_setup import SetupFailedError, Target, apply_all, undo
from odoo_sync.core.ids import iso, utc_now
from odoo_sync.core.ports import ClientSource
from odoo_sync.core.webhook_tokens import (
    WebhookToken,
    WebhookTokenRepository,
    hash_token,
    new_token,
    token_in_url,
    url_carries,
    webhook_url,
)
from odoo_sync.errors import NotFoundError, ServiceError, UnprocessableError
from odoo_sync.sync.model import EntityDefinition

__all__ = ["AutomationService"]

_INSTALLED = frozenset({"installed", "to upgrade"})
Selected = list[tuple[EntityDefinition, tuple[str, ...]]]


@dataclass
class _Plan:
    """One call's view of the connection: Odoo's version and what is there."""

    odoo: OdooAutomations
    version: str
    major: int
    found: dict[str, Found] = field(default_factory=dict)


@dataclass(frozen=True)
class _Token:
    value: WebhookToken
    plain: str | None  # known when created, rotated or recovered from one of our actions
    shown: Literal["created", "rotated", "kept"]
    previous: WebhookToken | None = None  # the one this call replaced


class AutomationService:
    def __init__(
        self,
        connections: ClientSource,
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
        wanted = plan.odoo.wanted(known)
        token = self._tokens.get_for_connection(tenant_id, connection_id)
        prefix = webhook_url(public_base_url, "")
        states = [
            compare(wanted[entity.name], plan.found.get(entity.name), token, prefix)
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
                odoo_model=self._model_of(tenant_id, item.entity),
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
        odoo = OdooAutomations(client, connection_id, warnings=has_action_warnings(info))
        return _Plan(odoo, info.version, info.major)

    @staticmethod
    def _require_module(odoo: OdooAutomations) -> None:
        state = odoo.module_state()
        if state not in _INSTALLED:
            raise AutomationModuleMissingError(state)

    def _selected(self, tenant_id: str, names: list[str] | None) -> Selected:
        if names is None:
            chosen: Selected = []
            for view in self._catalog.entities(tenant_id):
                mappings = self._catalog.mappings(tenant_id, view.entity.name)
                if reads_from_odoo(view.entity, mappings) and watched_fields(view.entity, mappings):
                    chosen.append((view.entity, watched_fields(view.entity, mappings)))
            return chosen
        problems: list[tuple[str, str]] = []
        selected: Selected = []
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
        self, tenant_id: str, selected: Selected, found: dict[str, Found]
    ) -> tuple[Selected, list[Found]]:
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
        entities: Selected,
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
            target = Target(
                token.value, webhook_url(public_base_url, token.plain), webhook_url(public_base_url, "")
            )
            try:
                states = apply_all(plan.odoo, wanted, plan.found, target)
            except SetupFailedError as failure:
                error = undo(plan.odoo, failure, wanted, plan.found)
                self._restore(token)
                raise error from failure
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
        return _Token(fresh, plain, "created" if stored is None else "rotated", stored)

    def _restore(self, token: _Token) -> None:
        """A failed call leaves the connection's token as it found it: Odoo's actions, put back,
        still carry the previous one."""
        try:
            if token.shown == "created":
                self._tokens.revoke(token.value)
            elif token.shown == "rotated" and token.previous is not None:
                self._tokens.replace(token.previous, token.value)
        except ServiceError:
            return  # rotated again meanwhile: that rotation re-points our actions itself

    def _models_of(self, tenant_id: str, entities: Iterable[str]) -> set[str]:
        return {model for name in entities if (model := self._model_of(tenant_id, name))}

    def _model_of(self, tenant_id: str, entity: str) -> str:
        try:
            return self._catalog.get(tenant_id, entity).odoo_model
        except NotFoundError:
            return ""


def _skipped(odoo: OdooAutomations, entities: Selected) -> list[EntityAutomation]:
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
        warning=item.warning,
    )


def _polling(connection_id: str, version: str, entities: Selected) -> AutomationAnswer:
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
