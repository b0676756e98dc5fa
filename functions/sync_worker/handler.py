"""The SQS worker: push chunks into Odoo, apply pulled pages and Odoo's change notices; report back
only the messages that failed.

Messages are told apart by their `kind` (push_chunk, pull_page, odoo_change, bulk_select: one
bounded step of a large bulk push's selection, which queues chunks and the next step).

FIFO order per lane (odoo_sync.core.lanes) is kept: once a message of a group fails, the group's
later messages in the same delivery are reported failed too (without being tried), so they come
back after it; other groups go on. The groups of one delivery run at once (a thread each: the
work waits on Odoo), so a connection's lanes overlap even when SQS hands them to one invocation.
A push chunk first takes the lease on its slots (another chunk holding one of them: it comes back
in a few seconds, not counted as a failure).

A chunk-level failure (Odoo unreachable, rate limited, an outcome unknown) makes the message come
back after a backoff of its own (core.recovery: ChangeMessageVisibility, Retry-After honoured),
so work resumes within a minute of Odoo answering again; record-level failures are outcomes,
counted and logged, and the message is done. A chunk (or selection step) failing for an hour is
given up: its records end failed in their batch (retryable) and the message is done, so the
chunks behind it in its group go on. Those, handed back untried while it failed, come back at
once and are never given up for its failures. SQS's own limit (maxReceiveCount, MAX_RECEIVES) is
a last resort that an outage of an hour does not reach. A malformed message can never succeed: it
is logged and moved to the dead-letter queue, so it does not hold its group.

Odoo's change notices travel on a queue of their own (functions/odoo_changes); the ones this
queue still carries from before it are applied here, one at a time.
An Odoo change notice that Odoo (17) sent before committing the change is not applied yet: it
comes back after `odoo_sync.core.pull_notices.NOTICE_DELAYS_S` (ChangeMessageVisibility), the
messages of its group behind it held back by it, and the delivery after the last delay reads Odoo
as it is.

Each message's work is done as its actor (odoo_sync.actors): whoever queued it, or Odoo's webhook
for a change notice, so its log entries and batch say who asked.

Each invocation takes up to 5 messages within the function's timeout. A message is started only
while enough time is left for one page or chunk (MIN_MS_PER_MESSAGE); the ones that would not fit
are handed back untried, at once.
"""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Annotated, Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import Field, TypeAdapter, ValidationError

from odoo_sync.actors import ODOO_WEBHOOK, SYSTEM, Actor, acting_as
from odoo_sync.api import dependencies
from odoo_sync.core.batches import failed_outcomes
from odoo_sync.core.ids import iso, utc_now
from odoo_sync.core.lanes import SlotBusyError
from odoo_sync.core.pull import batch_key
from odoo_sync.core.pull_notices import NoticeAheadOfOdooError, notice_delay_s, waits_for_commit
from odoo_sync.core.push import log_entry
from odoo_sync.core.recovery import SLOT_BUSY_DELAY_S, delay_after, failure_reason, gives_up
from odoo_sync.errors import ServiceError
from odoo_sync.odoo.errors import OdooError
from odoo_sync.settings import service_settings
from odoo_sync.sync.model import BulkSelectMessage, OdooChangeMessage, PullPageMessage, PushChunkMessage

# The SyncQueue's maxReceiveCount in template.yaml: a last resort, past any hour of backoffs.
MAX_RECEIVES = 1000
# Time a page or chunk may need, conservatively: with less left, a message is handed back untried
# rather than cut off by the function's timeout (120 s) half-way through.
MIN_MS_PER_MESSAGE = 25_000
_CORRELATION_KEYS = ("kind", "tenant_id", "connection_id", "batch_id", "chunk")

SyncMessage = Annotated[
    PushChunkMessage | PullPageMessage | OdooChangeMessage | BulkSelectMessage, Field(discriminator="kind")
]
_MESSAGES: TypeAdapter[SyncMessage] = TypeAdapter(SyncMessage)

