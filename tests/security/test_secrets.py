"""Secrets never leave: a tenant's life (keys, connections, tests, pushes, failures) with every log
line, answer, stored item and queued message captured and searched for every secret involved.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities import parameters

from admin_api import handler as admin_api
from authorizer import handler as authorizer
from odoo_simulator import OdooSimulator
from odoo_sync.security.api_keys import generate_operator_key, hash_key
from tests.security.world import MARK, Tenant, build_tenant, connection_body, expect
from tests.support.api import ApiAnswer, call
from tests.support.events import LambdaContextStub, authorizer_event

WRONG_PASSWORD = "Wr0ng-Pa55word-never-to-be-seen"
# The simulator's admin password is "admin", which the login also is: one that can be searched for.
ADMIN_PASSWORD = "Adm1n-Pa55word-never-to-be-seen"


@pytest.fixture(scope="module")
def sim() -> Iterator[OdooSimulator]:
    with OdooSimulator(version="17", port=0, seed_partners=5, seed_products=5) as simulator:
        simulator.credentials.passwords[simulator.admin_uid] = ADMIN_PASSWORD
        simulator.admin_password = ADMIN_PASSWORD
        yield simulator


@pytest.fixture
def fresh_parameters() -> Iterator[None]:
    """The authorizer caches the operator key's hash: this test's key must not outlive it."""
    parameters.clear_caches()
    yield
    parameters.clear_caches()


class Capture:
    def __init__(self) -> None:
        self.answers: list[ApiAnswer] = []
        self.errors: list[str] = []

    def keep(self, answer: ApiAnswer) -> ApiAnswer:
        self.answers.append(answer)
        return answer


def _everything_stored(aws: Any) -> str:
    dynamodb = boto3.client("dynamodb")
    items = [dynamodb.scan(TableName=name)["Items"] for name in aws.tables.values()]
    sqs = boto3.client("sqs")
    messages = [
        sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0).get("Messages", [])
        for url in aws.queues.values()
    ]
    return json.dumps([items, messages], default=str)


@pytest.mark.usefixtures("fresh_parameters")
def test_no_secret_reaches_logs_answers_errors_or_storage(aws, sim, monkeypatch, capsys, caplog) -> None:
    monkeypatch.setenv("ALLOW_PRIVATE_ODOO_HOSTS", "true")
    caplog.set_level(logging.INFO)
    for name in list(logging.root.manager.loggerDict):
        # What our code and the HTTP client would write at DEBUG; AWS SDK wire dumps are not ours.
        if not name.startswith(("botocore", "boto3", "moto", "urllib3", "s3transfer")):
            monkeypatch.setattr(logging.getLogger(name), "level", logging.DEBUG)
    sim.knobs.reset()
    seen = Capture()
    operator_key = generate_operator_key()
    boto3.client("ssm").put_parameter(
        Name="/odoo-sync/operator-key-sha256", Value=hash_key(operator_key), Type="String"
    )

    # The operator makes a tenant; both keys go through the authorizer.
    created = seen.keep(
        call(
            admin_api.lambda_handler,
            "POST",
            "/v1/admin/tenants",
            body={"name": "Acme"},
            tenant_id=None,
            role="operator",
        )
    )
    tenant_key = expect(created, 201)["api_key"]
    tenant_id = created.body["tenant_id"]
    for key in (tenant_key, operator_key, tenant_key[:-4] + "xxxx"):
        try:
            policy = authorizer.lambda_handler(authorizer_event(f"Bearer {key}"), LambdaContextStub())  # type: ignore[arg-type]
        except Exception as refused:  # API Gateway's contract: "Unauthorized" is raised
            seen.errors.append(repr(refused) + str(refused.__traceback__))
        else:
            seen.errors.append(json.dumps(policy))

    # Connections by API key and by password (right and wrong), tested; records pushed; failures.
    alpha = build_tenant(sim, tenant_id, MARK)
    password_auth = {"type": "password", "login": sim.admin_login, "password": sim.admin_password}
    wrong_auth = {"type": "password", "login": sim.admin_login, "password": WRONG_PASSWORD}
    for auth in (password_auth, wrong_auth):
        made = seen.keep(
            alpha.at("POST", "/v1/connections", body={**connection_body(sim, "pw"), "auth": auth})
        )
        seen.keep(
            alpha.at(
                "POST", "/v1/connections/{connection_id}/test", {"connection_id": made.body["connection_id"]}
            )
        )
        seen.keep(
            alpha.at(
                "GET",
                "/v1/connections/{connection_id}/records/{model}",
                {"connection_id": made.body["connection_id"], "model": "res.partner"},
                query="limit=1",
            )
        )
    _failures(alpha, sim, seen)
    for path in ("/v1/connections", "/v1/logs", "/v1/stats"):
        seen.keep(alpha.at("GET", path))
    seen.keep(alpha.at("GET", "/v1/connections/{connection_id}", alpha.ids))

    secrets = {
        "Odoo API key": sim.admin_api_key,
        "Odoo password": sim.admin_password,
        "wrong Odoo password": WRONG_PASSWORD,
        "tenant API key": tenant_key,
        "operator key": operator_key,
    }
    captured = capsys.readouterr()
    haystacks = {
        "log output": captured.out + captured.err + caplog.text,
        "log records": "\n".join(repr(r.__dict__) for r in caplog.records),
        "answers": "\n".join(a.raw + json.dumps(a.headers) for a in seen.answers[1:]),
        "authorizer answers": "\n".join(seen.errors),
        "stored items and queued messages": _everything_stored(aws),
    }
    leaks = [
        f"{secret_name} in {place}"
        for secret_name, secret in secrets.items()
        for place, text in haystacks.items()
        if secret in text
    ]
    assert leaks == [], leaks
    assert tenant_key in seen.answers[0].raw  # shown once, when the tenant is made: the search works


def _failures(alpha: Tenant, sim: OdooSimulator, seen: Capture) -> None:
    """Odoo failing in every way the client reports, each answer kept."""
    record = {"entity": "customer", "local_id": alpha.ids["local_id"]}
    sync = "/v1/sync/{entity}/{local_id}"
    seen.keep(
        alpha.at("PUT", "/v1/records/{entity}/{local_id}", record, body={"name": "Changed", "email": "x@y.z"})
    )
    for fault in ("server", "transient"):
        sim.knobs.fail_next(10, fault)
        seen.keep(alpha.at("POST", sync, record, body={}))
    sim.knobs.reset()
    sim.knobs.rate_limit(10, retry_after_s=120)
    seen.keep(alpha.at("POST", sync, record, body={"force_update": True}))
    sim.knobs.reset()
    sim.knobs.drop_after_commit(1)
    seen.keep(
        alpha.at(
            "PUT", "/v1/records/{entity}/{local_id}", {**record, "local_id": "dropped"}, body={"name": "D"}
        )
    )
    seen.keep(alpha.at("POST", sync, {**record, "local_id": "dropped"}, body={}))
    sim.knobs.reset()
    seen.keep(
        alpha.at(
            "POST",
            "/v1/connections/{connection_id}/call/{model}/{method}",
            {**alpha.ids, "model": "res.partner", "method": "no_such_method"},
            body={"args": [[1]], "kwargs": {"password": "x"}},
        )
    )
    seen.keep(
        alpha.at(
            "POST",
            "/v1/connections/{connection_id}/records/{model}",
            {**alpha.ids, "model": "res.partner"},
            body={"values": {"no_such_field": 1}},
        )
    )
