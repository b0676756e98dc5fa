"""Explorer routes: a tenant's generic window on its Odoo (models, fields, records, external ids)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Annotated, Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict, Field

from odoo_sync.api.answers import documented
from odoo_sync.api.dependencies import connection_service
from odoo_sync.api.idempotency import idempotently
from odoo_sync.api.identity import tenant_id
from odoo_sync.api.resolver import build_resolver, resolve
from odoo_sync.core.explorer import (
    EXTERNAL_ID_PATTERN,
    FIELD_PATTERN,
    METHOD_PATTERN,
    MODEL_PATTERN,
    ExplorerService,
    ExternalId,
    Page,
    values_to_update,
)
from odoo_sync.errors import InvalidInputError
from odoo_sync.odoo import DomainError, validate_domain

logger = Logger()
app = build_resolver()

ConnectionId = Annotated[str, Path(pattern=r"^con_[0-9a-f]{16}$", description="Connection id")]
ModelName = Annotated[
    str, Path(pattern=MODEL_PATTERN, max_length=128, description="Odoo model, e.g. res.partner")
]
RecordId = Annotated[int, Path(ge=1, le=2**31 - 1, description="Odoo record id")]
FieldList = Annotated[
    str | None, Query(max_length=4000, description="Comma-separated field names; default: Odoo's choice")
]
ORDER_PATTERN = r"^[a-z_][a-z0-9_.]*( (asc|desc|ASC|DESC))?(, ?[a-z_][a-z0-9_.]*( (asc|desc|ASC|DESC))?)*$"
MAX_VALUES = 500

Values = dict[str, Any]


class NewRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")

    values: Values = Field(max_length=MAX_VALUES, description="Field values as Odoo takes them")
    external_id: str | None = Field(default=None, pattern=EXTERNAL_ID_PATTERN, examples=["acme.partner_42"])


class ExternalIdAssignment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    external_id: str = Field(pattern=EXTERNAL_ID_PATTERN)


class RawCall(BaseModel):
    model_config = ConfigDict(extra="forbid")

    args: list[Any] = Field(default_factory=list, max_length=100)
    kwargs: dict[str, Any] = Field(default_factory=dict, max_length=100)


class CreatedRecord(BaseModel):
    id: int = Field(description="The new record's Odoo id")
    external_id: str | None = Field(description="The external id it got, when one was asked for")


class OdooRecord(BaseModel):
    """A record as Odoo reads it: its id and the fields asked for (many2one as [id, name])."""

    model_config = ConfigDict(extra="allow")

    id: int = Field(description="The record's Odoo id")


class CallResult(BaseModel):
    result: Any = Field(description="What the method returned, as Odoo sent it")


def _explorer(connection_id: str) -> ExplorerService:
    return ExplorerService(connection_service().client(tenant_id(app), connection_id))


@app.get(
    "/v1/connections/<connection_id>/models",
    summary="List Odoo models, filtered by model or name",
    description="The models of the connection's Odoo (ir.model) whose technical or display name "
    "contains `search`; paged by `offset`.",
)
def list_models(
    connection_id: ConnectionId,
    search: Annotated[str | None, Query(max_length=100, description="Part of the model or its name")] = None,
    limit: Annotated[int, Query(ge=1, le=500, description="At most this many")] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000, description="Skip this many")] = 0,
) -> Page:
    return _explorer(connection_id).list_models(search, limit, offset)


@app.get(
    "/v1/connections/<connection_id>/models/<model>/fields",
    summary="Describe a model's fields",
    description="Each field with its type, relation, selection values, and whether it is required "
    "or read-only, as this Odoo's fields_get says.",
)
def list_fields(connection_id: ConnectionId, model: ModelName) -> Page:
    return _explorer(connection_id).model_fields(model)


@app.get(
    "/v1/connections/<connection_id>/records/<model>",
    summary="Search records with an Odoo domain",
    description="`domain` is a JSON Odoo domain, validated as data (never evaluated). `all=true` "
    "follows every page, up to 5,000 records.",
)
def search_records(  # the resolver passes every parameter by name
    *,
    connection_id: ConnectionId,
    model: ModelName,
    domain: Annotated[str | None, Query(max_length=20_000, description="Odoo domain as JSON")] = None,
    fields: FieldList = None,
    limit: Annotated[int, Query(ge=1, le=1000, description="At most this many per page")] = 80,
    offset: Annotated[int, Query(ge=0, le=10_000_000, description="Skip this many")] = 0,
    order: Annotated[
        str | None, Query(pattern=ORDER_PATTERN, max_length=500, description="Odoo order, e.g. name desc")
    ] = None,
    all: Annotated[bool, Query(description="Follow every page (up to 5000 records)")] = False,
) -> Page:
    return _explorer(connection_id).search_records(
        model,
        _domain(domain),
        _fields(fields),
        limit=limit,
        offset=offset,
        order=order,
        fetch_all=all,
    )


@app.post(
    "/v1/connections/<connection_id>/records/<model>",
    summary="Create a record, optionally with an external id",
    description="With `external_id` (module.name) the record gets it too, or is not created at all. "
    "Takes `Idempotency-Key`: a retry after a lost answer replays it instead of creating again.",
    responses=documented((201, CreatedRecord, "Created")),
)
def create_record(
    connection_id: ConnectionId, model: ModelName, body: Annotated[NewRecord, Body()]
) -> Response[Any]:
    _check_field_names(body.values)

    def work() -> Response[Any]:
        created = _explorer(connection_id).create_record(model, body.values, body.external_id)
        logger.info("record created", extra={"model": model, "record_id": created["id"]})
        return Response(status_code=201, content_type=content_types.APPLICATION_JSON, body=created)

    return idempotently(app, tenant_id(app), f"odoo-create#{connection_id}#{model}", work)


@app.get(
    "/v1/connections/<connection_id>/records/<model>/<record_id>",
    summary="Read one record",
    description="The fields asked for (`fields=`), or Odoo's default choice.",
    responses=documented((200, OdooRecord, "The record")),
)
def read_record(
    connection_id: ConnectionId, model: ModelName, record_id: RecordId, fields: FieldList = None
) -> Values:
    return _explorer(connection_id).read_record(model, record_id, _fields(fields))


UPDATE_DESCRIPTION = """Writes the given field values to one record and answers the record as read back
(the fields written, or those named in `fields`).

