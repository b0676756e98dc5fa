"""One phase of a benchmark on the local stack: its time, every AWS request, what it would cost.

    measure = Measure(stack)
    with measure.phase(records=1000) as phase:
        ...                                  # the work
    phase.figures.ddb_per_1k, phase.figures.cost_per_million["total"]

The AWS meter (local_stack.meter) counts every request of the process while the phase runs: the
API's, the workers', the poller's. Waits of the poller on an empty queue are not counted (Lambda's
own pollers are not billed to the function either way that matters here).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from benchmarks import prices
from local_stack import LocalStack
from local_stack.meter import AwsMeter, MeterReading


@dataclass
class PhaseFigures:
    records: int
    seconds: float
    ddb_requests: int
    ddb_by_operation: dict[str, int]
    write_units: float
    read_units: float
    sqs_requests: int
    lambda_invocations: int
    cost_per_million: dict[str, float]  # US$ by service, and "total"

    @property
    def records_per_s(self) -> float:
        return self.records / self.seconds if self.seconds else 0.0

    @property
    def ddb_per_1k(self) -> float:
        return self.ddb_requests * 1000 / max(self.records, 1)

    def as_dict(self, prefix: str) -> dict[str, Any]:
        return {
            f"{prefix}_s": round(self.seconds, 2),
            f"{prefix}_records_per_s": round(self.records_per_s, 1),
            f"{prefix}_ddb_per_1k": round(self.ddb_per_1k, 1),
            f"{prefix}_ddb_by_operation": self.ddb_by_operation,
            f"{prefix}_wru_per_record": round(self.write_units / max(self.records, 1), 2),
            f"{prefix}_rru_per_record": round(self.read_units / max(self.records, 1), 2),
            f"{prefix}_sqs_per_1k": round(self.sqs_requests * 1000 / max(self.records, 1), 1),
            f"{prefix}_cost_per_million": self.cost_per_million,
        }


@dataclass
class Phase:
    records: int
    figures: PhaseFigures | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def result(self) -> PhaseFigures:
        assert self.figures is not None, "the phase has not ended"
        return self.figures


class Measure:
    def __init__(self, stack: LocalStack) -> None:
        self._stack = stack
        self._meter = AwsMeter().start()
        self._memory = {name: spec.memory_mb for name, spec in stack.functions.items()}

    def close(self) -> None:
        self._meter.stop()

    @contextmanager
    def phase(self, records: int) -> Iterator[Phase]:
        phase = Phase(records)
        before, invoked = self._meter.reading(), self._stack.invocation_totals
        started = time.perf_counter()
        yield phase
        seconds = time.perf_counter() - started
        reading: MeterReading = self._meter.reading() - before
        invocations = prices.invocations_between(invoked, self._stack.invocation_totals)
        cost = prices.per_million(reading, invocations, self._memory, records)
        phase.figures = PhaseFigures(
            records=records,
            seconds=seconds,
            ddb_requests=reading.dynamodb_requests,
            ddb_by_operation=reading.by_operation("dynamodb"),
            write_units=reading.total_write_units,
            read_units=reading.total_read_units,
            sqs_requests=reading.sqs_billed,
            lambda_invocations=sum(t.count for t in invocations.values()),
            cost_per_million=cost.as_dict(),
        )
