"""The tenant's change feed: record changes that came from Odoo, in the order they were applied.

Every change gets the next number of the tenant's feed, and of its entity's feed (so a reader
filtered by entity pages through that entity alone). The numbers are allocated and the changes
written in one conditional transaction (see stores/changes.py), so a number becomes visible only
together with every smaller one: a reader that resumes after number n never misses a change that
commits later with a smaller number, without waiting for a settle delay.

A cursor says "everything up to number n was read, as of time t". Changes expire after the
retention period; a cursor older than that could have missed changes that expired unseen, so it
is refused rather than silently skipping them.

`ChangeFeed.publish` (core.ports.ChangeSink) also queues one webhook delivery per change and per
active subscription whose entity filter takes it. Delivery is at least once: a receiver
deduplicates on the delivery id, the feed reader on `id` (a change published twice because its
message was redelivered keeps its id).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from odoo_sync.core.ids import iso, utc_now
from odoo_sync.errors import InvalidInputError
from odoo_sync.sync.model import ENTITY_NAME_PATTERN, RecordChange

ALL_ENTITIES = "*"
# A cursor is refused a little before its changes can expire, for the clocks of the writers.
_EXPIRY_MARGIN = timedelta(hours=1)


class FeedItem(BaseModel):
    """One change as the feed and the webhooks show it."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(description="Stable id of the change: a change published twice keeps it")
    sequence: int = Field(
        description="Position in the feed read: the tenant's feed, or with `entity` that entity's "
        "own; gapless and increasing"
    )
    type: str = Field(description="record.created, record.updated, record.archived, record.deleted")
    created_at: str = Field(description="When the change entered the feed, ISO 8601 in UTC")
    data: RecordChange = Field(description="The change: which record, what happened, its data after it")


class NewChange(BaseModel):
    """A change about to be appended: the feed assigns its numbers."""

    model_config = ConfigDict(frozen=True)

    id: str
    created_at: str
    data: RecordChange

    @property
    def type(self) -> str:
        return event_type(self.data)


class ChangeQuery(BaseModel):
    """`GET /v1/changes` parameters."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    entity: str | None = Field(default=None, pattern=ENTITY_NAME_PATTERN)
    cursor: str | None = Field(default=None, max_length=512)
    limit: int = Field(default=100, ge=1, le=500)


class ChangePage(BaseModel):
    """A page of the change feed, oldest first."""

    items: list[FeedItem] = Field(description="Up to `limit` changes after the cursor, oldest first")
    next: str = Field(
        description="Pass as `cursor` to read on; always given, also at the end (keep it to poll "
        "for later changes)"
    )
    has_more: bool = Field(
        description="true: more changes are there now, read on at once; false: this was the end "
        "for now, poll again later with `next`"
    )


class ChangeLog(Protocol):
    def append(self, tenant_id: str, changes: Sequence[NewChange]) -> list[FeedItem]:
        """Append in order; answer the items with their numbers in the tenant's feed."""
        ...

    def read(self, tenant_id: str, entity: str | None, after: int, limit: int) -> list[FeedItem]:
        """Up to `limit` items numbered above `after`, in order (entity None: the tenant's feed)."""
        ...


class DeliveryTarget(Protocol):
    subscription_id: str

    def accepts(self, entity: str) -> bool: ...


class ActiveSubscriptions(Protocol):
    def active(self, tenant_id: str) -> Sequence[DeliveryTarget]: ...


