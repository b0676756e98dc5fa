"""Odoo's change notices, applied together: one read of Odoo and one set of books per gathering.

Odoo notifies one change per POST, so a notice applied alone pays for everything a page of an
import shares among hundreds of records: the read, the change-feed append, the statistics, a log
page. The notice queue hands the worker what arrived within its batching window; the notices of
one connection and model are gathered here and applied as one page: each record once, however
many notices named it (Odoo sends 13-14 identical POSTs for one create: captured).

A notice still waiting for Odoo 17's commit (`odoo_sync.core.pull_notices`) holds back only its
own records: the others of the gathering are applied at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from odoo_sync.core.ports import ClientSource
from odoo_sync.core.pull import PageApplication
from odoo_sync.core.pull_notices import (
    check_visible,
    not_yet_visible_at,
    posts_before_commit,
)
from odoo_sync.sync.model import OdooChangeMessage, PullOptions, RecordOutcome, TriggeredBy


@dataclass(frozen=True)
class QueuedNotice:
    key: str  # the queue's id of the message that carried it
    message: OdooChangeMessage
    patient: bool  # still waits for Odoo to show the noticed version (a few deliveries at most)


@dataclass
class NoticeGroup:
    """Notices of one tenant connection and Odoo model."""

    tenant_id: str
    connection_id: str
    odoo_model: str
    notices: list[QueuedNotice] = field(default_factory=list)

    @property
    def odoo_ids(self) -> list[int]:
        return sorted({odoo_id for notice in self.notices for odoo_id in notice.message.odoo_ids})

    def awaited(self) -> dict[int, str]:
        """Each record's newest write_date that a patient notice waits to see in Odoo."""
        newest: dict[int, str] = {}
        for notice in self.notices:
            write_date = notice.message.write_date
            if not notice.patient or write_date is None:
                continue
            for odoo_id in notice.message.odoo_ids:
                # One format from one Odoo ("YYYY-MM-DD HH:MM:SS[.ffffff]"): text order is time order.
                newest[odoo_id] = max(write_date, newest.get(odoo_id, write_date))
        return newest


@dataclass(frozen=True)
class GroupResult:
    outcomes: list[RecordOutcome]
    waiting: set[int]  # ids Odoo does not show at their noticed version yet: not applied

    def postponed(self, group: NoticeGroup) -> list[QueuedNotice]:
        """The notices to read again later: those naming a record still waiting."""
        return [notice for notice in group.notices if self.waiting.intersection(notice.message.odoo_ids)]


def gather(notices: Sequence[QueuedNotice]) -> list[NoticeGroup]:
    """Groups by tenant, connection and model, in the order they first appear."""
    groups: dict[tuple[str, str, str], NoticeGroup] = {}
    for notice in notices:
        message = notice.message
        key = (message.tenant_id, message.connection_id, message.odoo_model)
        groups.setdefault(key, NoticeGroup(*key)).notices.append(notice)
    return list(groups.values())


class ModelEntities(Protocol):
    def entities_on(self, tenant_id: str, odoo_model: str) -> Sequence[Any]:
        """The tenant's entity views (each with an `entity`) on this Odoo model
        (core.warm_cache.CachedEntityLists fits)."""
        ...


class NoticeService:
    def __init__(self, entities: ModelEntities, connections: ClientSource, pages: PageApplication) -> None:
        self._entities = entities
        self._connections = connections
        self._pages = pages

    def apply_group(self, group: NoticeGroup) -> GroupResult:
        """Read the group's records again, once each, for every entity on that model."""
        awaited = group.awaited()
        waiting: set[int] = set()
        if awaited:
            client = self._connections.client(group.tenant_id, group.connection_id)
            if posts_before_commit(client):
                waiting = not_yet_visible_at(client, group.odoo_model, awaited)
        ready = [odoo_id for odoo_id in group.odoo_ids if odoo_id not in waiting]
        outcomes = self._apply(group.tenant_id, group.connection_id, group.odoo_model, ready) if ready else []
        return GroupResult(outcomes, waiting)

    def apply_change(
        self, message: OdooChangeMessage, *, wait_for_commit: bool = True
    ) -> list[RecordOutcome]:
        """One notice as the sync queue carried them before the notice queue (NoticeAheadOfOdooError
        while Odoo 17 does not show the noticed version, with `wait_for_commit`)."""
        if wait_for_commit:
            check_visible(self._connections.client(message.tenant_id, message.connection_id), message)
        return self._apply(message.tenant_id, message.connection_id, message.odoo_model, message.odoo_ids)

    def _apply(
        self, tenant_id: str, connection_id: str, model: str, ids: Sequence[int]
    ) -> list[RecordOutcome]:
        outcomes: list[RecordOutcome] = []
        for view in self._entities.entities_on(tenant_id, model):
            outcomes += self._pages.apply(
                tenant_id,
                connection_id,
                view.entity.name,
                ids,
                options=PullOptions(),
                triggered_by=TriggeredBy.WEBHOOK,
                batch_id=None,
            )
        return outcomes
