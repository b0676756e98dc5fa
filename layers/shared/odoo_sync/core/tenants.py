"""Tenants and their API keys."""

from __future__ import annotations

from enum import StrEnum
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field

from odoo_sync.core.ids import iso, new_id, utc_now
from odoo_sync.errors import NotFoundError
from odoo_sync.security import api_keys


class TenantStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"


class Tenant(BaseModel):
    model_config = ConfigDict(frozen=True)

    tenant_id: str
    name: str
    status: TenantStatus = TenantStatus.ACTIVE
    created_at: str


class StoredApiKey(BaseModel):
    """An API key as kept: its hash, never the key."""

    model_config = ConfigDict(frozen=True)

    key_id: str
    tenant_id: str
    key_hash: str
    name: str
    prefix: str
    created_at: str


class IssuedApiKey(BaseModel):
    """An API key as handed out, exactly once."""

    key_id: str
    tenant_id: str
    name: str
    api_key: str = Field(description="Shown once; only its hash is stored.")
    created_at: str


class TenantRepository(Protocol):
    def create_tenant(self, tenant: Tenant, first_key: StoredApiKey) -> None: ...
    def get_tenant(self, tenant_id: str) -> Tenant | None: ...
    def add_api_key(self, key: StoredApiKey) -> None: ...
    def find_api_key(self, key_hash: str) -> StoredApiKey | None: ...


class TenantService:
    def __init__(self, repository: TenantRepository) -> None:
        self._repository = repository

    def create_tenant(self, name: str, key_name: str = "default") -> tuple[Tenant, IssuedApiKey]:
        tenant = Tenant(tenant_id=new_id("ten"), name=name, created_at=iso(utc_now()))
        stored, issued = _new_key(tenant.tenant_id, key_name)
        self._repository.create_tenant(tenant, stored)
        return tenant, issued

    def issue_api_key(self, tenant_id: str, key_name: str) -> IssuedApiKey:
        if self._repository.get_tenant(tenant_id) is None:
            raise NotFoundError("tenant", tenant_id, field="tenant_id")
        stored, issued = _new_key(tenant_id, key_name)
        self._repository.add_api_key(stored)
        return issued

    def tenant_for_key(self, key: str) -> Tenant | None:
        """The active tenant an API key belongs to, or None."""
        stored = self._repository.find_api_key(api_keys.hash_key(key))
        if stored is None:
            return None
        tenant = self._repository.get_tenant(stored.tenant_id)
        if tenant is None or tenant.status is not TenantStatus.ACTIVE:
            return None
        return tenant


def _new_key(tenant_id: str, key_name: str) -> tuple[StoredApiKey, IssuedApiKey]:
    plain = api_keys.generate_tenant_key()
    now = iso(utc_now())
    key_id = new_id("key")
    stored = StoredApiKey(
        key_id=key_id,
        tenant_id=tenant_id,
        key_hash=api_keys.hash_key(plain),
        name=key_name,
        prefix=api_keys.display_prefix(plain),
        created_at=now,
    )
    issued = IssuedApiKey(key_id=key_id, tenant_id=tenant_id, name=key_name, api_key=plain, created_at=now)
    return stored, issued
