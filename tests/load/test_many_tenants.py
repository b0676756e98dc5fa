"""Five tenants at once through the local stack, one of them flooding the sync queue.

What a tenant would notice: its few records are in its Odoo while another tenant's big push is
still running, and nobody's records are lost or made twice. The figures (records/s, how far the
flood had got) are printed by benchmarks/load.py; here only orderings and counts are asserted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest

from local_stack import LocalStack
from tests.load.harness import LoadRun, LoadTenant, load_world, run_flood

pytestmark = pytest.mark.slow

TENANTS = 5
FLOOD_RECORDS = 60
FLOOD_BATCH_SIZE = 2  # 30 chunks in the connection's two lanes (max_in_flight 2)
OTHER_RECORDS = 3
LANES = 2
# Worker invocations at once; Lambda runs one per active message group: the flood's two lanes,
# and the others'.
CONCURRENCY = 4


@pytest.fixture(scope="module")
def world() -> Iterator[tuple[LocalStack, list[LoadTenant]]]:
    with load_world(TENANTS) as made:
        yield made


@pytest.fixture(scope="module")
def run(world: tuple[LocalStack, list[LoadTenant]]) -> LoadRun:
    stack, tenants = world
    return run_flood(
        stack,
        tenants,
        flood_records=FLOOD_RECORDS,
        flood_batch_size=FLOOD_BATCH_SIZE,
        other_records=OTHER_RECORDS,
        concurrency=CONCURRENCY,
    )


def test_the_small_tenants_finish_while_the_flood_is_still_running(run: LoadRun) -> None:
    for tenant in run.others:
        assert tenant.finished_after is not None, tenant.name
        assert tenant.flood_done_when_finished is not None
        # At most the flood's first batch of chunks in each of its lanes went before them (SQS's
        # batch size).
        assert tenant.flood_done_when_finished <= LANES * 5 * FLOOD_BATCH_SIZE, (tenant.name, run.timeline)
    assert run.flood.finished_after is not None
    assert max(t.finished_after or 0 for t in run.others) < run.flood.finished_after


def test_the_flood_is_served_in_its_own_order_and_finishes(run: LoadRun) -> None:
    done = [flood_done for _, flood_done in run.timeline]
    assert done == sorted(done)  # its chunks one after another, never undone
    assert done[-1] == FLOOD_RECORDS


def test_nothing_is_dropped_or_made_twice_in_any_tenants_odoo(run: LoadRun) -> None:
    for tenant in run.tenants:
        batch = tenant.batch()
        assert (batch["status"], batch["total"], batch["succeeded"], batch["failed"]) == (
            "completed",
            tenant.records,
            tenant.records,
            0,
        ), tenant.name
        made = Counter(tenant.in_odoo())
        assert len(made) == tenant.records, tenant.name
        assert set(made.values()) == {1}, tenant.name
        # Only its own records reached its Odoo.
        assert all(ref.startswith(f"{tenant.name}-") for ref in made)
