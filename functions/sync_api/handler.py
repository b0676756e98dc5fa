"""Sync one record: push it to Odoo now and answer with what happened."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated, Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict, Field

from odoo_sync.api.answers import documented
from odoo_sync.api.dependencies import connection_service, push_service
from odoo_sync.api.idempotency import idempotently
from odoo_sync.api.identity import tenant_id
from odoo_sync.api.resolver import build_resolver, resolve
from odoo_sync.errors import NotFoundError
from odoo_sync.sync.issues import FieldIssue
from odoo_sync.sync.model import (
    ENTITY_NAME_PATTERN,
    LOCAL_ID_PATTERN,
    RecordOutcome,
    SyncAction,
    SyncOptions,
    TriggeredBy,
)

logger = Logger()
app = build_resolver()

EntityName = Annotated[str, Path(pattern=ENTITY_NAME_PATTERN, description="Entity, e.g. customer")]
LocalId = Annotated[str, Path(pattern=LOCAL_ID_PATTERN, description="The record's id in the tenant's system")]


class SyncOneRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    connection_id: str | None = Field(
        default=None,
        pattern=r"^con_[0-9a-f]{16}$",
        description="The Odoo connection; may be left out when the tenant has only one.",
    )
    force_update: bool = Field(default=False, description="Write the mapped values even if Odoo has them.")
    sync_images: bool = Field(default=False, description="Download image URLs and send the pictures too.")
    recreate_deleted: bool = Field(
        default=False,
        description="The Odoo record was deleted in Odoo: match or create it again instead of refusing.",
    )
    write_archived: bool = Field(
        default=False,
        description="The Odoo record is archived in Odoo: update it anyway, not refuse.",
    )


class SyncedRecord(BaseModel):
    success: bool = Field(description="Always true here")
    odoo_id: int | None = Field(description="The Odoo record it is linked to")
    action: SyncAction = Field(description="What was done in Odoo: created, updated or unchanged")
    fields_synced: list[str] = Field(description="The Odoo fields written")
    duration_ms: int = Field(description="Time the push took")
    warnings: list[FieldIssue] = Field(description="Not reasons to fail, e.g. a field this Odoo lacks")


class SyncRefused(BaseModel):
    """The record was not pushed: every issue found, or Odoo's verdict (or the request's problems)."""

    model_config = ConfigDict(extra="allow")

    success: bool = Field(default=False, description="Always false here")
    code: str = Field(description="validation_failed, odoo_rejected, ... or validation_error")
    message: str | None = Field(description="What went wrong, for people")
    odoo_id: int | None = Field(default=None, description="The Odoo record, when linked")
    issues: list[FieldIssue] = Field(default_factory=list, description="Every field issue found")
    warnings: list[FieldIssue] = Field(default_factory=list, description="Not reasons to fail")
    odoo: dict[str, Any] | None = Field(default=None, description="Odoo's verdict when Odoo refused")
    odoo_ids: list[int] | None = Field(default=None, description="Several Odoo records matched")


@app.post(
    "/v1/sync/<entity>/<local_id>",
    summary="Push one record to Odoo now; the outcome is the answer",
    description="Validates and maps the record, matches it (link, then our external id, then the "
    "entity's match keys) and creates or updates it in Odoo within this request. `connection_id` may "
    "be left out when the tenant has one connection. Takes `Idempotency-Key`.",
    responses=documented(
        (200, SyncedRecord, "Pushed: what was done in Odoo"),
        (422, SyncRefused, "Not pushed: the record's issues or Odoo's verdict"),
    ),
)
def sync_one(
    entity: EntityName, local_id: LocalId, body: Annotated[SyncOneRequest | None, Body()] = None
) -> Response[Any]:
    tenant = tenant_id(app)
    request = body or SyncOneRequest()

    def work() -> Response[Any]:
        connection_id = connection_service().resolve_id(tenant, request.connection_id)
        options = SyncOptions(
            force_update=request.force_update,
            sync_images=request.sync_images,
            recreate_deleted=request.recreate_deleted,
            write_archived=request.write_archived,
        )
        outcomes = push_service().push(
            tenant, connection_id, entity, [local_id], options=options, triggered_by=TriggeredBy.API
        )
        outcome = outcomes[0]
        logger.info("record pushed", extra={"entity": entity, "action": outcome.action.value})
        return _answer(outcome)

    return idempotently(app, tenant, f"sync:{entity}:{local_id}", work)


def _answer(outcome: RecordOutcome) -> Response[Any]:
    details = outcome.error_details or {}
    if not outcome.success and details.get("code") == "not_found":
        raise NotFoundError("record", outcome.local_id, field="local_id")
    warnings = [warning.model_dump(mode="json") for warning in outcome.warnings]
    if outcome.success:
        body: dict[str, Any] = {
            "success": True,
            "odoo_id": outcome.odoo_id,
            "action": outcome.action.value,
            "fields_synced": outcome.fields_synced,
            "duration_ms": outcome.duration_ms,
            "warnings": warnings,
        }
        return Response(status_code=HTTPStatus.OK, content_type=content_types.APPLICATION_JSON, body=body)
    rejected: dict[str, Any] = {
        "success": False,
        "code": details.get("code", "sync_failed"),
        "message": outcome.error_message,
        "odoo_id": outcome.odoo_id,
        "issues": [issue.model_dump(mode="json") for issue in outcome.issues],
        "warnings": warnings,
    }
    if details.get("code") == "odoo_rejected":
        rejected["odoo"] = {key: value for key, value in details.items() if key != "code"}
    elif "odoo_ids" in details:
        rejected["odoo_ids"] = details["odoo_ids"]
    return Response(
        status_code=HTTPStatus.UNPROCESSABLE_ENTITY,
        content_type=content_types.APPLICATION_JSON,
        body=rejected,
    )


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST, clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return resolve(app, event, context)
