"""The notice queue's consumer: Odoo's change notices, gathered and applied a connection and model
at a time.

OdooChangeQueue is a standard queue read with a batching window (template.yaml): the notices that
arrive within it come in one invocation, up to its batch size, and the notices of one connection
and model are applied as one page (`odoo_sync.core.notice_apply`): one read of Odoo, one set of
books. Order does not matter: a notice only says "read this record again", and the record is read
as Odoo has it when the page applies; a duplicate notice costs nothing more within a gathering.

Groups of different connections run at once (a thread each, up to MAX_GROUPS_AT_ONCE: the work
waits on Odoo); one that would start with too little of the invocation left comes back at once,
untried. A group that fails (Odoo unreachable, rate limited) reports its messages failed after
setting their visibility to a backoff of their own (`odoo_sync.core.recovery`, Retry-After
honoured); a notice failing for an hour since its first receive is dropped and logged (the next
delta or import reads the record). A notice that Odoo 17 sent before committing its change comes
back after `odoo_sync.core.pull_notices.NOTICE_DELAYS_S`, alone: the rest of its group is applied
at once. A malformed message can never succeed: it is logged and moved to the dead-letter queue.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import ValidationError

from odoo_sync.actors import ODOO_WEBHOOK, acting_as
from odoo_sync.api import dependencies
from odoo_sync.core.notice_apply import NoticeGroup, QueuedNotice, gather
from odoo_sync.core.pull_notices import notice_delay_s, waits_for_commit
from odoo_sync.core.recovery import delay_after, failure_reason, gives_up
from odoo_sync.errors import ServiceError
from odoo_sync.odoo.errors import OdooError
from odoo_sync.settings import service_settings
from odoo_sync.sync.model import OdooChangeMessage

# The OdooChangeQueue's maxReceiveCount in template.yaml: a last resort, past an hour of backoffs.
MAX_RECEIVES = 1000
# Time a gathering may need, conservatively (one read of up to 100 records and its books): with
# less of the invocation left it is handed back untried rather than cut off by the timeout (60 s).
MIN_MS_PER_GROUP = 15_000
MAX_GROUPS_AT_ONCE = 8  # gatherings of different connections applied at once (each waits on its Odoo)
_GROUP_KEYS = ("tenant_id", "connection_id", "odoo_model")

logger = Logger()
metrics = Metrics()
clock = time.time  # the function's "now" for giving up (tests move it)


@metrics.log_metrics
@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """A partial batch response: the messages to read again later."""
    records = {record.message_id: record for record in (SQSRecord(raw) for raw in event.get("Records", []))}
    notices: list[QueuedNotice] = []
    failed: set[str] = set()
    for record in records.values():
        message = _parse(record)
        if message is None:
            failed |= _malformed(record)
        else:
            notices.append(QueuedNotice(record.message_id, message, waits_for_commit(_receives(record))))
    groups = gather(notices)
    metrics.add_metric(name="NoticesReceived", unit=MetricUnit.Count, value=len(notices))
    metrics.add_metric(name="NoticeGroups", unit=MetricUnit.Count, value=len(groups))

    def attempt(group: NoticeGroup) -> set[str]:
        remaining_ms = context.get_remaining_time_in_millis()
        if remaining_ms < MIN_MS_PER_GROUP:
            logger.info(
                "too little time left to start the notices; they come back at once",
                extra={"notices": len(group.notices), "remaining_ms": remaining_ms},
            )
            for notice in group.notices:
                _reschedule(records[notice.key], 0)
            return {notice.key for notice in group.notices}
        return _apply(group, records)

    if len(groups) > 1:
        with ThreadPoolExecutor(max_workers=min(len(groups), MAX_GROUPS_AT_ONCE)) as pool:
            for group_failed in pool.map(attempt, groups):
                failed |= group_failed
    elif groups:
        failed |= attempt(groups[0])
    return {"batchItemFailures": [{"itemIdentifier": key} for key in records if key in failed]}


def _apply(group: NoticeGroup, records: dict[str, SQSRecord]) -> set[str]:
    """The keys of the group's messages that must come back later."""
    logger.thread_safe_append_keys(**{key: getattr(group, key) for key in _GROUP_KEYS})
    started = time.perf_counter()
    try:
        with acting_as(ODOO_WEBHOOK):
            result = dependencies.notice_service().apply_group(group)
    except Exception as exc:  # the whole group comes back after its backoff
        return _failed(group, records, exc)
    finally:
        logger.thread_safe_remove_keys(list(_GROUP_KEYS))
    postponed = result.postponed(group)
    for notice in postponed:
        _reschedule(records[notice.key], notice_delay_s(_receives(records[notice.key])))
    succeeded = sum(1 for outcome in result.outcomes if outcome.success)
    metrics.add_metric(name="RecordsPulled", unit=MetricUnit.Count, value=succeeded)
    metrics.add_metric(name="RecordsFailed", unit=MetricUnit.Count, value=len(result.outcomes) - succeeded)
    if postponed:
        metrics.add_metric(name="NoticesPostponed", unit=MetricUnit.Count, value=len(postponed))
    logger.info(
        "notices applied",
        extra={
            **{key: getattr(group, key) for key in _GROUP_KEYS},
            "notices": len(group.notices),
            "records": len(result.outcomes),
            "succeeded": succeeded,
            "waiting_for_odoo": sorted(result.waiting),
            "duration_ms": round((time.perf_counter() - started) * 1000),
        },
    )
    return {notice.key for notice in postponed}


