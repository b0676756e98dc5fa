"""Tenants and API keys in the configuration table.

Items:
  pk=TENANT#<tenant_id>  sk=TENANT                              the tenant
  pk=TENANTS             sk=TENANT#<created_at>#<tenant_id>     the operator's list of tenants
  pk=TENANT#<tenant_id>  sk=APIKEY#<key_id>                     a key as listed under its tenant
  pk=APIKEY#<sha256>     sk=APIKEY                              the lookup item the authorizer reads

The operator's list is one partition written in the tenant's own creating transaction, so
`GET /v1/admin/tenants` pages through a query, oldest first, and never scans the table (tenants
are created rarely: one partition takes their writes easily). Revoking a key deletes its lookup
item and stamps the listed one, in one transaction: the authorizer reads the lookup item
consistently, so the next evaluation after the revocation refuses the key.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

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


def _listed_key(tenant_id: str, key_id: str) -> dict[str, str]:
    return {"pk": tenant_pk(tenant_id), "sk": f"{_KEY_PREFIX}{key_id}"}


class DynamoTenantRepository:
    def __init__(self, table: Table) -> None:
        self._table = table

    def create_tenant(self, tenant: Tenant, first_key: StoredApiKey) -> None:
        body = tenant.model_dump(mode="json")
        tenant_item = {"pk": tenant_pk(tenant.tenant_id), "sk": "TENANT", **body}
        listed = {
            "pk": TENANT_LIST_PK,
            "sk": f"{_TENANT_LIST_PREFIX}{tenant.created_at}#{tenant.tenant_id}",
            **TenantSummary.model_validate(body).model_dump(mode="json"),
        }
        try:
            put_new_items(
                self._table, [tenant_item, listed, *self._key_items(first_key)], "create the tenant"
            )
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
