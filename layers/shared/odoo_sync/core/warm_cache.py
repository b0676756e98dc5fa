"""What a warm worker keeps between messages: sync plans, Odoo clients and the tenant's entities,
for a short while.

A chunk needs the entity's plan (entity, mappings, value maps, Odoo's fields: 4-6 reads) and its
connection's client (a read, and a KMS decrypt when the connection changed). Read for every
chunk, they were most of a push's DynamoDB requests; a warm worker now reuses them for
`max_age` (30 s). A setting changed through this process is seen at once (the stores tell
`changed`); one changed through another process (another Lambda instance) is seen within
`max_age`: a chunk started in between uses the settings it started with. Chunks of several
lanes starting at once read a plan or a client once: the others wait for it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from odoo_sync.core.ports import ClientSource, PlanLoader

if TYPE_CHECKING:
    from odoo_sync.odoo import OdooClient
    from odoo_sync.sync.plan import SyncPlan

DEFAULT_MAX_AGE_S = 30.0
SETTINGS = "settings"
CONNECTIONS = "connections"
CONFLICTS = "conflicts"

_generations: dict[tuple[str, str], int] = {}
_generations_lock = threading.Lock()


def changed(kind: str, tenant_id: str) -> None:
    """This process changed a tenant's settings or connections: warm copies of them are stale."""
    with _generations_lock:
        _generations[(kind, tenant_id)] = _generations.get((kind, tenant_id), 0) + 1


def generation(kind: str, tenant_id: str) -> int:
    with _generations_lock:
        return _generations.get((kind, tenant_id), 0)


class _KeyedLocks:
    """One lock per key, so that one thread reads what several want at once."""

    def __init__(self) -> None:
        self._locks: dict[object, threading.Lock] = {}
        self._lock = threading.Lock()

    def __call__(self, key: object) -> threading.Lock:
        with self._lock:
            return self._locks.setdefault(key, threading.Lock())


class CachedPlans:
    """core.ports.PlanLoader remembering each plan for `max_age` seconds."""

    def __init__(
        self,
        loader: PlanLoader,
        *,
        max_age_s: float = DEFAULT_MAX_AGE_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._loader = loader
        self._max_age = max_age_s
        self._clock = clock
        self._plans: dict[tuple[str, str, str], tuple[float, int, SyncPlan]] = {}
        self._lock = threading.Lock()
        self._loading = _KeyedLocks()

    def load(self, tenant_id: str, connection_id: str, entity: str, client: OdooClient) -> SyncPlan:
        key = (tenant_id, connection_id, entity)
        with self._loading(key):
            now, current = self._clock(), generation(SETTINGS, tenant_id)
            with self._lock:
                kept = self._plans.get(key)
            if kept is not None and now - kept[0] < self._max_age and kept[1] == current:
                return kept[2]
            plan = self._loader.load(tenant_id, connection_id, entity, client)
            with self._lock:
                self._plans[key] = (now, current, plan)
            return plan


class ReusedClients:
    """A client source that asks `source` at most every `max_age` seconds per connection (the
    source itself keeps the client while the connection's version is unchanged)."""

    def __init__(
        self,
        source: ClientSource,
        *,
        max_age_s: float = DEFAULT_MAX_AGE_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._source = source
        self._max_age = max_age_s
        self._clock = clock
        self._clients: dict[tuple[str, str], tuple[float, int, OdooClient]] = {}
        self._lock = threading.Lock()
        self._loading = _KeyedLocks()

    def client(self, tenant_id: str, connection_id: str) -> OdooClient:
        key = (tenant_id, connection_id)
        with self._loading(key):
            now, current = self._clock(), generation(CONNECTIONS, tenant_id)
            with self._lock:
                kept = self._clients.get(key)
            if kept is not None and now - kept[0] < self._max_age and kept[1] == current:
                return kept[2]
            client = self._source.client(tenant_id, connection_id)
            with self._lock:
                self._clients[key] = (now, current, client)
            return client


class EntityViews(Protocol):
    def entities(self, tenant_id: str) -> Sequence[Any]:
        """Views with an `entity` (EntityDefinition) each (core.entity_catalog.EntityCatalog fits)."""
        ...


class CachedEntityLists:
    """A tenant's entities, read at most every `max_age` seconds: Odoo's change notices name a
    model, and every gathering of them asks which entities sit on it.

    A model none of the kept entities is on is asked again at once (at most once per `max_age`),
    so an entity added in another process receives notices from the first; one removed there is
    seen within `max_age`, as a changed plan is."""

    def __init__(
        self,
        source: EntityViews,
        *,
        max_age_s: float = DEFAULT_MAX_AGE_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._source = source
        self._max_age = max_age_s
        self._clock = clock
        self._lists: dict[str, tuple[float, int, Sequence[Any]]] = {}
        self._missed: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()
        self._loading = _KeyedLocks()

    def entities(self, tenant_id: str) -> Sequence[Any]:
        return self._kept(tenant_id, refresh=False)[0]

    def entities_on(self, tenant_id: str, odoo_model: str) -> list[Any]:
        """The tenant's entity views on `odoo_model`."""
        views, fresh = self._kept(tenant_id, refresh=False)
        found = [view for view in views if view.entity.odoo_model == odoo_model]
        if found or fresh or not self._ask_again(tenant_id, odoo_model):
            return found
        views, _ = self._kept(tenant_id, refresh=True)
        return [view for view in views if view.entity.odoo_model == odoo_model]

    def _ask_again(self, tenant_id: str, odoo_model: str) -> bool:
        now = self._clock()
        with self._lock:
            last = self._missed.get((tenant_id, odoo_model))
            if last is not None and now - last < self._max_age:
                return False
            self._missed[(tenant_id, odoo_model)] = now
            return True

    def _kept(self, tenant_id: str, *, refresh: bool) -> tuple[Sequence[Any], bool]:
        """The kept list, and whether it was read just now."""
        with self._loading(tenant_id):
            now, current = self._clock(), generation(SETTINGS, tenant_id)
            with self._lock:
                kept = self._lists.get(tenant_id)
            if not refresh and kept is not None and now - kept[0] < self._max_age and kept[1] == current:
                return kept[2], False
            views = self._source.entities(tenant_id)
            with self._lock:
                self._lists[tenant_id] = (now, current, views)
            return views, True