The body is either the envelope `{"values": {...}}`, as `POST .../records/{model}` takes it, or the
bare fields `{"name": ..., "email": ...}`. It is the envelope exactly when its key `values` holds a
JSON object: every other top-level key is then refused with `422 validation_error` naming the key.
Any other body is bare fields. A model field literally called `values` is written through the
envelope: `{"values": {"values": ...}}`. Field values are as Odoo's `write` takes them. A body with
no field answers `400 invalid_input`; an unknown field or a value Odoo refuses answers with Odoo's
verdict (see docs/api-conventions.md). Takes `Idempotency-Key`."""


@app.patch(
    "/v1/connections/<connection_id>/records/<model>/<record_id>",
    summary="Update a record: {values: {...}} or the bare fields",
    description=UPDATE_DESCRIPTION,
    responses=documented((200, OdooRecord, "The record after the update")),
)
def update_record(
    connection_id: ConnectionId,
    model: ModelName,
    record_id: RecordId,
    body: Annotated[
        Values,
        Body(
            max_length=MAX_VALUES,
            description='{"values": {field: value}} (the envelope) or {field: value} (bare fields)',
            examples=[{"values": {"email": "ada@example.com"}}, {"email": "ada@example.com"}],
        ),
    ],
    fields: FieldList = None,
) -> Response[Any]:
    values = values_to_update(body)
    if len(values) > MAX_VALUES:
        raise InvalidInputError(f"at most {MAX_VALUES} fields at once", field="values")
    _check_field_names(values)
    if not values:
        raise InvalidInputError("nothing to update: the body has no values", field="values")

    def work() -> Response[Any]:
        record = _explorer(connection_id).update_record(model, record_id, values, _fields(fields))
        return Response(status_code=200, content_type=content_types.APPLICATION_JSON, body=record)

    return idempotently(app, tenant_id(app), f"odoo-write#{connection_id}#{model}#{record_id}", work)


@app.delete(
    "/v1/connections/<connection_id>/records/<model>/<record_id>",
    summary="Delete a record",
    description="Unlinks the record in Odoo; Odoo may refuse (e.g. a record still referenced). Takes "
    "`Idempotency-Key`: a retried delete replays 204 instead of answering 404.",
    responses=documented((204, None, "Deleted")),
)
def delete_record(connection_id: ConnectionId, model: ModelName, record_id: RecordId) -> Response[Any]:
    def work() -> Response[Any]:
        _explorer(connection_id).delete_record(model, record_id)
        logger.info("record deleted", extra={"model": model, "record_id": record_id})
        return Response(status_code=204)

    return idempotently(app, tenant_id(app), f"odoo-unlink#{connection_id}#{model}#{record_id}", work)


@app.get(
    "/v1/connections/<connection_id>/external-ids/<xmlid>",
    summary="Resolve an external id (module.name)",
    description="The model and record id an external id names in this Odoo; 404 when none.",
)
def resolve_external_id(
    connection_id: ConnectionId,
    xmlid: Annotated[str, Path(pattern=EXTERNAL_ID_PATTERN, description="External id, module.name")],
) -> ExternalId:
    return _explorer(connection_id).resolve_external_id(xmlid)


@app.put(
    "/v1/connections/<connection_id>/records/<model>/<record_id>/external-id",
    summary="Give a record an external id (idempotent)",
    description="409 when the external id already names another record.",
    responses=documented(
        (201, ExternalId, "Assigned"),
        (200, ExternalId, "The record already had it"),
    ),
)
def set_external_id(
    connection_id: ConnectionId,
    model: ModelName,
    record_id: RecordId,
    body: Annotated[ExternalIdAssignment, Body()],
) -> Response[dict[str, Any]]:
    assigned, created = _explorer(connection_id).set_external_id(model, record_id, body.external_id)
    return Response(
        status_code=201 if created else 200,
        content_type=content_types.APPLICATION_JSON,
        body=assigned.model_dump(),
    )


@app.post(
    "/v1/connections/<connection_id>/call/<model>/<method>",
    summary="Call any public model method",
    description="`{args, kwargs}` as Odoo takes them; private methods (leading underscore) are refused.",
    responses=documented((200, CallResult, "The method's result")),
)
def raw_call(
    connection_id: ConnectionId,
    model: ModelName,
    method: Annotated[str, Path(pattern=METHOD_PATTERN, max_length=128, description="A public method")],
    body: Annotated[RawCall, Body()],
) -> dict[str, Any]:
    result = _explorer(connection_id).raw_call(model, method, body.args, body.kwargs)
    logger.info("raw call", extra={"model": model, "method": method})
    return {"result": result}


def _domain(raw: str | None) -> list[Any]:
    if raw is None or not raw.strip():
        return []
    try:
        parsed = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise InvalidInputError(f"domain is not valid JSON: {exc.msg}", field="domain") from exc
    try:
        return validate_domain(parsed)
    except DomainError as exc:
        raise InvalidInputError(f"domain: {exc}", field="domain") from exc


def _fields(raw: str | None) -> list[str]:
    if not raw:
        return []
    names = [name.strip() for name in raw.split(",") if name.strip()]
    _check_field_names(names, location="fields")
    return names


def _check_field_names(names: Iterable[str], location: str = "values") -> None:
    for name in names:
        if not re.fullmatch(FIELD_PATTERN, name) or len(name) > 128:
            raise InvalidInputError(f"{name!r} is not a field name", field=f"{location}.{name}"[:200])


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST, clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return resolve(app, event, context)
