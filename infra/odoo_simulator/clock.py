"""The simulated server's clock: real UTC time by default, frozen or shifted on demand for tests."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta


class SimClock:
    """Naive-UTC time source of the transactions (their `write_date`/`create_date`).

    - `now()`: the current naive UTC datetime, with microseconds.
    - `freeze(dt)`: time stands still at `dt` (a naive UTC datetime; an aware one is converted).
    - `advance(seconds)`: move forward by `seconds` (frozen or not), so tests need no sleeping.
    - `unfreeze()`: back to real time (keeping any offset added by `advance`).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._frozen: datetime | None = None
        self._offset = timedelta()

    def now(self) -> datetime:
        with self._lock:
            if self._frozen is not None:
                return self._frozen
            return datetime.utcnow() + self._offset

    def freeze(self, at: datetime | None = None) -> datetime:
        """Stop the clock at `at` (default: now) and return that instant."""
        moment = self.now() if at is None else at
        if moment.tzinfo is not None:
            moment = (moment - moment.utcoffset()).replace(tzinfo=None)  # type: ignore[operator]
        with self._lock:
            self._frozen = moment
        return moment

    def advance(self, seconds: float) -> datetime:
        """Move the clock forward (or back, with a negative value) and return the new time."""
        with self._lock:
            step = timedelta(seconds=seconds)
            if self._frozen is not None:
                self._frozen += step
            else:
                self._offset += step
        return self.now()

    def unfreeze(self) -> None:
        with self._lock:
            self._frozen = None

    @property
    def frozen(self) -> bool:
        return self._frozen is not None
