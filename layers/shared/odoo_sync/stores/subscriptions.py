"""Webhook subscriptions in the configuration table: pk=TENANT#<tenant_id>, sk=WEBHOOK#<subscription_id>.

The signing secrets are stored sealed (KMS envelope); updates are conditional on the version read.
The per-tenant limit is checked by a count before the write: two concurrent registrations may
pass it by one, which only bounds the fan-out, so it is not worth a transaction.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from boto3.dynamodb.conditions import Key

from odoo_sync.core.outbound_webhooks import StoredSubscription
from odoo_sync.errors import ConflictError, UnprocessableError
from odoo_sync.stores.dynamodb import (
    ConditionFailedError,
    query_page,
    storage_errors,
    strip_keys,
    to_item,
)
from odoo_sync.stores.tenants import tenant_pk

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table

_SK_PREFIX = "WEBHOOK#"


class DynamoSubscriptionRepository:
    """core.outbound_webhooks.SubscriptionRepository on DynamoDB."""

    def __init__(self, table: Table) -> None:
        self._table = table

    def put_new(self, subscription: StoredSubscription, limit: int) -> None:
        if self._count(subscription.tenant_id) >= limit:
            raise UnprocessableError([("url", f"a tenant may have at most {limit} webhook subscriptions")])
        try:
            with storage_errors("store the webhook subscription"):
                self._table.put_item(Item=_item(subscription), ConditionExpression="attribute_not_exists(pk)")
        except ConditionFailedError as exc:
            raise ConflictError("a subscription with this id already exists") from exc

    def replace(self, subscription: StoredSubscription, expected_version: int) -> None:
        try:
            with storage_errors("update the webhook subscription"):
                self._table.put_item(
                    Item=_item(subscription),
                    ConditionExpression="attribute_exists(pk) AND version = :expected",
                    ExpressionAttributeValues={":expected": expected_version},
                )
        except ConditionFailedError as exc:
            raise ConflictError("the subscription was changed or deleted meanwhile") from exc

    def get(self, tenant_id: str, subscription_id: str) -> StoredSubscription | None:
        with storage_errors("read the webhook subscription"):
            item = self._table.get_item(Key=_key(tenant_id, subscription_id), ConsistentRead=True).get("Item")
        return StoredSubscription.model_validate(strip_keys(item)) if item else None

    def active(self, tenant_id: str) -> list[StoredSubscription]:
        """Every subscription of the tenant (a bounded number), for fanning a change out."""
        found: list[StoredSubscription] = []
        cursor: str | None = None
        while True:
            page, cursor = self.list(tenant_id, 100, cursor)
            found.extend(item for item in page if item.status == "active")
            if cursor is None:
                return found

    def list(
        self, tenant_id: str, limit: int, cursor: str | None
    ) -> tuple[list[StoredSubscription], str | None]:
        page, next_cursor = query_page(
            self._table, tenant_pk(tenant_id), _SK_PREFIX, limit, cursor, action="list webhook subscriptions"
        )
        return [StoredSubscription.model_validate(strip_keys(item)) for item in page], next_cursor

    def delete(self, tenant_id: str, subscription_id: str) -> bool:
        with storage_errors("delete the webhook subscription"):
            answer = self._table.delete_item(Key=_key(tenant_id, subscription_id), ReturnValues="ALL_OLD")
        return "Attributes" in answer

    def _count(self, tenant_id: str) -> int:
        with storage_errors("count webhook subscriptions"):
            answer = self._table.query(
                KeyConditionExpression=Key("pk").eq(tenant_pk(tenant_id)) & Key("sk").begins_with(_SK_PREFIX),
                Select="COUNT",
            )
        return int(answer.get("Count", 0))


def _key(tenant_id: str, subscription_id: str) -> dict[str, str]:
    return {"pk": tenant_pk(tenant_id), "sk": f"{_SK_PREFIX}{subscription_id}"}


def _item(subscription: StoredSubscription) -> dict[str, Any]:
    return to_item(subscription, **_key(subscription.tenant_id, subscription.subscription_id))
