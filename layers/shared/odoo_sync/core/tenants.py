"""Tenants and their API keys: issued with scopes, listed without secrets, revoked at once."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Literal, Protocol, cast

from pydantic import BaseModel, ConfigDict, Field

from odoo_sync.actors import Actor, current_actor
from odoo_sync.core.authorization import TENANT_ROLE, Principal, Scope, canonical
from odoo_sync.core.ids import iso, new_id, utc_now
from odoo_sync.errors import ConflictError, NotFoundError, UnprocessableError
from odoo_sync.security import api_keys

KEY_ID_PATTERN = r"^key_[0-9a-f]{16}$"
TENANT_ID_PATTERN = r"^ten_[0-9a-f]{16}$"
KeyScope = Literal["admin", "sync", "read"]  # what a tenant key may hold (never `operator`)


class TenantStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"


class Tenant(BaseModel):
    model_config = ConfigDict(frozen=True)

    tenant_id: str
    name: str
    status: TenantStatus = TenantStatus.ACTIVE
    created_at: str


class TenantSummary(BaseModel):
    """A tenant in the operator's list."""

    tenant_id: str
    name: str
    created_at: str


class StoredApiKey(BaseModel):
    """An API key as kept: its hash, never the key. Keys stored before scopes existed are admin."""

    model_config = ConfigDict(frozen=True)

    key_id: str
    tenant_id: str
    key_hash: str
    name: str
    prefix: str
    created_at: str
    scopes: list[Scope] = Field(default_factory=lambda: [Scope.ADMIN])
    created_by: Actor | None = None
    revoked_at: str | None = None


class ApiKeyView(BaseModel):
    """A key as listed: never the secret, nor its hash."""

    key_id: str
    name: str
    scopes: list[KeyScope]
    created_at: str
    created_by: Actor | None
    revoked_at: str | None

    @classmethod
    def of(cls, key: StoredApiKey) -> ApiKeyView:
        return cls(
            key_id=key.key_id,
            name=key.name,
            scopes=_key_scopes(key.scopes),
            created_at=key.created_at,
            created_by=key.created_by,
            revoked_at=key.revoked_at,
        )


class IssuedApiKey(BaseModel):
    """An API key as handed out, exactly once."""

    key_id: str
    name: str
    scopes: list[KeyScope]
    api_key: str = Field(description="Shown once; only its hash is stored.")
    created_at: str


class OwnKeyError(ConflictError):
    code = "cannot_revoke_own_key"


class TenantRepository(Protocol):
    def create_tenant(self, tenant: Tenant, first_key: StoredApiKey) -> None: ...
    def get_tenant(self, tenant_id: str) -> Tenant | None: ...
    def list_tenants(self, limit: int, cursor: str | None) -> tuple[list[TenantSummary], str | None]: ...
    def list_unlisted_tenants(self) -> int:
        """Tenants created before the operator's list existed join it (once, after upgrading)."""
        ...

    def add_api_key(self, key: StoredApiKey) -> None: ...
    def find_api_key(self, key_hash: str) -> StoredApiKey | None:
        """The live key with this hash (read consistently: a revoked key is gone at once)."""
        ...

    def get_api_key(self, tenant_id: str, key_id: str) -> StoredApiKey | None: ...
    def list_api_keys(
        self, tenant_id: str, limit: int, cursor: str | None
    ) -> tuple[list[StoredApiKey], str | None]: ...
    def revoke_api_key(self, key: StoredApiKey, revoked_at: str) -> None:
        """The key stops being found by its hash; its listing keeps it, with revoked_at."""
        ...


