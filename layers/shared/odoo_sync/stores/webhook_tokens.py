"""Odoo webhook tokens in the configuration table, and their per-minute counters.

Config table items (the same body in both):
  pk=TENANT#<tenant_id>   sk=WEBHOOKTOKEN#<connection_id>   the connection's token (its hash)
  pk=WEBHOOK#<sha256>     sk=WEBHOOK                        the lookup item the receiver reads
Operations table item:
  pk=WEBHOOKRATE#<tenant_id>#<connection_id>  sk=WINDOW     {window: minute number, count}
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from odoo_sync.core.webhook_tokens import WebhookToken
from odoo_sync.errors import ConflictError
from odoo_sync.stores.dynamodb import ConditionFailedError, storage_errors, strip_keys
from odoo_sync.stores.tenants import tenant_pk

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table

_LOOKUP_SK = "WEBHOOK"
_WINDOW_S = 60


def _connection_key(tenant_id: str, connection_id: str) -> dict[str, str]:
    return {"pk": tenant_pk(tenant_id), "sk": f"WEBHOOKTOKEN#{connection_id}"}


def _lookup_key(token_hash: str) -> dict[str, str]:
    return {"pk": f"WEBHOOK#{token_hash}", "sk": _LOOKUP_SK}


class DynamoWebhookTokens:
    """core.webhook_tokens.WebhookTokenRepository on DynamoDB."""

    def __init__(self, table: Table) -> None:
        self._table = table

    def get_for_connection(self, tenant_id: str, connection_id: str) -> WebhookToken | None:
        with storage_errors("read the webhook token"):
            item = self._table.get_item(Key=_connection_key(tenant_id, connection_id)).get("Item")
        return WebhookToken.model_validate(strip_keys(item)) if item else None

    def find(self, token_hash: str) -> WebhookToken | None:
        with storage_errors("look up the webhook token"):
            item = self._table.get_item(Key=_lookup_key(token_hash)).get("Item")
        return WebhookToken.model_validate(strip_keys(item)) if item else None

    def replace(self, new: WebhookToken, previous: WebhookToken | None) -> None:
        body = new.model_dump(mode="json")
        owner = _connection_key(new.tenant_id, new.connection_id)
        owner_put: dict[str, Any] = {"TableName": self._table.name, "Item": {**owner, **body}}
        if previous is None:
            owner_put["ConditionExpression"] = "attribute_not_exists(pk)"
        else:
            owner_put["ConditionExpression"] = "token_hash = :previous"
            owner_put["ExpressionAttributeValues"] = {":previous": previous.token_hash}
        items: list[dict[str, Any]] = [
            {"Put": owner_put},
            {
                "Put": {
                    "TableName": self._table.name,
                    "Item": {**_lookup_key(new.token_hash), **body},
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
        ]
        if previous is not None:
            items.append({"Delete": {"TableName": self._table.name, "Key": _lookup_key(previous.token_hash)}})
        try:
            with storage_errors("store the webhook token"):
                self._table.meta.client.transact_write_items(TransactItems=items)  # type: ignore[arg-type]
        except ConditionFailedError as exc:
            raise ConflictError("the connection's webhook token changed meanwhile; try again") from exc

    def set_models(self, token: WebhookToken, models: list[str]) -> None:
        keys = [_connection_key(token.tenant_id, token.connection_id), _lookup_key(token.token_hash)]
        items: list[Any] = [
            {
                "Update": {
                    "TableName": self._table.name,
                    "Key": key,
                    "UpdateExpression": "SET models = :models",
                    "ConditionExpression": "token_hash = :hash",
                    "ExpressionAttributeValues": {":models": models, ":hash": token.token_hash},
                }
            }
            for key in keys
        ]
        try:
            with storage_errors("store the webhook token's models"):
                self._table.meta.client.transact_write_items(TransactItems=items)
        except ConditionFailedError as exc:
            raise ConflictError("the connection's webhook token changed meanwhile; try again") from exc

    def revoke_for_connection(self, tenant_id: str, connection_id: str) -> None:
        token = self.get_for_connection(tenant_id, connection_id)
        if token is not None:
            self.revoke(token)

    def revoke(self, token: WebhookToken) -> None:
        try:
            with storage_errors("remove the webhook token"):
                self._table.meta.client.transact_write_items(
                    TransactItems=[
                        {
                            "Delete": {
                                "TableName": self._table.name,
                                "Key": _connection_key(token.tenant_id, token.connection_id),
                                "ConditionExpression": "token_hash = :hash",
                                "ExpressionAttributeValues": {":hash": token.token_hash},
                            }
                        },
                        {"Delete": {"TableName": self._table.name, "Key": _lookup_key(token.token_hash)}},
                    ]
                )
        except ConditionFailedError as exc:
            raise ConflictError("the connection's webhook token changed meanwhile; try again") from exc


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    retry_after_s: int = 0


class DynamoWebhookRateLimiter:
    """At most `limit` notices per connection per clock minute, counted with conditional writes.

    One item per connection: the counter is bumped only while it is below the limit in the
    current minute, or restarted at 1 when its minute has passed; when neither condition holds the
    minute is full. Two writers restarting the same minute at once cost one retry, never a lost count.
    """

    def __init__(self, table: Table, limit: int, *, clock: Callable[[], float] = time.time) -> None:
        self._table = table
        self._limit = limit
        self._clock = clock

    def allow(self, tenant_id: str, connection_id: str) -> RateDecision:
        now = self._clock()
        window = int(now // _WINDOW_S)
        key = {"pk": f"WEBHOOKRATE#{tenant_id}#{connection_id}", "sk": "WINDOW"}
        for _ in range(2):
            if self._bump(key, window) or self._restart(key, window):
                return RateDecision(allowed=True)
        return RateDecision(allowed=False, retry_after_s=max(1, _WINDOW_S - int(now % _WINDOW_S)))

    def _bump(self, key: dict[str, str], window: int) -> bool:
        return self._conditional_update(
            key,
            "SET #count = #count + :one",
            "#window = :window AND #count < :limit",
            {":one": 1, ":window": window, ":limit": self._limit},
        )

    def _restart(self, key: dict[str, str], window: int) -> bool:
        return self._conditional_update(
            key,
            "SET #count = :one, #window = :window",
            "attribute_not_exists(#window) OR #window < :window",
            {":one": 1, ":window": window},
        )

    def _conditional_update(
        self, key: dict[str, str], update: str, condition: str, values: dict[str, int]
    ) -> bool:
        try:
            with storage_errors("count the webhook notice"):
                self._table.update_item(
                    Key=key,
                    UpdateExpression=update,
                    ConditionExpression=condition,
                    ExpressionAttributeNames={"#count": "count", "#window": "window"},
                    ExpressionAttributeValues=values,
                )
        except ConditionFailedError:
            return False
        return True
