"""Tenant isolation: every route of template.yaml, called by tenant B with tenant A's ids.

Routes come from the template, so a new route is covered as soon as it is declared; a route whose
path names an id this suite cannot yet make for tenant A is reported as skipped, not passed.
An answer to B is correct when it is a 404 (for ids only A owns), never a 2xx on A's objects,
and never carries A's data (A's values are marked; B's answers are searched for the mark).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from odoo_simulator import OdooSimulator
from odoo_sync.api.dependencies import webhook_tokens
from odoo_sync.core.webhook_tokens import hash_token
from odoo_sync.settings import service_settings
from odoo_sync.stores.dynamodb import table
from odoo_sync.stores.tenants import DynamoTenantRepository
from odoo_sync.sync.model import OdooChangeMessage
from tests.conftest import AwsResources
from tests.security.world import (
    MARK,
    SCHEDULE,
    Route,
    Tenant,
    api_routes,
    build_tenant,
    connection_body,
    set_up_webhooks,
)

TENANT_A = "ten_aaaaaaaaaaaaaaaa"
TENANT_B = "ten_bbbbbbbbbbbbbbbb"

# Ids only the tenant that made them can have: B must get 404 for each of them.
OWNED = {
    "connection_id",
    "batch_id",
    "mapping_id",
    "conflict_id",
    "schedule_id",
    "subscription_id",
    "key_id",
}
# Path values that are names shared by every tenant (a preset entity, a kind, an Odoo model).
SHARED_NAMES = {"kind", "model", "record_id", "xmlid", "method"}


@pytest.fixture(scope="module")
def sim() -> Iterator[OdooSimulator]:
    with OdooSimulator(version="19", port=0, seed_partners=5, seed_products=5) as simulator:
        yield simulator


@pytest.fixture(scope="module")
def tenants(module_aws: Any, sim: OdooSimulator) -> tuple[Tenant, Tenant]:
    alpha = build_tenant(sim, TENANT_A, MARK)
    # B is a full tenant too (its own connection), so a 404 is about A's ids, not B being empty.
    beta = Tenant(TENANT_B)
    created = beta.at("POST", "/v1/connections", body=connection_body(sim, "beta odoo"))
    assert created.status == 201, created.body
    beta.connection_id = created.body["connection_id"]
    alpha.ids["token"] = set_up_webhooks(alpha, sim)
    beta.ids["token"] = set_up_webhooks(beta, sim)
    return alpha, beta


def _body(route: Route, alpha: Tenant, sim: OdooSimulator) -> Any:
    """A body valid enough to get past validation, so the tenant check is what answers."""
    bodies: dict[tuple[str, str], Any] = {
        ("PUT", "/v1/connections/{connection_id}"): connection_body(sim, "taken over"),
        ("POST", "/v1/connections/{connection_id}/records/{model}"): {"values": {"name": "B was here"}},
        ("PATCH", "/v1/connections/{connection_id}/records/{model}/{record_id}"): {"name": "B was here"},
        ("PUT", "/v1/connections/{connection_id}/records/{model}/{record_id}/external-id"): {
            "external_id": "beta.taken"
        },
        ("POST", "/v1/connections/{connection_id}/call/{model}/{method}"): {"args": [[]]},
        ("PUT", "/v1/records/{entity}/{local_id}"): {"label": "B was here", "name": "B was here"},
        ("POST", "/v1/records/{entity}/batch"): {
            "records": [{"local_id": alpha.ids["local_id"], "data": {"label": "B", "name": "B"}}]
        },
        ("POST", "/v1/sync/{entity}/{local_id}"): {"connection_id": alpha.connection_id},
        ("POST", "/v1/batches/{batch_id}/retry"): {},
        ("PUT", "/v1/value-maps/{kind}"): {"entries": [{"local": "B shelf", "odoo": 1}]},
        ("PUT", "/v1/schedules/{schedule_id}"): SCHEDULE,
        ("PUT", "/v1/entities/{entity}/conflicts"): {"default": "odoo"},
        ("POST", "/v1/conflicts/{conflict_id}/resolve"): {"winner": "value", "value": "B was here"},
    }
    return bodies.get((route.method, route.path))


# Odoo's webhook receiver takes no API key: its token is the credential (tested on its own below).
WEBHOOK_RECEIVER = "/v1/webhooks/odoo/{token}"
ROUTES_WITH_IDS = [
    route
    for route in api_routes()
    if route.parameters and "/admin/" not in route.path and route.path != WEBHOOK_RECEIVER
]


@pytest.mark.parametrize("route", ROUTES_WITH_IDS, ids=str)
def test_another_tenants_ids_answer_404_and_never_its_data(tenants, sim, route: Route) -> None:
    alpha, beta = tenants
    unknown = [name for name in route.parameters if name not in alpha.ids]
    if unknown:
        pytest.skip(f"no tenant-A fixture yet for {', '.join(unknown)}: extend build_tenant")

    answer = beta.call(route, alpha.ids, body=_body(route, alpha, sim))

    assert answer.status < 500, answer.body
    assert MARK not in answer.raw, answer.raw[:500]
    assert MARK.lower() not in answer.raw, answer.raw[:500]
    assert TENANT_A not in answer.raw
    owned = OWNED & set(route.parameters)
    custom_entity = "entity" in route.parameters  # alpha_tag exists for A only
    if owned or custom_entity:
        assert answer.status == 404, (answer.status, answer.body)
    else:
        assert set(route.parameters) <= SHARED_NAMES, route


@pytest.mark.parametrize(
    "route", [r for r in ROUTES_WITH_IDS if "entity" in r.parameters and "local_id" in r.parameters], ids=str
)
def test_a_preset_entity_with_another_tenants_local_id_is_never_that_tenants_record(
    tenants, sim, route
) -> None:
    alpha, beta = tenants
    values = {**alpha.ids, "entity": "customer"}

    answer = beta.call(route, values, body=_body(route, alpha, sim))

    assert answer.status < 500, answer.body
    assert MARK not in answer.raw, answer.raw
    assert MARK.lower() not in answer.raw.replace(alpha.ids["local_id"], ""), answer.raw
    if route.method == "GET":
        assert answer.status == 404


LISTS = [r for r in api_routes() if r.method == "GET" and not r.parameters and "/admin/" not in r.path]


@pytest.mark.parametrize("route", LISTS, ids=str)
def test_lists_filtered_by_another_tenants_ids_show_nothing_of_it(tenants, route: Route) -> None:
    alpha, beta = tenants
    query = "&".join(
        f"{name}={alpha.ids[key]}"
        for name, key in (
            ("batch_id", "batch_id"),
            ("connection_id", "connection_id"),
            ("local_id", "local_id"),
        )
    )
    for extra in ("", "entity=alpha_tag", "entity=customer"):
        answer = beta.call(route, query=f"{query}&{extra}" if extra else query)
        assert answer.status < 500, answer.body
        assert MARK not in answer.raw, answer.raw[:500]
        assert TENANT_A not in answer.raw


def _queued_changes(aws: AwsResources) -> list[OdooChangeMessage]:
    sqs = boto3.client("sqs")
    changes: list[OdooChangeMessage] = []
    url = aws.queues["OdooChangeQueue"]
    while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        for message in messages:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            if '"odoo_change"' in message["Body"]:
                changes.append(OdooChangeMessage.model_validate_json(message["Body"]))
    return changes


def _notice(record_id: int, write_date: str) -> str:
    return (
        f'{{"_model": "res.partner", "_id": {record_id}, "write_date": "{write_date}", "name": "B was here"}}'
    )


def test_a_webhook_token_only_ever_queues_for_its_own_connection(module_aws, tenants) -> None:
    alpha, beta = tenants
    _queued_changes(module_aws)  # what building the world queued
    receiver = next(route for route in api_routes() if route.path == WEBHOOK_RECEIVER)

    # B sends with A's token (and B's own identity): the notice can only be about A's connection.
    with_a_token = beta.call(receiver, {"token": alpha.ids["token"]}, body=_notice(7, "2026-01-01 10:00:00"))
    with_b_token = beta.call(receiver, {"token": beta.ids["token"]}, body=_notice(8, "2026-01-01 10:00:01"))

    assert (with_a_token.status, with_b_token.status) == (202, 202)
    assert MARK not in with_a_token.raw + with_b_token.raw
    owners = {
        change.odoo_ids[0]: (change.tenant_id, change.connection_id) for change in _queued_changes(module_aws)
    }
    assert owners == {7: (TENANT_A, alpha.connection_id), 8: (TENANT_B, beta.connection_id)}


def test_a_token_named_in_another_form_or_by_its_hash_is_not_found(module_aws, tenants) -> None:
    alpha, beta = tenants
    _queued_changes(module_aws)
    receiver = next(route for route in api_routes() if route.path == WEBHOOK_RECEIVER)
    token = alpha.ids["token"]
    tries = [
        hash_token(token),
        token[:-1],
        token.upper() if token.upper() != token else token.lower(),
        alpha.connection_id,
    ]

    answers = [
        beta.call(receiver, {"token": value}, body=_notice(9, "2026-01-01 10:00:02")) for value in tries
    ]

    assert [answer.status for answer in answers] == [404] * len(tries)
    assert _queued_changes(module_aws) == []


def test_what_b_tried_left_every_object_of_a_unchanged(tenants, sim) -> None:
    alpha, beta = tenants
    for route in ROUTES_WITH_IDS:
        if all(name in alpha.ids for name in route.parameters) and route.method != "GET":
            beta.call(route, alpha.ids, body=_body(route, alpha, sim))

    shown = alpha.at("GET", "/v1/connections/{connection_id}", alpha.ids)
    assert shown.status == 200
    assert shown.body["name"] == f"{MARK} odoo"
    record = alpha.at("GET", "/v1/records/{entity}/{local_id}", {**alpha.ids, "entity": "customer"})
    assert record.status == 200
    assert record.body["data"]["name"] == f"{MARK} Customer"
    tag = alpha.at("GET", "/v1/records/{entity}/{local_id}", alpha.ids)
    assert tag.status == 200
    assert tag.body["data"]["label"] == MARK
    assert alpha.at("GET", "/v1/entities/{entity}", alpha.ids).status == 200
    assert alpha.at("GET", "/v1/batches/{batch_id}", alpha.ids).status == 200
    mappings = alpha.at("GET", "/v1/field-mappings", query="entity=customer").raw
    assert alpha.ids["mapping_id"] in mappings
    assert MARK in alpha.at("GET", "/v1/value-maps/{kind}", alpha.ids).raw
    assert MARK in alpha.at("GET", "/v1/schedules/{schedule_id}", alpha.ids).raw
    assert MARK in alpha.at("GET", "/v1/webhook-subscriptions/{subscription_id}", alpha.ids).raw
    # B could not revoke A's key.
    kept = DynamoTenantRepository(table(service_settings().config_table)).get_api_key(
        TENANT_A, alpha.ids["key_id"]
    )
    assert kept is not None
    assert kept.revoked_at is None
    # B's teardown and rotation of A's automation were refused: A's token still stands.
    token = webhook_tokens().get_for_connection(TENANT_A, alpha.connection_id)
    assert token is not None
    assert token.token_hash == hash_token(alpha.ids["token"])