class DeliveryMessage(BaseModel):
    """One webhook delivery on the DeliveryQueue: it points at the change in the feed."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    tenant_id: str
    subscription_id: str
    delivery_id: str
    sequence: int = Field(ge=1, description="The change's number in the tenant's feed")
    change_id: str
    queued_at: str


class DeliveryQueue(Protocol):
    def send(self, messages: Sequence[DeliveryMessage]) -> None: ...


def event_type(change: RecordChange) -> str:
    return f"record.{change.action.value}"


def change_id(change: RecordChange) -> str:
    """Derived from what the change is, not when it was applied: the same change, the same id."""
    identity = change.model_dump(mode="json", exclude={"applied_at", "triggered_by", "batch_id"})
    identity["fields_changed"] = sorted(identity["fields_changed"])
    digest = hashlib.sha256(json.dumps(identity, sort_keys=True, default=str).encode()).hexdigest()
    return f"chg_{digest[:24]}"


def delivery_id(change: str, subscription_id: str) -> str:
    """One id per change and subscription, so a receiver can drop a change delivered twice."""
    return f"dlv_{hashlib.sha256(f'{change}|{subscription_id}'.encode()).hexdigest()[:24]}"


class ChangeFeed:
    """core.ports.ChangeSink, and the reader behind `GET /v1/changes`."""

    def __init__(
        self,
        log: ChangeLog,
        subscriptions: ActiveSubscriptions,
        deliveries: DeliveryQueue,
        *,
        retention_days: int,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._log = log
        self._subscriptions = subscriptions
        self._deliveries = deliveries
        self._retention = timedelta(days=retention_days)
        self._clock = clock

    def publish(self, tenant_id: str, changes: Sequence[RecordChange]) -> None:
        if not changes:
            return
        now = iso(self._clock())
        appended = self._log.append(
            tenant_id, [NewChange(id=change_id(change), created_at=now, data=change) for change in changes]
        )
        targets = self._subscriptions.active(tenant_id)
        messages = [
            DeliveryMessage(
                tenant_id=tenant_id,
                subscription_id=target.subscription_id,
                delivery_id=delivery_id(item.id, target.subscription_id),
                sequence=item.sequence,
                change_id=item.id,
                queued_at=now,
            )
            for item in appended
            for target in targets
            if target.accepts(item.data.entity)
        ]
        if messages:
            self._deliveries.send(messages)

    def read(self, tenant_id: str, query: ChangeQuery) -> ChangePage:
        scope = query.entity or ALL_ENTITIES
        after = self._decode(query.cursor, scope) if query.cursor else 0
        found = self._log.read(tenant_id, query.entity, after, query.limit + 1)
        items, has_more = found[: query.limit], len(found) > query.limit
        last = items[-1].sequence if items else after
        # Read to the end: whatever comes next commits after now. Cut short: it may be as old
        # as the last item returned.
        as_of = _parse(items[-1].created_at) if has_more else self._clock()
        return ChangePage(items=items, next=_encode(scope, last, as_of), has_more=has_more)

    def _decode(self, cursor: str, scope: str) -> int:
        try:
            padded = cursor + "=" * (-len(cursor) % 4)
            state = _CursorState.model_validate_json(base64.urlsafe_b64decode(padded.encode()))
        except (ValueError, binascii.Error, ValidationError) as exc:
            raise InvalidInputError("the cursor is not valid", field="cursor") from exc
        if state.e != scope:
            raise InvalidInputError(
                "the cursor belongs to another feed: keep the same `entity` when resuming", field="cursor"
            )
        if state.t + (self._retention - _EXPIRY_MARGIN).total_seconds() < self._clock().timestamp():
            raise InvalidInputError(
                f"the cursor is older than the feed's retention ({self._retention.days} days): changes "
                "after it may have expired; read again without a cursor",
                field="cursor",
            )
        return state.s


class _CursorState(BaseModel):
    model_config = ConfigDict(extra="forbid")

    e: str = Field(max_length=64)  # the feed: an entity or ALL_ENTITIES
    s: int = Field(ge=0)  # the last number read
    t: int = Field(ge=0)  # complete up to `s` as of this unix time


def _encode(scope: str, sequence: int, as_of: datetime) -> str:
    raw = _CursorState(e=scope, s=sequence, t=int(as_of.timestamp())).model_dump_json().encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _parse(moment: str) -> datetime:
    return datetime.fromisoformat(moment.replace("Z", "+00:00"))
