"""The change feed in the ChangesTable: numbered pages of changes, a range of numbers per page.

Items:
  pk=TENANT#<tenant>#FEED                  sk=HEAD               the last number of the tenant's feed
                                                                 (`sequence`) and of each entity's
                                                                 (`entity#<entity>`)
  pk=TENANT#<tenant>#FEED                  sk=SEQ#<20 digits>    a page: the changes numbered
                                                                 `first`..<its number>, in order
                                                                 (changes_z: JSON, zlib-compressed)
  pk=TENANT#<tenant>#FEED#ENTITY#<entity>  sk=SEQ#<20 digits>    the entity's numbers `first`..<its
                                                                 number>: the changes of the tenant's
                                                                 page `page` (no copy of them)
  expires_at=<epoch seconds>                                     (TTL, on the pages)

Appending a publish (the changes of one page of a pull, typically) allocates a range of numbers
per feed it touches, not a number per change: one transaction moves the HEAD's numbers from the
values read to those values plus the counts, on the condition that the tenant's number is still
the one read, and puts the pages under the numbers in between. Every append moves the tenant's
number and the entities' numbers live on the same item, so that one condition guarantees none of
them moved since they were read (one HEAD item, not one per feed: a write less per append). Two
writers that read the same HEAD cannot both commit: the loser reads the heads again and takes the
next range. So numbers become visible in order,
with no gap, and a whole range at once: a reader that has seen number n has seen every change
numbered below n, for good (a reader never skips a change committed later). A crash before the
commit allocates nothing (the range and its pages are one transaction), so no gap either.

The heads a writer last committed are remembered (a warm worker keeps appending to the same
tenant): the transaction is tried with them and the heads are read only when it loses. Writers of
one tenant take turns (optimistic retries); a tenant's pull work runs in a few FIFO groups per
connection, so turns are rarely contended.

Pages written before pages existed (one change per item, its `change` attribute) read the same.
"""

from __future__ import annotations

import json
import random
import threading
import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.conditions import Key
from botocore.exceptions import BotoCoreError, ClientError

from odoo_sync.core.changes import FeedItem, NewChange
from odoo_sync.core.ids import utc_now
from odoo_sync.errors import StorageError
from odoo_sync.stores.batching import batch_get
from odoo_sync.stores.dynamodb import storage_errors
from odoo_sync.stores.tenants import tenant_pk
from odoo_sync.sync.model import RecordChange

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table

HEAD = "HEAD"
_SEQ_PREFIX = "SEQ#"
_LAST_SK = _SEQ_PREFIX + "9" * 20
# A page item stays far below DynamoDB's 400 KB; a transaction below its 4 MB and 100 items.
_PAGE_BYTES = 300_000
_TRANSACTION_BYTES = 3_000_000
_TRANSACTION_ITEMS = 90
_PAGES_PER_READ = 3
_ATTEMPTS = 12
_RETRIED_REASONS = frozenset({"ConditionalCheckFailed", "TransactionConflict"})

Stream = str | None  # None: the tenant's feed; a name: that entity's feed


def feed_pk(tenant_id: str, entity: str | None = None) -> str:
    base = f"{tenant_pk(tenant_id)}#FEED"
    return base if entity is None else f"{base}#ENTITY#{entity}"


