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
from pydantic import BaseModel, Field

from odoo_sync.api.answers import documented, error_responses
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

SUBSCRIPTION_ID = Annotated[
    str, Path(pattern=SUBSCRIPTION_ID_PATTERN, description="Subscription id: whk_ and 16 hex digits")
]
NEXT_PAGE = "Pass as `cursor` for the next page; null at the end"


class SubscriptionPage(BaseModel):
    items: list[SubscriptionView] = Field(description="Subscriptions, by id; never a secret")
    next: str | None = Field(description=NEXT_PAGE)


class DeliveryPage(BaseModel):
    items: list[DeliveryRecord] = Field(description="Deliveries, newest first, as of their last attempt")
    next: str | None = Field(description=NEXT_PAGE)


FEED_DESCRIPTION = """Every change applied from Odoo to the tenant's records (by imports, deltas,
schedules and Odoo's webhook notices), oldest first, in the order applied. Numbers (`sequence`)
are gapless and increasing: a reader that resumes after a number never misses a change committed
later with a smaller one.

Read from the start without `cursor`, then always pass the `next` of the last page: `next` is
given on every page, also at the end. `has_more: true` means more changes are there now (read
on at once); `false` means this was the end for now (poll again later with the same `next`).
With `entity`, the feed is that entity's own, numbered on its own; a cursor belongs to the feed
it was read from, so keep the same `entity` when resuming.

Changes are kept 30 days (the CHANGE_RETENTION_DAYS setting); a cursor older than that is
refused (400 invalid_input, field `cursor`), as changes after it may have expired: read again
without one. Delivery is at least once: deduplicate on `id`. Decimals in `data` are text
("453.07"), as pushes take them. The same items are POSTed to webhook subscriptions."""


@app.get(
    "/v1/changes",
    summary="Record changes that came from Odoo, in the order applied; resume with `next`",
    description=FEED_DESCRIPTION,
    responses={
        **documented((200, ChangePage, "A page of changes, `next` and `has_more`")),
        **error_responses(HTTPStatus.BAD_REQUEST, HTTPStatus.UNPROCESSABLE_ENTITY),
    },
)
def list_changes(
    *,
    entity: Annotated[
        str | None,
        Query(
            pattern=ENTITY_NAME_PATTERN,
            description="Only this entity's changes (its own feed); omitted: every entity",
        ),
    ] = None,
    cursor: Annotated[
        str | None,
        Query(
            max_length=512,
            description="The `next` of the previous page; omitted: from the oldest change kept",
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500, description="Changes per page, 1 to 500")] = 100,
) -> ChangePage:
    return change_sink().read(tenant_id(app), ChangeQuery(entity=entity, cursor=cursor, limit=limit))


SUBSCRIBE_DESCRIPTION = """Registers a URL to which every change of the feed (or of the listed
entities) is POSTed as `{id, type, created_at, data}`: `id` is the delivery id (also in the
`X-OdooSync-Delivery` header; deduplicate on it), `type` and `data` as in GET /v1/changes.
Deliveries are signed: `X-OdooSync-Signature: v1=<hex HMAC-SHA256 of "<X-OdooSync-Timestamp>.<body>">`
with the secret (after a rotation, one `v1=` per valid secret). A 2xx answer is a success; a 4xx
other than 408 and 429 fails the delivery for good; anything else is retried with backoff (30 s
doubling, at most 1 hour) up to 10 attempts. The URL must be https and resolve to a public
address, checked now and at every delivery; redirects are not followed.

Answers 201 with the subscription and its signing secret, shown in this answer only. With
`Idempotency-Key`, a replay answers the same subscription with `secret: null` (secrets are never
stored in clear): rotate the secret to get a new one. At most 20 subscriptions per tenant (422)."""


