"""What every push outcome shares, whether its chunk held plain records or orders.

Kept in one place so that both push engines answer a chunk the same way (ChunkResult), stamp their
outcomes with the same timing, name the same linked Odoo record on a failure, and store Odoo's
verdict in the log the same way.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any

from odoo_sync.core.conflicts import DetectedConflict
from odoo_sync.odoo import OdooError
from odoo_sync.sync.issues import FieldIssue
from odoo_sync.sync.model import LocalRecord, RecordOutcome, SyncAction


@dataclass
class ChunkResult:
    """Outcomes of the records that reached a final state, and the error that stopped the rest.

    When `error` is set the caller records the outcomes it has, then raises it, so the chunk is
    tried again; the records without an outcome are matched again then (nothing is duplicated).
    """

    outcomes: list[RecordOutcome]
    warnings: list[FieldIssue]
    calls: int
    error: OdooError | None = None
    # Fields changed on both sides that their rule holds for a decision (record them).
    held: list[DetectedConflict] = field(default_factory=list)


@dataclass(frozen=True)
class ChunkTiming:
    """When a chunk ran, as each of its records' outcomes reports it."""

    started_at: str
    completed_at: str
    duration_ms: int

    @classmethod
    def since(cls, started_at: str, completed_at: str, started: float, count: int) -> ChunkTiming:
        """The chunk's timing from its start (`time.monotonic()` then) and its number of records."""
        # Calls serve the whole chunk, so each record carries its share of the chunk's time.
        duration_ms = int((time.monotonic() - started) * 1000 / max(count, 1))
        return cls(started_at, completed_at, duration_ms)

    def base(self, local_id: str, action: SyncAction, odoo_id: int | None) -> dict[str, Any]:
        """The fields of a RecordOutcome that every outcome of the chunk has."""
        return {
            "local_id": local_id,
            "action": action,
            "odoo_id": odoo_id,
            "started_at": self.started_at,
            "completed_at": self.completed_at,
            "duration_ms": self.duration_ms,
        }


def linked_odoo_id(record: LocalRecord, connection_id: str) -> int | None:
    """The Odoo id the record's link with this connection names, if any."""
    link = record.links.get(connection_id)
    return link.odoo_id if link is not None else None


# What Odoo's messages say about the field at fault (captured wording of 17 and 19).
_FIELD_PATTERNS: tuple[tuple[re.Pattern[str], str | None], ...] = (
    (re.compile(r"Missing required value for the field '[^']*' \((?P<field>[a-z0-9_]+)\)"), None),
    (re.compile(r"Field: [^\n]* \((?P<field>[a-z0-9_]+)\)"), None),
    (re.compile(r"Invalid field '(?P<field>[a-z0-9_]+)'"), None),
    (re.compile(r"Wrong value for [a-z0-9_.]+\.(?P<field>[a-z0-9_]+): '?(?P<value>[^'\n]+)"), None),
    (re.compile(r'Barcode "(?P<value>[^"]+)" already assigned'), "barcode"),
)


def odoo_error_details(error: OdooError) -> dict[str, Any]:
    """Odoo's verdict as stored in the log: its exception, code, message, and field/value when named."""
    details: dict[str, Any] = {"code": "odoo_rejected", **error.to_dict()}
    for pattern, fixed_field in _FIELD_PATTERNS:
        found = pattern.search(error.message)
        if found is None:
            continue
        groups = found.groupdict()
        details["field"] = fixed_field or groups.get("field")
        if groups.get("value"):
            details["value"] = groups["value"].strip()
        break
    return details
