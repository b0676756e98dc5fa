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
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

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


K = TypeVar("K", bound=tuple[str, ...])
V = TypeVar("V")


class _WarmCopies(Generic[K, V]):
    """Values kept `max_age` seconds per key (a tuple starting with the tenant), dropped at once
    when this process changed that tenant's `kind`; one thread reads what several want at once."""

    def __init__(self, kind: str, max_age_s: float, clock: Callable[[], float]) -> None:
        self._kind = kind
        self._max_age = max_age_s
        self._clock = clock
        self._kept: dict[K, tuple[float, int, V]] = {}
        self._lock = threading.Lock()
        self._reading: dict[K, threading.Lock] = {}

    def get(self, key: K, read: Callable[[], V], *, refresh: bool = False) -> tuple[V, bool]:
        """The kept value, or `read()`'s when there is none, it is too old or `refresh`; and
        whether it was read just now."""
        with self._reading_lock(key):
            now, current = self._clock(), generation(self._kind, key[0])
            with self._lock:
                kept = self._kept.get(key)
            if not refresh and kept is not None and now - kept[0] < self._max_age and kept[1] == current:
                return kept[2], False
            value = read()
            with self._lock:
                self._kept[key] = (now, current, value)
            return value, True

    def _reading_lock(self, key: K) -> threading.Lock:
        with self._lock:
            return self._reading.setdefault(key, threading.Lock())


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
        self._plans: _WarmCopies[tuple[str, str, str], SyncPlan] = _WarmCopies(SETTINGS, max_age_s, clock)

    def load(self, tenant_id: str, connection_id: str, entity: str, client: OdooClient) -> SyncPlan:
        def read() -> SyncPlan:
            return self._loader.load(tenant_id, connection_id, entity, client)

        return self._plans.get((tenant_id, connection_id, entity), read)[0]


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
        self._clients: _WarmCopies[tuple[str, str], OdooClient] = _WarmCopies(CONNECTIONS, max_age_s, clock)

    def client(self, tenant_id: str, connection_id: str) -> OdooClient:
        def read() -> OdooClient:
            return self._source.client(tenant_id, connection_id)

        return self._clients.get((tenant_id, connection_id), read)[0]


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
        self._lists: _WarmCopies[tuple[str], Sequence[Any]] = _WarmCopies(SETTINGS, max_age_s, clock)
        # When each (tenant, model) was last asked again for lack of an entity on it.
        self._misses: _WarmCopies[tuple[str, str], None] = _WarmCopies(SETTINGS, max_age_s, clock)

    def entities_on(self, tenant_id: str, odoo_model: str) -> list[Any]:
        """The tenant's entity views on `odoo_model`."""
        views, fresh = self._kept(tenant_id)
        found = [view for view in views if view.entity.odoo_model == odoo_model]
        if found or fresh or not self._misses.get((tenant_id, odoo_model), lambda: None)[1]:
            return found
        views, _ = self._kept(tenant_id, refresh=True)
        return [view for view in views if view.entity.odoo_model == odoo_model]

    def _kept(self, tenant_id: str, *, refresh: bool = False) -> tuple[Sequence[Any], bool]:
        return self._lists.get((tenant_id,), lambda: self._source.entities(tenant_id), refresh=refresh)
