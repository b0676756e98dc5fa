"""A record a pull found deleted in Odoo: `POST /v1/sync` refuses to re-create it until asked."""

from __future__ import annotations

from odoo_sync.api import dependencies
from odoo_sync.core.ids import iso, utc_now
from odoo_sync.sync.model import LinkStatus, OdooChangeMessage
from sync_api import handler as sync_api
from tests.integration.pull.conftest import drain, local_records
from tests.support.api import call


def _sync(tenant, local_id: str, body=None):
    return call(
        sync_api.lambda_handler,
        "POST",
        "/v1/sync/{entity}/{local_id}",
        {"entity": "customer", "local_id": local_id},
        body=body,
        tenant_id=tenant.tenant_id,
    )


def test_a_record_deleted_in_odoo_is_refused_then_recreated_when_asked(pulling, sim):
    client = dependencies.connection_service().client(pulling.tenant_id, pulling.connection_id)
    [gone] = client.create("res.partner", [{"name": "doomed", "ref": "rc-1"}])
    notice = OdooChangeMessage(
        tenant_id=pulling.tenant_id,
        connection_id=pulling.connection_id,
        odoo_model="res.partner",
        odoo_ids=[gone],
        write_date="v1",
        received_at=iso(utc_now()),
    )
    dependencies.notice_queue().send([notice])
    drain()
    client.unlink("res.partner", [gone])
    dependencies.notice_queue().send([notice.model_copy(update={"write_date": "v2"})])
    drain()

    refused = _sync(pulling, "rc-1")

    assert refused.status == 422, refused.body
    assert (refused.body["code"], refused.body["odoo_ids"]) == ("deleted_in_odoo", [gone])
    assert "recreate_deleted" in refused.body["message"]
    link = local_records(pulling)["rc-1"].links[pulling.connection_id]
    assert link.status is LinkStatus.DELETED  # still known as deleted: the next push is refused too
    assert link.last_error == refused.body["message"]
    assert sim.records("res.partner", [["ref", "=", "rc-1"]], active_test=False) == []

    recreated = _sync(pulling, "rc-1", {"recreate_deleted": True})

    assert recreated.status == 200, recreated.body
    assert recreated.body["action"] == "created"
    assert recreated.body["odoo_id"] != gone
    link = local_records(pulling)["rc-1"].links[pulling.connection_id]
    assert (link.status, link.odoo_id) == (LinkStatus.SYNCED, recreated.body["odoo_id"])


def test_sync_options_are_booleans(pulling, sim):
    answer = _sync(pulling, "rc-2", {"recreate_deleted": "please"})

    assert answer.status == 422
    assert answer.body["field"] == "recreate_deleted"
    assert "boolean" in answer.body["message"]
