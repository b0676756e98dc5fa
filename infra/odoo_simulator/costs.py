"""What a call costs a real Odoo, so a benchmark on the simulator predicts one; and its workers.

The simulator answers at once; real Odoo spends time per call and per record. `CostModel.real()`
carries what real Odoo 17 and 19 spent on one 2-core machine (../shared/odoo-wire/throughput.json
for res.partner by transport, v17-/v19-product-throughput.json for product.template), as a cost
per call plus a cost per record, by model and method:

  call                            per call   per record          from the captures
  product.template create         400 ms     9 ms (17) 12 ms (19)  1: 424/393 ms, 100: 1.0/1.35 s,
                                                                   500: 4.9/6.4 s
  product.template write          360 ms     0.1 ms (17) 1.5 (19)  20/100/500 ids: 0.36-0.39 s (17),
                                                                   0.40/0.51/1.13 s (19)
  res.partner create              40 ms      2.6 ms              1: 41-50 ms, 500: 1.1-1.6 s
  res.partner write               40 ms      3.2 ms              1: 36-48 ms, 500 ids: 1.3-2.1 s
  reads (search_read, read, ...)  20 ms      per transport:      search by ref: 17-28 ms; 5,000
                                             0.05 ms JSON-2,      rows in one call: 0.26 s JSON-2,
                                             0.09 ms JSON-RPC,    0.40-0.48 s JSON-RPC, 0.84-1.05 s
                                             0.18 ms XML-RPC      XML-RPC
  unlink                          20 ms      1 ms                1,000 ids: 0.85-1.2 s
  ir.model.data create            30 ms      1 ms                (not captured: a light insert)
  any other create / write        40 ms      3 ms                (as res.partner)
  anything else                   20 ms      -

The records of a call are its vals (create), its ids (write, unlink, read), or what it answered
(search, search_read). The model is linear: against the captures it is within 5 % at 500
records and 20-30 % too slow at 100 (product creates).

Workers: real Odoo serves several calls at once (its worker processes, or threads). The
simulator runs at most `workers` calls' costs at once (default 2, a small Odoo.sh-like server;
the captures' threaded server had no fixed limit but two cores); later calls wait for a worker,
as they would for a busy Odoo. Calls share no CPU here, so with 2 workers two 500-product creates
take the time of one: a real Odoo under PostgreSQL contention gains less from the second worker.
The simulator's fixed `latency_ms` knob (for tests) adds to this, outside the workers.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

DEFAULT_WORKERS = 2
_READS = frozenset({"search_read", "read", "search", "name_search", "search_count", "web_search_read"})
_PER_READ_RECORD_MS = {"json2": 0.05, "jsonrpc": 0.09, "xmlrpc": 0.18}


@dataclass(frozen=True)
class Cost:
    per_call_ms: float
    per_record_ms: float = 0.0


@dataclass(frozen=True)
class CallFacts:
    """What one call did: its model, method and how many records it touched or answered."""

    model: str
    method: str
    records: int


@dataclass
class CostModel:
    by_call: dict[tuple[str, str], Cost] = field(default_factory=dict)  # (model or "*", method)
    read_per_record_ms: dict[str, float] = field(default_factory=lambda: dict(_PER_READ_RECORD_MS))
    default: Cost = field(default_factory=lambda: Cost(20.0))

    @classmethod
    def real(cls, version: str = "19") -> CostModel:
        """The figures real Odoo of this version showed (17 or 19; others use 19's)."""
        product_create = 9.0 if version == "17" else 12.0
        product_write = 0.1 if version == "17" else 1.5
        return cls(
            by_call={
                ("product.template", "create"): Cost(400.0, product_create),
                ("product.product", "create"): Cost(400.0, product_create),
                ("product.template", "write"): Cost(360.0, product_write),
                ("product.product", "write"): Cost(360.0, product_write),
                ("res.partner", "create"): Cost(40.0, 2.6),
                ("res.partner", "write"): Cost(40.0, 3.2),
                ("ir.model.data", "create"): Cost(30.0, 1.0),
                ("*", "create"): Cost(40.0, 3.0),
                ("*", "write"): Cost(40.0, 3.0),
                ("*", "unlink"): Cost(20.0, 1.0),
                ("*", "read"): Cost(20.0),
                ("*", "fields_get"): Cost(30.0),
            }
        )

    def cost_ms(self, facts: CallFacts, transport: str) -> float:
        cost = (
            self.by_call.get((facts.model, facts.method))
            or self.by_call.get(("*", facts.method))
            or (self.by_call.get(("*", "read")) if facts.method in _READS else None)
            or self.default
        )
        per_record = cost.per_record_ms
        if facts.method in _READS and not per_record:
            per_record = self.read_per_record_ms.get(transport, max(self.read_per_record_ms.values()))
        return cost.per_call_ms + per_record * facts.records


_facts: contextvars.ContextVar[list[CallFacts] | None] = contextvars.ContextVar(
    "odoo_call_facts", default=None
)


@contextmanager
def collecting() -> Iterator[list[CallFacts]]:
    """Collect the facts of the calls the service runs in this thread meanwhile."""
    found: list[CallFacts] = []
    token = _facts.set(found)
    try:
        yield found
    finally:
        _facts.reset(token)


def note(model: str, method: str, args: list[Any], ids: list[Any] | None, value: Any) -> None:
    """The service tells what a call did (no-op unless someone is collecting)."""
    found = _facts.get()
    if found is not None:
        found.append(CallFacts(model, method, record_count(method, args, ids, value)))


def record_count(method: str, args: list[Any], ids: list[Any] | None, value: Any) -> int:
    if method == "create":
        vals = args[0] if args else value
        return len(vals) if isinstance(vals, list) else 1
    if ids:
        return len(ids)
    if method in ("write", "unlink", "read") and args and isinstance(args[0], list):
        return len(args[0])
    if isinstance(value, list):
        return len(value)
    return 0


class Workers:
    """At most `count` calls of the simulator cost something at once (None: no limit)."""

    def __init__(self, count: int | None = None) -> None:
        self._lock = threading.Lock()
        self._count = count
        self._semaphore = threading.BoundedSemaphore(count) if count else None

    @property
    def count(self) -> int | None:
        return self._count

    def resize(self, count: int | None) -> None:
        with self._lock:
            self._count = count
            self._semaphore = threading.BoundedSemaphore(count) if count else None

    @contextmanager
    def slot(self) -> Iterator[None]:
        semaphore = self._semaphore
        if semaphore is None:
            yield
            return
        with semaphore:
            yield
