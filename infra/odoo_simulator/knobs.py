"""Fault injection for tests and benchmarks: latency, errors, 429, hangs, dropped answers."""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass
from enum import Enum

from .costs import CostModel


class Fault(Enum):
    NONE = "none"
    TRANSIENT = "transient"  # 503 before executing
    RATE_LIMITED = "rate_limited"  # 429 with Retry-After before executing
    HANG = "hang"  # sleep, then answer normally
    DROP_AFTER_COMMIT = "drop_after_commit"  # execute and commit, close without answering


@dataclass(frozen=True)
class Decision:
    """What the server does with one incoming call, decided before it executes."""

    fault: Fault = Fault.NONE
    retry_after_s: float = 0.0
    hang_s: float = 0.0
    latency_s: float = 0.0
    fail_kind: str | None = None


class Knobs:
    """Mutable, thread-safe settings read by the server on every call."""

    def __init__(self, seed: int = 1) -> None:
        self._lock = threading.Lock()
        self._random = random.Random(seed)
        self.latency_ms: float = 0.0
        self.error_rate: float = 0.0
        # What each call costs a real Odoo (costs.py); None: calls cost nothing but latency_ms.
        # reset() leaves it: it is the server's speed, not a fault.
        self.cost_model: CostModel | None = None
        self._rate_limited = 0
        self._retry_after_s = 0.0
        self._hangs = 0
        self._hang_s = 0.0
        self._drops = 0
        self._failures = 0
        self._fail_kind = "transient"

    def rate_limit(self, count: int, retry_after_s: float = 1.0) -> None:
        """The next `count` calls answer 429 with Retry-After."""
        with self._lock:
            self._rate_limited = count
            self._retry_after_s = retry_after_s

    def hang(self, count: int, seconds: float) -> None:
        """The next `count` calls sleep `seconds` before answering (to trip a client's timeout)."""
        with self._lock:
            self._hangs = count
            self._hang_s = seconds

    def drop_after_commit(self, count: int) -> None:
        """The next `count` mutating calls commit, then the connection closes without an answer."""
        with self._lock:
            self._drops = count

    def fail_next(self, count: int, exc_kind: str = "transient") -> None:
        """The next `count` calls fail before executing: "transient" (503) or "server" (500)."""
        with self._lock:
            self._failures = count
            self._fail_kind = exc_kind

    def reset(self) -> None:
        with self._lock:
            self.latency_ms = 0.0
            self.error_rate = 0.0
            self._rate_limited = self._hangs = self._drops = self._failures = 0

    def decide(self) -> Decision:
        """Consume the knobs for one call (drops are decided separately, once a call mutates)."""
        with self._lock:
            latency = max(self.latency_ms, 0.0) / 1000.0
            if self._rate_limited > 0:
                self._rate_limited -= 1
                return Decision(Fault.RATE_LIMITED, retry_after_s=self._retry_after_s, latency_s=latency)
            if self._failures > 0:
                self._failures -= 1
                return Decision(Fault.TRANSIENT, latency_s=latency, fail_kind=self._fail_kind)
            if self.error_rate > 0 and self._random.random() < self.error_rate:
                return Decision(Fault.TRANSIENT, latency_s=latency, fail_kind="transient")
            if self._hangs > 0:
                self._hangs -= 1
                return Decision(Fault.HANG, hang_s=self._hang_s, latency_s=latency)
            return Decision(latency_s=latency)

    def take_drop(self) -> bool:
        """True (once per configured drop) when a mutating call should lose its answer."""
        with self._lock:
            if self._drops > 0:
                self._drops -= 1
                return True
            return False
