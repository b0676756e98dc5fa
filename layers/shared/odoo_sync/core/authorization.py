"""Who may call what: keys become principals, and every route needs one scope.

The route table is derived here, in one place, from the method and the resource path (the path
as template.yaml declares it, `{parameters}` and all), for the authorizer and for the handlers'
own check alike:

- `/v1/admin/*`: the operator key (scope `operator`, which no tenant key can hold);
- `GET /v1/me`: any valid key;
- `GET /v1/api-keys`: `admin` (a tenant's keys are its administrators' business);
- any other GET: `read`;
- writes under records, sync, bulk-sync, import and batches: `sync`;
- every other write: `admin`.

Tenant scopes nest: `admin` holds `sync`, `sync` holds `read`. Keys stored before scopes existed
are `admin`, which is what every key could do then.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from odoo_sync.actors import Actor
from odoo_sync.errors import ForbiddenError
from odoo_sync.security import api_keys

TENANT_ROLE = "tenant"
OPERATOR_ROLE = "operator"
OPERATOR_KEY_ID = "operator"


class Scope(StrEnum):
    ADMIN = "admin"
    SYNC = "sync"
    READ = "read"
    OPERATOR = "operator"  # the operator key's only scope; never a tenant key's


TENANT_SCOPES = (Scope.ADMIN, Scope.SYNC, Scope.READ)
_SCOPE_VALUES = frozenset(scope.value for scope in Scope)
_HOLDS: dict[Scope, frozenset[Scope]] = {
    Scope.ADMIN: frozenset({Scope.ADMIN, Scope.SYNC, Scope.READ}),
    Scope.SYNC: frozenset({Scope.SYNC, Scope.READ}),
    Scope.READ: frozenset({Scope.READ}),
    Scope.OPERATOR: frozenset({Scope.OPERATOR}),
}

# Routes API Gateway serves without calling the authorizer (`Auth: Authorizer: NONE`): the
# credential is in the request itself (Odoo's webhook token), or there is nothing to protect (the
# API's own description).
PUBLIC_ROUTES = frozenset(
    {
        ("POST", "/v1/webhooks/odoo/{token}"),
        ("GET", "/v1/openapi.json"),
        ("GET", "/v1/docs"),
    }
)
# Routes any valid key may call, tenant or operator.
ANY_KEY_ROUTES = frozenset({("GET", "/v1/me")})
# Reads only a tenant's administrators may make.
ADMIN_READS = frozenset({("GET", "/v1/api-keys")})
# First path segments (after /v1) whose writes a `sync` key may make.
SYNC_RESOURCES = frozenset({"records", "sync", "bulk-sync", "import", "batches"})
OPERATOR_RESOURCE = "admin"


def required_scope(method: str, resource: str) -> Scope | None:
    """The scope a route needs; None: any valid key. `resource` is the declared path."""
    method = method.upper()
    route = (method, resource)
    segments = resource.strip("/").split("/")
    top = segments[1] if len(segments) > 1 and segments[0] == "v1" else ""
    if top == OPERATOR_RESOURCE:
        return Scope.OPERATOR
    if route in ANY_KEY_ROUTES:
        return None
    if route in ADMIN_READS:
        return Scope.ADMIN
    if method in ("GET", "HEAD"):
        return Scope.READ
    if top in SYNC_RESOURCES:
        return Scope.SYNC
    return Scope.ADMIN


def granted(scopes: Iterable[Scope]) -> frozenset[Scope]:
    """Every scope the given ones hold (admin holds sync and read, sync holds read)."""
    held: set[Scope] = set()
    for scope in scopes:
        held |= _HOLDS[scope]
    return frozenset(held)


def canonical(scopes: Iterable[Scope]) -> list[Scope]:
    """Scopes without repeats, in a stable order (admin, sync, read, operator)."""
    wanted = set(scopes)
    return [scope for scope in Scope if scope in wanted]


class InsufficientScopeError(ForbiddenError):
    """403 `insufficient_scope` with the scope the route needs; the gateway answers the same."""

    code = "insufficient_scope"

    def __init__(self, required: Scope, message: str) -> None:
        super().__init__(message, details={"required_scope": required.value})
        self.required = required


def denial_message(required: Scope, scopes: Iterable[Scope]) -> str:
    """Why a key may not call a route, in words without quotes or backslashes: API Gateway puts
    this text into a JSON template as it is (no escaping)."""
    held = ", ".join(scope.value for scope in canonical(scopes)) or "none"
    if required is Scope.OPERATOR:
        return "this route needs the operator key"
    if Scope.OPERATOR in set(scopes):
        return f"this route needs a tenant key with the {required.value} scope"
    return f"this route needs the {required.value} scope; this key has {held}"


@dataclass(frozen=True)
class Principal:
    """The caller a key stands for, as the authorizer hands it to the functions."""

    role: str
    principal_id: str
    key_id: str
    key_name: str
    scopes: tuple[Scope, ...]
    tenant_id: str | None = None
    tenant_name: str | None = None

    def may_call(self, method: str, resource: str) -> Scope | None:
        """None when the route is allowed; else the scope it needs and this key lacks."""
        required = required_scope(method, resource)
        if required is None or required in granted(self.scopes):
            return None
        return required

    def check(self, method: str, resource: str) -> None:
        missing = self.may_call(method, resource)
        if missing is not None:
            raise InsufficientScopeError(missing, denial_message(missing, self.scopes))

    @property
    def actor(self) -> Actor:
        return Actor.api_key(self.key_id, self.key_name)

    def context(self) -> dict[str, str]:
        """What API Gateway hands to the functions (string values only)."""
        context = {
            "role": self.role,
            "key_id": self.key_id,
            "key_name": self.key_name,
            "scopes": ",".join(scope.value for scope in self.scopes),
        }
        if self.tenant_id:
            context["tenant_id"] = self.tenant_id
        if self.tenant_name is not None:
            context["tenant_name"] = self.tenant_name
        return context

    @classmethod
    def from_context(cls, context: Mapping[str, object]) -> Principal | None:
        """The principal in an authorizer context, or None when it names none.

        A tenant context without scopes comes from the authorizer before scopes existed (cached
        by API Gateway across a deployment): every tenant key could do everything then."""
        role = context.get("role")
        if role not in (TENANT_ROLE, OPERATOR_ROLE):
            return None
        tenant = context.get("tenant_id")
        if role == TENANT_ROLE and not (isinstance(tenant, str) and tenant):
            return None
        raw_scopes = str(context.get("scopes") or "")
        scopes = tuple(Scope(s) for s in raw_scopes.split(",") if s in _SCOPE_VALUES)
        if not raw_scopes:
            scopes = (Scope.OPERATOR,) if role == OPERATOR_ROLE else (Scope.ADMIN,)
        key_id = str(context.get("key_id") or (OPERATOR_KEY_ID if role == OPERATOR_ROLE else ""))
        name = context.get("tenant_name")
        return cls(
            role=str(role),
            principal_id=str(context.get("principalId") or tenant or role),
            key_id=key_id,
            key_name=str(context.get("key_name") or key_id),
            scopes=scopes,
            tenant_id=tenant if isinstance(tenant, str) and tenant else None,
            tenant_name=name if isinstance(name, str) else None,
        )


def operator_principal() -> Principal:
    return Principal(
        role=OPERATOR_ROLE,
        principal_id=OPERATOR_KEY_ID,
        key_id=OPERATOR_KEY_ID,
        key_name=OPERATOR_KEY_ID,
        scopes=(Scope.OPERATOR,),
    )


def principal_for_key(
    key: str,
    tenant_key: Callable[[str], Principal | None],
    operator_key_hash: Callable[[], str | None],
) -> Principal | None:
    """The operator for the operator key, a tenant's principal for one of its live keys, else None."""
    if key.startswith(api_keys.OPERATOR_KEY_PREFIX):
        expected = operator_key_hash()
        if expected and api_keys.key_matches_hash(key, expected):
            return operator_principal()
        return None
    if not key.startswith(api_keys.TENANT_KEY_PREFIX):
        return None
    return tenant_key(key)
