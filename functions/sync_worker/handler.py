"""The SQS worker: push chunks into Odoo, apply pulled pages and Odoo's change notices; report back
only the messages that failed.

Messages are told apart by their `kind` (push_chunk, pull_page, odoo_change, bulk_select: one
bounded step of a large bulk push's selection, which queues chunks and the next step).

FIFO order per tenant connection is kept: once a message of a group fails, the group's later
messages in the same delivery are reported failed too (without being tried), so they come back
after it; other groups go on. A chunk-level failure (Odoo unreachable, rate limited, an outcome
unknown) makes SQS deliver the message again; record-level failures are outcomes, counted and
logged, and the message is done. On the last delivery before the dead-letter queue, the chunk's
records are marked failed in their batch, so the batch finishes and its retry can re-queue them.
A malformed message can never succeed: it is logged and left to reach the dead-letter queue.

Each invocation takes up to 5 messages within the function's timeout. A message is started only
while enough time is left for one page or chunk (MIN_MS_PER_MESSAGE); the ones that would not fit
are reported failed untried, so SQS hands them back at once instead of after a timed-out
invocation's visibility timeout. Like the ones skipped behind a failure, they are given up only
on their last delivery.
"""

from __future__ import annotations

import time
from typing import Annotated, Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import SqsFifoPartialProcessor, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import Field, TypeAdapter, ValidationError

from odoo_sync.api import dependencies
from odoo_sync.core.batches import failed_outcomes
from odoo_sync.core.ids import iso, utc_now
from odoo_sync.core.pull import batch_key
from odoo_sync.core.push import log_entry
from odoo_sync.errors import ServiceError
from odoo_sync.odoo.errors import OdooError
from odoo_sync.sync.model import BulkSelectMessage, OdooChangeMessage, PullPageMessage, PushChunkMessage

# The SyncQueue's maxReceiveCount in template.yaml: the delivery after which SQS gives up.
MAX_RECEIVES = 5
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
processor = SqsFifoPartialProcessor(skip_group_on_error=True)
# When every message fails, answer the list of failures rather than raising: SQS treats both the
# same, but an invocation error would count as a function failure in the metrics and alarms.
processor.raise_on_entire_batch_failure = False


class MalformedMessageError(Exception):
    """The body is not a sync message; no delivery will ever make it one."""


class OutOfTimeError(Exception):
    """Too little of the invocation is left to start this message; SQS delivers it again."""


def handle_message(record: SQSRecord) -> None:
    message = _parse(record)
    logger.append_keys(**{key: getattr(message, key, None) for key in _CORRELATION_KEYS})
    receive_count = int(record.attributes.approximate_receive_count or 1)
    try:
        if isinstance(message, PushChunkMessage):
            _push(message, receive_count=receive_count)
        elif isinstance(message, BulkSelectMessage):
            _select(message, receive_count=receive_count)
        else:
            _pull(message, receive_count=receive_count)
    finally:
        logger.remove_keys(list(_CORRELATION_KEYS))


push_chunk = handle_message  # the name it had when pushes were all it handled


def _parse(record: SQSRecord) -> SyncMessage:
    try:
        return _MESSAGES.validate_json(record.body)
    except ValidationError as exc:
        problems = exc.errors(include_input=False, include_url=False, include_context=False)
        logger.error(
            "malformed sync message; it will reach the dead-letter queue",
            extra={"message_id": record.message_id, "problems": problems[:5]},
        )
        metrics.add_metric(name="MalformedMessages", unit=MetricUnit.Count, value=1)
        raise MalformedMessageError(record.message_id) from exc


def _push(message: PushChunkMessage, receive_count: int) -> None:
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
        )
    except Exception as exc:  # any chunk-level failure: the message returns, nothing is half-counted
        logger.warning(
            "chunk failed; SQS will deliver it again",
            extra={"error": type(exc).__name__, "reason": _reason(exc), "receive_count": receive_count},
        )
        metrics.add_metric(name="ChunksFailed", unit=MetricUnit.Count, value=1)
        if receive_count >= MAX_RECEIVES:
            _give_up(message, _reason(exc), type(exc).__name__)
        raise
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


def _select(message: BulkSelectMessage, receive_count: int) -> None:
    try:
        queued = dependencies.bulk_service().select_slice(message)
    except Exception as exc:  # the step returns; a redelivery queues nothing twice
        logger.warning(
            "selection step failed; SQS will deliver it again",
            extra={"error": type(exc).__name__, "reason": _reason(exc), "receive_count": receive_count},
        )
        metrics.add_metric(name="SelectionStepsFailed", unit=MetricUnit.Count, value=1)
        if receive_count >= MAX_RECEIVES:
            _end_selection(message)
        raise
    logger.info("selection step queued", extra={"slice": message.slice, "records": queued})


