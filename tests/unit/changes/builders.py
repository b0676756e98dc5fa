"""Record changes and in-memory ports shared by the change feed and webhook tests."""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field

from odoo_sync.core.changes import DeliveryMessage, FeedItem, NewChange
from odoo_sync.sync.model import ChangeAction, RecordChange, TriggeredBy

TENANT = "ten_0123456789abcdef"
OTHER_TENANT = "ten_fedcba9876543210"


def change(
    local_id: str,
    entity: str = "customer",
    action: ChangeAction = ChangeAction.UPDATED,
    *,
    name: str | None = None,
) -> RecordChange:
    return RecordChange(
        entity=entity,
        local_id=local_id,
        connection_id="con_0123456789abcdef",
        odoo_id=zlib.crc32(local_id.encode()) % 10_000 + 1,
        action=action,
        fields_changed=["name"],
        data={"name": name or f"name of {local_id}", "credit": 12.5},
        odoo_write_date="2024-05-01 10:00:00",
        applied_at="2024-05-01T10:00:01Z",
        triggered_by=TriggeredBy.WEBHOOK,
    )


class InMemoryChangeLog:
    """core.changes.ChangeLog: one list per feed, numbered from 1."""

    def __init__(self) -> None:
        self.feeds: dict[tuple[str, str | None], list[FeedItem]] = {}

    def append(self, tenant_id: str, changes: Sequence[NewChange]) -> list[FeedItem]:
        appended = []
        for change in changes:
            for stream in (None, change.data.entity):
                feed = self.feeds.setdefault((tenant_id, stream), [])
                item = FeedItem(
                    id=change.id,
                    sequence=len(feed) + 1,
                    type=change.type,
                    created_at=change.created_at,
                    data=change.data,
                )
                feed.append(item)
                if stream is None:
                    appended.append(item)
        return appended

    def read(self, tenant_id: str, entity: str | None, after: int, limit: int) -> list[FeedItem]:
        return self.feeds.get((tenant_id, entity), [])[after : after + limit]

    def get(self, tenant_id: str, sequence: int) -> FeedItem | None:
        feed = self.feeds.get((tenant_id, None), [])
        return feed[sequence - 1] if 0 < sequence <= len(feed) else None


@dataclass
class Target:
    subscription_id: str
    entities: list[str] | None = None

    def accepts(self, entity: str) -> bool:
        return self.entities is None or entity in self.entities


@dataclass
class FakeSubscriptions:
    targets: list[Target] = field(default_factory=list)

    def active(self, tenant_id: str) -> list[Target]:
        return self.targets


@dataclass
class RecordingQueue:
    sent: list[DeliveryMessage] = field(default_factory=list)

    def send(self, messages: Sequence[DeliveryMessage]) -> None:
        self.sent.extend(messages)
