"""The change feed in the ChangesTable.

Items:
  pk=TENANT#<tenant>#FEED                  sk=HEAD                the last number of the tenant's feed
  pk=TENANT#<tenant>#FEED                  sk=SEQ#<20 digits>     a change, in the tenant's feed
  pk=TENANT#<tenant>#FEED#ENTITY#<entity>  sk=HEAD | SEQ#<...>    the same, per entity
  expires_at=<epoch seconds>                                      (TTL, on the changes)

Appending reads the HEAD items, then in one transaction sets each HEAD to its new value on the
condition that it still holds the value read, and puts the changes under the numbers in
between. Two writers that read the same HEAD cannot both commit: the loser reads again and
takes the next numbers. So numbers become visible in order, with no gap, and a reader that has
seen number n has seen every change numbered below n, for good. Writers of one tenant take turns
(optimistic retries); a tenant's pull work is mostly serial (one FIFO group per connection), so
turns are rarely contended.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.conditions import Key
from botocore.exceptions import BotoCoreError, ClientError

from odoo_sync.core.changes import FeedItem, NewChange
from odoo_sync.core.ids import utc_now
from odoo_sync.errors import StorageError
from odoo_sync.stores.dynamodb import storage_errors
from odoo_sync.stores.tenants import tenant_pk
from odoo_sync.sync.model import RecordChange

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table

HEAD = "HEAD"
_SEQ_PREFIX = "SEQ#"
_LAST_SK = _SEQ_PREFIX + "9" * 20
# One transaction holds at most 100 items: each change twice (the tenant's feed and its entity's)
# plus one HEAD per feed touched, so a page of one entity takes 49 changes a transaction; and at
# most 4 MB: the changes are cut into transactions of at most ~1.5 MB of JSON (twice). Fewer,
# fuller transactions also matter locally: moto copies the whole table on every transaction.
_ITEMS_PER_TRANSACTION = 100
_BYTES_PER_TRANSACTION = 1_500_000
_ATTEMPTS = 12
_RETRIED_REASONS = frozenset({"ConditionalCheckFailed", "TransactionConflict"})


def feed_pk(tenant_id: str, entity: str | None = None) -> str:
    base = f"{tenant_pk(tenant_id)}#FEED"
    return base if entity is None else f"{base}#ENTITY#{entity}"


def sequence_sk(sequence: int) -> str:
    return f"{_SEQ_PREFIX}{sequence:020d}"


class FeedContentionError(StorageError):
    """Other writers kept taking the numbers first; the caller's message comes back later."""


