"""Retries with exponential backoff and full jitter, honouring Retry-After.

Only failures that cannot have changed anything are retried for every call (the request never
left). Anything else is retried for idempotent calls only: a write whose answer was lost is
raised as OdooOutcomeUnknownError and the caller reconciles.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from odoo_sync.odoo.errors import OdooError, OdooNetworkError, OdooRateLimitedError

T = TypeVar("T")
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 4
    base_delay_s: float = 0.5
    max_delay_s: float = 8.0
    # A server asking for a longer pause than this gets the error back at once (with
    # retry_after set) so a queue can reschedule instead of holding a Lambda asleep.
    max_retry_after_s: float = 30.0
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)
    random: Callable[[], float] = field(default=random.random, repr=False)

    def delay(self, attempt: int, error: OdooError) -> float | None:
        """Seconds to wait before the attempt after `attempt` (1-based), or None to give up."""
        if attempt >= self.max_attempts:
            return None
        if isinstance(error, OdooRateLimitedError) and error.retry_after is not None:
            return error.retry_after if error.retry_after <= self.max_retry_after_s else None
        ceiling = min(self.max_delay_s, self.base_delay_s * 2.0 ** (attempt - 1))
        return self.random() * ceiling


def may_retry(error: OdooError, *, idempotent: bool) -> bool:
    if not error.retryable:
        return False
    # OdooNetworkError means the request never reached Odoo: safe even for a write.
    return idempotent or isinstance(error, OdooNetworkError)


def run_with_retry(action: Callable[[], T], *, policy: RetryPolicy, idempotent: bool, what: str) -> T:
    attempt = 0
    while True:
        attempt += 1
        try:
            return action()
        except OdooError as error:
            if not may_retry(error, idempotent=idempotent):
                raise
            pause = policy.delay(attempt, error)
            if pause is None:
                raise
            logger.warning(
                "Odoo call failed, retrying",
                extra={"call": what, "attempt": attempt, "error": error.category.value, "pause_s": pause},
            )
            policy.sleep(pause)
