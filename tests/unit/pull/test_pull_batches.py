"""Batches know which way they travel; batches stored before pulls existed are pushes."""

from __future__ import annotations

from odoo_sync.core.batches import Batch, BatchDirection, pull_page_messages
from odoo_sync.sync.model import PullOptions, TriggeredBy

STORED_BEFORE_PULLS = {
    "batch_id": "bat_0123456789abcdef",
    "tenant_id": "ten_0123456789abcdef",
    "entity": "customer",
    "connection_id": "con_0123456789abcdef",
    "total": 3,
    "batch_size": 2,
    "created_at": "2024-05-01T10:00:00Z",
}


def test_a_batch_stored_without_a_direction_is_a_push():
    batch = Batch.model_validate(STORED_BEFORE_PULLS)

    assert batch.direction is BatchDirection.TO_ODOO
    assert batch.pull_options is None


def test_a_pull_batch_pages_its_ids_with_its_own_options():
    options = PullOptions(create_missing=False, update_existing=True)
    batch = Batch.model_validate(
        {**STORED_BEFORE_PULLS, "direction": "from_odoo", "pull_options": options.model_dump()}
    )

    pages = pull_page_messages(batch, [7, 8, 9], first_chunk=4, triggered_by=TriggeredBy.RETRY)

    assert [(page.chunk, page.odoo_ids) for page in pages] == [(4, [7, 8]), (5, [9])]
    assert {page.options for page in pages} == {options}
    assert {page.triggered_by for page in pages} == {TriggeredBy.RETRY}
