"""Odoo 17 POSTs its webhook before it commits: the change must still arrive, with its new values.

The loop, in one process: the simulator (17 or 19) runs our rule and POSTs to a receiver here,
which hands the POST to the webhook function and at once runs the worker on the queue, inside
Odoo's POST, as early as a worker could ever read. On 17 the worker sees Odoo without the change
then: the notice goes back to the queue with a delay instead of being applied. Once Odoo has
committed, the next delivery (the test plays the delay's end) applies the new values. On 19 Odoo
POSTs after its commit and the first delivery applies them.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import boto3
import pytest

from odoo_changes import handler as worker
from odoo_sync.core import pull_notices
from odoo_sync.settings import service_settings
from odoo_webhook.handler import lambda_handler as webhook_handler
from tests.integration.automation.conftest import automation
from tests.integration.pull.conftest import _record, drain, local_records
from tests.integration.service.conftest import TenantConnection
from tests.support.api import call
from tests.support.events import LambdaContextStub

ROUTE = "/v1/webhooks/odoo/"


@dataclass
class Pass:
    """One worker run over what the queue had: the notices it applied and those it put back."""

    applied: list[str] = field(default_factory=list)
    postponed: list[str] = field(default_factory=list)  # receipt handles, hidden for a while


@dataclass
class Loop:
    url: str
    passes: list[Pass] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)


def worker_pass() -> Pass:
    sqs = boto3.client("sqs")
    url = service_settings().odoo_change_queue_url
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, MessageSystemAttributeNames=["All"])
    result = Pass()
    if not messages.get("Messages"):
        return result
    event = {"Records": [_record(dict(message)) for message in messages["Messages"]]}
    failed = {
        item["itemIdentifier"]
        for item in worker.lambda_handler(event, LambdaContextStub())["batchItemFailures"]
    }
    for message in messages["Messages"]:
        if message["MessageId"] in failed:
            result.postponed.append(message["ReceiptHandle"])
        else:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            result.applied.append(message["Body"])
    return result


def _handler(loop: Loop) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return None

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
            token = self.path.rsplit(ROUTE, 1)[-1]
            status = 500
            try:
                answer = call(webhook_handler, "POST", ROUTE + "{token}", {"token": token}, body=body)
                status = answer.status
                loop.passes.append(worker_pass())  # as early as a worker could read
            except BaseException as exc:  # shown by the test, not lost in this thread
                loop.errors.append(exc)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

    return Handler


@pytest.fixture
def loop(linked: TenantConnection, monkeypatch: pytest.MonkeyPatch) -> Iterator[Loop]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    state = Loop(f"http://127.0.0.1:{server.server_address[1]}/prod")
    server.RequestHandlerClass = _handler(state)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    monkeypatch.setenv("PUBLIC_API_URL", state.url)
    service_settings.cache_clear()
    # Long delays: a notice put back stays hidden until the test says its delay is over.
    monkeypatch.setattr(pull_notices, "NOTICE_DELAYS_S", (600, 600, 600, 600))
    # Odoo gives up on a receiver after 1 s; this one runs a whole worker pass first.
    monkeypatch.setattr("odoo_simulator.webhooks.TIMEOUT_S", 60.0)
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def delay_over(handles: list[str]) -> None:
    """The delay the worker set has passed (the test plays the clock)."""
    sqs = boto3.client("sqs")
    for handle in handles:
        sqs.change_message_visibility(
            QueueUrl=service_settings().odoo_change_queue_url, ReceiptHandle=handle, VisibilityTimeout=0
        )


def odoo_write(linked: TenantConnection, partner: int, values: dict[str, Any]) -> None:
    from odoo_sync.api.dependencies import connection_service  # noqa: PLC0415 - built per test

    connection_service().client(linked.tenant_id, linked.connection_id).write(
        "res.partner", [partner], values
    )


def test_a_change_noticed_before_odoo_commits_arrives_with_its_new_values(linked, loop):
    sim = linked.sim
    answer = automation(linked, body={"entities": ["customer"]})
    assert answer.status == 200, answer.body
    [partner] = sim.records("res.partner", [["ref", "!=", False]])[:1]
    odoo_write(linked, partner["id"], {"name": "before", "ref": "NOTICE-1"})
    delay_over([handle for early in loop.passes for handle in early.postponed])
    drain()
    assert local_records(linked)["NOTICE-1"].data["name"] == "before"
    loop.passes.clear()

    odoo_write(linked, partner["id"], {"name": "after"})

    assert loop.errors == []
    [early] = loop.passes
    if sim.version == "17":
        # Read inside Odoo's POST: not committed yet, so not applied but put back for later.
        assert (early.applied, len(early.postponed)) == ([], 1)
        assert local_records(linked)["NOTICE-1"].data["name"] == "before"
        assert worker_pass().applied == []  # hidden while the delay runs
        delay_over(early.postponed)
        assert len(drain()) == 1
    else:
        assert (len(early.applied), early.postponed) == (1, [])
    assert local_records(linked)["NOTICE-1"].data["name"] == "after"
