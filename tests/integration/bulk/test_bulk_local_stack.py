"""Bulk push end to end on the local stack: records API, bulk-sync, SQS worker, Odoo simulator, reports."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from odoo_simulator import OdooSimulator
from tests.support.service_stack import ok, service_fixtures

PRODUCTS = 60
SKU = "BULK-"

pytestmark = pytest.mark.slow


sim, stack, demo, api = service_fixtures(seed_partners=5, seed_products=5)


def products_in_odoo(sim: OdooSimulator) -> list[dict[str, Any]]:
    """Our products' variants (default_code lives there), each of a template of its own."""
    variants = sim.records("product.product", [["default_code", "=like", f"{SKU}%"]])
    assert len({v["product_tmpl_id"] for v in variants}) == len(variants)
    return variants


def all_logs(api: httpx.Client, **params: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        page = ok(
            api.get("/v1/logs", params={**params, "limit": "50", **({"cursor": cursor} if cursor else {})})
        )
        items.extend(page["items"])
        cursor = page["next"]
        if cursor is None:
            return items


def test_a_bulk_push_reaches_odoo_once_and_reports_agree(stack, sim, api):
    records: list[dict[str, Any]] = [
        {
            "local_id": f"p{n:03d}",
            "data": {"title": f"Bulk product {n}", "sku": f"{SKU}{n:03d}", "price": "9.90"},
        }
        for n in range(PRODUCTS)
    ]
    stored = ok(api.post("/v1/records/product/batch", json={"records": records}))
    assert stored["created"] == PRODUCTS

    submitted = ok(api.post("/v1/bulk-sync", json={"entity": "product", "batch_size": 25}), 202)
    assert (submitted["records_queued"], submitted["chunks"]) == (PRODUCTS, 3)
    queued = ok(api.get(f"/v1/batches/{submitted['batch_id']}"))
    stack.poller.drain()
    finished = ok(api.get(f"/v1/batches/{submitted['batch_id']}"))

    assert queued["status"] == "queued"
    assert {k: finished[k] for k in ("status", "total", "succeeded", "failed", "pending")} == {
        "status": "completed",
        "total": PRODUCTS,
        "succeeded": PRODUCTS,
        "failed": 0,
        "pending": 0,
    }
    assert finished["started_at"] is not None
    assert finished["finished_at"] is not None
    in_odoo = products_in_odoo(sim)
    assert len(in_odoo) == PRODUCTS
    assert sorted(p["default_code"] for p in in_odoo) == [r["data"]["sku"] for r in records]

    logs = all_logs(api, batch_id=submitted["batch_id"])
    stats = ok(api.get("/v1/stats"))
    assert len(logs) == PRODUCTS
    assert {entry["sync_status"] for entry in logs} == {"success"}
    assert {entry["triggered_by"] for entry in logs} == {"bulk"}
    assert stats["total_syncs"] == stats["successful_syncs"] == PRODUCTS
    assert stats["records_with_odoo_id"] == PRODUCTS
    assert stats["per_entity"]["product"]["total_syncs"] == PRODUCTS

    # The same push again: nothing new in Odoo, every record unchanged, the counters follow.
    again = ok(api.post("/v1/bulk-sync", json={"entity": "product", "batch_size": 25}), 202)
    stack.poller.drain()

    assert ok(api.get(f"/v1/batches/{again['batch_id']}"))["status"] == "completed"
    assert len(products_in_odoo(sim)) == PRODUCTS
    assert {e["sync_type"] for e in all_logs(api, batch_id=again["batch_id"])} == {"skip"}
    stats = ok(api.get("/v1/stats"))
    assert stats["total_syncs"] == len(all_logs(api)) == 2 * PRODUCTS
    assert stats["records_with_odoo_id"] == PRODUCTS
    # The chunks' counts reach the charts' hours in the same transaction as the counters.
    days = ok(api.get("/v1/stats/timeseries", params={"granularity": "day"}))
    assert sum(point["total_syncs"] for point in days["points"]) == 2 * PRODUCTS
    per_product = [point["per_entity"].get("product", {}) for point in days["points"]]
    assert sum(counts.get("total_syncs", 0) for counts in per_product) == 2 * PRODUCTS


def test_a_failed_record_is_fixed_and_retried_alone(stack, sim, api):
    ok(
        api.put("/v1/records/product/bad1", json={"title": "Broken", "sku": f"{SKU}BAD1", "price": "ten"}),
        201,
    )
    ok(api.put("/v1/records/product/good1", json={"title": "Fine", "sku": f"{SKU}GOOD1", "price": "1"}), 201)

    submitted = ok(
        api.post("/v1/bulk-sync", json={"entity": "product", "filters": {"local_ids": ["bad1", "good1"]}}),
        202,
    )
    stack.poller.drain()
    failed = ok(api.get(f"/v1/batches/{submitted['batch_id']}"))
    error_logs = all_logs(api, batch_id=submitted["batch_id"], status="error")

    assert (failed["status"], failed["succeeded"], failed["failed"]) == ("completed_with_errors", 1, 1)
    assert [entry["local_id"] for entry in error_logs] == ["bad1"]
    assert error_logs[0]["error_message"]

    ok(api.put("/v1/records/product/bad1", json={"title": "Broken", "sku": f"{SKU}BAD1", "price": "10"}))
    retried = ok(api.post(f"/v1/batches/{submitted['batch_id']}/retry", json={"local_ids": ["bad1"]}), 202)
    stack.poller.drain()
    done = ok(api.get(f"/v1/batches/{submitted['batch_id']}"))

    assert retried["records_queued"] == 1
    assert (done["status"], done["succeeded"], done["failed"]) == ("completed", 2, 0)
    codes = [p["default_code"] for p in products_in_odoo(sim)]
    assert (codes.count(f"{SKU}GOOD1"), codes.count(f"{SKU}BAD1")) == (1, 1)
    retry_logs = all_logs(api, entity="product", local_id="bad1")
    assert [(e["sync_status"], e["triggered_by"]) for e in retry_logs] == [
        ("success", "retry"),
        ("error", "bulk"),
    ]
