"""Temporary profiling harness (removed after measuring)."""
from __future__ import annotations

import cProfile
import os
import pstats
import time

from odoo_sync.api import dependencies
from odoo_sync.sync.model import PullOptions, TriggeredBy

EXISTING = int(os.environ.get("PROF_EXISTING", "1000"))
LOCAL = os.environ.get("PROF_LOCAL", "0") == "1"


def test_profile_one_page(pulling, sim):
    client = dependencies.connection_service().client(pulling.tenant_id, pulling.connection_id)
    t0 = time.perf_counter()
    ids: list[int] = []
    for start in range(0, EXISTING, 1000):
        ids += client.create("res.partner", [{"name": f"old {i}", "ref": f"old-{i}"} for i in range(start, min(EXISTING, start + 1000))])
    applier = dependencies.page_applier() if hasattr(dependencies, "page_applier") else None
    service = dependencies.pull_service()
    pages = service._pages
    if LOCAL:
        for start in range(0, len(ids), 500):
            pages.apply(pulling.tenant_id, pulling.connection_id, "customer", ids[start:start + 500],
                        options=PullOptions(), triggered_by=TriggeredBy.IMPORT, batch_id=None)
    feed = int(os.environ.get("PROF_FEED", "0"))
    if feed:
        from odoo_sync.settings import service_settings
        import boto3
        tbl = boto3.resource("dynamodb").Table(service_settings().changes_table)
        with tbl.batch_writer() as w:
            for i in range(feed):
                w.put_item(Item={"pk": "TENANT#other#FEED", "sk": f"SEQ#{i:020d}", "change": '{"entity":"customer","local_id":"x","data":{"name":"n","email":"e@example.com","ref":"r"}}', "expires_at": 1})
    print(f"\nsetup feed={feed} {EXISTING} in {time.perf_counter()-t0:.1f}s")
    new = client.create("res.partner", [{"name": f"new {i}", "ref": f"new-{i}"} for i in range(500)])
    prof = cProfile.Profile()
    t = time.perf_counter()
    prof.enable()
    pages.apply(pulling.tenant_id, pulling.connection_id, "customer", new,
                options=PullOptions(), triggered_by=TriggeredBy.IMPORT, batch_id=None)
    prof.disable()
    print(f"page of 500 with {EXISTING} existing (local={LOCAL}): {time.perf_counter()-t:.2f}s")
    prof.dump_stats(f"/tmp/prof/page_{EXISTING}_{int(LOCAL)}.prof")
    pstats.Stats(prof).sort_stats("cumulative").print_stats(35)
