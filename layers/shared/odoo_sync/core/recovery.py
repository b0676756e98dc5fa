"""When a chunk that failed as a whole comes back, and when it is given up.

A chunk fails as a whole when Odoo cannot be reached, answers 429/503 or a transient error, or a
write's outcome stays unknown. It comes back after a backoff of its own (the worker shortens the
message's visibility: ChangeMessageVisibility), not after the queue's visibility timeout: 5 s,
then 10, 20, 40, capped at 45 s, a random part of it off so chunks that failed together do not
come back together; Odoo's Retry-After instead when it gave one. So work resumes within a minute
of Odoo answering again.

It is given up (its records end failed in their batch, retryable) once it has been failing for an
hour: an outage of up to an hour loses nothing. That clock starts at the chunk's own first
failure, so the chunks queued behind it in its FIFO group (handed back untried each time it
failed) start theirs only when they fail themselves.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable

from odoo_sync.errors import ServiceError
from odoo_sync.odoo.errors import OdooError, OdooRateLimitedError

GIVE_UP_AFTER_S = 3600.0
BASE_DELAY_S = 5.0
MAX_DELAY_S = 45.0
MAX_RETRY_AFTER_S = 900.0  # SQS allows 12 hours; a longer ask is still retried in 15 minutes
SLOT_BUSY_DELAY_S = 5  # another chunk holds one of this chunk's slots (core.lanes): not a failure


def retry_delay(
    failures: int, retry_after: float | None = None, *, rand: Callable[[], float] = random.random
) -> int:
    """Whole seconds before the next attempt, after `failures` failures (1 or more)."""
    if retry_after is not None and retry_after > 0:
        return int(min(MAX_RETRY_AFTER_S, math.ceil(retry_after)))
    ceiling = min(MAX_DELAY_S, BASE_DELAY_S * 2 ** max(0, failures - 1))
    seconds: float = ceiling * (0.5 + rand() / 2)
    return max(1, math.floor(seconds + 0.5))


def delay_after(failures: int, error: Exception) -> int:
    """retry_delay for a failure caused by `error` (Odoo's Retry-After when it asked for one)."""
    return retry_delay(failures, error.retry_after if isinstance(error, OdooRateLimitedError) else None)


def failure_reason(error: Exception) -> str:
    """What a log line says of a failure: the service's own message, at most 300 characters."""
    message = error.message if isinstance(error, OdooError | ServiceError) else str(error)
    return message[:300]


def gives_up(first_failed_at: float, now: float) -> bool:
    return now - first_failed_at >= GIVE_UP_AFTER_S
