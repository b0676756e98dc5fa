"""Tenants and API keys in the configuration table.

Items:
  pk=TENANT#<tenant_id>  sk=TENANT              the tenant
  pk=TENANT#<tenant_id>  sk=APIKEY#<key_id>     a key as listed under its tenant (with its hash)
  pk=APIKEY#<sha256>     sk=APIKEY              the lookup item the authorizer reads
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from odoo_sync.core.tenants import StoredApiKey, Tenant
from odoo_sync.errors import ConflictError
from odoo_sync.stores.dynamodb import ConditionFailedError, put_new_items, storage_errors, strip_keys

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table


def tenant_pk(tenant_id: str) -> str:
    return f"TENANT#{tenant_id}"


class DynamoTenantRepository:
    def __init__(self, table: Table) -> None:
        self._table = table

    def create_tenant(self, tenant: Tenant, first_key: StoredApiKey) -> None:
        tenant_item = {"pk": tenant_pk(tenant.tenant_id), "sk": "TENANT", **tenant.model_dump(mode="json")}
        try:
            put_new_items(self._table, [tenant_item, *self._key_items(first_key)], "create the tenant")
        except ConditionFailedError as exc:
            raise ConflictError("the tenant already exists") from exc

    def get_tenant(self, tenant_id: str) -> Tenant | None:
        with storage_errors("read the tenant"):
            item = self._table.get_item(Key={"pk": tenant_pk(tenant_id), "sk": "TENANT"}).get("Item")
        return Tenant.model_validate(strip_keys(item)) if item else None

    def add_api_key(self, key: StoredApiKey) -> None:
        try:
            put_new_items(self._table, self._key_items(key), "store the API key")
        except ConditionFailedError as exc:
            raise ConflictError("the API key already exists") from exc

    def find_api_key(self, key_hash: str) -> StoredApiKey | None:
        with storage_errors("look up the API key"):
            item = self._table.get_item(Key={"pk": f"APIKEY#{key_hash}", "sk": "APIKEY"}).get("Item")
        return StoredApiKey.model_validate(strip_keys(item)) if item else None

    @staticmethod
    def _key_items(key: StoredApiKey) -> list[dict[str, Any]]:
        body = key.model_dump(mode="json")
        return [
            {"pk": tenant_pk(key.tenant_id), "sk": f"APIKEY#{key.key_id}", **body},
            {"pk": f"APIKEY#{key.key_hash}", "sk": "APIKEY", **body},
        ]