def _head_attribute(stream: Stream) -> str:
    """The HEAD item's attribute holding a feed's last number."""
    return "sequence" if stream is None else f"entity#{stream}"


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
        self._heads: dict[str, dict[Stream, int]] = {}  # by tenant: the heads this writer last set
        self._heads_lock = threading.Lock()

    def append(self, tenant_id: str, changes: Sequence[NewChange]) -> list[FeedItem]:
        appended: list[FeedItem] = []
        for runs in _transactions(list(_runs(changes))):
            appended.extend(self._append_runs(tenant_id, runs))
        return appended

    def read(self, tenant_id: str, entity: str | None, after: int, limit: int) -> list[FeedItem]:
        found: list[FeedItem] = []
        for page in self._pages_after(feed_pk(tenant_id, entity), after):
            for item in self._changes_of(tenant_id, page):
                if item.sequence > after:
                    found.append(item)
                    if len(found) == limit:
                        return found
        return found

    def get(self, tenant_id: str, sequence: int) -> FeedItem | None:
        """A change by its number in the tenant's feed; None once it expired."""
        with storage_errors("read a change"):
            page = self._table.query(
                KeyConditionExpression=Key("pk").eq(feed_pk(tenant_id))
                & Key("sk").between(sequence_sk(sequence), _LAST_SK),
                Limit=1,
                ConsistentRead=True,
            )
        for item in _unpacked(page.get("Items", [])[:1]):
            if item.sequence == sequence:
                return item
        return None

    # -- appending ---------------------------------------------------------------------------------

    def _append_runs(self, tenant_id: str, runs: list[list[NewChange]]) -> list[FeedItem]:
        streams: list[Stream] = [None, *sorted({run[0].data.entity for run in runs})]
        for attempt in range(_ATTEMPTS):
            heads = self._known_heads(tenant_id, streams) if attempt == 0 else None
            if heads is None:
                heads = self._read_heads(tenant_id, streams)
            numbered = _numbered(runs, heads)
            if self._commit(tenant_id, heads, numbered):
                with self._heads_lock:
                    self._heads[tenant_id] = {**heads, **numbered.heads}
                return [item for run in numbered.runs for item in run.items]
            with self._heads_lock:
                self._heads.pop(tenant_id, None)
            # Another writer took these numbers first: read the heads again, after a short wait
            # with jitter so two writers do not keep colliding.
            self._sleep(random.uniform(0, min(0.5, 0.01 * 2**attempt)))  # noqa: S311 - not security
        raise FeedContentionError("the change feed is busy; try again")

    def _known_heads(self, tenant_id: str, streams: Sequence[Stream]) -> dict[Stream, int] | None:
        with self._heads_lock:
            known = dict(self._heads.get(tenant_id, {}))
        if all(stream in known for stream in streams):
            return {stream: known[stream] for stream in streams}
        missing = [stream for stream in streams if stream not in known]
        return {**{s: known[s] for s in streams if s in known}, **self._read_heads(tenant_id, missing)}

    def _read_heads(self, tenant_id: str, streams: Sequence[Stream]) -> dict[Stream, int]:
        with storage_errors("read the change feed's position"):
            item = (
                self._table.get_item(Key={"pk": feed_pk(tenant_id), "sk": HEAD}, ConsistentRead=True).get(
                    "Item"
                )
                or {}
            )
        return {stream: int(str(item.get(_head_attribute(stream), 0))) for stream in streams}

    def _commit(self, tenant_id: str, heads: dict[Stream, int], numbered: _Numbered) -> bool:
        """One transaction: the HEAD moved from the values read, every page put; False if lost."""
        expires_at = int((self._clock() + self._retention).timestamp())
        actions: list[dict[str, Any]] = [
            {"Update": self._head_update(tenant_id, heads[None], numbered.heads)}
        ]
        for run in numbered.runs:
            actions.append(self._put(_tenant_page(feed_pk(tenant_id), run, expires_at)))
            actions.append(self._put(_entity_page(feed_pk(tenant_id, run.entity), run, expires_at)))
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

    def _put(self, item: dict[str, Any]) -> dict[str, Any]:
        return {
            "Put": {
                "TableName": self._table.name,
                "Item": item,
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }

    def _head_update(self, tenant_id: str, expected: int, moved: dict[Stream, int]) -> dict[str, Any]:
        """The HEAD's numbers set to `moved`, if the tenant's is still `expected` (every append
        moves it: no other append committed since the numbers were read)."""
        names = {f"#h{n}": _head_attribute(stream) for n, stream in enumerate(moved)}
        values: dict[str, Any] = {f":h{n}": head for n, head in enumerate(moved.values())}
        update: dict[str, Any] = {
            "TableName": self._table.name,
            "Key": {"pk": feed_pk(tenant_id), "sk": HEAD},
            "UpdateExpression": "SET " + ", ".join(f"#h{n} = :h{n}" for n in range(len(moved))),
            "ExpressionAttributeNames": {**names, "#seq": _head_attribute(None)},
            "ExpressionAttributeValues": values,
        }
        if expected == 0:
            update["ConditionExpression"] = "attribute_not_exists(#seq)"
        else:
            update["ConditionExpression"] = "#seq = :expected"
            values[":expected"] = expected
        return update

    # -- reading -----------------------------------------------------------------------------------

    def _pages_after(self, pk: str, after: int) -> Iterator[dict[str, Any]]:
        """The pages holding numbers above `after`, in order, a few per request: a page's key is
        its last number, so the first page read is the one holding `after` + 1."""
        query: dict[str, Any] = {
            "KeyConditionExpression": Key("pk").eq(pk) & Key("sk").between(sequence_sk(after + 1), _LAST_SK),
            "Limit": _PAGES_PER_READ,
            "ConsistentRead": True,
        }
        while True:
            with storage_errors("read the change feed"):
                page = self._table.query(**query)
            yield from page.get("Items", [])
            if "LastEvaluatedKey" not in page:
                return
            query["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def _changes_of(self, tenant_id: str, page: dict[str, Any]) -> list[FeedItem]:
        """A page's changes under the numbers of the feed it belongs to; an entity's page points
        at the tenant's page holding them (read here) and renumbers them."""
        if "page" not in page:
            return list(_unpacked([page]))
        keys = [{"pk": feed_pk(tenant_id), "sk": sequence_sk(int(str(page["page"])))}]
        shift = int(str(page["first"])) - int(str(page["page_first"]))
        return [
            item.model_copy(update={"sequence": item.sequence + shift})
            for item in _unpacked(batch_get(self._table, keys, "read the change feed"))
        ]


class _Run:
    """Consecutive changes of one entity: one page in the tenant's feed and one in the entity's."""

    def __init__(self, changes: list[NewChange]) -> None:
        self.changes = changes
        self.entity = changes[0].data.entity
        self.items: list[FeedItem] = []  # numbered in the tenant's feed
        self.entity_first = 0
        self.entity_last = 0


class _Numbered:
    def __init__(self, runs: list[_Run], heads: dict[Stream, int]) -> None:
        self.runs = runs
        self.heads = heads  # the new head of each feed touched


def _numbered(runs: list[list[NewChange]], heads: dict[Stream, int]) -> _Numbered:
    """Each run numbered after the heads: a range in the tenant's feed and one in its entity's."""
    last = dict(heads)
    numbered: list[_Run] = []
    for changes in runs:
        run = _Run(changes)
        for change in changes:
            last[None] += 1
            run.items.append(
                FeedItem(
                    id=change.id,
                    sequence=last[None],
                    type=change.type,
                    created_at=change.created_at,
                    data=change.data,
                )
            )
        run.entity_first = last[run.entity] + 1
        last[run.entity] += len(changes)
        run.entity_last = last[run.entity]
        numbered.append(run)
    return _Numbered(numbered, {stream: head for stream, head in last.items() if head != heads[stream]})


def _tenant_page(pk: str, run: _Run, expires_at: int) -> dict[str, Any]:
    # The changes are kept as JSON (exact numbers, no float/Decimal round trip), compressed: a
    # page's changes repeat their field names and values, and DynamoDB bills the bytes stored.
    return {
        "pk": pk,
        "sk": sequence_sk(run.items[-1].sequence),
        "first": run.items[0].sequence,
        "sequence": run.items[-1].sequence,
        "changes_z": _compressed(
            [
                {
                    "id": item.id,
                    "type": item.type,
                    "created_at": item.created_at,
                    "change": item.data.model_dump(mode="json"),
                }
                for item in run.items
            ]
        ),
        "expires_at": expires_at,
    }


def _compressed(changes: list[dict[str, Any]]) -> bytes:
    return zlib.compress(json.dumps(changes, separators=(",", ":")).encode())


def _page_changes(item: dict[str, Any]) -> list[Any]:
    """A page's changes as JSON values: compressed, or as text in pages written before."""
    if "changes_z" in item:
        stored = item["changes_z"]
        return list(json.loads(zlib.decompress(bytes(getattr(stored, "value", stored)))))
    return list(json.loads(str(item["changes"])))


def _entity_page(pk: str, run: _Run, expires_at: int) -> dict[str, Any]:
    return {
        "pk": pk,
        "sk": sequence_sk(run.entity_last),
        "first": run.entity_first,
        "sequence": run.entity_last,
        "page": run.items[-1].sequence,
        "page_first": run.items[0].sequence,
        "expires_at": expires_at,
    }


def _unpacked(items: Sequence[dict[str, Any]]) -> Iterator[FeedItem]:
    for item in items:
        if "changes" not in item and "changes_z" not in item:  # a change of its own, as before pages
            yield FeedItem(
                id=str(item["id"]),
                sequence=int(str(item["sequence"])),
                type=str(item["type"]),
                created_at=str(item["created_at"]),
                data=RecordChange.model_validate_json(str(item["change"])),
            )
            continue
        first = int(str(item["first"]))
        for offset, change in enumerate(_page_changes(item)):
            yield FeedItem(
                id=change["id"],
                sequence=first + offset,
                type=change["type"],
                created_at=change["created_at"],
                data=RecordChange.model_validate(change["change"]),
            )


def _runs(changes: Sequence[NewChange]) -> Iterator[list[NewChange]]:
    """Consecutive changes of one entity, cut where a page would grow too large."""
    run: list[NewChange] = []
    size = 0
    for change in changes:
        change_size = len(change.data.model_dump_json()) + 120
        if run and (run[0].data.entity != change.data.entity or size + change_size > _PAGE_BYTES):
            yield run
            run, size = [], 0
        run.append(change)
        size += change_size
    if run:
        yield run


def _transactions(runs: list[list[NewChange]]) -> Iterator[list[list[NewChange]]]:
    """Runs grouped into transactions within DynamoDB's limits (a pull page's publish: one)."""
    group: list[list[NewChange]] = []
    entities: set[str] = set()
    size = 0
    for run in runs:
        run_size = sum(len(change.data.model_dump_json()) + 120 for change in run)
        heads = 1 + len(entities | {run[0].data.entity})
        if group and (
            size + run_size > _TRANSACTION_BYTES or 2 * (len(group) + 1) + heads > _TRANSACTION_ITEMS
        ):
            yield group
            group, entities, size = [], set(), 0
        group.append(run)
        entities.add(run[0].data.entity)
        size += run_size
    if group:
        yield group