class TenantService:
    def __init__(self, repository: TenantRepository) -> None:
        self._repository = repository

    # -- tenants (operator) -----------------------------------------------------------------------

    def create_tenant(self, name: str, key_name: str = "default") -> tuple[Tenant, IssuedApiKey]:
        """A tenant and its first key, which is `admin` (shown once)."""
        tenant = Tenant(tenant_id=new_id("ten"), name=name, created_at=iso(utc_now()))
        stored, issued = _new_key(tenant.tenant_id, key_name, [Scope.ADMIN])
        self._repository.create_tenant(tenant, stored)
        return tenant, issued

    def list_tenants(self, limit: int, cursor: str | None) -> tuple[list[TenantSummary], str | None]:
        return self._repository.list_tenants(limit, cursor)

    def list_unlisted_tenants(self) -> int:
        """After upgrading: tenants made before `GET /v1/admin/tenants` existed join its list."""
        return self._repository.list_unlisted_tenants()

    # -- keys -------------------------------------------------------------------------------------

    def issue_api_key(
        self, tenant_id: str, key_name: str, scopes: Sequence[Scope] = (Scope.ADMIN,)
    ) -> IssuedApiKey:
        if not scopes or Scope.OPERATOR in scopes:
            raise UnprocessableError([("scopes", "a tenant key holds one or more of admin, sync, read")])
        self._tenant(tenant_id)
        stored, issued = _new_key(tenant_id, key_name, scopes)
        self._repository.add_api_key(stored)
        return issued

    def list_api_keys(
        self, tenant_id: str, limit: int, cursor: str | None
    ) -> tuple[list[ApiKeyView], str | None]:
        self._tenant(tenant_id)
        keys, next_cursor = self._repository.list_api_keys(tenant_id, limit, cursor)
        return [ApiKeyView.of(key) for key in keys], next_cursor

    def revoke_api_key(self, tenant_id: str, key_id: str, *, by_key_id: str | None = None) -> None:
        """Revoke a key of this tenant (404 for any other's); a key cannot revoke itself (409).

        Revoking a revoked key changes nothing."""
        key = self._repository.get_api_key(tenant_id, key_id)
        if key is None:
            raise NotFoundError("API key", key_id, field="key_id")
        if key_id == by_key_id:
            raise OwnKeyError("a key cannot revoke itself; revoke it with another admin key", field="key_id")
        if key.revoked_at is None:
            self._repository.revoke_api_key(key, iso(utc_now()))

    # -- the authorizer ---------------------------------------------------------------------------

    def principal_for_key(self, key: str) -> Principal | None:
        """The principal of a live key of an active tenant, or None."""
        stored = self._repository.find_api_key(api_keys.hash_key(key))
        if stored is None or stored.revoked_at is not None:
            return None
        tenant = self._repository.get_tenant(stored.tenant_id)
        if tenant is None or tenant.status is not TenantStatus.ACTIVE:
            return None
        return Principal(
            role=TENANT_ROLE,
            principal_id=tenant.tenant_id,
            key_id=stored.key_id,
            key_name=stored.name,
            scopes=tuple(canonical(stored.scopes)),
            tenant_id=tenant.tenant_id,
            tenant_name=tenant.name,
        )

    def tenant_for_key(self, key: str) -> Tenant | None:
        """The active tenant a live API key belongs to, or None."""
        principal = self.principal_for_key(key)
        return self._repository.get_tenant(principal.tenant_id) if principal and principal.tenant_id else None

    def _tenant(self, tenant_id: str) -> Tenant:
        tenant = self._repository.get_tenant(tenant_id)
        if tenant is None:
            raise NotFoundError("tenant", tenant_id, field="tenant_id")
        return tenant


def _new_key(tenant_id: str, key_name: str, scopes: Sequence[Scope]) -> tuple[StoredApiKey, IssuedApiKey]:
    plain = api_keys.generate_tenant_key()
    now = iso(utc_now())
    key_id = new_id("key")
    kept = canonical(scopes)
    stored = StoredApiKey(
        key_id=key_id,
        tenant_id=tenant_id,
        key_hash=api_keys.hash_key(plain),
        name=key_name,
        prefix=api_keys.display_prefix(plain),
        created_at=now,
        scopes=kept,
        created_by=current_actor(),
    )
    issued = IssuedApiKey(
        key_id=key_id,
        name=key_name,
        scopes=_key_scopes(kept),
        api_key=plain,
        created_at=now,
    )
    return stored, issued


def _key_scopes(scopes: Sequence[Scope]) -> list[KeyScope]:
    return cast(list[KeyScope], [scope.value for scope in canonical(scopes)])
