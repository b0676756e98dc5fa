"""Schedules on the local stack: the template's every-minute rule ticks, a due run reaches Odoo once."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from local_stack.schedules import RateSchedule
from tests.support.service_stack import ok, service_fixtures

RULE = "ScheduleTickFunctionEveryMinute"  # SAM names a function's Schedule event <function><event>
SKU = "SCHED-"

pytestmark = pytest.mark.slow


sim, stack, demo, api = service_fixtures(seed_partners=2, seed_products=2)


def test_the_template_ticks_the_schedules_every_minute(stack):
    [target] = [t for t in stack.ticker.targets if t.rule == RULE]

    assert (target.function, target.schedule) == ("ScheduleTickFunction", RateSchedule(1))


def test_a_due_schedule_runs_once_through_the_played_rule(stack, sim, api):
    records = [
        {"local_id": f"s{n}", "data": {"title": f"Scheduled {n}", "sku": f"{SKU}{n}"}} for n in range(3)
    ]
    ok(api.post("/v1/records/product/batch", json={"records": records}))
    schedule = ok(
        api.post(
            "/v1/schedules",
            json={
                "name": "products",
                "entity": "product",
                "cron_expression": "*/10 * * * *",
                "timezone": "Europe/Paris",
                "sync_direction": "to_odoo",
            },
        ),
        201,
    )
    due = datetime.fromisoformat(schedule["next_run_at"])

    early = stack.ticker.fire(RULE, moment=due - timedelta(minutes=1))
    [first] = stack.ticker.fire(RULE, moment=due + timedelta(seconds=5))
    [second] = stack.ticker.fire(RULE, moment=due + timedelta(seconds=30))  # an overlapping tick
    stack.poller.drain()

    shown = ok(api.get(f"/v1/schedules/{schedule['id']}"))
    batch = ok(api.get(f"/v1/batches/{shown['last_batch_id']}"))
    assert early[0]["started"] == 0
    assert (first["started"], second["started"]) == (1, 0)
    assert datetime.fromisoformat(shown["next_run_at"]) == due + timedelta(minutes=10)
    assert (batch["triggered_by"], batch["status"], batch["succeeded"]) == ("schedule", "completed", 3)
    in_odoo = sim.records("product.product", [["default_code", "=like", f"{SKU}%"]])
    assert sorted(p["default_code"] for p in in_odoo) == [f"{SKU}{n}" for n in range(3)]


def test_a_minute_of_the_ticker_plays_the_rule(stack, api):
    schedule = ok(
        api.post(
            "/v1/schedules",
            json={
                "name": "later",
                "entity": "product",
                "cron_expression": "0 3 * * *",
                "sync_direction": "to_odoo",
            },
        ),
        201,
    )
    before = len([call for call in stack.invocations if call.function == "ScheduleTickFunction"])

    ran = stack.ticker.tick(stack.ticker.started_at + timedelta(minutes=1))

    after = len([call for call in stack.invocations if call.function == "ScheduleTickFunction"])
    assert RULE in [target.rule for target in ran]
    assert after == before + 1
    assert ok(api.get(f"/v1/schedules/{schedule['id']}"))["last_run_at"] is None  # not due yet
