"""Follow a batch until it finishes: counts, rate and time left from its status, as a live bar."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn

from odoo_sync_cli.client import ApiClient
from odoo_sync_cli.models import Batch, LogEntry

WINDOW_S = 60.0  # the rate is measured over the last minute, so it follows a batch that speeds up
MAX_FAILURES_SHOWN = 1000


@dataclass(frozen=True)
class Sample:
    at: float  # seconds, any monotonic clock
    done: int  # records finished (succeeded + failed)


@dataclass(frozen=True)
class Estimate:
    done: int
    total: int
    rate: float | None  # records per second; None until progress is seen
    eta_s: float | None  # seconds left; None while the rate is unknown


class RateEstimator:
    """Records per second over a sliding window of status samples, and the time left at that rate."""

    def __init__(self, window_s: float = WINDOW_S) -> None:
        self._window_s = window_s
        self._samples: deque[Sample] = deque()

    def add(self, at: float, done: int, total: int) -> Estimate:
        self._samples.append(Sample(at, done))
        while len(self._samples) > 2 and at - self._samples[1].at >= self._window_s:
            self._samples.popleft()
        first = self._samples[0]
        elapsed = at - first.at
        progressed = done - first.done
        rate = progressed / elapsed if elapsed > 0 and progressed > 0 else None
        remaining = max(total - done, 0)
        if remaining == 0:
            eta: float | None = 0.0
        else:
            eta = remaining / rate if rate else None
        return Estimate(done=done, total=total, rate=rate, eta_s=eta)


def format_eta(seconds: float | None) -> str:
    if seconds is None:
        return "--"
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02d}m"
    return f"{minutes}m {secs:02d}s" if minutes else f"{secs}s"


def format_rate(rate: float | None) -> str:
    return "-- rec/s" if rate is None else f"{rate:,.1f} rec/s"


def follow_batch(
    client: ApiClient,
    batch_id: str,
    *,
    interval_s: float,
    console: Console | None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> Batch:
    """Poll the batch until it has finished; with a console, show a live bar on it."""
    estimator = RateEstimator()
    progress = _bar(console) if console is not None else None
    task: TaskID | None = None
    try:
        if progress is not None:
            progress.start()
        while True:
            batch = Batch.model_validate(client.get(f"/v1/batches/{batch_id}"))
            estimate = estimator.add(clock(), batch.done, batch.total)
            if progress is not None:
                counts, rate, eta = _fields(batch, estimate)
                if task is None:
                    task = progress.add_task(
                        batch.entity, total=max(batch.total, 1), counts=counts, rate=rate, eta=eta
                    )
                progress.update(
                    task, total=max(batch.total, 1), completed=batch.done, counts=counts, rate=rate, eta=eta
                )
            if batch.finished:
                return batch
            sleep(interval_s)
    finally:
        if progress is not None:
            progress.stop()


def _bar(console: Console) -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[counts]}"),
        TextColumn("{task.fields[rate]}"),
        TextColumn("ETA {task.fields[eta]}"),
        console=console,
    )


def _fields(batch: Batch, estimate: Estimate) -> tuple[str, str, str]:
    selecting = " (selecting...)" if batch.selecting else ""
    counts = f"{batch.done:,}/{batch.total:,}{selecting}  ok {batch.succeeded:,}  failed {batch.failed:,} "
    return counts, format_rate(estimate.rate), format_eta(estimate.eta_s)


def failed_records(client: ApiClient, batch_id: str, limit: int = MAX_FAILURES_SHOWN) -> list[LogEntry]:
    """The batch's failed records with their reasons, the latest attempt of each."""
    latest: dict[tuple[str, str], LogEntry] = {}
    for item in client.pages("/v1/logs", {"batch_id": batch_id, "status": "error", "limit": 200}):
        entry = LogEntry.model_validate(item)
        latest.setdefault((entry.entity, entry.local_id), entry)  # newest first
        if len(latest) >= limit:
            break
    return list(latest.values())
