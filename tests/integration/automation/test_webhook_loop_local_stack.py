"""The whole loop over HTTP: setup through the API, a write in Odoo, Odoo's POST, a change on the queue.

Local stack (template.yaml: routes, authorizer, tables, queue) + Odoo 19 simulator, whose
base.automation rules POST like Odoo does, synchronously, to the URL our setup gave them. The
worker is not running here: what the receiver queued stays on the OdooChangeQueue to be looked at.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from local_stack import LocalStack
from local_stack.demo import Demo
from odoo_simulator import OdooSimulator
from odoo_sync.core.notice_apply import QueuedNotice, gather
from odoo_sync.core.webhook_tokens import new_token
from odoo_sync.odoo import OdooClient, OdooConnectionSettings
from odoo_sync.sync.model import OdooChangeMessage
from tests.support.service_stack import service_fixtures

pytestmark = pytest.mark.slow


sim, stack, demo, api = service_fixtures(seed_partners=5, seed_products=3, api_timeout=60)


@pytest.fixture(scope="module")
def odoo(sim: OdooSimulator) -> Iterator[OdooClient]:
    settings = OdooConnectionSettings(
        base_url=sim.url,
        database=sim.database,
        login=sim.admin_login,
        secret=SecretStr(sim.admin_api_key),
        allow_private_network=True,
    )
    with OdooClient(settings) as client:
        yield client


@pytest.fixture(scope="module")
def hook_url(api: httpx.Client, demo: Demo) -> str:
    answer = api.post(f"/v1/connections/{demo.connection_id}/automation", json={"entities": ["customer"]})
    assert answer.status_code == 200, answer.text
    url: str = answer.json()["webhook_url"]
    return url


def drain(stack: LocalStack) -> list[OdooChangeMessage]:
    sqs = stack.client("sqs")
    queue = stack.environment["ODOO_CHANGE_QUEUE_URL"]
    found: list[OdooChangeMessage] = []
    while True:
        got: list[dict[str, Any]] = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get(
            "Messages", []
        )
        if not got:
            return found
        for message in got:
            found.append(OdooChangeMessage.model_validate_json(message["Body"]))
            sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])


def test_notices_are_read_in_gathered_batches_as_the_template_says(stack):
    [notices] = [source for source in stack.poller.sources if source.function == "OdooChangesFunction"]

    assert (notices.batch_size, notices.batching_window_s) == (100, 1.0)  # NoticeBatchingWindowSeconds
    assert notices.report_batch_item_failures


def test_the_webhook_url_points_at_this_api(stack, hook_url):
    assert stack.environment["PUBLIC_API_URL"] == stack.api_url
    assert hook_url.startswith(f"{stack.api_url}/v1/webhooks/odoo/")


def test_a_write_in_odoo_reaches_the_queue_once(stack, sim, odoo, demo, hook_url):
    drain(stack)
    partner = odoo.search("res.partner", [], limit=1)[0]
    log_before = len(sim.webhook_log)

    odoo.write("res.partner", [partner], {"name": "Renamed in Odoo"})

    posted = sim.webhook_log[log_before:]
    assert [entry.get("status") for entry in posted] == [202], posted
    assert posted[0]["url"] == hook_url
    [message] = drain(stack)
    assert (message.tenant_id, message.connection_id) == (demo.tenant_id, demo.connection_id)
    assert (message.odoo_model, message.odoo_ids) == ("res.partner", [partner])
    assert message.write_date is not None


def test_duplicate_deliveries_are_gathered_into_one_read_and_a_later_change_is_kept(
    stack, sim, odoo, hook_url
):
    drain(stack)
    partner = odoo.search("res.partner", [], limit=1, offset=1)[0]
    log_before = len(sim.webhook_log)
    odoo.write("res.partner", [partner], {"name": "First change"})
    first = sim.webhook_log[log_before]["body"]
    odoo.write("res.partner", [partner], {"name": "Second change"})
    second = sim.webhook_log[-1]["body"]

    headers = {"Content-Type": "application/json"}
    with httpx.Client(timeout=30) as plain:  # Odoo sends no API key
        replays = [
            plain.post(hook_url, content=body, headers=headers) for body in (first, first, second, first)
        ]

    assert [answer.status_code for answer in replays] == [202] * 4
    messages = drain(stack)
    # Odoo's own two POSTs and the four replays: a standard queue keeps duplicates; the gathering
    # reads the record once.
    assert len(messages) == 6
    [group] = gather([QueuedNotice(str(n), message, patient=True) for n, message in enumerate(messages)])
    assert group.odoo_ids == [partner]
    assert group.awaited() == {partner: max(m.write_date or "" for m in messages)}
    assert len({m.write_date for m in messages}) == 2


def test_a_bad_token_is_404_without_any_key_and_the_setup_routes_still_need_one(stack, demo, hook_url):
    with httpx.Client(base_url=stack.api_url, timeout=30) as plain:
        forged = plain.post(f"/v1/webhooks/odoo/{new_token()}", json={"_model": "res.partner", "_id": 1})
        garbage = plain.post("/v1/webhooks/odoo/not-a-token", json={"_model": "res.partner", "_id": 1})
        unauthorised = plain.get(f"/v1/connections/{demo.connection_id}/automation")

    assert forged.status_code == 404
    assert forged.json()["code"] == "not_found"
    assert garbage.status_code == 404
    assert unauthorised.status_code == 401
    assert drain(stack) == []
