"""An entity's conflict policy through POST /v1/entities: saved, shown, and checked against Odoo."""

from __future__ import annotations

from typing import Any

import pytest

from settings_api.handler import lambda_handler
from tests.integration.service.conftest import TenantConnection
from tests.support.api import ApiAnswer, call

TAG_ENTITY: dict[str, Any] = {
    "name": "tag",
    "odoo_model": "res.partner.category",
    "match_keys": [{"local_field": "label", "odoo_field": "name"}],
}


def save(account: TenantConnection, body: dict[str, Any]) -> ApiAnswer:
    return call(lambda_handler, "POST", "/v1/entities", body=body, tenant_id=account.tenant_id)


def test_an_entity_keeps_its_conflict_policy(account):
    policy = {"default": "newest_wins", "fields": {"name": "odoo", "color": "manual"}}

    saved = save(account, {**TAG_ENTITY, "conflicts": policy})
    shown = call(
        lambda_handler, "GET", "/v1/entities/{entity}", {"entity": "tag"}, tenant_id=account.tenant_id
    )

    assert saved.status == 201, saved.body
    assert saved.body["conflicts"] == policy
    assert shown.body["conflicts"] == policy


def test_without_a_policy_conflicts_are_held_for_a_decision(account):
    saved = save(account, TAG_ENTITY)

    assert saved.body["conflicts"] == {"default": "manual", "fields": {}}


@pytest.mark.parametrize(
    ("policy", "field"),
    [
        ({"default": "coin_toss"}, "conflicts.default"),
        ({"fields": {"name": "sometimes"}}, "conflicts.fields.name"),
        ({"fields": {"no_such_field": "odoo"}}, "conflicts.fields.no_such_field"),
        ({"winner": "odoo"}, "conflicts.winner"),
    ],
)
def test_a_bad_policy_is_refused_with_its_field(account, policy, field):
    answer = save(account, {**TAG_ENTITY, "conflicts": policy})

    assert answer.status == 422, answer.body
    assert field in (answer.body["field"] or ""), answer.body
