"""Testing a connection: network, TLS, version and protocol, authentication, database, rights."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date, timedelta
from typing import Literal
from typing import Protocol as PortProtocol

from pydantic import BaseModel

from odoo_sync.core.automation_odoo import has_action_warnings, warned_actions
from odoo_sync.core.connection_scope import scope_problem
from odoo_sync.core.connections import ConnectionService, DetectedServer, LastTest
from odoo_sync.core.ids import iso, utc_now
from odoo_sync.core.webhook_tokens import WebhookToken
from odoo_sync.odoo import OdooClient, OdooConnectionSettings, Protocol
from odoo_sync.odoo.errors import ErrorCategory, OdooError, OdooNotFoundError

TestCategory = Literal["network", "tls", "auth", "database", "access", "protocol"]

# What a sync needs to do on the models every tenant syncs, and where external ids live.
CHECKED_MODELS = ("res.partner", "product.template", "ir.model.data")
OPERATIONS = ("read", "write", "create", "unlink")
EXPIRY_WARNING = timedelta(days=14)

_CATEGORY_OF: dict[ErrorCategory, TestCategory] = {
    ErrorCategory.NETWORK: "network",
    ErrorCategory.TRANSIENT: "network",
    ErrorCategory.RATE_LIMITED: "network",
    ErrorCategory.OUTCOME_UNKNOWN: "network",
    ErrorCategory.TLS: "tls",
    ErrorCategory.AUTH: "auth",
    ErrorCategory.DATABASE: "database",
    ErrorCategory.ACCESS: "access",
}


class AutomationTokens(PortProtocol):
    """Whether webhook automations were set up for a connection (its webhook token)."""

    def get_for_connection(self, tenant_id: str, connection_id: str) -> WebhookToken | None: ...


class AccessRights(BaseModel):
    read: bool
    write: bool
    create: bool
    unlink: bool


class ConnectionTestResult(BaseModel):
    success: bool
    message: str
    category: TestCategory | None = None
    odoo_message: str | None = None
    odoo_version: str | None = None
    protocol: str | None = None
    user_id: int | None = None
    database: str
    latency_ms: int
    access: dict[str, AccessRights] = {}
    warnings: list[str] = []


def check_connection(
    connections: ConnectionService,
    tenant_id: str,
    connection_id: str,
    open_client: Callable[[OdooConnectionSettings], OdooClient],
    automation_tokens: AutomationTokens | None = None,
) -> ConnectionTestResult:
    """Test a tenant's connection and remember what was learned (version, protocol, outcome)."""
    view = connections.get(tenant_id, connection_id)
    # A test always detects afresh: the server may have been upgraded since the last one.
    settings = connections.odoo_settings(tenant_id, connection_id).model_copy(
        update={"protocol": view.protocol}
    )
    today = utc_now().date()
    token = automation_tokens.get_for_connection(tenant_id, connection_id) if automation_tokens else None
    with open_client(settings) as client:
        result = probe_connection(
            client,
            database=view.database,
            api_key_expires_at=view.api_key_expires_at,
            today=today,
            webhook_token_hash=token.token_hash if token is not None else None,
        )
    now = iso(utc_now())
    detected = None
    if result.success and result.odoo_version and result.protocol:
        detected = DetectedServer(
            odoo_version=result.odoo_version, protocol=Protocol(result.protocol), checked_at=now
        )
    summary = LastTest(
        success=result.success, category=result.category, message=result.message, tested_at=now
    )
    connections.record_test(tenant_id, connection_id, summary, detected)
    return result


def probe_connection(
    client: OdooClient,
    *,
    database: str,
    api_key_expires_at: date | None,
    today: date,
    webhook_token_hash: str | None = None,
) -> ConnectionTestResult:
    """`webhook_token_hash`: the connection's webhook token, when automations were set up (which
    needs base_automation): our actions are then checked for Odoo's warnings (one search_read)."""
    started = time.monotonic()
    result = _probe(client, database)
    result.latency_ms = round((time.monotonic() - started) * 1000)
    if result.success:
        result.warnings.extend(_expiry_warnings(api_key_expires_at, today))
        if webhook_token_hash is not None:
            result.warnings.extend(_automation_warnings(client, webhook_token_hash))
    return result


