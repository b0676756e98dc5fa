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


class NoticeAheadOfOdooError(ServiceError):
    """Odoo does not show the noticed version yet: its transaction has not committed."""

    code = "notice_ahead_of_odoo"

    def __init__(self, model: str, ids: Sequence[int], write_date: str) -> None:
        self.ids = list(ids)
        super().__init__(
            f"Odoo does not show {model} {', '.join(map(str, ids))} at {write_date} yet",
            details={"model": model, "ids": list(ids), "write_date": write_date},
        )


def posts_before_commit(client: OdooClient) -> bool:
    return client.server_info().major <= LAST_MAJOR_POSTING_BEFORE_COMMIT


def not_yet_visible(client: OdooClient, model: str, ids: Sequence[int], write_date: str) -> list[int]:
    """The ids Odoo does not show at `write_date` or later (one search; archived records count)."""
    domain = [["id", "in", list(ids)], ["write_date", ">=", write_date]]
    found = client.execute(model, "search", [domain], {"context": {"active_test": False}})
    seen = {int(record_id) for record_id in found or []}
    return [record_id for record_id in ids if record_id not in seen]


def not_yet_visible_at(client: OdooClient, model: str, awaited: Mapping[int, str]) -> set[int]:
    """The records Odoo does not show at their own awaited write_date or later, in one search:
    notices gathered from several saves wait each for its own version."""
    by_date: dict[str, list[int]] = {}
    for record_id, write_date in awaited.items():
        by_date.setdefault(write_date, []).append(record_id)
    terms: list[Any] = []
    for write_date, ids in sorted(by_date.items()):
        terms += ["&", ["id", "in", sorted(ids)], ["write_date", ">=", write_date]]
    domain = ["|"] * (len(by_date) - 1) + terms
    found = client.execute(model, "search", [domain], {"context": {"active_test": False}})
    return set(awaited) - {int(record_id) for record_id in found or []}


def check_visible(client: OdooClient, notice: OdooChangeMessage) -> None:
    """NoticeAheadOfOdooError when this Odoo may POST before its commit and has not committed yet."""
    if notice.write_date is None or not posts_before_commit(client):
        return
    missing = not_yet_visible(client, notice.odoo_model, notice.odoo_ids, notice.write_date)
    if missing:
        raise NoticeAheadOfOdooError(notice.odoo_model, missing, notice.write_date)
