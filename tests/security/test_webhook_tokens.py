"""Odoo's webhook URL as an attacker sees it: replayed, forged, stale and flooded notices.

The token in the URL is the only credential (Odoo signs nothing), so what a notice can do is kept
small: it names a record of the token's own connection, and the worker re-reads that record from
Odoo with the connection's credentials. These tests go through the receiver's handler, the real
queue (moto) and the real worker into the simulator, and look at what a tenant would see: its
records, their versions and its sync log.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import boto3
import pytest

from connections_api import handler as connections_api
from odoo_simulator import OdooSimulator
from odoo_sync.api import dependencies
from odoo_sync.core.odoo_webhooks import WebhookReceiver
from odoo_sync.core.webhook_tokens import WebhookToken, hash_token, new_token
from odoo_sync.stores.dynamodb import table
from odoo_sync.stores.sync_log import LogQuery
from odoo_sync.stores.webhook_tokens import DynamoWebhookRateLimiter
from odoo_sync.sync.model import OdooChangeMessage
from odoo_webhook import handler as receiver_function
from sync_worker import handler as worker
from tests.conftest import AwsResources
from tests.integration.pull.conftest import drain, local_records
from tests.integration.service.conftest import TenantConnection, connect
from tests.support.api import ApiAnswer, call

ROUTE = "/v1/webhooks/odoo/{token}"


@pytest.fixture(scope="module")
def sim() -> Iterator[OdooSimulator]:
    with OdooSimulator(version="19", port=0, seed_partners=3, seed_products=1) as simulator:
        yield simulator


@pytest.fixture
def hooked(aws: AwsResources, sim: OdooSimulator, monkeypatch: pytest.MonkeyPatch) -> Hooked:
    monkeypatch.setenv("ALLOW_PRIVATE_ODOO_HOSTS", "true")
    monkeypatch.setattr(worker.metrics, "namespace", "OdooSyncTests")
    sim.knobs.reset()
    return Hooked(connect(sim))


class Hooked:
    """A tenant connection with a webhook token for res.partner, as automation setup leaves it."""

    def __init__(self, linked: TenantConnection) -> None:
        self.linked = linked
        self.token = new_token()
        dependencies.webhook_tokens().replace(
            WebhookToken(
                token_hash=hash_token(self.token),
                tenant_id=linked.tenant_id,
                connection_id=linked.connection_id,
                created_at="2026-01-01T00:00:00Z",
                models=["res.partner"],
            ),
            None,
        )

    def partner(self, name: str, ref: str) -> tuple[int, str]:
        """A partner made in Odoo; its id and the write_date Odoo would POST."""
        client = dependencies.connection_service().client(self.linked.tenant_id, self.linked.connection_id)
        [odoo_id] = client.create("res.partner", [{"name": name, "ref": ref}])
        [row] = self.linked.sim.records("res.partner", [["id", "=", odoo_id]])
        return odoo_id, f"{row['write_date']}.231656"

    def log(self, local_id: str) -> list[str]:
        entries, _ = dependencies.sync_log().query(
            self.linked.tenant_id, LogQuery(entity="customer", local_id=local_id, limit=50)
        )
        return sorted(str(entry.sync_type) for entry in entries)


def notice(odoo_id: int, write_date: str, **values: object) -> str:
    # Odoo 19's shape (v19-webhook.json): the watched fields, id and write_date.
    return json.dumps(
        {"_action": "odoo_sync(#1)", "_id": odoo_id, "_model": "res.partner", "id": odoo_id, **values}
        | {"write_date": write_date},
        sort_keys=True,
    )


def post(token: str, body: str) -> ApiAnswer:
    return call(
        receiver_function.lambda_handler,
        "POST",
        ROUTE,
        {"token": token},
        body=body,
        tenant_id=None,
        headers={"Content-Type": "application/json", "User-Agent": "python-requests/2.31.0"},
    )


def test_a_replayed_notice_is_read_again_but_applies_nothing_a_second_time(hooked: Hooked) -> None:
    odoo_id, write_date = hooked.partner("Replay Target", "hook-replay")
    body = notice(odoo_id, write_date, name="Replay Target")
    assert post(hooked.token, body).status == 202
    assert len(drain()) == 1
    first = local_records(hooked.linked)["hook-replay"]

    # The same POST again once the first was processed (past SQS's window the queue keeps it).
    replayed = post(hooked.token, body)
    delivered = drain()

    assert replayed.status == 202
    assert len(delivered) == 1, "the replay must reach the worker for this test to mean anything"
    again = local_records(hooked.linked)["hook-replay"]
    assert (again.version, again.data) == (first.version, first.data)
    assert again.links == first.links
    assert hooked.log("hook-replay") in (["create"], ["create", "skip"])


def test_a_forged_body_sets_nothing_the_worker_reads_odoo_instead(hooked: Hooked) -> None:
    odoo_id, write_date = hooked.partner("Real Name", "hook-forged")

    forged = notice(odoo_id, write_date, name="FORGED", email="attacker@example.com", ref="hook-forged")
    assert post(hooked.token, forged).status == 202
    drain()

    record = local_records(hooked.linked)["hook-forged"]
    assert record.data["name"] == "Real Name"
    assert "FORGED" not in json.dumps(record.data)
    assert "attacker@example.com" not in json.dumps(record.data)


def test_a_notice_for_a_record_odoo_does_not_have_creates_nothing(hooked: Hooked) -> None:
    before = set(local_records(hooked.linked))

    assert post(hooked.token, notice(987_654, "2026-01-01 00:00:00", name="Ghost", ref="ghost")).status == 202
    drain()

    assert set(local_records(hooked.linked)) == before


def test_the_token_of_a_deleted_connection_is_not_found_and_queues_nothing(
    hooked: Hooked, aws: AwsResources
) -> None:
    odoo_id, write_date = hooked.partner("Orphan", "hook-orphan")
    deleted = call(
        connections_api.lambda_handler,
        "DELETE",
        "/v1/connections/{connection_id}",
        {"connection_id": hooked.linked.connection_id},
        tenant_id=hooked.linked.tenant_id,
    )
    assert deleted.status == 204

    answer = post(hooked.token, notice(odoo_id, write_date))

    assert answer.status == 404, answer.body
    assert queued_changes(aws) == []


def test_a_flood_from_one_connection_leaves_another_connections_notices_alone(
    aws: AwsResources, sim: OdooSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ALLOW_PRIVATE_ODOO_HOSTS", "true")
    flooding, quiet = Hooked(connect(sim)), Hooked(connect(sim))
    one_minute = 1_800_000_010.0
    limiter = DynamoWebhookRateLimiter(table(aws.tables["OperationsTable"]), 5, clock=lambda: one_minute)
    receiver = WebhookReceiver(dependencies.webhook_tokens(), limiter, dependencies.notice_queue())
    monkeypatch.setattr(receiver_function, "webhook_receiver", lambda: receiver)

    flood = [post(flooding.token, notice(n, f"2026-01-01 00:00:{n:02d}")) for n in range(1, 21)]
    others = [post(quiet.token, notice(n, f"2026-01-01 00:01:{n:02d}")) for n in range(1, 4)]

    assert [answer.status for answer in flood] == [202] * 5 + [429] * 15
    assert [answer.status for answer in others] == [202] * 3
    by_connection: dict[str, list[int]] = {}
    for change in queued_changes(aws):
        by_connection.setdefault(change.connection_id, []).extend(change.odoo_ids)
    by_connection = {connection: sorted(ids) for connection, ids in by_connection.items()}  # no order
    assert by_connection == {
        flooding.linked.connection_id: [1, 2, 3, 4, 5],
        quiet.linked.connection_id: [1, 2, 3],
    }


def queued_changes(aws: AwsResources) -> list[OdooChangeMessage]:
    sqs = boto3.client("sqs")
    url = aws.queues["OdooChangeQueue"]
    changes: list[OdooChangeMessage] = []
    while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        for message in messages:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            changes.append(OdooChangeMessage.model_validate_json(message["Body"]))
    return changes
