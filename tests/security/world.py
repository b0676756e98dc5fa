"""The template's API routes, and a tenant with one of everything to aim other tenants at."""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass, field
from typing import Any

from odoo_simulator import OdooSimulator
from odoo_sync.api.dependencies import conflict_store
from odoo_sync.core.conflicts import ConflictQuery, DetectedConflict
from odoo_sync.core.ids import iso, new_id, utc_now
from odoo_sync.core.tenants import StoredApiKey
from odoo_sync.core.webhook_tokens import token_in_url
from odoo_sync.security import api_keys
from odoo_sync.settings import service_settings
from odoo_sync.stores.dynamodb import table
from odoo_sync.stores.tenants import DynamoTenantRepository
from tests.support.api import ApiAnswer, Handler, call
from tests.support.aws import template_resources

# Every value a tenant's data is marked with, so another tenant's answers can be searched for it.
MARK = "ALPHA7Q-PRIVATE"
# Where the simulator's webhook actions POST: loopback, a port nobody listens on (refused at once).
LOOPBACK_API_URL = "http://127.0.0.1:9/prod"


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    handler_module: str

    @property
    def parameters(self) -> tuple[str, ...]:
        return tuple(re.findall(r"{(\w+)}", self.path))

    @property
    def handler(self) -> Handler:
        module = importlib.import_module(self.handler_module)
        handler: Handler = module.lambda_handler
        return handler

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def api_routes() -> list[Route]:
    """Every API Gateway route in template.yaml, with the handler module that serves it."""
    routes: list[Route] = []
    for properties in template_resources("AWS::Serverless::Function").values():
        handler = str(properties.get("Handler", ""))
        for event in (properties.get("Events") or {}).values():
            if event.get("Type") != "Api":
                continue
            spec = event["Properties"]
            routes.append(Route(spec["Method"].upper(), spec["Path"], handler.rsplit(".", 1)[0]))
    return sorted(routes, key=lambda route: (route.path, route.method))


@dataclass
class Tenant:
    tenant_id: str
    connection_id: str = ""
    ids: dict[str, str] = field(default_factory=dict)

    def call(self, route: Route, values: dict[str, str] | None = None, **kwargs: Any) -> ApiAnswer:
        parameters = {name: (values or self.ids)[name] for name in route.parameters}
        return call(route.handler, route.method, route.path, parameters, tenant_id=self.tenant_id, **kwargs)

    def at(self, method: str, path: str, values: dict[str, str] | None = None, **kwargs: Any) -> ApiAnswer:
        return self.call(_route(method, path), values, **kwargs)


def _route(method: str, path: str) -> Route:
    return next(r for r in api_routes() if (r.method, r.path) == (method, path))


TAG_ENTITY = {
    "name": "alpha_tag",
    "odoo_model": "res.partner.category",
    "description": f"{MARK} tags",
    "match_keys": [{"local_field": "label", "odoo_field": "name"}],
    "fields": [{"field": "label", "kind": "single_line", "required": True}],
}


def connection_body(sim: OdooSimulator, name: str) -> dict[str, Any]:
    return {
        "name": name,
        "base_url": sim.url,
        "database": sim.database,
        "auth": {"type": "api_key", "login": sim.admin_login, "api_key": sim.admin_api_key},
    }


def expect(answer: ApiAnswer, *statuses: int) -> Any:
    assert answer.status in statuses, (answer.status, answer.body)
    return answer.body


