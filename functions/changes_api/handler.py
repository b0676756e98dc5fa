"""The change feed (`GET /v1/changes`) and outbound webhook subscriptions with their delivery log.

A signing secret appears only in the answer that creates or rotates it. With `Idempotency-Key`,
a replayed answer confirms the subscription (or rotation) but carries `secret: null`: the
idempotency store keeps answers in clear, so the secret is never put there; a client that lost
the first answer rotates the secret to get a new one.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated, Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from odoo_sync.api.answers import Listing, documented
from odoo_sync.api.dependencies import change_sink, delivery_log, webhook_service
from odoo_sync.api.idempotency import idempotently
from odoo_sync.api.identity import tenant_id
from odoo_sync.api.resolver import build_resolver, resolve
from odoo_sync.core.changes import ChangePage, ChangeQuery
from odoo_sync.core.outbound_webhooks import (
    SUBSCRIPTION_ID_PATTERN,
    SecretRotated,
    SubscriptionCreated,
    SubscriptionInput,
    SubscriptionView,
)
from odoo_sync.core.webhook_delivery import DeliveryRecord
from odoo_sync.sync.model import ENTITY_NAME_PATTERN

logger = Logger()
app = build_resolver()

SUBSCRIPTION_ID = Annotated[str, Path(pattern=SUBSCRIPTION_ID_PATTERN, description="Subscription id")]


@app.get(
    "/v1/changes",
    summary="Record changes that came from Odoo, in the order applied; resume with `next`",
    description="A gapless, ordered feed per tenant (and per entity): every change applied from Odoo, "
    "by import, delta or webhook. Keep `next` and ask again with it to get only what is new.",
)
def list_changes(
    *,
    entity: Annotated[
        str | None, Query(pattern=ENTITY_NAME_PATTERN, description="Only this entity's feed")
    ] = None,
    cursor: Annotated[str | None, Query(max_length=512, description="`next` of the previous read")] = None,
    limit: Annotated[int, Query(ge=1, le=500, description="At most this many")] = 100,
) -> ChangePage:
    return change_sink().read(tenant_id(app), ChangeQuery(entity=entity, cursor=cursor, limit=limit))


@app.post(
    "/v1/webhook-subscriptions",
    summary="Register a URL for signed change deliveries; 201 with the signing secret, shown once",
    description="Each change is POSTed to the URL signed with HMAC-SHA256, retried with backoff and "
    "logged per delivery. The secret is in this answer only (a replay with the same Idempotency-Key "
    "carries `secret: null`).",
    responses=documented((201, SubscriptionCreated, "The subscription and its signing secret")),
)
def create_subscription(body: Annotated[SubscriptionInput, Body()]) -> Response[Any]:
    tenant = tenant_id(app)
    fresh: dict[str, str] = {}

    def work() -> Response[Any]:
        created = webhook_service().create(tenant, body)
        logger.info("webhook subscription created", extra={"subscription_id": created.subscription_id})
        if created.secret is not None:
            fresh["secret"] = created.secret
        return _json(HTTPStatus.CREATED, created.model_dump(mode="json") | {"secret": None})

    return _with_fresh_secret(idempotently(app, tenant, "webhook-subscription", work), fresh)


@app.get(
    "/v1/webhook-subscriptions",
    summary="The tenant's webhook subscriptions (never a secret)",
    description="A page of subscriptions; follow `next` with `cursor`.",
    responses=documented((200, Listing[SubscriptionView], "A page of subscriptions")),
)
def list_subscriptions(
    *,
    limit: Annotated[int, Query(ge=1, le=100, description="At most this many")] = 50,
    cursor: Annotated[str | None, Query(max_length=1024, description="`next` of the previous page")] = None,
) -> dict[str, Any]:
    items, next_cursor = webhook_service().list(tenant_id(app), limit, cursor)
    return {"items": [item.model_dump(mode="json") for item in items], "next": next_cursor}


@app.get(
    "/v1/webhook-subscriptions/<subscription_id>",
    summary="One subscription (never a secret)",
    description="Its URL, entities and when its secret was last rotated.",
)
def get_subscription(subscription_id: SUBSCRIPTION_ID) -> SubscriptionView:
    return webhook_service().get(tenant_id(app), subscription_id)


@app.delete(
    "/v1/webhook-subscriptions/<subscription_id>",
    summary="Stop deliveries and forget the secret",
    description="Nothing more is delivered to it; the sealed secret is deleted.",
    responses=documented((204, None, "Removed")),
)
def delete_subscription(subscription_id: SUBSCRIPTION_ID) -> Response[None]:
    webhook_service().delete(tenant_id(app), subscription_id)
    logger.info("webhook subscription deleted", extra={"subscription_id": subscription_id})
    return Response(status_code=HTTPStatus.NO_CONTENT)


@app.post(
    "/v1/webhook-subscriptions/<subscription_id>/rotate-secret",
    summary="A new signing secret, shown once; the previous one keeps signing for 24 hours",
    description="Deliveries carry both signatures until the previous secret expires, so the receiver "
    "can switch without losing one.",
    responses=documented((200, SecretRotated, "The new secret, and when the previous one stops signing")),
)
def rotate_secret(subscription_id: SUBSCRIPTION_ID) -> Response[Any]:
    tenant = tenant_id(app)
    fresh: dict[str, str] = {}

    def work() -> Response[Any]:
        rotated = webhook_service().rotate_secret(tenant, subscription_id)
        logger.info("webhook secret rotated", extra={"subscription_id": subscription_id})
        if rotated.secret is not None:
            fresh["secret"] = rotated.secret
        return _json(HTTPStatus.OK, rotated.model_dump(mode="json") | {"secret": None})

    answer = idempotently(app, tenant, f"webhook-rotate#{subscription_id}", work)
    return _with_fresh_secret(answer, fresh)


@app.get(
    "/v1/webhook-subscriptions/<subscription_id>/deliveries",
    summary="The subscription's delivery log, newest first: status, attempts, last status code and error",
    description="One entry per change delivered (or given up after the last attempt).",
    responses=documented((200, Listing[DeliveryRecord], "A page of deliveries, newest first")),
)
def list_deliveries(
    subscription_id: SUBSCRIPTION_ID,
    *,
    limit: Annotated[int, Query(ge=1, le=200, description="At most this many")] = 50,
    cursor: Annotated[str | None, Query(max_length=2048, description="`next` of the previous page")] = None,
) -> dict[str, Any]:
    tenant = tenant_id(app)
    webhook_service().load(tenant, subscription_id)  # another tenant's id: 404
    items, next_cursor = delivery_log().list(tenant, subscription_id, limit, cursor)
    return {"items": [item.model_dump(mode="json") for item in items], "next": next_cursor}


def _with_fresh_secret(answer: Response[Any], fresh: dict[str, str]) -> Response[Any]:
    """Put the secret into the answer after the idempotency store kept its copy without it."""
    if "secret" not in fresh or not isinstance(answer.body, dict):
        return answer
    return _json(HTTPStatus(answer.status_code), answer.body | {"secret": fresh["secret"]})


def _json(status: HTTPStatus, body: dict[str, Any]) -> Response[Any]:
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=body)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST, clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return resolve(app, event, context)