class DynamoChangeLog:
    """core.changes.ChangeLog on DynamoDB, and `get` for the webhook delivery."""

    def __init__(
        self,
        table: Table,
        retention_days: int,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._table = table
        self._retention = timedelta(days=retention_days)
        self._sleep = sleep
        self._clock = clock

    def append(self, tenant_id: str, changes: Sequence[NewChange]) -> list[FeedItem]:
        appended: list[FeedItem] = []
        for chunk in _chunks(changes):
            appended.extend(self._append_chunk(tenant_id, chunk))
        return appended

    def read(self, tenant_id: str, entity: str | None, after: int, limit: int) -> list[FeedItem]:
        with storage_errors("read the change feed"):
            page = self._table.query(
                KeyConditionExpression=Key("pk").eq(feed_pk(tenant_id, entity))
                & Key("sk").between(sequence_sk(after + 1), _LAST_SK),
                Limit=limit,
                ConsistentRead=True,
            )
        return [_feed_item(item) for item in page.get("Items", [])]

    def get(self, tenant_id: str, sequence: int) -> FeedItem | None:
        """A change by its number in the tenant's feed; None once it expired."""
        with storage_errors("read a change"):
            item = self._table.get_item(
                Key={"pk": feed_pk(tenant_id), "sk": sequence_sk(sequence)}, ConsistentRead=True
            ).get("Item")
        return _feed_item(item) if item else None

    def _append_chunk(self, tenant_id: str, chunk: Sequence[NewChange]) -> list[FeedItem]:
        streams = [None, *sorted({change.data.entity for change in chunk})]
        for attempt in range(_ATTEMPTS):
            heads = self._read_heads(tenant_id, streams)
            items = _numbered(chunk, heads)
            if self._commit(tenant_id, heads, items):
                return [item for stream, item in items if stream is None]
            # Another writer took these numbers first: read the heads again, after a short wait
            # with jitter so two writers do not keep colliding.
            self._sleep(random.uniform(0, min(0.5, 0.01 * 2**attempt)))  # noqa: S311 - not security
        raise FeedContentionError("the change feed is busy; try again")

    def _read_heads(self, tenant_id: str, streams: Sequence[str | None]) -> dict[str | None, int]:
        keys = [{"pk": feed_pk(tenant_id, stream), "sk": HEAD} for stream in streams]
        with storage_errors("read the change feed's position"):
            answer = self._table.meta.client.batch_get_item(
                RequestItems={self._table.name: {"Keys": keys, "ConsistentRead": True}}
            )
        if answer.get("UnprocessedKeys"):
            raise StorageError("storage failed to read the change feed's position")
        found = {
            str(item["pk"]): int(str(item["sequence"]))
            for item in answer.get("Responses", {}).get(self._table.name, [])
        }
        return {stream: found.get(feed_pk(tenant_id, stream), 0) for stream in streams}

    def _commit(
        self,
        tenant_id: str,
        heads: dict[str | None, int],
        items: list[tuple[str | None, FeedItem]],
    ) -> bool:
        """One transaction: every HEAD moved from the value read, every change put; False if lost."""
        counts: dict[str | None, int] = {}
        for stream, _ in items:
            counts[stream] = counts.get(stream, 0) + 1
        expires_at = int((self._clock() + self._retention).timestamp())
        actions: list[dict[str, Any]] = [
            {"Update": self._head_update(feed_pk(tenant_id, stream), heads[stream], heads[stream] + count)}
            for stream, count in counts.items()
        ]
        actions += [
            {
                "Put": {
                    "TableName": self._table.name,
                    "Item": _stored(feed_pk(tenant_id, stream), item, expires_at),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            }
            for stream, item in items
        ]
        try:
            self._table.meta.client.transact_write_items(TransactItems=actions)  # type: ignore[arg-type]
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "TransactionCanceledException":
                reasons = {r.get("Code") for r in exc.response.get("CancellationReasons", [])}
                if reasons & _RETRIED_REASONS and reasons <= _RETRIED_REASONS | {"None", None}:
                    return False
            raise StorageError("storage failed to append to the change feed") from exc
        except BotoCoreError as exc:
            raise StorageError("storage failed to append to the change feed") from exc
        return True

    def _head_update(self, pk: str, expected: int, new: int) -> dict[str, Any]:
        update: dict[str, Any] = {
            "TableName": self._table.name,
            "Key": {"pk": pk, "sk": HEAD},
            "UpdateExpression": "SET #seq = :new",
            "ExpressionAttributeNames": {"#seq": "sequence"},
            "ExpressionAttributeValues": {":new": new},
        }
        if expected == 0:
            update["ConditionExpression"] = "attribute_not_exists(#seq)"
        else:
            update["ConditionExpression"] = "#seq = :expected"
            update["ExpressionAttributeValues"][":expected"] = expected
        return update


def _numbered(chunk: Sequence[NewChange], heads: dict[str | None, int]) -> list[tuple[str | None, FeedItem]]:
    """Each change twice: in the tenant's feed and in its entity's, numbered after the heads."""
    next_number = {stream: head + 1 for stream, head in heads.items()}
    numbered: list[tuple[str | None, FeedItem]] = []
    for change in chunk:
        for stream in (None, change.data.entity):
            item = FeedItem(
                id=change.id,
                sequence=next_number[stream],
                type=change.type,
                created_at=change.created_at,
                data=change.data,
            )
            next_number[stream] += 1
            numbered.append((stream, item))
    return numbered


def _stored(pk: str, item: FeedItem, expires_at: int) -> dict[str, Any]:
    # The change is kept as JSON text: exact numbers, no float/Decimal round trip.
    return {
        "pk": pk,
        "sk": sequence_sk(item.sequence),
        "id": item.id,
        "sequence": item.sequence,
        "type": item.type,
        "created_at": item.created_at,
        "change": item.data.model_dump_json(),
        "expires_at": expires_at,
    }


def _feed_item(item: dict[str, Any]) -> FeedItem:
    return FeedItem(
        id=str(item["id"]),
        sequence=int(item["sequence"]),
        type=str(item["type"]),
        created_at=str(item["created_at"]),
        data=RecordChange.model_validate_json(str(item["change"])),
    )


def _chunks(changes: Sequence[NewChange]) -> Iterator[list[NewChange]]:
    chunk: list[NewChange] = []
    entities: set[str] = set()
    size = 0
    for change in changes:
        change_size = len(change.data.model_dump_json())
        streams = entities | {change.data.entity}
        items = 2 * (len(chunk) + 1) + 1 + len(streams)  # the changes twice, then every HEAD
        if chunk and (items > _ITEMS_PER_TRANSACTION or size + change_size > _BYTES_PER_TRANSACTION):
            yield chunk
            chunk, entities, size = [], set(), 0
        chunk.append(change)
        entities.add(change.data.entity)
        size += change_size
    if chunk:
        yield chunk
