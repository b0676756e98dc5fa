"""Sync messages onto the SQS FIFO queue (push chunks, pull pages, selection steps), and Odoo's
change notices onto the standard notice queue (`fifo=False`: no group, no deduplication id).

One message group per lane of a tenant connection (core.lanes): a connection's Odoo gets at
most its max_in_flight chunks at once, and a record's chunks come one after the other. The
deduplication id is per message kind:
- a push chunk or pull page names its batch, the retry and the chunk, so a resend within SQS's
  five-minute window is dropped by SQS while a later retry of the same batch is not;
- a bulk selection step names its batch and slice, so a redelivered step's follow-up is dropped;
- an Odoo change notice still sent to this queue (before the notice queue) names what changed:
  (connection, model, ids, write_date), so identical POSTs collapse into one message. On the
  notice queue they are gathered instead (`odoo_sync.core.notice_apply`): one read per record.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from odoo_sync.errors import StorageError
from odoo_sync.sync.model import BulkSelectMessage, OdooChangeMessage, PullPageMessage, PushChunkMessage

if TYPE_CHECKING:
    from mypy_boto3_sqs.client import SQSClient

MAX_ENTRIES = 10
MAX_BATCH_BYTES = 262_144  # SQS's limit for one message and for a whole SendMessageBatch
_ATTEMPTS = 5

QueueMessage = PushChunkMessage | PullPageMessage | OdooChangeMessage | BulkSelectMessage


def group_id(message: QueueMessage) -> str:
    """The connection's lane (core.lanes): lane 0 keeps the name of the connection's one group of
    before lanes, where Odoo's change notices and selection steps travel too."""
    lane = message.lane if isinstance(message, PushChunkMessage | PullPageMessage) else 0
    base = f"{message.tenant_id}#{message.connection_id}"
    return base if lane == 0 else f"{base}#{lane}"


def deduplication_id(message: QueueMessage, attempt: int = 0) -> str:
    if isinstance(message, OdooChangeMessage):
        return change_deduplication_id(message)
    if isinstance(message, BulkSelectMessage):
        return f"select#{message.batch_id}#{message.slice}"  # a redelivered slice queues it once
    kind = "" if isinstance(message, PushChunkMessage) else "pull#"
    base = f"{kind}{message.batch_id}#{message.chunk}"
    return base if attempt == 0 else f"{kind}{message.batch_id}#r{attempt}#{message.chunk}"


def change_deduplication_id(message: OdooChangeMessage) -> str:
    """The same for every identical notice of one change (at most 128 characters, as SQS wants)."""
    moment = message.write_date if message.write_date is not None else f"received:{message.received_at}"
    ids = ",".join(str(odoo_id) for odoo_id in sorted(set(message.odoo_ids)))
    what = "\n".join([message.tenant_id, message.connection_id, message.odoo_model, ids, moment])
    return "chg#" + hashlib.sha256(what.encode()).hexdigest()


class SqsChunkQueue:
    """core.batches.ChunkQueue (and the pull path's page queue) on SQS FIFO; boto3 errors become
    StorageError. With `fifo=False` it sends to a standard queue (Odoo's change notices): no
    group, no deduplication id."""

    def __init__(
        self,
        client: SQSClient,
        queue_url: str,
        *,
        fifo: bool = True,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self._client = client
        self._queue_url = queue_url
        self._fifo = fifo
        self._sleep = sleep

    def send(self, messages: Sequence[QueueMessage], attempt: int = 0) -> int:
        """Send in order; on failure StorageError with `messages_sent` (all before it were queued)."""
        sent = 0
        for group in _batches(messages):
            entries = {
                str(number): self._entry(number, message, body, attempt)
                for number, (message, body) in enumerate(group)
            }
            try:
                self._send_batch(entries)
            except StorageError as exc:
                exc.details["messages_sent"] = sent
                raise
            sent += len(group)
        return sent

    def _entry(self, number: int, message: QueueMessage, body: str, attempt: int) -> dict[str, str]:
        entry = {"Id": str(number), "MessageBody": body}
        if self._fifo:
            entry["MessageGroupId"] = group_id(message)
            entry["MessageDeduplicationId"] = deduplication_id(message, attempt)
        return entry

    def delay(self, receipt_handle: str, seconds: int) -> None:
        """Hand a received message back after `seconds` (0: at once) instead of after the queue's
        visibility timeout; a receipt that expired meanwhile is no error (the message is back)."""
        try:
            self._client.change_message_visibility(
                QueueUrl=self._queue_url, ReceiptHandle=receipt_handle, VisibilityTimeout=max(0, int(seconds))
            )
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if "ReceiptHandle" in code or "MessageNotInflight" in code:
                return
            raise StorageError("the queue refused to reschedule the message") from exc
        except BotoCoreError as exc:
            raise StorageError("the queue refused to reschedule the message") from exc

    def dead_letter(self, queue_url: str, body: str, group: str, message_id: str) -> None:
        """Put a message that can never be processed on the dead-letter queue, as it came."""
        try:
            if self._fifo:
                self._client.send_message(
                    QueueUrl=queue_url,
                    MessageBody=body,
                    MessageGroupId=group,
                    MessageDeduplicationId=message_id,
                )
            else:
                self._client.send_message(QueueUrl=queue_url, MessageBody=body)
        except (ClientError, BotoCoreError) as exc:
            raise StorageError("the dead-letter queue refused the message") from exc

    def _send_batch(self, entries: dict[str, dict[str, str]]) -> None:
        pending = dict(entries)
        for attempt in range(_ATTEMPTS):
            try:
                answer = self._client.send_message_batch(
                    QueueUrl=self._queue_url,
                    Entries=list(pending.values()),  # type: ignore[arg-type]
                )
            except (ClientError, BotoCoreError) as exc:
                raise StorageError("the queue refused the chunks") from exc
            failed: list[Any] = answer.get("Failed", [])
            if not failed:
                return
            if any(failure.get("SenderFault") for failure in failed):
                codes = sorted({str(failure.get("Code")) for failure in failed})
                raise StorageError(f"the queue refused the chunks ({', '.join(codes)})")
            pending = {str(failure["Id"]): pending[str(failure["Id"])] for failure in failed}
            self._sleep(min(2.0, 0.1 * 2**attempt))
        raise StorageError("the queue kept failing to accept the chunks")


def _batches(messages: Sequence[QueueMessage]) -> Iterator[list[tuple[QueueMessage, str]]]:
    """Up to 10 messages whose bodies fit together in one request, keeping their order."""
    group: list[tuple[QueueMessage, str]] = []
    size = 0
    for message in messages:
        body = message.model_dump_json()
        if len(body.encode()) > MAX_BATCH_BYTES:
            raise StorageError("a chunk is larger than an SQS message may be; use a smaller batch_size")
        if group and (len(group) == MAX_ENTRIES or size + len(body.encode()) > MAX_BATCH_BYTES):
            yield group
            group, size = [], 0
        group.append((message, body))
        size += len(body.encode())
    if group:
        yield group
