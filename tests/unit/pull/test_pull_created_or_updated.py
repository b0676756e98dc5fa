"""Created or updated: what a change-feed entry says about a record read from Odoo."""

from __future__ import annotations

from typing import Any

import pytest

from odoo_sync.sync.model import ChangeAction, LinkStatus, LocalRecord, OdooLink, PullOptions
from odoo_sync.sync.pull import decide
from odoo_sync.sync.pull_mapping import PulledRecord

CONNECTION = "con_0123456789abcdef"
NOW = "2031-01-01T10:00:05Z"
CURSOR = "2031-01-01 09:00:00"
DELTA = PullOptions(created_after=CURSOR)


def pulled(create_date: str, *, title: str = "Chair", odoo_id: int = 7) -> PulledRecord:
    return PulledRecord(
        odoo_id=odoo_id,
        values={"title": title},
        sources={"title": "x_title"},
        odoo_values={"x_title": title},
        write_date="2031-01-01 09:30:00",
        create_date=create_date,
    )


def local(link: OdooLink | None = None, **data: Any) -> LocalRecord:
    return LocalRecord(
        entity="thing",
        local_id="c-1",
        data=data or {"title": "Chair"},
        version=2,
        updated_at="2031-01-01T08:00:00Z",
        links={CONNECTION: link} if link is not None else {},
    )


def pushed(odoo_id: int = 7) -> OdooLink:
    """A link a push made: never read from Odoo."""
    return OdooLink(
        odoo_id=odoo_id, status=LinkStatus.SYNCED, synced_version=2, snapshot={"x_title": "Chair"}
    )


def read_from_odoo() -> OdooLink:
    return pushed().model_copy(update={"odoo_write_date": "2031-01-01 09:10:00"})


def action(record: LocalRecord | None, incoming: PulledRecord, options: PullOptions = DELTA) -> Any:
    return decide(record, "c-1", incoming, CONNECTION, options, now=NOW).action


def test_a_first_import_reports_every_record_created_whenever_odoo_created_it():
    assert action(None, pulled("2019-03-01 12:00:00"), PullOptions()) is ChangeAction.CREATED


def test_a_local_record_matched_by_key_and_linked_now_is_created():
    assert action(local(), pulled("2019-03-01 12:00:00"), PullOptions()) is ChangeAction.CREATED


def test_a_pushed_record_odoo_changed_after_being_created_since_the_cursor_is_created():
    assert action(local(pushed()), pulled("2031-01-01 09:20:00", title="Sofa")) is ChangeAction.CREATED


def test_a_pushed_record_odoo_created_before_the_cursor_is_updated():
    assert action(local(pushed()), pulled("2031-01-01 08:59:59", title="Sofa")) is ChangeAction.UPDATED


def test_created_in_the_cursors_own_second_is_not_after_it():
    assert action(local(pushed()), pulled(CURSOR, title="Sofa")) is ChangeAction.UPDATED


def test_a_record_already_read_from_odoo_is_never_created_twice():
    assert (
        action(local(read_from_odoo()), pulled("2031-01-01 09:05:00", title="Sofa")) is ChangeAction.UPDATED
    )


def test_a_pushed_record_read_back_unchanged_is_no_change():
    assert action(local(pushed()), pulled("2031-01-01 09:20:00")) is None


@pytest.mark.parametrize("options", [PullOptions(), PullOptions(created_after="not a date")])
def test_without_a_usable_cursor_only_a_new_link_means_created(options):
    assert (
        action(local(pushed()), pulled("2031-01-01 09:20:00", title="Sofa"), options) is ChangeAction.UPDATED
    )


def test_a_link_to_another_odoo_record_is_a_new_link():
    assert (
        action(local(pushed(odoo_id=3)), pulled("2019-03-01 12:00:00"), PullOptions()) is ChangeAction.CREATED
    )
