"""Real-time sync setup in the tenant's Odoo: webhook automations, their status, removal, token rotation.

No `Idempotency-Key` here: setting up is idempotent by itself (a second call changes nothing), and
answers that carry the webhook token must not be kept anywhere, not even to replay them.
"""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from odoo_sync.api.answers import documented
from odoo_sync.api.dependencies import automation_service
from odoo_sync.api.identity import tenant_id
from odoo_sync.api.resolver import build_resolver, resolve
from odoo_sync.core.automation_model import AutomationAnswer, AutomationRequest
from odoo_sync.settings import service_settings

logger = Logger()
app = build_resolver()

CONNECTION_ID = Annotated[str, Path(pattern=r"^con_[0-9a-f]{16}$", description="Connection id")]


@app.post(
    "/v1/connections/<connection_id>/automation",
    summary="Set up (or repair) the webhook automations in the tenant's Odoo; polling before Odoo 17",
    description="Creates or repairs one base.automation webhook rule per entity (all synced entities, "
    "or `{entities: [...]}`), idempotent. Before Odoo 17 nothing is written: the answer suggests a "
    "polling schedule. The answer carries the webhook URL, whose last segment is the token.",
    responses=documented((200, AutomationAnswer, "What is in Odoo now, per entity")),
)
def set_up(
    connection_id: CONNECTION_ID, body: Annotated[AutomationRequest | None, Body()] = None
) -> dict[str, Any]:
    answer = automation_service().setup(
        tenant_id(app), connection_id, body or AutomationRequest(), _public_base_url()
    )
    _log("automation set up", answer)
    return answer.model_dump(mode="json")


@app.get(
    "/v1/connections/<connection_id>/automation",
    summary="What is in Odoo per entity: up to date, drifted, missing (nothing is written)",
    description="Reads the rules in the tenant's Odoo and compares them with what setup would write.",
    responses=documented((200, AutomationAnswer, "The state per entity")),
)
def status(connection_id: CONNECTION_ID) -> dict[str, Any]:
    answer = automation_service().status(tenant_id(app), connection_id, _public_base_url())
    return answer.model_dump(mode="json")


@app.delete(
    "/v1/connections/<connection_id>/automation",
    summary="Remove the automations we created in Odoo (only those) and revoke the webhook token",
    description="Rules the tenant made themselves are left alone; the token stops working at once.",
    responses=documented((200, AutomationAnswer, "What was removed")),
)
def tear_down(connection_id: CONNECTION_ID) -> dict[str, Any]:
    answer = automation_service().teardown(tenant_id(app), connection_id)
    _log("automation removed", answer)
    return answer.model_dump(mode="json")


@app.post(
    "/v1/connections/<connection_id>/automation/token",
    summary="Rotate the webhook token: the old URL stops working, our actions in Odoo get the new one",
    description="For a token that leaked: a new one is issued and written into our rules in Odoo.",
    responses=documented((200, AutomationAnswer, "The rules with the new URL")),
)
def rotate_token(connection_id: CONNECTION_ID) -> dict[str, Any]:
    answer = automation_service().rotate_token(tenant_id(app), connection_id, _public_base_url())
    _log("webhook token rotated", answer)
    return answer.model_dump(mode="json")


def _public_base_url() -> str:
    """Where Odoo reaches this API: configured, or the stage URL this request came through."""
    configured = service_settings().public_api_url
    if configured:
        return configured.rstrip("/")
    context = app.current_event.request_context
    return f"https://{context.domain_name}/{context.stage}"


def _log(message: str, answer: AutomationAnswer) -> None:
    # Never the answer itself: it may carry the webhook URL, whose last segment is the token.
    logger.info(
        message,
        extra={
            "connection_id": answer.connection_id,
            "mode": answer.mode,
            "token": answer.token,
            "entities": {item.entity: item.status.value for item in answer.entities},
        },
    )


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST, clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return resolve(app, event, context)