@app.post(
    "/v1/webhook-subscriptions",
    summary="Register a URL for signed change deliveries; 201 with the signing secret, shown once",
    description=SUBSCRIBE_DESCRIPTION,
    responses={
        **documented(
            (201, SubscriptionCreated, "The subscription, with its signing secret (this answer only)")
        ),
        **error_responses(
            HTTPStatus.BAD_REQUEST,
            HTTPStatus.CONFLICT,
            HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
            HTTPStatus.UNPROCESSABLE_ENTITY,
        ),
    },
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
    description="Pages of subscriptions, by id: pass `next` as `cursor` until it is null.",
    responses={
        **documented((200, SubscriptionPage, "A page of subscriptions and `next`")),
        **error_responses(HTTPStatus.BAD_REQUEST, HTTPStatus.UNPROCESSABLE_ENTITY),
    },
)
def list_subscriptions(
    *,
    limit: Annotated[int, Query(ge=1, le=100, description="Subscriptions per page, 1 to 100")] = 50,
    cursor: Annotated[
        str | None, Query(max_length=1024, description="The `next` of the previous page; omitted: the first")
    ] = None,
) -> SubscriptionPage:
    items, next_cursor = webhook_service().list(tenant_id(app), limit, cursor)
    return SubscriptionPage(items=items, next=next_cursor)


@app.get(
    "/v1/webhook-subscriptions/<subscription_id>",
    summary="One subscription (never a secret)",
    description="404 for an id the tenant does not have (another tenant's too).",
    responses={
        **documented((200, SubscriptionView, "The subscription")),
        **error_responses(HTTPStatus.NOT_FOUND, HTTPStatus.UNPROCESSABLE_ENTITY),
    },
)
def get_subscription(subscription_id: SUBSCRIPTION_ID) -> SubscriptionView:
    return webhook_service().get(tenant_id(app), subscription_id)


@app.delete(
    "/v1/webhook-subscriptions/<subscription_id>",
    summary="Stop deliveries and forget the secret",
    description="204; deliveries already queued are dropped when they come up. 404 for an unknown id.",
    responses={
        **documented((204, None, "Deleted")),
        **error_responses(HTTPStatus.NOT_FOUND, HTTPStatus.UNPROCESSABLE_ENTITY),
    },
)
def delete_subscription(subscription_id: SUBSCRIPTION_ID) -> Response[None]:
    webhook_service().delete(tenant_id(app), subscription_id)
    logger.info("webhook subscription deleted", extra={"subscription_id": subscription_id})
    return Response(status_code=HTTPStatus.NO_CONTENT)


ROTATE_DESCRIPTION = """A new signing secret, shown in this answer only. The previous secret keeps
signing beside it for 24 hours (`previous_secret_expires_at`): deliveries carry one `v1=`
signature per valid secret, so a receiver can switch without dropping any. With
`Idempotency-Key`, a replay answers `secret: null`. Takes no body."""


@app.post(
    "/v1/webhook-subscriptions/<subscription_id>/rotate-secret",
    summary="A new signing secret, shown once; the previous one keeps signing for 24 hours",
    description=ROTATE_DESCRIPTION,
    responses={
        **documented(
            (200, SecretRotated, "The new secret (this answer only) and when the previous one stops signing")
        ),
        **error_responses(HTTPStatus.NOT_FOUND, HTTPStatus.CONFLICT, HTTPStatus.UNPROCESSABLE_ENTITY),
    },
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
    description="""One entry per delivery (change and subscription), as of its last attempt, newest
first; pass `next` as `cursor` until it is null. Entries expire with the changes (30 days, the
CHANGE_RETENTION_DAYS setting). 404 for a subscription the tenant does not have.""",
    responses={
        **documented((200, DeliveryPage, "A page of deliveries and `next`")),
        **error_responses(HTTPStatus.BAD_REQUEST, HTTPStatus.NOT_FOUND, HTTPStatus.UNPROCESSABLE_ENTITY),
    },
)
def list_deliveries(
    subscription_id: SUBSCRIPTION_ID,
    *,
    limit: Annotated[int, Query(ge=1, le=200, description="Deliveries per page, 1 to 200")] = 50,
    cursor: Annotated[
        str | None, Query(max_length=2048, description="The `next` of the previous page; omitted: the newest")
    ] = None,
) -> DeliveryPage:
    tenant = tenant_id(app)
    webhook_service().load(tenant, subscription_id)  # another tenant's id: 404
    items, next_cursor = delivery_log().list(tenant, subscription_id, limit, cursor)
    return DeliveryPage(items=items, next=next_cursor)


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
