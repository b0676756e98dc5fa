"""What a warm worker keeps between messages: sync plans and Odoo clients, for a short while.

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
from collections.abc import Callable
from typing import TYPE_CHECKING

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