def build_tenant(sim: OdooSimulator, tenant_id: str, mark: str) -> Tenant:
    """A tenant with a connection, an entity, a mapping, a value map, records, a pushed record and a batch."""
    tenant = Tenant(tenant_id)
    connection = expect(tenant.at("POST", "/v1/connections", body=connection_body(sim, f"{mark} odoo")), 201)
    tenant.connection_id = connection["connection_id"]
    expect(
        tenant.at("POST", "/v1/connections/{connection_id}/test", {"connection_id": tenant.connection_id}),
        200,
    )
    expect(tenant.at("POST", "/v1/entities", body={**TAG_ENTITY, "description": f"{mark} tags"}), 200, 201)
    mapping = expect(
        tenant.at(
            "POST",
            "/v1/field-mappings",
            body={"entity": "customer", "local_field": "nickname", "odoo_field": "comment"},
        ),
        200,
        201,
    )
    expect(
        tenant.at(
            "PUT",
            "/v1/value-maps/{kind}",
            {"kind": "category"},
            body={"entries": [{"local": f"{mark} shelf", "odoo": 1}]},
        ),
        200,
    )
    local_id = f"{mark.lower()}-1"
    record = {"name": f"{mark} Customer", "email": "alpha@example.com", "nickname": mark}
    expect(
        tenant.at(
            "PUT",
            "/v1/records/{entity}/{local_id}",
            {"entity": "customer", "local_id": local_id},
            body=record,
        ),
        201,
    )
    expect(
        tenant.at(
            "PUT",
            "/v1/records/{entity}/{local_id}",
            {"entity": "alpha_tag", "local_id": local_id},
            body={"label": mark},
        ),
        201,
    )
    expect(
        tenant.at(
            "POST", "/v1/sync/{entity}/{local_id}", {"entity": "customer", "local_id": local_id}, body={}
        ),
        200,
    )
    batch = expect(
        tenant.at("POST", "/v1/bulk-sync", body={"entity": "customer", "force_update": True}), 200, 202
    )
    partner = sim.records("res.partner", [("ref", "=", local_id)]) if hasattr(sim, "records") else []
    tenant.ids = {
        "connection_id": tenant.connection_id,
        "entity": "alpha_tag",
        "local_id": local_id,
        "mapping_id": mapping["mapping_id"],
        "kind": "category",
        "batch_id": batch["batch_id"],
        "model": "res.partner",
        "record_id": str(partner[0]["id"]) if partner else "1",
        "xmlid": "base.main_company",
        "method": "search_count",
        "tenant_id": tenant_id,
    }
    tenant.ids["conflict_id"] = _held_conflict(tenant, mark)
    _add_issue_four_objects(tenant, mark)
    return tenant


SCHEDULE = {
    "name": "nightly",
    "entity": "customer",
    "cron_expression": "0 3 * * *",
    "sync_direction": "to_odoo",
}


def _add_issue_four_objects(tenant: Tenant, mark: str) -> None:
    """Objects of routes that may not be declared yet; each is made once its route exists."""
    declared = {(route.method, route.path) for route in api_routes()}
    if ("POST", "/v1/schedules") in declared:
        made = tenant.at("POST", "/v1/schedules", body={**SCHEDULE, "description": f"{mark} schedule"})
        tenant.ids["schedule_id"] = expect(made, 200, 201)["id"]
    if ("DELETE", "/v1/api-keys/{key_id}") in declared:
        tenant.ids["key_id"] = _stored_key(tenant.tenant_id, f"{mark} key")
    if ("POST", "/v1/webhook-subscriptions") in declared:
        # Loopback passes the URL guard only with ALLOW_PRIVATE_ODOO_HOSTS (set by the suite).
        subscription = {"url": "http://127.0.0.1:9/hooks/alpha", "description": f"{mark} hooks"}
        made = tenant.at("POST", "/v1/webhook-subscriptions", body=subscription)
        tenant.ids["subscription_id"] = expect(made, 201)["subscription_id"]


def _stored_key(tenant_id: str, name: str) -> str:
    """A key of the tenant (stored directly: the suite's tenants have ids, not tenant items)."""
    plain = api_keys.generate_tenant_key()
    key = StoredApiKey(
        key_id=new_id("key"),
        tenant_id=tenant_id,
        key_hash=api_keys.hash_key(plain),
        name=name,
        prefix=api_keys.display_prefix(plain),
        created_at=iso(utc_now()),
    )
    DynamoTenantRepository(table(service_settings().config_table)).add_api_key(key)
    return key.key_id


def set_up_webhooks(tenant: Tenant, sim: OdooSimulator) -> str:
    """Odoo automations for the tenant's connection; the webhook token they POST with.

    The simulator POSTs for real on every change: PUBLIC_API_URL must be LOOPBACK_API_URL.
    """
    sim.set_module_state("base_automation", "installed")
    made = expect(
        tenant.at(
            "POST", "/v1/connections/{connection_id}/automation", {"connection_id": tenant.connection_id}
        ),
        200,
    )
    token = token_in_url(made["webhook_url"])
    assert token is not None, made
    return token


def _held_conflict(tenant: Tenant, mark: str) -> str:
    """A conflict held on the pushed customer's name, its values marked."""
    found = DetectedConflict(
        connection_id=tenant.connection_id,
        entity="customer",
        local_id=tenant.ids["local_id"],
        odoo_id=int(tenant.ids["record_id"]),
        odoo_field="name",
        local_fields=["name"],
        base=f"{mark} Customer",
        local=f"{mark} local",
        odoo=f"{mark} odoo",
    )
    conflict_store().hold(tenant.tenant_id, [found])
    [held] = conflict_store().page(tenant.tenant_id, ConflictQuery())[0]
    return held.conflict_id
