"""Import from Odoo end to end: POST-less service call, pages through the queue, the worker."""

from __future__ import annotations

from odoo_sync.api import dependencies
from odoo_sync.core.batches import BatchStatus
from odoo_sync.core.pull import ImportRequest
from odoo_sync.stores.sync_log import LogQuery
from odoo_sync.sync.external_ids import xmlid_module
from odoo_sync.sync.model import LinkStatus
from tests.integration.pull.conftest import drain, local_records


def test_an_import_pages_through_the_queue_and_creates_local_records(pulling, sim):
    tag = "imp1"
    with sim.open_transaction() as tx:
        tx.create(
            "res.partner",
            [{"name": f"{tag} {i}", "ref": f"{tag}-{i}", "email": f"{tag}{i}@example.com"} for i in range(5)],
        )
    request = ImportRequest(entity="customer", odoo_filters=[["ref", "like", f"{tag}-"]], batch_size=2)

    submitted = dependencies.pull_service().start_import(pulling.tenant_id, request)
    pages = drain()

    assert submitted.records_found == 5
    assert submitted.pages == 3
    assert [len(page["odoo_ids"]) for page in pages] == [2, 2, 1]
    records = local_records(pulling)
    assert sorted(local_id for local_id in records if local_id.startswith(tag)) == [
        f"{tag}-{i}" for i in range(5)
    ]
    record = records[f"{tag}-3"]
    link = record.links[pulling.connection_id]
    assert record.data["name"] == f"{tag} 3"
    assert record.data["email"] == f"{tag}3@example.com"
    assert link.status is LinkStatus.SYNCED
    assert link.odoo_write_date is not None
    assert link.synced_version == record.version
    batch = dependencies.batches().get(pulling.tenant_id, submitted.batch_id)
    assert batch is not None
    assert (batch.status, batch.succeeded) == (BatchStatus.COMPLETED, 5)
    xmlids = sim.records("ir.model.data", [["module", "=", xmlid_module(pulling.tenant_id)]])
    assert sorted(row["name"] for row in xmlids) == sorted(f"customer-{tag}_2d_{i}" for i in range(5))
    entries, _ = dependencies.sync_log().query(pulling.tenant_id, LogQuery(batch_id=submitted.batch_id))
    assert len(entries) == 5
    assert {entry.sync_direction for entry in entries} == {"from_odoo"}


def _import(tenant, tag: str, **options) -> str:
    request = ImportRequest(entity="customer", odoo_filters=[["ref", "like", f"{tag}-"]], **options)
    submitted = dependencies.pull_service().start_import(tenant.tenant_id, request)
    drain()
    return submitted.batch_id


def _client(tenant):
    return dependencies.connection_service().client(tenant.tenant_id, tenant.connection_id)


def test_importing_again_changes_nothing_and_creates_no_duplicates(pulling, sim):
    tag = "imp2"
    _client(pulling).create("res.partner", [{"name": f"{tag} {i}", "ref": f"{tag}-{i}"} for i in range(3)])
    _import(pulling, tag)
    before = {k: v for k, v in local_records(pulling).items() if k.startswith(tag)}
    sim.reset_calls()

    second = _import(pulling, tag)

    after = {k: v for k, v in local_records(pulling).items() if k.startswith(tag)}
    assert after.keys() == before.keys()
    assert {k: v.version for k, v in after.items()} == {k: v.version for k, v in before.items()}
    entries, _ = dependencies.sync_log().query(pulling.tenant_id, LogQuery(batch_id=second))
    assert {entry.sync_type for entry in entries} == {"skip"}
    assert sim.calls[("ir.model.data", "create")] == 0  # found through their external ids
    xmlids = sim.records("ir.model.data", [["module", "=", xmlid_module(pulling.tenant_id)]])
    assert len([row for row in xmlids if tag.replace("-", "") in row["name"]]) == 3


def test_update_existing_false_leaves_linked_records_alone(pulling, sim):
    tag = "imp3"
    client = _client(pulling)
    [odoo_id] = client.create("res.partner", [{"name": f"{tag} before", "ref": f"{tag}-0"}])
    _import(pulling, tag)
    client.write("res.partner", [odoo_id], {"name": f"{tag} after"})

    _import(pulling, tag, update_existing=False)

    assert local_records(pulling)[f"{tag}-0"].data["name"] == f"{tag} before"
    _import(pulling, tag)
    assert local_records(pulling)[f"{tag}-0"].data["name"] == f"{tag} after"


def test_create_missing_false_only_updates_known_records(pulling, sim):
    tag = "imp4"
    _client(pulling).create("res.partner", [{"name": f"{tag} {i}", "ref": f"{tag}-{i}"} for i in range(2)])
    dependencies.record_store().put(
        pulling.tenant_id, "customer", f"{tag}-0", {"name": "mine", "note": "kept"}
    )

    _import(pulling, tag, create_missing=False)

    records = {k: v for k, v in local_records(pulling).items() if k.startswith(tag)}
    assert list(records) == [f"{tag}-0"]  # matched by its match key (ref = local id)
    data = records[f"{tag}-0"].data
    assert (data["name"], data["ref"], data["note"]) == (f"{tag} 0", f"{tag}-0", "kept")  # unmapped: kept


def test_a_record_without_a_match_key_value_gets_an_odoo_based_local_id(pulling, sim):
    tag = "imp5"
    [odoo_id] = _client(pulling).create("res.partner", [{"name": f"{tag} nameless", "comment": f"{tag}-x"}])
    request = ImportRequest(entity="customer", odoo_filters=[["id", "=", odoo_id]])
    dependencies.pull_service().start_import(pulling.tenant_id, request)
    drain()

    record = local_records(pulling)[f"odoo-{odoo_id}"]
    assert record.data["name"] == f"{tag} nameless"
    assert record.links[pulling.connection_id].odoo_id == odoo_id
