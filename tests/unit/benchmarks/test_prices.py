"""The cost per million records, priced from what the meter counted."""

from __future__ import annotations

from collections import Counter

import pytest

from benchmarks.prices import per_million
from local_stack.invoker import InvocationTotals
from local_stack.meter import MeterReading


def test_sqs_requests_are_priced_at_their_queue_s_rate() -> None:
    fifo_only = MeterReading(sqs_billed=1_000, sqs_billed_fifo=1_000)
    standard_only = MeterReading(sqs_billed=1_000)

    assert per_million(fifo_only, {}, {}, 1_000).sqs == pytest.approx(0.50)
    assert per_million(standard_only, {}, {}, 1_000).sqs == pytest.approx(0.40)


def test_each_service_is_scaled_to_a_million_records() -> None:
    reading = MeterReading(
        requests=Counter({("kms", "Decrypt"): 10}),
        read_units={"records": 2_000},
        write_units={"records": 1_000},
    )
    invocations = {"SyncWorkerFunction": InvocationTotals(count=2, duration_ms=1_000)}

    cost = per_million(reading, invocations, {"SyncWorkerFunction": 1024}, 1_000)

    assert cost.dynamodb == pytest.approx(1_000 * (1_000 * 0.625 + 2_000 * 0.125) / 1e6)
    assert cost.lambda_compute == pytest.approx(1_000 * 1.0 * 0.0000133334)
    assert cost.lambda_requests == pytest.approx(1_000 * 2 * 0.20 / 1e6)
    assert cost.kms == pytest.approx(1_000 * 10 * 0.03 / 1e4)
    assert cost.total == pytest.approx(cost.dynamodb + cost.lambda_compute + cost.lambda_requests + cost.kms)