def _end_selection(message: BulkSelectMessage) -> None:
    """The last delivery failed too: the batch stops selecting and completes with what was queued."""
    try:
        dependencies.bulk_service().end_selection(message)
    except ServiceError:
        logger.exception("could not end the batch's selection")
    metrics.add_metric(name="SelectionsAbandoned", unit=MetricUnit.Count, value=1)


def _pull(message: PullPageMessage | OdooChangeMessage, receive_count: int) -> None:
    started = time.perf_counter()
    try:
        if isinstance(message, PullPageMessage):
            outcomes = dependencies.pull_service().apply_page(message)
        else:
            outcomes = dependencies.pull_service().apply_odoo_change(message)
    except Exception as exc:  # any page-level failure: the message returns
        logger.warning(
            "pull failed; SQS will deliver it again",
            extra={"error": type(exc).__name__, "reason": _reason(exc), "receive_count": receive_count},
        )
        metrics.add_metric(name="PullsFailed", unit=MetricUnit.Count, value=1)
        if receive_count >= MAX_RECEIVES and isinstance(message, PullPageMessage):
            _give_up(message, _reason(exc), type(exc).__name__)
        raise
    succeeded = sum(1 for outcome in outcomes if outcome.success)
    elapsed_ms = (time.perf_counter() - started) * 1000
    metrics.add_metric(name="RecordsPulled", unit=MetricUnit.Count, value=succeeded)
    metrics.add_metric(name="RecordsFailed", unit=MetricUnit.Count, value=len(outcomes) - succeeded)
    logger.info(
        "pulled",
        extra={"records": len(outcomes), "succeeded": succeeded, "duration_ms": round(elapsed_ms)},
    )


def _give_up(message: PushChunkMessage | PullPageMessage, reason: str, error: str) -> None:
    """The last delivery failed too: its records end the batch failed, ready for a retry."""
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
        dependencies.batches().record_chunk(
            message.tenant_id, message.batch_id, message.entity, outcomes, chunk=message.chunk
        )
        dependencies.sync_log().append(message.tenant_id, entries)
    except ServiceError:
        logger.exception("could not record the chunk's records as failed")
    metrics.add_metric(name="ChunksAbandoned", unit=MetricUnit.Count, value=1)


def _reason(error: Exception) -> str:
    message = error.message if isinstance(error, OdooError | ServiceError) else str(error)
    return message[:300]


@metrics.log_metrics
@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    attempted: set[str] = set()

    def attempt(record: SQSRecord) -> None:
        remaining_ms = context.get_remaining_time_in_millis()
        if remaining_ms < MIN_MS_PER_MESSAGE:
            # Not attempted: it goes back untried, and counts toward giving up only as a skipped one.
            logger.info(
                "too little time left to start the message; SQS will deliver it again",
                extra={"message_id": record.message_id, "remaining_ms": remaining_ms},
            )
            metrics.add_metric(name="MessagesDeferred", unit=MetricUnit.Count, value=1)
            raise OutOfTimeError(record.message_id)
        attempted.add(record.message_id)
        handle_message(record)

    answer = process_partial_response(
        event=event, record_handler=attempt, processor=processor, context=context
    )
    failed_ids = {str(failure["itemIdentifier"]) for failure in answer.get("batchItemFailures", [])}
    _give_up_skipped(event, failed_ids - attempted)
    return dict(answer)


def _give_up_skipped(event: dict[str, Any], skipped: set[str]) -> None:
    """Messages skipped behind a failed one of their group, or left for want of time, also count
    their deliveries: on their last one they go to the dead-letter queue untried, so their
    records end failed too, or their batch would wait for them forever."""
    for raw in event.get("Records", []):
        record = SQSRecord(raw)
        if record.message_id not in skipped:
            continue
        if int(record.attributes.approximate_receive_count or 1) < MAX_RECEIVES:
            continue
        try:
            message = _MESSAGES.validate_json(record.body)
        except ValidationError:
            continue  # malformed: nothing to mark, already logged
        if isinstance(message, OdooChangeMessage):
            continue  # no batch waits for a change notice
        if isinstance(message, BulkSelectMessage):
            _end_selection(message)
            continue
        _give_up(message, "skipped behind a failed chunk of the same group", "SkippedInGroup")