def _probe(client: OdooClient, database: str) -> ConnectionTestResult:
    stage = "reach the server"
    try:
        info = client.server_info()
        stage = "authenticate"
        uid = client.authenticate()
        stage = "check the company and language"
        scope = scope_problem(client)
        stage = "check access rights"
        access = _all_rights(client) if scope is None else {}
    except OdooError as exc:
        return ConnectionTestResult(
            success=False,
            message=f"could not {stage}: {exc.message}",
            category=_CATEGORY_OF.get(exc.category, "protocol"),
            odoo_message=exc.message,
            database=database,
            latency_ms=0,
        )
    if scope is not None:
        category, message, odoo_message = scope
        return ConnectionTestResult(
            success=False,
            message=message,
            category=category,
            odoo_message=odoo_message or None,
            odoo_version=info.version,
            protocol=info.protocol.value,
            user_id=uid,
            database=database,
            latency_ms=0,
        )
    result = ConnectionTestResult(
        success="res.partner" in access and access["res.partner"].read,
        message=f"connected to Odoo {info.version} over {info.protocol.value} as user {uid}",
        odoo_version=info.version,
        protocol=info.protocol.value,
        user_id=uid,
        database=database,
        latency_ms=0,
        access=access,
    )
    if not result.success:
        result.category = "access"
        result.message = "the user cannot read contacts (res.partner); give it at least internal-user rights"
    result.warnings.extend(_access_warnings(access))
    if info.major >= 19 and info.protocol.value != "json2":
        result.warnings.append(
            "Odoo removes /xmlrpc and /jsonrpc in version 22: use an API key so that JSON-2 is used"
        )
    return result


def _all_rights(client: OdooClient) -> dict[str, AccessRights]:
    access = {}
    for model in CHECKED_MODELS:
        try:
            granted = {operation: client.check_access_rights(model, operation) for operation in OPERATIONS}
        except OdooNotFoundError:
            continue  # the app is not installed (e.g. no Inventory/Sales on this Odoo)
        access[model] = AccessRights(**granted)
    return access


def _access_warnings(access: dict[str, AccessRights]) -> list[str]:
    warnings = [f"{model} is not installed on this Odoo" for model in CHECKED_MODELS if model not in access]
    if "ir.model.data" in access and not access["ir.model.data"].create:
        warnings.append(
            "the user cannot create external ids (ir.model.data): matching falls back to match keys; "
            "grant the 'Access Rights' group to enable external ids"
        )
    if "product.template" in access and not access["product.template"].write:
        warnings.append("the user cannot write products (product.template)")
    return warnings


def _automation_warnings(client: OdooClient, token_hash: str) -> list[str]:
    """Our webhook actions that Odoo (18.2+) flags: Odoo then refuses every save their rule watches."""
    try:
        if not has_action_warnings(client.server_info()):
            return []
        flagged = warned_actions(client, token_hash)
    except OdooError as exc:
        return [f"could not check the webhook automations in Odoo: {exc.message}"]
    return [
        f"Odoo flags the webhook action {name!r} and refuses every create and write its rule watches "
        f"while it does; set the automation up again (POST …/automation) to repair it, or remove it "
        f"(DELETE …/automation). Odoo's warning: {warning}"
        for name, warning in flagged
    ]


def _expiry_warnings(expires_at: date | None, today: date) -> list[str]:
    if expires_at is None:
        return []
    if expires_at < today:
        return [
            f"the API key expired on {expires_at.isoformat()}: create a new one in Odoo and update it here"
        ]
    if expires_at - today <= EXPIRY_WARNING:
        return [f"the API key expires on {expires_at.isoformat()}: rotate it soon"]
    return []
