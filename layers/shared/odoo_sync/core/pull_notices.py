"""Odoo's change notices that arrive before the change is visible.

Odoo 17 POSTs its webhook inside the user's transaction, before the commit (captured in
../shared/odoo-wire/v17-webhook.json: a rolled-back change was still sent; the POST arrives
before the RPC answers). A worker that reads the record at once may see it as it was before the
change, which would then never arrive. 18 and later POST after the commit.

A notice carries Odoo's write_date of the change, with microseconds ("2026-11-22 15:57:01.587528",
the transaction's start). Odoo 17 keeps microseconds in the column and compares them in a domain
(captured: `>` a second-precision value still matches that second), so one search tells whether
Odoo shows the record at that version or later. Until it does, the notice goes back to the queue
with a growing delay (the worker sets it); after a few tries the record is read as Odoo has it,
so a notice of a change that was rolled back (17 sends those too) ends as well.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from odoo_sync.errors import ServiceError
from odoo_sync.odoo import OdooClient
from odoo_sync.sync.model import OdooChangeMessage

LAST_MAJOR_POSTING_BEFORE_COMMIT = 17
# Seconds before a notice Odoo sent ahead of its commit is read again, by delivery (1st-4th);
# the next delivery applies the record as Odoo has it. About 37 s of patience: a 3000-record
# import committed 8.4 s after its first webhooks (captured).
NOTICE_DELAYS_S = (2, 5, 10, 20)


class NoticeAheadOfOdooError(ServiceError):
    """Odoo does not show the noticed version yet: its transaction has not committed."""

    code = "notice_ahead_of_odoo"

    def __init__(self, model: str, ids: Sequence[int], write_date: str) -> None:
        self.ids = list(ids)
        super().__init__(
            f"Odoo does not show {model} {', '.join(map(str, ids))} at {write_date} yet",
            details={"model": model, "ids": list(ids), "write_date": write_date},
        )


def waits_for_commit(receives: int) -> bool:
    """Whether a notice on its `receives`-th delivery still waits for Odoo to show its version."""
    return receives <= len(NOTICE_DELAYS_S)


def notice_delay_s(receives: int) -> int:
    """How long a notice not applied on its `receives`-th delivery stays hidden."""
    return NOTICE_DELAYS_S[min(receives, len(NOTICE_DELAYS_S)) - 1]


def posts_before_commit(client: OdooClient) -> bool:
    return client.server_info().major <= LAST_MAJOR_POSTING_BEFORE_COMMIT


def not_yet_visible_at(client: OdooClient, model: str, awaited: Mapping[int, str]) -> set[int]:
    """The records Odoo does not show at their own awaited write_date or later, in one search:
    notices gathered from several saves wait each for its own version."""
    by_date: dict[str, list[int]] = {}
    for record_id, write_date in awaited.items():
        by_date.setdefault(write_date, []).append(record_id)
    pairs = [
        [["id", "in", sorted(ids)], ["write_date", ">=", since]] for since, ids in sorted(by_date.items())
    ]
    # One version: its two leaves (Odoo ANDs a list); several: `|` of `&` pairs, in prefix notation.
    domain: list[Any] = (
        pairs[0]
        if len(pairs) == 1
        else ["|"] * (len(pairs) - 1) + [x for leaves in pairs for x in ("&", *leaves)]
    )
    found = client.execute(model, "search", [domain], {"context": {"active_test": False}})
    return set(awaited) - {int(record_id) for record_id in found or []}


def check_visible(client: OdooClient, notice: OdooChangeMessage) -> None:
    """NoticeAheadOfOdooError when this Odoo may POST before its commit and has not committed yet."""
    if notice.write_date is None or not posts_before_commit(client):
        return
    waiting = not_yet_visible_at(client, notice.odoo_model, dict.fromkeys(notice.odoo_ids, notice.write_date))
    missing = [record_id for record_id in notice.odoo_ids if record_id in waiting]
    if missing:
        raise NoticeAheadOfOdooError(notice.odoo_model, missing, notice.write_date)
