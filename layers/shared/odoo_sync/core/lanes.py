"""Lanes: how a connection's work runs several chunks at once, a record always in the same lane.

Every record hashes to one of SLOTS slots (its local id for a push, its Odoo id for a pull): a
stable hash, so a record's slot never changes. A slot belongs to lane `slot mod lanes`, where
`lanes` is the connection's `max_in_flight` when the chunk is queued; a batch's chunks are formed
within a lane, and a chunk travels in its lane's FIFO message group. SQS hands out one message of
a group at a time, so at most `lanes` chunks of a connection are in flight, and the chunks
holding one record run one after the other.

Changing max_in_flight while chunks are queued moves some slots to another lane: chunks queued
before the change still travel in their old lanes, later ones in the new, so two chunks with the
same record could be handed out at once. What that could cost is a record created twice in Odoo
(two pushes that both found no Odoo record for it); pushing a record that already has its Odoo
record twice at once writes the same values twice. So a push chunk with records that may be
created (no Odoo record linked yet) takes a lease on those records' slots (stores/leases.py: one
request) before it calls Odoo, and gives it back after (one more); a chunk that finds a slot
leased comes back a few seconds later (it is not a failure). The same record is never created by
two workers at once, whatever the setting did meanwhile, nor by two deliveries of one chunk.

A push and a pull of the same record are keyed apart (local id, Odoo id) and may run at once: a
pull writes a record only on the condition that it is at the version read, and a push writes
only its link, so neither loses the other's data.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Sequence
from typing import TypeVar

from odoo_sync.errors import ServiceError
from odoo_sync.sync.model import SLOTS

T = TypeVar("T", str, int)


def slot_of(key: str | int) -> int:
    """The record's slot: a stable hash of its local id (push) or its Odoo id (pull)."""
    digest = hashlib.sha256(str(key).encode()).digest()
    return int.from_bytes(digest[:4], "big") % SLOTS


def lane_count(max_in_flight: int) -> int:
    return min(max(1, max_in_flight), SLOTS)


def chunked(keys: Sequence[T], size: int, lanes: int) -> list[tuple[int, list[int], list[T]]]:
    """(lane, slots, chunk) for every chunk of at most `size` keys formed within a lane; the
    keys keep their order within a lane, lanes in ascending order."""
    by_lane: dict[int, list[T]] = {}
    count = lane_count(lanes)
    for key in keys:
        by_lane.setdefault(slot_of(key) % count, []).append(key)
    chunks: list[tuple[int, list[int], list[T]]] = []
    for lane, group in sorted(by_lane.items()):
        # As few chunks as `size` allows, of even sizes (509: 255 and 254, not 500 and 9; larger first).
        count = -(-len(group) // size)
        bounds = [-(-len(group) * number // count) for number in range(count + 1)]
        for start, end in itertools.pairwise(bounds):
            part = list(group[start:end])
            chunks.append((lane, sorted({slot_of(key) for key in part}), part))
    return chunks


class SlotBusyError(ServiceError):
    """Another worker holds a slot this chunk needs; it comes back in a few seconds (not a failure)."""

    code = "slot_busy"