logger = Logger()
metrics = Metrics()
clock = time.time  # the worker's "now" for giving up (tests move it)


class MalformedMessageError(Exception):
    """The body is not a sync message; no delivery will ever make it one."""


class OutOfTimeError(Exception):
    """Too little of the invocation is left to start this message; SQS delivers it again."""


def handle_message(record: SQSRecord) -> None:
    message = _parse(record)
    actor = message_actor(message)
    keys = {key: getattr(message, key, None) for key in _CORRELATION_KEYS}
    logger.thread_safe_append_keys(**keys, key_id=actor.key_id)
    try:
        with acting_as(actor):
            if isinstance(message, PushChunkMessage):
                _push(message, record)
            elif isinstance(message, BulkSelectMessage):
                _select(message, record)
            else:
                _pull(message, record)
    finally:
        logger.thread_safe_remove_keys([*_CORRELATION_KEYS, "key_id"])


def message_actor(message: SyncMessage) -> Actor:
    """Who the message's work is done for: whoever queued it, or Odoo's webhook for its notices."""
    if isinstance(message, OdooChangeMessage):
        return ODOO_WEBHOOK
    return message.actor or SYSTEM  # queued before actors existed


push_chunk = handle_message  # the name it had when pushes were all it handled


def _parse(record: SQSRecord) -> SyncMessage:
    try:
        return _MESSAGES.validate_json(record.body)
    except ValidationError as exc:
        problems = exc.errors(include_input=False, include_url=False, include_context=False)
        logger.error(
            "malformed sync message; it goes to the dead-letter queue",
            extra={"message_id": record.message_id, "problems": problems[:5]},
        )
        metrics.add_metric(name="MalformedMessages", unit=MetricUnit.Count, value=1)
        dead_letters = service_settings().sync_dead_letter_queue_url
        if not dead_letters:
            raise MalformedMessageError(record.message_id) from exc
        group = record.attributes.message_group_id or "malformed"
        dependencies.chunk_queue().dead_letter(dead_letters, record.body, group, record.message_id)
        raise _Done from exc


class _Done(Exception):  # noqa: N818 - not an error: the message needs nothing more
    """The message is dealt with (moved away, or given up on): SQS may delete it."""


def _push(message: PushChunkMessage, record: SQSRecord) -> None:
    started = time.perf_counter()
    try:
        outcomes = dependencies.push_service().push(
            message.tenant_id,
            message.connection_id,
            message.entity,
            message.local_ids,
            options=message.options,
            triggered_by=message.triggered_by,
            batch_id=message.batch_id,
            chunk=message.chunk,
            # This delivery (another delivery of the same chunk is another holder).
            holder=f"{record.message_id}#{uuid.uuid4().hex[:12]}" if message.slots else None,
        )
    except SlotBusyError:
        logger.info("a slot of the chunk is busy; it comes back shortly", extra={"slots": message.slots})
        metrics.add_metric(name="ChunksWaitingForSlot", unit=MetricUnit.Count, value=1)
        _reschedule(record, SLOT_BUSY_DELAY_S)
        raise
    except Exception as exc:  # any chunk-level failure: the message returns, nothing is half-counted
        metrics.add_metric(name="ChunksFailed", unit=MetricUnit.Count, value=1)
        _failed(message, record, exc, f"chunk{message.chunk}")
        return  # given up: its records end failed, the message is done
    succeeded = sum(1 for outcome in outcomes if outcome.success)
    elapsed_ms = (time.perf_counter() - started) * 1000
    metrics.add_metric(name="RecordsPushed", unit=MetricUnit.Count, value=succeeded)
    metrics.add_metric(name="RecordsFailed", unit=MetricUnit.Count, value=len(outcomes) - succeeded)
    metrics.add_metric(name="ChunkDuration", unit=MetricUnit.Milliseconds, value=elapsed_ms)
    logger.info(
        "chunk pushed",
        extra={
            "records": len(outcomes),
            "succeeded": succeeded,
            "failed": len(outcomes) - succeeded,
            "duration_ms": round(elapsed_ms),
        },
    )


