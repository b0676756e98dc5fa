"""The settings routes called for a linked tenant as API Gateway does, and what their tests send."""

from __future__ import annotations

from typing import Any

from settings_api.handler import lambda_handler
from tests.integration.service.conftest import TenantConnection
from tests.support.api import ApiAnswer, call

ENTITIES = "/v1/entities"
ENTITY = "/v1/entities/{entity}"
MAPPINGS = "/v1/field-mappings"
MAPPING = "/v1/field-mappings/{mapping_id}"
VALUE_MAP = "/v1/value-maps/{kind}"

TAG_ENTITY = {
    "name": "tag",
    "odoo_model": "res.partner.category",
    "description": "Contact tags",
    "match_keys": [{"local_field": "label", "odoo_field": "name"}],
    "fields": [
        {"field": "label", "kind": "single_line", "required": True},
        {"field": "colour", "kind": "integer"},
    ],
}


def call_as(
    link: TenantConnection, method: str, resource: str, params: dict[str, str] | None = None, **kwargs: Any
) -> ApiAnswer:
    return call(lambda_handler, method, resource, params, tenant_id=link.tenant_id, **kwargs)


def mapping(**overrides: Any) -> dict[str, Any]:
    """A field mapping of the customer's nickname, changed by `overrides`."""
    body = {"entity": "customer", "local_field": "nickname", "odoo_field": "comment"}
    body.update(overrides)
    return body


def mappings_of(link: TenantConnection, entity: str) -> list[dict[str, Any]]:
    """The entity's effective mappings: the tenant's, and the preset's it did not replace."""
    answer = call_as(link, "GET", MAPPINGS, query=f"entity={entity}")
    assert answer.status == 200, answer.body
    items: list[dict[str, Any]] = answer.body["items"]
    return items
