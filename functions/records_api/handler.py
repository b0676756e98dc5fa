"""Record routes: the tenant's records of an entity - upsert one or a batch, read one, list with filters."""

from __future__ import annotations

import re
from typing import Annotated, Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, Field, ValidationError

from odoo_sync.api.answers import Listing, documented
from odoo_sync.api.dependencies import record_service
from odoo_sync.api.idempotency import idempotently
from odoo_sync.api.identity import tenant_id
from odoo_sync.api.resolver import build_resolver, resolve
from odoo_sync.core.records import BatchItemResult, BatchUpsert, RecordView
from odoo_sync.core.settings_models import CONNECTION_ID_PATTERN
from odoo_sync.errors import InvalidInputError, UnprocessableError
from odoo_sync.sync.filters import RecordFilters
from odoo_sync.sync.model import ENTITY_NAME_PATTERN, LOCAL_FIELD_PATTERN, LOCAL_ID_PATTERN

logger = Logger()
app = build_resolver()

EntityName = Annotated[str, Path(pattern=ENTITY_NAME_PATTERN, description="Entity, e.g. customer")]
LocalId = Annotated[str, Path(pattern=LOCAL_ID_PATTERN, description="The record's id in the tenant's system")]
FIELD_PREFIX = "field."
MAX_VERSION_HEADER = 20
FIELD_NAME = re.compile(LOCAL_FIELD_PATTERN)


class BatchUpsertAnswer(BaseModel):
    """What a batch upsert did: counts, then one result per record in the order sent."""

    created: int = Field(description="Records that were new")
    updated: int = Field(description="Records replaced (their version went up)")
    failed: int = Field(description="Records refused; each result says why")
    results: list[BatchItemResult] = Field(
        description="One per record sent: local_id, status, version or error"
    )


def _json(status: int, body: dict[str, Any]) -> Response[dict[str, Any]]:
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=body)


@app.put(
    "/v1/records/<entity>/<local_id>",
    summary="Create or replace a record; its version goes up by one",
    description="The body is the record's fields (a column per local field). `If-Match: <version>` "
    "makes the write conditional on the version read (409 otherwise). Nothing is sent to Odoo until a "
    "sync. Takes `Idempotency-Key`.",
    responses=documented(
        (201, RecordView, "The record was new"),
        (200, RecordView, "The record was replaced"),
    ),
)
def put_record(
    entity: EntityName, local_id: LocalId, body: Annotated[dict[str, Any], Body()]
) -> Response[Any]:
    tenant = tenant_id(app)
    expected = _expected_version()

    def work() -> Response[Any]:
        upserted = record_service().put(tenant, entity, local_id, body, expected)
        logger.info("record stored", extra={"entity": entity, "version": upserted.record.version})
        return _json(201 if upserted.created else 200, RecordView.of(upserted.record).model_dump(mode="json"))

    return idempotently(app, tenant, f"put-record#{entity}#{local_id}", work)


@app.post(
    "/v1/records/<entity>/batch",
    summary="Create or replace up to 1,000 records; a result per record",
    description="`{records: [{local_id, data}]}`. A refused record does not stop the others: each "
    "has its own result. Takes `Idempotency-Key`.",
    responses=documented((200, BatchUpsertAnswer, "Counts and a result per record")),
)
def upsert_records(entity: EntityName, body: Annotated[BatchUpsert, Body()]) -> Response[Any]:
    tenant = tenant_id(app)

    def work() -> Response[Any]:
        results = record_service().put_many(tenant, entity, body)
        counts = {
            status: sum(r.status == status for r in results) for status in ("created", "updated", "error")
        }
        logger.info(
            "records stored", extra={"entity": entity, **{f"records_{k}": v for k, v in counts.items()}}
        )
        return _json(
            200,
            {
                "created": counts["created"],
                "updated": counts["updated"],
                "failed": counts["error"],
                "results": [result.model_dump(mode="json", exclude_none=True) for result in results],
            },
        )

    return idempotently(app, tenant, f"upsert-records#{entity}", work)


@app.get(
    "/v1/records/<entity>/<local_id>",
    summary="One record with its sync state per connection",
    description="Its fields, version and, per connection, the Odoo id it is linked to and the state "
    "of its last sync.",
)
def get_record(entity: EntityName, local_id: LocalId) -> RecordView:
    return record_service().get(tenant_id(app), entity, local_id)


@app.get(
    "/v1/records/<entity>",
    summary="List records; filter with modified_since, links and field.<name>=",
    description="Any number of `field.<name>=<value>` parameters keep the records whose field has "
    "that value. Follow `next` with `cursor`.",
    responses=documented((200, Listing[RecordView], "A page of records")),
)
def list_records(  # the resolver passes every parameter by name
    *,
    entity: EntityName,
    modified_since: Annotated[str | None, Query(max_length=64, description="ISO time with zone")] = None,
    has_odoo_id: Annotated[bool | None, Query(description="Linked in the connection or not")] = None,
    status: Annotated[
        str | None, Query(pattern="^(pending|synced|error)$", description="State of the link's last sync")
    ] = None,
    connection_id: Annotated[
        str | None, Query(pattern=CONNECTION_ID_PATTERN, description="The connection links are read in")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000, description="At most this many")] = 100,
    cursor: Annotated[str | None, Query(max_length=2048, description="`next` of the previous page")] = None,
) -> dict[str, Any]:
    filters = _filters(
        {
            "modified_since": modified_since,
            "has_odoo_id": has_odoo_id,
            "status": status,
            "connection_id": connection_id,
            "fields": _field_filters(),
        }
    )
    items, next_cursor = record_service().list(tenant_id(app), entity, filters, limit, cursor)
    return {"items": [item.model_dump(mode="json") for item in items], "next": next_cursor}


def _field_filters() -> dict[str, str]:
    query = app.current_event.query_string_parameters or {}
    return {
        name[len(FIELD_PREFIX) :]: value for name, value in query.items() if name.startswith(FIELD_PREFIX)
    }


def _filters(values: dict[str, Any]) -> RecordFilters:
    for name in values["fields"]:
        if not FIELD_NAME.fullmatch(name):
            raise UnprocessableError([(f"{FIELD_PREFIX}{name[:64]}", "not a field name")])
    try:
        return RecordFilters.model_validate(values)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            location = ".".join(str(part) for part in error["loc"])
            problems.append((location.replace("fields.", FIELD_PREFIX, 1), error["msg"]))
        raise UnprocessableError(problems) from exc


def _expected_version() -> int | None:
    """`If-Match: <version>` makes the write conditional on the version the caller read."""
    raw = app.current_event.headers.get("If-Match")
    if raw is None:
        return None
    text = raw.strip().removeprefix("W/").strip('"')
    if not text.isdigit() or len(text) > MAX_VERSION_HEADER or int(text) < 1:
        raise InvalidInputError("If-Match takes the record's version, a positive number", field="If-Match")
    return int(text)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST, clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return resolve(app, event, context)