def _failed(group: NoticeGroup, records: dict[str, SQSRecord], error: Exception) -> set[str]:
    """Each notice comes back after its own backoff, or is dropped after an hour of failures."""
    if not isinstance(error, OdooError | ServiceError):
        logger.exception("the notices failed", extra={"notices": len(group.notices)})
    reason = failure_reason(error)
    again: set[str] = set()
    for notice in group.notices:
        record = records[notice.key]
        receives = _receives(record)
        first_s = int(record.attributes.approximate_first_receive_timestamp or 0) / 1000 or clock()
        if gives_up(first_s, clock()) or receives >= MAX_RECEIVES - 1:
            logger.error(
                "notice dropped after an hour of failures; the next delta reads the record",
                extra={"error": type(error).__name__, "reason": reason, "odoo_ids": notice.message.odoo_ids},
            )
            metrics.add_metric(name="NoticesAbandoned", unit=MetricUnit.Count, value=1)
            continue
        delay = delay_after(receives, error)
        logger.warning(
            "notices failed; SQS will deliver them again",
            extra={
                "error": type(error).__name__,
                "reason": reason,
                "receive_count": receives,
                "delay_s": delay,
            },
        )
        _reschedule(record, delay)
        again.add(notice.key)
    metrics.add_metric(name="NoticeGroupsFailed", unit=MetricUnit.Count, value=1)
    return again


def _parse(record: SQSRecord) -> OdooChangeMessage | None:
    try:
        return OdooChangeMessage.model_validate_json(record.body)
    except ValidationError as exc:
        problems = exc.errors(include_input=False, include_url=False, include_context=False)
        logger.error(
            "malformed notice message; it goes to the dead-letter queue",
            extra={"message_id": record.message_id, "problems": problems[:5]},
        )
        metrics.add_metric(name="MalformedMessages", unit=MetricUnit.Count, value=1)
        return None


def _malformed(record: SQSRecord) -> set[str]:
    """Moved to the dead-letter queue (done); without one, left to SQS's redrive (failed)."""
    dead_letters = service_settings().odoo_change_dead_letter_queue_url
    if not dead_letters:
        return {record.message_id}
    try:
        dependencies.notice_queue().dead_letter(dead_letters, record.body, "", record.message_id)
    except ServiceError:
        logger.exception("could not move the malformed message; SQS's redrive will")
        return {record.message_id}
    return set()


def _reschedule(record: SQSRecord, seconds: int) -> None:
    try:
        dependencies.notice_queue().delay(record.receipt_handle, seconds)
    except ServiceError:  # it still comes back, after the queue's visibility timeout
        logger.exception("could not reschedule the notice")


def _receives(record: SQSRecord) -> int:
    return int(record.attributes.approximate_receive_count or 1)
