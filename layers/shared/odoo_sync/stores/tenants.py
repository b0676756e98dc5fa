"""Tenants and API keys in the configuration table.

Items:
  pk=TENANT#<tenant_id>  sk=TENANT                              the tenant
  pk=TENANTS             sk=TENANT#<created_at>#<tenant_id>     the operator's list of tenants
  pk=TENANT#<tenant_id>  sk=APIKEY#<key_id>                     a key as listed under its tenant
  pk=APIKEY#<sha256>     sk=APIKEY                              the lookup item the authorizer reads

The operator's list is one partition written in the tenant's own creating transaction, so
`GET /v1/admin/tenants` pages through a query, oldest first, and never scans the table (tenants
are created rarely: one partition takes their writes easily); tenants created before the list
existed join it with `list_unlisted_tenants`, once. Revoking a key deletes its lookup
item and stamps the listed one, in one transaction: the authorizer reads the lookup item
consistently, so the next evaluation after the revocation refuses the key.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from boto3.dynamodb.conditions import Attr

from odoo_sync.core.tenants import StoredApiKey, Tenant, TenantSummary
from odoo_sync.errors import ConflictError
from odoo_sync.stores.dynamodb import (
    ConditionFailedError,
    put_new_items,
    query_page,
    storage_errors,
    strip_keys,
)

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table

TENANT_LIST_PK = "TENANTS"
_TENANT_LIST_PREFIX = "TENANT#"
_KEY_PREFIX = "APIKEY#"
_NOT_REVOKED = "attribute_exists(pk) AND attribute_not_exists(revoked_at)"


def tenant_pk(tenant_id: str) -> str:
    return f"TENANT#{tenant_id}"


def _lookup_key(key_hash: str) -> dict[str, str]:
    return {"pk": f"APIKEY#{key_hash}", "sk": "APIKEY"}


def _listed_tenant(tenant: Tenant) -> dict[str, Any]:
    summary = TenantSummary.model_validate(tenant.model_dump(mode="json"))
    return {
        "pk": TENANT_LIST_PK,
        "sk": f"{_TENANT_LIST_PREFIX}{tenant.created_at}#{tenant.tenant_id}",
        **summary.model_dump(mode="json"),
    }


def _listed_key(tenant_id: str, key_id: str) -> dict[str, str]:
    return {"pk": tenant_pk(tenant_id), "sk": f"{_KEY_PREFIX}{key_id}"}


class DynamoTenantRepository:
    def __init__(self, table: Table) -> None:
        self._table = table

    def create_tenant(self, tenant: Tenant, first_key: StoredApiKey) -> None:
        tenant_item = {"pk": tenant_pk(tenant.tenant_id), "sk": "TENANT", **tenant.model_dump(mode="json")}
        items = [tenant_item, _listed_tenant(tenant), *self._key_items(first_key)]
        try:
            put_new_items(self._table, items, "create the tenant")
        except ConditionFailedError as exc:
            raise ConflictError("the tenant already exists") from exc

    def get_tenant(self, tenant_id: str) -> Tenant | None:
        with storage_errors("read the tenant"):
            item = self._table.get_item(Key={"pk": tenant_pk(tenant_id), "sk": "TENANT"}).get("Item")
        return Tenant.model_validate(strip_keys(item)) if item else None

    def list_tenants(self, limit: int, cursor: str | None) -> tuple[list[TenantSummary], str | None]:
        items, next_cursor = query_page(
            self._table, TENANT_LIST_PK, _TENANT_LIST_PREFIX, limit, cursor, action="list tenants"
        )
        return [TenantSummary.model_validate(strip_keys(item)) for item in items], next_cursor

    def list_unlisted_tenants(self) -> int:
        """Put tenants created before the operator's list existed on it; answers how many.

        A one-off after upgrading (it scans the table once); tenants already listed are left alone."""
        query: dict[str, Any] = {"FilterExpression": Attr("sk").eq("TENANT")}
        added = 0
        while True:
            with storage_errors("find the tenants"):
                page = self._table.scan(**query)
            for item in page.get("Items", []):
                tenant = Tenant.model_validate(strip_keys(item))
                try:
                    put_new_items(self._table, [_listed_tenant(tenant)], "list the tenant")
                    added += 1
                except ConditionFailedError:
                    pass  # listed already
            if "LastEvaluatedKey" not in page:
                return added
            query["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def add_api_key(self, key: StoredApiKey) -> None:
        try:
            put_new_items(self._table, self._key_items(key), "store the API key")
        except ConditionFailedError as exc:
            raise ConflictError("the API key already exists") from exc

    def find_api_key(self, key_hash: str) -> StoredApiKey | None:
        with storage_errors("look up the API key"):
            item = self._table.get_item(Key=_lookup_key(key_hash), ConsistentRead=True).get("Item")
        return StoredApiKey.model_validate(strip_keys(item)) if item else None

    def get_api_key(self, tenant_id: str, key_id: str) -> StoredApiKey | None:
        with storage_errors("read the API key"):
            item = self._table.get_item(Key=_listed_key(tenant_id, key_id), ConsistentRead=True).get("Item")
        return StoredApiKey.model_validate(strip_keys(item)) if item else None

    def list_api_keys(
        self, tenant_id: str, limit: int, cursor: str | None
    ) -> tuple[list[StoredApiKey], str | None]:
        items, next_cursor = query_page(
            self._table, tenant_pk(tenant_id), _KEY_PREFIX, limit, cursor, action="list API keys"
        )
        return [StoredApiKey.model_validate(strip_keys(item)) for item in items], next_cursor

    def revoke_api_key(self, key: StoredApiKey, revoked_at: str) -> None:
        try:
            with storage_errors("revoke the API key"):
                self._table.meta.client.transact_write_items(
                    TransactItems=[
                        {"Delete": {"TableName": self._table.name, "Key": _lookup_key(key.key_hash)}},
                        {
                            "Update": {
                                "TableName": self._table.name,
                                "Key": _listed_key(key.tenant_id, key.key_id),
                                "UpdateExpression": "SET revoked_at = :at",
                                "ConditionExpression": _NOT_REVOKED,
                                "ExpressionAttributeValues": {":at": revoked_at},
                            }
                        },
                    ]
                )
        except ConditionFailedError:
            return  # revoked meanwhile by another request: it is revoked either way

    @staticmethod
    def _key_items(key: StoredApiKey) -> list[dict[str, Any]]:
        body = {name: value for name, value in key.model_dump(mode="json").items() if value is not None}
        return [
            {**_listed_key(key.tenant_id, key.key_id), **body},
            {**_lookup_key(key.key_hash), **body},
        ]