def _select(message: BulkSelectMessage, record: SQSRecord) -> None:
    try:
        queued = dependencies.bulk_service().select_slice(message)
    except Exception as exc:  # the step returns; a redelivery queues nothing twice
        metrics.add_metric(name="SelectionStepsFailed", unit=MetricUnit.Count, value=1)
        _failed(message, record, exc, f"select{message.slice}")
        return
    logger.info("selection step queued", extra={"slice": message.slice, "records": queued})


def _pull(message: PullPageMessage | OdooChangeMessage, record: SQSRecord) -> None:
    started = time.perf_counter()
    try:
        if isinstance(message, PullPageMessage):
            outcomes = dependencies.pull_service().apply_page(message)
        else:
            patient = waits_for_commit(_receives(record))
            outcomes = dependencies.notice_service().apply_change(message, wait_for_commit=patient)
    except NoticeAheadOfOdooError as exc:
        _postpone_notice(record, exc)
        raise
    except Exception as exc:  # any page-level failure: the message returns
        metrics.add_metric(name="PullsFailed", unit=MetricUnit.Count, value=1)
        key = f"pull{message.chunk}" if isinstance(message, PullPageMessage) else ""
        _failed(message, record, exc, key)
        return
    succeeded = sum(1 for outcome in outcomes if outcome.success)
    elapsed_ms = (time.perf_counter() - started) * 1000
    metrics.add_metric(name="RecordsPulled", unit=MetricUnit.Count, value=succeeded)
    metrics.add_metric(name="RecordsFailed", unit=MetricUnit.Count, value=len(outcomes) - succeeded)
    logger.info(
        "pulled",
        extra={"records": len(outcomes), "succeeded": succeeded, "duration_ms": round(elapsed_ms)},
    )


def _postpone_notice(record: SQSRecord, error: NoticeAheadOfOdooError) -> None:
    """Read the notice again once Odoo has had time to commit; its group waits behind it."""
    receives = _receives(record)
    delay_s = notice_delay_s(receives)
    logger.info(
        "Odoo has not committed the noticed change yet; the notice is read again later",
        extra={"reason": error.message, "receive_count": receives, "retry_in_s": delay_s},
    )
    metrics.add_metric(name="NoticesPostponed", unit=MetricUnit.Count, value=1)
    _reschedule(record, delay_s)


def _failed(
    message: PushChunkMessage | PullPageMessage | OdooChangeMessage | BulkSelectMessage,
    record: SQSRecord,
    error: Exception,
    key: str,
) -> None:
    """Give the message up (returns) after an hour of failures, else schedule it back (raises)."""
    receives = _receives(record)
    failures = receives
    batch_id = getattr(message, "batch_id", None)
    if key and batch_id:
        try:
            first, failures = dependencies.batches().note_failure(message.tenant_id, batch_id, key, clock())
        except ServiceError:
            logger.exception("could not note the failure")
            first = clock()
        if gives_up(first, clock()) or receives >= MAX_RECEIVES - 1:
            logger.error(
                "giving up after an hour of failures",
                extra={"error": type(error).__name__, "reason": failure_reason(error), "failures": failures},
            )
            _give_up(message, failure_reason(error), type(error).__name__)
            return
    delay = delay_after(failures, error)
    logger.warning(
        "failed; SQS will deliver it again",
        extra={
            "error": type(error).__name__,
            "reason": failure_reason(error),
            "receive_count": receives,
            "delay_s": delay,
        },
    )
    _reschedule(record, delay)
    raise error


def _reschedule(record: SQSRecord, seconds: int) -> None:
    try:
        dependencies.chunk_queue().delay(record.receipt_handle, seconds)
    except ServiceError:  # it still comes back, after the queue's visibility timeout
        logger.exception("could not reschedule the message")


def _receives(record: SQSRecord) -> int:
    return int(record.attributes.approximate_receive_count or 1)


