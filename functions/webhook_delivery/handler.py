"""The DeliveryQueue consumer: POST each change to its subscriber, signed; retry with backoff.

A delivery to retry is reported failed after its visibility is set to the backoff delay
(ChangeMessageVisibility), so SQS hands it back then; after MAX_RECEIVES attempts SQS moves it to
the dead-letter queue. Succeeded, refused for good (4xx but 408/429) and pointless deliveries
(subscription deleted, change expired) end their message. A malformed message is logged and
left to reach the dead-letter queue.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

import boto3
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.exceptions import BotoCoreError, ClientError
from pydantic import ValidationError

from odoo_sync.api import dependencies
from odoo_sync.core.changes import DeliveryMessage
from odoo_sync.core.webhook_delivery import DeliveryStatus
from odoo_sync.settings import service_settings

if TYPE_CHECKING:
    from mypy_boto3_sqs.client import SQSClient

# The DeliveryQueue's maxReceiveCount in template.yaml: the attempt after which SQS gives up.
MAX_RECEIVES = 10
_CORRELATION_KEYS = ("tenant_id", "subscription_id", "delivery_id")

logger = Logger()
metrics = Metrics()
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


class DeliveryNotDoneError(Exception):
    """The delivery must come back: SQS redelivers the message after its new visibility timeout."""


class MalformedMessageError(Exception):
    """The body is not a DeliveryMessage; no delivery will ever make it one."""


@cache
def _sqs() -> SQSClient:
    return boto3.client("sqs")


def deliver(record: SQSRecord) -> None:
    message = _parse(record)
    logger.append_keys(**{key: getattr(message, key) for key in _CORRELATION_KEYS})
    try:
        _deliver(record, message)
    finally:
        logger.remove_keys(list(_CORRELATION_KEYS))


def _deliver(record: SQSRecord, message: DeliveryMessage) -> None:
    receive_count = int(record.attributes.approximate_receive_count or 1)
    result = dependencies.webhook_deliverer(MAX_RECEIVES).deliver(message, receive_count)
    if result is None:
        logger.info("nothing to deliver any more (subscription deleted or change expired)")
        metrics.add_metric(name="DeliveriesDropped", unit=MetricUnit.Count, value=1)
        return
    metrics.add_metric(name=f"Deliveries_{result.status.value}", unit=MetricUnit.Count, value=1)
    extra = {"status": result.status.value, "attempt": receive_count}
    if result.status is DeliveryStatus.SUCCEEDED:
        logger.info("webhook delivered", extra=extra)
        return
    if result.status is DeliveryStatus.FAILED:
        logger.warning("webhook refused by the receiver or the address guard; not retried", extra=extra)
        return
    if result.status is DeliveryStatus.DEAD_LETTERED:
        logger.error(
            "webhook delivery failed its last attempt; it goes to the dead-letter queue", extra=extra
        )
        raise DeliveryNotDoneError(message.delivery_id)
    assert result.retry_in_s is not None  # RETRYING always has a delay
    _postpone(record, result.retry_in_s)
    logger.warning(
        "webhook delivery failed; retrying later", extra={**extra, "retry_in_s": result.retry_in_s}
    )
    raise DeliveryNotDoneError(message.delivery_id)


def _postpone(record: SQSRecord, delay_s: int) -> None:
    """Exponential backoff: the message stays invisible for `delay_s`. If this fails, the queue's
    own visibility timeout applies: sooner, but still a retry."""
    try:
        _sqs().change_message_visibility(
            QueueUrl=service_settings().delivery_queue_url,
            ReceiptHandle=record.receipt_handle,
            VisibilityTimeout=delay_s,
        )
    except (ClientError, BotoCoreError):
        logger.exception("could not postpone the delivery; the queue's visibility timeout applies")


def _parse(record: SQSRecord) -> DeliveryMessage:
    try:
        return DeliveryMessage.model_validate_json(record.body)
    except ValidationError as exc:
        logger.error(
            "malformed delivery message; it will reach the dead-letter queue",
            extra={"message_id": record.message_id},
        )
        metrics.add_metric(name="MalformedMessages", unit=MetricUnit.Count, value=1)
        raise MalformedMessageError(record.message_id) from exc


@metrics.log_metrics
@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return dict(
        process_partial_response(event=event, record_handler=deliver, processor=processor, context=context)
    )
