"""Who acted, as the API shows it: batches, log entries, schedules, settings and conflicts.

Each call goes through its function's handler with the authorizer's context of one key (its id
and name); queued work goes through the real queue (moto) and the real worker.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest

from bulk_api import handler as bulk_api
from conflicts_api import handler as conflicts_api
from import_api import handler as import_api
from odoo_simulator import OdooSimulator
from odoo_sync.api import dependencies
from odoo_sync.core.conflicts import DetectedConflict
from odoo_sync.core.ids import iso, utc_now
from odoo_sync.sync.model import OdooChangeMessage
from records_api import handler as records_api
from reports_api import handler as reports_api
from schedules_api import handler as schedules_api
from settings_api import handler as settings_api
from sync_api import handler as sync_api
from sync_worker import handler as worker
from tests.integration.pull.conftest import drain
from tests.integration.service.conftest import TenantConnection, connect
from tests.support.api import ApiAnswer, Handler, call

ALICE = {"key_id": "key_a11ce00000000000", "key_name": "alice laptop", "scopes": "admin"}
BOB = {"key_id": "key_b0b0000000000000", "key_name": "bob", "scopes": "admin"}
CI = {"key_id": "key_c100000000000000", "key_name": "ci pipeline", "scopes": "sync"}


def actor(key: dict[str, str]) -> dict[str, str]:
    return {"type": "api_key", "key_id": key["key_id"], "key_name": key["key_name"]}


@pytest.fixture(scope="module")
def sim() -> Iterator[OdooSimulator]:
    with OdooSimulator(version="19", port=0, seed_partners=5, seed_products=5) as simulator:
        yield simulator


@pytest.fixture
def account(monkeypatch: pytest.MonkeyPatch, aws: Any, sim: OdooSimulator) -> TenantConnection:
    monkeypatch.setenv("ALLOW_PRIVATE_ODOO_HOSTS", "true")
    monkeypatch.setattr(worker.metrics, "namespace", "OdooSyncTests")
    sim.knobs.reset()
    return connect(sim)


def as_key(key: dict[str, str], account: TenantConnection) -> Callable[..., ApiAnswer]:
    """Calls to a handler with the authorizer's context of this key of the account's tenant."""

    def send(
        handler: Handler, method: str, resource: str, params: dict[str, str] | None = None, **kwargs: Any
    ) -> ApiAnswer:
        return call(handler, method, resource, params, tenant_id=account.tenant_id, **key, **kwargs)

    return send


def ok(answer: ApiAnswer, *statuses: int) -> Any:
    assert answer.status in (statuses or (200,)), answer.body
    return answer.body


def put_customers(account: TenantConnection, key: dict[str, str], *local_ids: str, email: str = "") -> None:
    for local_id in local_ids:
        body = {"name": f"Customer {local_id}", "email": email or f"{local_id}@example.com"}
        path = {"entity": "customer", "local_id": local_id}
        ok(
            as_key(key, account)(
                records_api.lambda_handler,
                "PUT",
                "/v1/records/{entity}/{local_id}",
                path,
                body=body,
            ),
            200,
            201,
        )


def logs(account: TenantConnection, query: str) -> list[dict[str, Any]]:
    answer = as_key(ALICE, account)(reports_api.lambda_handler, "GET", "/v1/logs", query=query + "&limit=200")
    items: list[dict[str, Any]] = ok(answer)["items"]
    return items


def batch(account: TenantConnection, batch_id: str) -> dict[str, Any]:
    answer = as_key(ALICE, account)(
        bulk_api.lambda_handler, "GET", "/v1/batches/{batch_id}", {"batch_id": batch_id}
    )
    body: dict[str, Any] = ok(answer)
    return body


def test_a_bulk_push_names_its_key_on_the_batch_and_on_every_log_entry(account):
    put_customers(account, CI, "c-1", "c-2", "c-3")

    submitted = ok(
        as_key(CI, account)(bulk_api.lambda_handler, "POST", "/v1/bulk-sync", body={"entity": "customer"}),
        202,
    )
    drain()

    assert batch(account, submitted["batch_id"])["actor"] == actor(CI)
    entries = logs(account, f"batch_id={submitted['batch_id']}")
    assert len(entries) == 3
    assert [entry["actor"] for entry in entries] == [actor(CI)] * 3


def test_a_retry_is_logged_as_the_key_that_retried_it(account):
    put_customers(account, CI, "bad-1", email="not an e-mail")
    submitted = ok(
        as_key(CI, account)(bulk_api.lambda_handler, "POST", "/v1/bulk-sync", body={"entity": "customer"}),
        202,
    )
    drain()
    assert batch(account, submitted["batch_id"])["failed"] == 1

    path = {"batch_id": submitted["batch_id"]}
    ok(
        as_key(ALICE, account)(
            bulk_api.lambda_handler, "POST", "/v1/batches/{batch_id}/retry", path, body={}
        ),
        202,
    )
    drain()

    actors = [entry["actor"] for entry in logs(account, f"batch_id={submitted['batch_id']}")]
    assert sorted(json.dumps(a, sort_keys=True) for a in actors) == sorted(
        json.dumps(a, sort_keys=True) for a in (actor(CI), actor(ALICE))
    )
    assert batch(account, submitted["batch_id"])["actor"] == actor(CI)  # the batch stays CI's


def test_a_push_of_one_record_is_logged_as_its_key(account):
    put_customers(account, ALICE, "one-1")
    path = {"entity": "customer", "local_id": "one-1"}

    ok(as_key(BOB, account)(sync_api.lambda_handler, "POST", "/v1/sync/{entity}/{local_id}", path, body={}))

    [entry] = logs(account, "entity=customer&local_id=one-1")
    assert entry["actor"] == actor(BOB)


def test_an_import_names_its_key_and_odoos_own_changes_name_the_webhook(account, sim):
    client = dependencies.connection_service().client(account.tenant_id, account.connection_id)
    [odoo_id] = client.create("res.partner", [{"name": "From Odoo", "ref": "imp-1"}])

    body = {"entity": "customer", "odoo_filters": [["ref", "=", "imp-1"]]}
    submitted = ok(as_key(CI, account)(import_api.lambda_handler, "POST", "/v1/import", body=body), 202)
    drain()
    client.write("res.partner", [odoo_id], {"name": "Changed in Odoo"})
    notice = OdooChangeMessage(
        tenant_id=account.tenant_id,
        connection_id=account.connection_id,
        odoo_model="res.partner",
        odoo_ids=[odoo_id],
        write_date="later",
        received_at=iso(utc_now()),
    )
    dependencies.notice_queue().send([notice])
    drain()

    assert batch(account, submitted["batch_id"])["actor"] == actor(CI)
    entries = logs(account, "entity=customer&local_id=imp-1")
    assert [entry["actor"] for entry in entries] == [{"type": "odoo_webhook"}, actor(CI)]  # newest first


# Full: each run pushes every record, so the tick's batch has one to log whatever the clock says.
SCHEDULE = {
    "name": "nightly",
    "entity": "customer",
    "cron_expression": "0 3 * * *",
    "sync_direction": "to_odoo",
    "sync_type": "full",
}


def test_schedules_say_who_made_and_changed_them_and_their_batches_who_ran_them(account):
    put_customers(account, ALICE, "s-1")
    made = ok(
        as_key(ALICE, account)(schedules_api.lambda_handler, "POST", "/v1/schedules", body=SCHEDULE), 201
    )
    path = {"schedule_id": made["id"]}

    toggled = ok(
        as_key(BOB, account)(
            schedules_api.lambda_handler,
            "PATCH",
            "/v1/schedules/{schedule_id}/toggle",
            path,
            body={"is_enabled": False},
        )
    )
    as_key(BOB, account)(
        schedules_api.lambda_handler,
        "PATCH",
        "/v1/schedules/{schedule_id}/toggle",
        path,
        body={},
    )
    ran = ok(
        as_key(BOB, account)(
            schedules_api.lambda_handler,
            "POST",
            "/v1/schedules/{schedule_id}/run",
            path,
            body={},
        ),
        202,
    )
    tick = dependencies.schedule_service().tick(utc_now() + timedelta(days=2))

    assert (made["created_by"], made["updated_by"]) == (actor(ALICE), actor(ALICE))
    assert (toggled["created_by"], toggled["updated_by"]) == (actor(ALICE), actor(BOB))
    assert batch(account, ran["batch_id"])["actor"] == {**actor(BOB), "schedule_id": made["id"]}
    [ticked] = [result for result in tick.results if result.schedule_id == made["id"]]
    assert batch(account, ticked.batch_ids[0])["actor"] == {"type": "schedule", "schedule_id": made["id"]}
    drain()
    entries = logs(account, f"batch_id={ticked.batch_ids[0]}")
    assert [entry["actor"] for entry in entries] == [{"type": "schedule", "schedule_id": made["id"]}]


def test_settings_say_who_changed_them_last(account):
    settings = settings_api.lambda_handler
    mapping = {"entity": "customer", "local_field": "nickname", "odoo_field": "comment"}
    ok(as_key(ALICE, account)(settings, "POST", "/v1/field-mappings", body=mapping), 201)
    value_map = {"entries": [{"local": "shelf", "odoo": 1}]}
    ok(as_key(BOB, account)(settings, "PUT", "/v1/value-maps/{kind}", {"kind": "category"}, body=value_map))
    ok(
        as_key(BOB, account)(
            settings,
            "PUT",
            "/v1/entities/{entity}/conflicts",
            {"entity": "customer"},
            body={"default": "odoo"},
        )
    )
    tag = {
        "name": "tag",
        "odoo_model": "res.partner.category",
        "match_keys": [{"local_field": "label", "odoo_field": "name"}],
        "fields": [{"field": "label", "kind": "single_line", "required": True}],
    }
    ok(as_key(ALICE, account)(settings, "POST", "/v1/entities", body=tag), 201)

    mappings = ok(as_key(CI, account)(settings, "GET", "/v1/field-mappings", query="entity=customer"))[
        "items"
    ]
    shown_map = ok(as_key(CI, account)(settings, "GET", "/v1/value-maps/{kind}", {"kind": "category"}))
    customer = ok(as_key(CI, account)(settings, "GET", "/v1/entities/{entity}", {"entity": "customer"}))
    entities = ok(as_key(CI, account)(settings, "GET", "/v1/entities"))["items"]

    by_field = {item["local_field"]: item for item in mappings if item["direction"] != "from_odoo"}
    assert by_field["nickname"]["updated_by"] == actor(ALICE)
    assert by_field["name"]["updated_by"] is None  # a preset mapping: nobody changed it
    assert shown_map["updated_by"] == actor(BOB)
    assert customer["updated_by"] == actor(BOB)  # its conflict policy
    assert {item["name"]: item["updated_by"] for item in entities}["tag"] == actor(ALICE)


def test_a_resolved_conflict_says_who_resolved_it(account):
    put_customers(account, ALICE, "cf-1")
    pushed = ok(
        as_key(ALICE, account)(
            sync_api.lambda_handler,
            "POST",
            "/v1/sync/{entity}/{local_id}",
            {"entity": "customer", "local_id": "cf-1"},
            body={},
        )
    )
    held = DetectedConflict(
        connection_id=account.connection_id,
        entity="customer",
        local_id="cf-1",
        odoo_id=pushed["odoo_id"],
        odoo_field="name",
        local_fields=["name"],
        base="Customer cf-1",
        local="Customer cf-1",
        odoo="Renamed in Odoo",
    )
    dependencies.conflict_store().hold(account.tenant_id, [held])
    listed = ok(as_key(ALICE, account)(conflicts_api.lambda_handler, "GET", "/v1/conflicts"))["items"]
    path = {"conflict_id": listed[0]["conflict_id"]}

    resolved = ok(
        as_key(BOB, account)(
            conflicts_api.lambda_handler,
            "POST",
            "/v1/conflicts/{conflict_id}/resolve",
            path,
            body={"winner": "local"},
        )
    )
    shown = ok(
        as_key(ALICE, account)(conflicts_api.lambda_handler, "GET", "/v1/conflicts/{conflict_id}", path)
    )
    resolved_list = ok(
        as_key(ALICE, account)(conflicts_api.lambda_handler, "GET", "/v1/conflicts", query="status=resolved")
    )

    assert listed[0]["resolved_by"] is None
    assert resolved["resolved_by"] == shown["resolved_by"] == actor(BOB)
    assert resolved_list["items"][0]["resolved_by"] == actor(BOB)
    newest = logs(account, "entity=customer&local_id=cf-1")[0]
    assert (newest["error_details"]["conflict_id"], newest["actor"]) == (path["conflict_id"], actor(BOB))


def test_every_log_line_of_a_request_carries_the_key_id(account):
    stream = io.StringIO()
    handler = bulk_api.logger.registered_handler  # the functions' loggers share it (one service)
    previous = handler.setStream(stream)  # type: ignore[attr-defined]
    try:
        put_customers(account, CI, "log-1")
        ok(
            as_key(CI, account)(
                bulk_api.lambda_handler, "POST", "/v1/bulk-sync", body={"entity": "customer"}
            ),
            202,
        )
    finally:
        handler.setStream(previous)  # type: ignore[attr-defined]

    lines = [json.loads(line) for line in stream.getvalue().splitlines()]

    assert {line["message"] for line in lines} >= {"record stored", "batch submitted"}
    assert {line.get("key_id") for line in lines} == {CI["key_id"]}
