"""`GET /v1/batches`: the tenant's batches newest first, a page at a time, never another tenant's."""

from __future__ import annotations

import re

import pytest

from bulk_api.handler import lambda_handler as bulk_handler
from odoo_sync.api.dependencies import batches
from odoo_sync.core.batches import BATCH_ID_PATTERN, Batch, new_batch_id
from tests.support.api import call

TENANT = "ten_0123456789abcdef"
OTHER = "ten_fedcba9876543210"
CONNECTION = "con_0123456789abcdef"


def stored(tenant_id: str, second: int, entity: str = "product") -> str:
    batch_id = new_batch_id(now=lambda: 1_700_000_000 + second)
    batches().create(
        Batch(
            batch_id=batch_id,
            tenant_id=tenant_id,
            entity=entity,
            connection_id=CONNECTION,
            total=3,
            batch_size=100,
            created_at=f"2023-11-14T22:13:{second:02d}Z",
        )
    )
    return batch_id


def listed(query: str = "", tenant_id: str = TENANT):
    return call(bulk_handler, "GET", "/v1/batches", query=query, tenant_id=tenant_id)


def test_batch_ids_match_the_pattern_and_sort_by_start():
    earlier, later = new_batch_id(now=lambda: 1_700_000_000), new_batch_id(now=lambda: 1_700_000_001)

    assert re.fullmatch(BATCH_ID_PATTERN, earlier)
    assert earlier < later


def test_newest_first_with_their_counts(aws):
    first, second, third = (stored(TENANT, n) for n in (1, 2, 3))
    stored(OTHER, 4)

    answer = listed()

    assert answer.status == 200
    assert [item["batch_id"] for item in answer.body["items"]] == [third, second, first]
    assert answer.body["items"][0]["total"] == 3
    assert answer.body["items"][0]["status"] == "queued"
    assert answer.body["next"] is None


def test_pages_follow_with_the_cursor(aws):
    ids = [stored(TENANT, n) for n in range(5)]

    first = listed("limit=2")
    second = listed(f"limit=2&cursor={first.body['next']}")
    third = listed(f"limit=2&cursor={second.body['next']}")

    seen = [item["batch_id"] for page in (first, second, third) for item in page.body["items"]]
    assert seen == list(reversed(ids))


def test_no_batches_yet_is_an_empty_list(aws):
    assert listed().body == {"items": [], "next": None}


def test_another_tenants_cursor_is_refused(aws):
    for n in range(3):
        stored(TENANT, n)
    cursor = listed("limit=1").body["next"]

    answer = listed(f"cursor={cursor}", tenant_id=OTHER)

    assert (answer.status, answer.body["field"]) == (400, "cursor")


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [("limit=0", 422, "limit"), ("limit=101", 422, "limit"), ("cursor=garbage", 400, "cursor")],
)
def test_bad_input(aws, query, status, field):
    answer = listed(query)

    assert (answer.status, answer.body["field"]) == (status, field), answer.body
