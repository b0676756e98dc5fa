"""Turning a bearer key into a principal: a tenant, the operator, or nobody."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from odoo_sync.api.identity import OPERATOR_ROLE, TENANT_ROLE
from odoo_sync.core.tenants import TenantService
from odoo_sync.security import api_keys


@dataclass(frozen=True)
class Principal:
    role: str
    principal_id: str
    tenant_id: str | None = None

    def context(self) -> dict[str, str]:
        """What API Gateway hands to the functions (string values only)."""
        context = {"role": self.role}
        if self.tenant_id:
            context["tenant_id"] = self.tenant_id
        return context


def principal_for_key(
    key: str, tenants: TenantService, operator_key_hash: Callable[[], str | None]
) -> Principal | None:
    if key.startswith(api_keys.OPERATOR_KEY_PREFIX):
        expected = operator_key_hash()
        if expected and api_keys.key_matches_hash(key, expected):
            return Principal(role=OPERATOR_ROLE, principal_id="operator")
        return None
    if not key.startswith(api_keys.TENANT_KEY_PREFIX):
        return None
    tenant = tenants.tenant_for_key(key)
    if tenant is None:
        return None
    return Principal(role=TENANT_ROLE, principal_id=tenant.tenant_id, tenant_id=tenant.tenant_id)
