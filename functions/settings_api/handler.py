"""Settings routes: entities, field mappings and value maps, checked against the tenant's Odoo."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import Field

from odoo_sync.actors import Actor
from odoo_sync.api.answers import Listing, documented
from odoo_sync.api.dependencies import settings_service
from odoo_sync.api.idempotency import idempotently
from odoo_sync.api.identity import tenant_id
from odoo_sync.api.resolver import build_resolver, resolve
from odoo_sync.core.settings_models import (
    VALUE_MAP_NAME_PATTERN,
    ConflictPolicyInput,
    EntityInput,
    EntityView,
    MappingInput,
    ValueMapInput,
    ValueMapView,
)
from odoo_sync.sync.model import ENTITY_NAME_PATTERN, EntityDefinition, FieldMapping
from odoo_sync.sync.value_maps import ValueMap, ValueMapKind

logger = Logger()
app = build_resolver()

EntityName = Annotated[str, Path(pattern=ENTITY_NAME_PATTERN, description="Entity, e.g. customer")]
MappingId = Annotated[
    str, Path(pattern=r"^(map_[0-9a-f]{16}|preset\.[a-z0-9_.]{1,100})$", description="Field mapping id")
]
KIND_PATTERN = "^(" + "|".join(kind.value for kind in ValueMapKind) + ")$"
Kind = Annotated[str, Path(pattern=KIND_PATTERN, description="Value map kind")]
MapName = Annotated[str, Query(pattern=VALUE_MAP_NAME_PATTERN, description="Several maps of a kind")]


class EntityAnswer(EntityDefinition):
    """An entity: its Odoo model, match keys, local fields, validation and conflict rules."""

    updated_at: str | None = Field(
        default=None, description="When the tenant last saved it; null for a preset"
    )
    updated_by: Actor | None = Field(
        default=None, description="Who last saved it or its conflict policy; null for an untouched preset"
    )


class ValueMapAnswer(ValueMap):
    """A value map: the tenant's values and the Odoo ids or keys they stand for."""

    updated_at: str = Field(description="When it was last saved")
    updated_by: Actor | None = Field(default=None, description="Who last saved it")


def _json(status: int, body: dict[str, Any]) -> Response[dict[str, Any]]:
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=body)


def _entity_body(view: EntityView) -> dict[str, Any]:
    return {**view.entity.model_dump(mode="json"), **view.model_dump(mode="json", exclude={"entity"})}


def _value_map_body(view: ValueMapView) -> dict[str, Any]:
    return {**view.value_map.model_dump(mode="json"), **view.model_dump(mode="json", exclude={"value_map"})}


# entities


@app.get(
    "/v1/entities",
    summary="The presets (customer, product) and the tenant's own entities",
    description="Every entity the tenant can sync: the presets (customer, product, order, invoice, "
    "stock) and the tenant's own, in one page (`next` is always null).",
    responses=documented((200, Listing[EntityAnswer], "Every entity")),
)
def list_entities() -> dict[str, Any]:
    views = settings_service().catalog.entities(tenant_id(app))
    return {"items": [_entity_body(view) for view in views], "next": None}


@app.post(
    "/v1/entities",
    summary="Define (or replace) an entity over any Odoo model",
    description="The Odoo model and fields are checked against the connection's Odoo; changing an "
    "existing entity's Odoo model is refused (409). Takes `Idempotency-Key`.",
    responses=documented(
        (201, EntityAnswer, "The entity was new"),
        (200, EntityAnswer, "The entity was replaced"),
    ),
)
def save_entity(body: Annotated[EntityInput, Body()]) -> Response[Any]:
    tenant = tenant_id(app)

    def work() -> Response[Any]:
        view, created = settings_service().save_entity(tenant, body)
        logger.info("entity saved", extra={"entity": body.name, "new": created})
        return _json(201 if created else 200, _entity_body(view))

    return idempotently(app, tenant, "save-entity", work)


@app.get(
    "/v1/entities/<entity>",
    summary="One entity: Odoo model, match keys, local fields",
    description="A preset or one of the tenant's entities, as a sync uses it.",
    responses=documented((200, EntityAnswer, "The entity")),
)
def get_entity(entity: EntityName) -> dict[str, Any]:
    return _entity_body(settings_service().get_entity(tenant_id(app), entity))


