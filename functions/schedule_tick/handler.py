"""The every-minute tick (EventBridge rule): start the runs of the schedules that are due.

Each run starts once however many ticks overlap (see core.schedules). A schedule whose run cannot
start is recorded on the schedule (last_error), logged and counted; the others still run.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from odoo_sync.api.dependencies import schedule_service
from odoo_sync.core.ids import utc_now
from odoo_sync.core.schedules import TickReport, TickStatus

logger = Logger()
metrics = Metrics()

_METRICS = {
    TickStatus.STARTED: "ScheduledRunsStarted",
    TickStatus.PARTLY_STARTED: "ScheduledRunsPartlyStarted",
    TickStatus.FAILED: "ScheduledRunsFailed",
    TickStatus.SKIPPED: "ScheduledRunsSkipped",
}


def tick_moment(event: dict[str, Any]) -> datetime:
    """Now, or the event's scheduled minute if later (a tick played for a chosen moment)."""
    now = utc_now()
    scheduled = event.get("time") if isinstance(event, dict) else None
    if not isinstance(scheduled, str):
        return now
    try:
        moment = datetime.fromisoformat(scheduled)
    except ValueError:
        logger.warning("the scheduled event's time is unreadable", extra={"time": scheduled[:64]})
        return now
    return max(now, moment) if moment.tzinfo is not None else now


def report(tick: TickReport) -> None:
    for result in tick.results:
        extra = result.model_dump(mode="json")
        if result.status is TickStatus.FAILED:
            logger.error("scheduled run failed to start", extra=extra)
        elif result.status is TickStatus.PARTLY_STARTED:
            logger.warning("scheduled run partly started", extra=extra)
        elif result.status is TickStatus.STARTED:
            logger.info("scheduled run started", extra=extra)
    for status, name in _METRICS.items():
        metrics.add_metric(name=name, unit=MetricUnit.Count, value=tick.count(status))
    metrics.add_metric(name="SchedulesDue", unit=MetricUnit.Count, value=len(tick.results))


@metrics.log_metrics
@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    tick = schedule_service().tick(tick_moment(event))
    report(tick)
    return {"now": tick.now, **{status.value: tick.count(status) for status in TickStatus}}
