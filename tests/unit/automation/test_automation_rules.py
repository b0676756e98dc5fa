"""Which fields an entity is watched on, and what differs between Odoo's rows and what we want."""

from __future__ import annotations

import pytest

from odoo_sync.core.automation_model import EntityStatus
from odoo_sync.core.automation_odoo import has_action_warnings
from odoo_sync.core.automation_rules import (
    Found,
    Wanted,
    action_differences,
    automation_differences,
    compare,
    reads_from_odoo,
    watched_fields,
)
from odoo_sync.core.webhook_tokens import WebhookToken, hash_token, new_token, webhook_url
from odoo_sync.odoo.detection import ServerInfo, major_version
from odoo_sync.odoo.settings import Protocol
from odoo_sync.sync.model import (
    ConflictPolicy,
    ConflictRule,
    Direction,
    EntityDefinition,
    FieldMapping,
    MatchKey,
)

ENTITY = EntityDefinition(
    name="item",
    odoo_model="product.template",
    match_keys=[MatchKey(local_field="sku", odoo_field="default_code")],
)
WANTED = Wanted(
    entity="item",
    odoo_model="product.template",
    model_id=7,
    trigger_fields=("list_price", "name"),
    trigger_field_ids=frozenset({70, 71}),
    payload_field_ids=frozenset({1, 2, 70, 71}),
)
PREFIX = webhook_url("https://api.example.com/prod", "")
TOKEN = new_token()


def mapping(local: str, odoo: str, direction: Direction, **extra: object) -> FieldMapping:
    values: dict[str, object] = {
        "mapping_id": f"map_{local}",
        "entity": "item",
        "local_field": local,
        "odoo_field": odoo,
        "odoo_model": "product.template",
        "direction": direction,
        **extra,
    }
    return FieldMapping.model_validate(values)


def test_the_fields_read_from_odoo_are_watched_not_those_only_pushed_or_inactive_or_elsewhere():
    mappings = [
        mapping("title", "name", Direction.BOTH),
        mapping("price", "list_price", Direction.FROM_ODOO),
        mapping("notes", "description", Direction.TO_ODOO),
        mapping("old", "x_old", Direction.BOTH, is_active=False),
        mapping("barcode", "barcode", Direction.BOTH, odoo_model="product.product"),
        mapping("stamp", "write_date", Direction.FROM_ODOO),
    ]

    assert watched_fields(ENTITY, mappings) == ("list_price", "name")
    assert reads_from_odoo(ENTITY, mappings)


def test_an_entity_only_pushed_is_watched_for_its_conflicts_on_every_mapped_field():
    pushed = [mapping("title", "name", Direction.TO_ODOO), mapping("notes", "description", Direction.TO_ODOO)]
    with_policy = ENTITY.model_copy(update={"conflicts": ConflictPolicy(default=ConflictRule.LOCAL)})

    assert not reads_from_odoo(ENTITY, pushed)
    assert reads_from_odoo(with_policy, pushed)
    assert watched_fields(ENTITY, pushed) == ("description", "name")


def test_an_automation_as_wanted_needs_no_write():
    row = {
        "id": 3,
        "model_id": [7, "Product"],
        "trigger": "on_create_or_write",
        "trigger_field_ids": [71, 70],
        "filter_domain": False,
        "active": True,
    }

    assert automation_differences(WANTED, row) == {}


def test_an_archived_filtered_automation_is_reactivated_and_unfiltered():
    row = {
        "model_id": [7, "Product"],
        "trigger": "on_create_or_write",
        "trigger_field_ids": [70, 71],
        "filter_domain": "[('active', '=', True)]",
        "active": False,
    }

    assert automation_differences(WANTED, row) == {"filter_domain": False, "active": True}


def test_a_changed_model_rewrites_the_trigger_odoo_recomputes_with_it():
    row = {
        "model_id": [8, "Contact"],
        "trigger": "on_create_or_write",
        "trigger_field_ids": [70, 71],
        "filter_domain": False,
        "active": True,
    }

    assert automation_differences(WANTED, row) == {
        "model_id": 7,
        "trigger": "on_create_or_write",
        "trigger_field_ids": [[6, 0, [70, 71]]],
    }


def test_an_action_with_another_token_or_base_url_or_payload_is_rewritten():
    good = {
        "model_id": [7, "Product"],
        "state": "webhook",
        "usage": "base_automation",
        "base_automation_id": [3, "Odoo Sync: item"],
        "webhook_url": webhook_url("https://api.example.com/prod", TOKEN),
        "webhook_field_ids": [1, 2, 70, 71],
    }
    token_hash = hash_token(TOKEN)

    assert action_differences(WANTED, good, 3, token_hash, PREFIX) == {}
    stale = {**good, "webhook_url": webhook_url("https://api.example.com/prod", new_token())}
    assert set(action_differences(WANTED, stale, 3, token_hash, PREFIX)) == {"webhook_url"}
    moved = {**good, "webhook_url": webhook_url("https://old.example.com", TOKEN)}
    assert set(action_differences(WANTED, moved, 3, token_hash, PREFIX)) == {"webhook_url"}
    trimmed = {**good, "webhook_field_ids": [1, 70]}
    assert action_differences(WANTED, trimmed, 3, token_hash, PREFIX) == {
        "webhook_field_ids": [[6, 0, [1, 2, 70, 71]]]
    }
    assert set(action_differences(WANTED, {**good, "state": "code"}, 4, token_hash, PREFIX)) == {
        "state",
        "base_automation_id",
    }


@pytest.mark.parametrize(
    ("version", "version_info", "warns"),
    [
        ("17.0", (17, 0, 0, "final", 0, ""), False),
        ("18.0", (18, 0, 0, "final", 0, ""), False),  # still refuses a restricted payload field
        ("saas~18.2", ("saas~18", 2, 0, "final", 0, ""), True),
        ("19.0", (19, 0, 0, "final", 0, ""), True),
    ],
)
def test_odoo_has_warnings_on_server_actions_from_18_2(version, version_info, warns):
    major = major_version(version, version_info)
    info = ServerInfo(version, version_info, major, Protocol.XMLRPC, "version")

    assert has_action_warnings(info) is warns


def test_a_rule_read_back_with_odoo_s_warning_is_drifted_even_when_nothing_else_differs():
    automation_row = {
        "id": 3,
        "model_id": [7, "Product"],
        "trigger": "on_create_or_write",
        "trigger_field_ids": [70, 71],
        "filter_domain": False,
        "active": True,
    }
    action_row = {
        "id": 4,
        "model_id": [7, "Product"],
        "state": "webhook",
        "usage": "base_automation",
        "base_automation_id": [3, "Odoo Sync: item"],
        "webhook_url": webhook_url("https://api.example.com/prod", TOKEN),
        "webhook_field_ids": [1, 2, 70, 71],
        "warning": "Group-restricted fields cannot be included in webhook payloads...",
    }
    token = WebhookToken(token_hash=hash_token(TOKEN), tenant_id="t", connection_id="c", created_at="now")

    state = compare(WANTED, Found("item", automation=automation_row, action=action_row), token, PREFIX)

    assert (state.status, state.differences) == (EntityStatus.DRIFTED, ["warning"])
    assert state.warning == action_row["warning"]
    assert (
        compare(
            WANTED,
            Found("item", automation=automation_row, action={**action_row, "warning": False}),
            token,
            PREFIX,
        ).status
        is EntityStatus.UP_TO_DATE
    )