def _give_up(message: Any, reason: str, error: str) -> None:
    """The message kept failing: its records end the batch failed, ready for a retry (a selection
    step ends the batch's selection with what was queued); a change notice is dropped (logged)."""
    if isinstance(message, BulkSelectMessage):
        _end_selection(message)
        return
    if not isinstance(message, PushChunkMessage | PullPageMessage):
        metrics.add_metric(name="NoticesAbandoned", unit=MetricUnit.Count, value=1)
        return
    keys = (
        message.local_ids
        if isinstance(message, PushChunkMessage)
        else [batch_key(odoo_id) for odoo_id in message.odoo_ids]
    )
    outcomes = failed_outcomes(
        keys,
        f"the chunk kept failing: {reason}",
        {"error": error, "chunk": message.chunk},
        iso(utc_now()),
    )
    entries = [
        log_entry(message.entity, message.connection_id, outcome, message.triggered_by, message.batch_id)
        for outcome in outcomes
    ]
    if isinstance(message, PullPageMessage):
        entries = [entry.model_copy(update={"sync_direction": "from_odoo"}) for entry in entries]
    try:
        log = dependencies.sync_log().prepare(message.tenant_id, entries)
        dependencies.batches().record_chunk(
            message.tenant_id, message.batch_id, message.entity, outcomes, chunk=message.chunk, log=log
        )
    except ServiceError:
        logger.exception("could not record the chunk's records as failed")
        raise
    metrics.add_metric(name="ChunksAbandoned", unit=MetricUnit.Count, value=1)


def _end_selection(message: BulkSelectMessage) -> None:
    """The step kept failing: the batch stops selecting and completes with what was queued."""
    try:
        dependencies.bulk_service().end_selection(message)
    except ServiceError:
        logger.exception("could not end the batch's selection")
        raise
    metrics.add_metric(name="SelectionsAbandoned", unit=MetricUnit.Count, value=1)


@metrics.log_metrics
@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """A partial batch response: the messages that failed, and those skipped behind them."""
    records = [SQSRecord(raw) for raw in event.get("Records", [])]
    groups: dict[str, list[SQSRecord]] = {}
    for record in records:
        groups.setdefault(record.attributes.message_group_id or record.message_id, []).append(record)
    attempted: set[str] = set()

    def attempt(record: SQSRecord) -> None:
        remaining_ms = context.get_remaining_time_in_millis()
        if remaining_ms < MIN_MS_PER_MESSAGE:
            logger.info(
                "too little time left to start the message; SQS will deliver it again",
                extra={"message_id": record.message_id, "remaining_ms": remaining_ms},
            )
            metrics.add_metric(name="MessagesDeferred", unit=MetricUnit.Count, value=1)
            raise OutOfTimeError(record.message_id)
        attempted.add(record.message_id)
        try:
            handle_message(record)
        except _Done:
            return

    def run_group(group: list[SQSRecord]) -> list[str]:
        for index, record in enumerate(group):
            try:
                attempt(record)
            except Exception as exc:  # a failed message holds back the rest of its group
                if not isinstance(exc, OdooError | ServiceError | OutOfTimeError | SlotBusyError):
                    logger.exception("the message failed", extra={"message_id": record.message_id})
                return [later.message_id for later in group[index:]]
        return []

    if len(groups) <= 1:
        failed = {i for group in groups.values() for i in run_group(group)}
    else:
        with ThreadPoolExecutor(max_workers=len(groups)) as pool:
            failed = {i for ids in pool.map(run_group, groups.values()) for i in ids}
    _hand_back(event, failed - attempted)
    return {
        "batchItemFailures": [{"itemIdentifier": r.message_id} for r in records if r.message_id in failed]
    }


def _hand_back(event: dict[str, Any], untried: set[str]) -> None:
    """Messages skipped behind a failed one of their group, or left for want of time, come back at
    once: the group's failed message, still held back, keeps them waiting behind it."""
    for raw in event.get("Records", []):
        record = SQSRecord(raw)
        if record.message_id in untried:
            _reschedule(record, 0)