@app.put(
    "/v1/entities/<entity>/conflicts",
    summary="Set who wins a field changed on both sides, for a preset or a tenant entity",
    description="`{default, fields: {odoo_field: rule}}` with rules odoo, local, newest_wins or manual "
    "(held as a conflict); per-field keys must be fields of the Odoo model. Takes `Idempotency-Key`.",
    responses=documented((200, EntityAnswer, "The entity with its new policy")),
)
def set_conflict_policy(entity: EntityName, body: Annotated[ConflictPolicyInput, Body()]) -> Response[Any]:
    tenant = tenant_id(app)

    def work() -> Response[Any]:
        view = settings_service().set_conflict_policy(tenant, entity, body)
        logger.info("conflict policy set", extra={"entity": entity, "default": body.default.value})
        return _json(200, _entity_body(view))

    return idempotently(app, tenant, f"entity-conflicts#{entity}", work)


@app.delete(
    "/v1/entities/<entity>",
    summary="Remove a tenant entity and its mappings (not a preset)",
    description="The tenant's records of it stay; presets cannot be removed. Takes `Idempotency-Key`.",
    responses=documented((204, None, "Removed")),
)
def delete_entity(entity: EntityName) -> Response[Any]:
    tenant = tenant_id(app)

    def work() -> Response[Any]:
        settings_service().delete_entity(tenant, entity)
        logger.info("entity deleted", extra={"entity": entity})
        return Response(status_code=204)

    return idempotently(app, tenant, f"delete-entity#{entity}", work)


# field mappings


@app.get(
    "/v1/field-mappings",
    summary="Effective mappings: preset defaults merged with the tenant's own",
    description="What a sync applies, field by field, in one page (`next` is always null); "
    "`source` says whether a mapping is the preset's or the tenant's.",
    responses=documented((200, Listing[FieldMapping], "Every effective mapping")),
)
def list_mappings(
    entity: Annotated[
        str | None, Query(pattern=ENTITY_NAME_PATTERN, description="Only this entity's")
    ] = None,
) -> dict[str, Any]:
    mappings = settings_service().list_mappings(tenant_id(app), entity)
    return {"items": [mapping.model_dump(mode="json") for mapping in mappings], "next": None}


@app.post(
    "/v1/field-mappings",
    summary="Add a mapping, or replace the tenant's one for that field",
    description="Direct, transform or custom; per direction; with priority and required. Checked "
    "against the Odoo's real fields when saved. Takes `Idempotency-Key`.",
    responses=documented(
        (201, FieldMapping, "The mapping was new"),
        (200, FieldMapping, "The tenant's mapping for that field was replaced"),
    ),
)
def save_mapping(body: Annotated[MappingInput, Body()]) -> Response[Any]:
    tenant = tenant_id(app)

    def work() -> Response[Any]:
        saved = settings_service().save_mapping(tenant, body)
        logger.info("field mapping saved", extra={"mapping_id": saved.mapping.mapping_id})
        return _json(201 if saved.created else 200, saved.mapping.model_dump(mode="json"))

    return idempotently(app, tenant, "save-mapping", work)


@app.delete(
    "/v1/field-mappings/<mapping_id>",
    summary="Remove a tenant mapping (the preset applies again)",
    description="Only the tenant's own mappings can be removed. Takes `Idempotency-Key`.",
    responses=documented((204, None, "Removed")),
)
def delete_mapping(mapping_id: MappingId) -> Response[Any]:
    tenant = tenant_id(app)

    def work() -> Response[Any]:
        settings_service().delete_mapping(tenant, mapping_id)
        logger.info("field mapping deleted", extra={"mapping_id": mapping_id})
        return Response(status_code=204)

    return idempotently(app, tenant, f"delete-mapping#{mapping_id}", work)


# value maps


@app.get(
    "/v1/value-maps/<kind>",
    summary="A value map (the tenant's values to Odoo ids or keys)",
    description="Kinds: category, tax, uom, country, pricelist, selection; `name` tells several maps of a "
    "kind apart.",
    responses=documented((200, ValueMapAnswer, "The value map")),
)
def get_value_map(kind: Kind, name: MapName = "default") -> dict[str, Any]:
    return _value_map_body(settings_service().get_value_map(tenant_id(app), ValueMapKind(kind), name))


@app.put(
    "/v1/value-maps/<kind>",
    summary="Replace a value map",
    description="Entries are checked when saved: one Odoo value per local value and back, ids for "
    "model kinds, keys for selections. Takes `Idempotency-Key`.",
    responses=documented((200, ValueMapAnswer, "The value map as saved")),
)
def put_value_map(
    kind: Kind, body: Annotated[ValueMapInput, Body()], name: MapName = "default"
) -> Response[Any]:
    tenant = tenant_id(app)

    def work() -> Response[Any]:
        view = settings_service().put_value_map(tenant, ValueMapKind(kind), name, body)
        logger.info("value map saved", extra={"kind": kind, "map_name": name, "entries": len(body.entries)})
        return _json(200, _value_map_body(view))

    return idempotently(app, tenant, f"put-value-map#{kind}#{name}", work)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST, clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return resolve(app, event, context)
