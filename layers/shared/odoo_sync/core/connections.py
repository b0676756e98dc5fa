"""Odoo connections of a tenant: what the tenant registers, what is stored, what is shown."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from datetime import date
from typing import Annotated, Literal, Protocol
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from odoo_sync.core.ids import iso, new_id, utc_now
from odoo_sync.errors import ConflictError, InvalidInputError, NotFoundError
from odoo_sync.net import address_refusal, ip_of_host
from odoo_sync.odoo import OdooClient, OdooConnectionSettings
from odoo_sync.odoo import Protocol as OdooProtocol
from odoo_sync.security.envelope import EnvelopeCipher, SealedSecret

_DATABASE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$"
LANG_PATTERN = r"^[a-z]{2,3}(_[A-Za-z0-9]{2,4})?(@[a-z]+)?$"
_LOGIN_MAX = 256
_MAX_CACHED_CLIENTS = 32
MAX_IN_FLIGHT_LIMIT = 10
MAX_IN_FLIGHT_DESCRIPTION = (
    "Chunks of this connection sent to Odoo at once (1-10, default 2): our bookkeeping overlaps "
    "Odoo's work; a record is always in the same lane, so it is never pushed by two workers at once."
)


class ApiKeyAuth(BaseModel):
    """An Odoo API key: the bearer credential of JSON-2 (19+), the password slot of RPC."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["api_key"]
    api_key: SecretStr = Field(min_length=8, max_length=256)
    login: str | None = Field(
        default=None, max_length=_LOGIN_MAX, description="Needed for XML-RPC/JSON-RPC (Odoo before 19)."
    )
    expires_at: date | None = Field(
        default=None, description="Odoo API keys last at most three months; the test warns before expiry."
    )


class PasswordAuth(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["password"]
    login: str = Field(min_length=1, max_length=_LOGIN_MAX)
    password: SecretStr = Field(min_length=1, max_length=256)


ConnectionAuth = Annotated[ApiKeyAuth | PasswordAuth, Field(discriminator="type")]


class _ConnectionFields(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=100)
    base_url: str = Field(min_length=1, max_length=2048, examples=["https://acme.odoo.com"])
    port: int | None = Field(default=None, ge=1, le=65535)
    database: str = Field(pattern=_DATABASE_PATTERN)
    protocol: OdooProtocol = OdooProtocol.AUTO
    timeout_s: float = Field(default=30.0, ge=1, le=120)
    company_id: int | None = Field(
        default=None,
        ge=1,
        description="Work in this Odoo company (allowed_company_ids); checked by the test.",
    )
    lang: str | None = Field(
        default=None,
        pattern=LANG_PATTERN,
        description="Odoo language code for reads and writes (e.g. fr_FR); must be installed in Odoo.",
    )
    max_in_flight: int = Field(default=2, ge=1, le=MAX_IN_FLIGHT_LIMIT, description=MAX_IN_FLIGHT_DESCRIPTION)

    @field_validator("base_url")
    @classmethod
    def _check_base_url(cls, value: str) -> str:
        return normalise_base_url(value)

    @model_validator(mode="after")
    def _port_agrees_with_url(self) -> _ConnectionFields:
        url_port = urlsplit(self.base_url).port
        if self.port is not None and url_port is not None and url_port != self.port:
            raise ValueError("`port` disagrees with the port in base_url")
        return self


class ConnectionInput(_ConnectionFields):
    """Body of POST /v1/connections."""

    auth: ConnectionAuth


class ConnectionReplacement(_ConnectionFields):
    """Body of PUT /v1/connections/{id}: every field; `auth` omitted keeps the stored secret."""

    auth: ConnectionAuth | None = None


class DetectedServer(BaseModel):
    odoo_version: str
    protocol: OdooProtocol
    checked_at: str


class LastTest(BaseModel):
    success: bool
    category: str | None = None
    message: str
    tested_at: str


class ConnectionView(BaseModel):
    """A connection as the API shows it: never the secret."""

    connection_id: str
    name: str
    base_url: str
    port: int | None
    database: str
    protocol: OdooProtocol
    timeout_s: float
    company_id: int | None = None
    lang: str | None = None
    max_in_flight: int = Field(default=2, description=MAX_IN_FLIGHT_DESCRIPTION)
    auth_type: Literal["api_key", "password"]
    login: str | None
    api_key_expires_at: date | None = None
    detected: DetectedServer | None = None
    last_test: LastTest | None = None
    created_at: str
    updated_at: str
    version: int


class StoredConnection(ConnectionView):
    tenant_id: str
    secret: SealedSecret


class ConnectionRepository(Protocol):
    def put_new(self, connection: StoredConnection) -> None: ...
    def replace(self, connection: StoredConnection, expected_version: int) -> None: ...
    def get(self, tenant_id: str, connection_id: str) -> StoredConnection | None: ...
    def list(
        self, tenant_id: str, limit: int, cursor: str | None
    ) -> tuple[list[StoredConnection], str | None]: ...
    def delete(self, tenant_id: str, connection_id: str) -> bool: ...


class ConnectionTokens(Protocol):
    def revoke_for_connection(self, tenant_id: str, connection_id: str) -> None:
        """Forget the connection's webhook token, if it has one."""
        ...


class ConnectionService:
    def __init__(
        self,
        repository: ConnectionRepository,
        cipher: EnvelopeCipher,
        *,
        allow_private_hosts: bool,
        open_client: Callable[[OdooConnectionSettings], OdooClient] = OdooClient,
        tokens: ConnectionTokens | None = None,
    ) -> None:
        self._repository = repository
        self._cipher = cipher
        self._tokens = tokens
        self._allow_private_hosts = allow_private_hosts
        self._open_client = open_client
        # A warm function keeps its clients: each remembers the detected protocol and the uid,
        # which on real Odoo saves a detection round trip and a 0.5-1 s credential check.
        self._clients: dict[tuple[str, str], tuple[int, OdooClient]] = {}

    def create(self, tenant_id: str, data: ConnectionInput) -> ConnectionView:
        self._check_host(data.base_url)
        connection_id = new_id("con")
        now = iso(utc_now())
        stored = StoredConnection(
            tenant_id=tenant_id,
            connection_id=connection_id,
            secret=self._seal(tenant_id, connection_id, data.auth),
            created_at=now,
            updated_at=now,
            version=1,
            **_public_fields(data, data.auth),
        )
        self._repository.put_new(stored)
        return _view(stored)

    def get(self, tenant_id: str, connection_id: str) -> ConnectionView:
        return _view(self._load(tenant_id, connection_id))

    def list(self, tenant_id: str, limit: int, cursor: str | None) -> tuple[list[ConnectionView], str | None]:
        items, next_cursor = self._repository.list(tenant_id, limit, cursor)
        return [_view(item) for item in items], next_cursor

    def replace(self, tenant_id: str, connection_id: str, data: ConnectionReplacement) -> ConnectionView:
        self._check_host(data.base_url)
        current = self._load(tenant_id, connection_id)
        if data.auth is None:
            secret, auth_fields = current.secret, _stored_auth_fields(current)
        else:
            secret = self._seal(tenant_id, connection_id, data.auth)
            auth_fields = _auth_fields(data.auth)
        # A changed address or credential invalidates what we learned about the server.
        keeps_server = data.auth is None and (data.base_url, data.port, data.database) == (
            current.base_url,
            current.port,
            current.database,
        )
        updated = current.model_copy(
            update={
                **data.model_dump(exclude={"auth"}),
                **auth_fields,
                "secret": secret,
                "detected": current.detected if keeps_server else None,
                "last_test": current.last_test if keeps_server else None,
                "updated_at": iso(utc_now()),
                "version": current.version + 1,
            }
        )
        self._repository.replace(updated, expected_version=current.version)
        return _view(updated)

    def delete(self, tenant_id: str, connection_id: str) -> None:
        if not self._repository.delete(tenant_id, connection_id):
            raise NotFoundError("connection", connection_id, field="connection_id")
        # Odoo may still hold automations that call us with the token: from now on they get
        # 404 instead of queueing changes for a connection that no longer exists.
        if self._tokens is not None:
            self._tokens.revoke_for_connection(tenant_id, connection_id)

    def resolve_id(self, tenant_id: str, connection_id: str | None) -> str:
        """The connection a request means: the one it names, or the tenant's only one."""
        return self.resolve(tenant_id, connection_id).connection_id

    def resolve(self, tenant_id: str, connection_id: str | None) -> ConnectionView:
        """resolve_id's connection itself (one read either way)."""
        if connection_id is not None:
            return _view(self._load(tenant_id, connection_id))
        found, _ = self._repository.list(tenant_id, 2, None)
        if len(found) == 1:
            return _view(found[0])
        problem = "has no Odoo connection yet" if not found else "has several connections: name one"
        raise InvalidInputError(f"the tenant {problem}", field="connection_id")

    def client(self, tenant_id: str, connection_id: str) -> OdooClient:
        """An Odoo client for the connection as it is stored now, reused while it does not change."""
        stored = self._load(tenant_id, connection_id)
        cached = self._clients.get((tenant_id, connection_id))
        if cached is not None and cached[0] == stored.version:
            return cached[1]
        if cached is not None:
            cached[1].close()
        if len(self._clients) >= _MAX_CACHED_CLIENTS:
            _, oldest = self._clients.pop(next(iter(self._clients)))
            oldest.close()
        client = self._open_client(self._settings(stored))
        self._clients[(tenant_id, connection_id)] = (stored.version, client)
        return client

    def odoo_settings(self, tenant_id: str, connection_id: str) -> OdooConnectionSettings:
        """Everything the Odoo client needs, the secret decrypted for this call only."""
        return self._settings(self._load(tenant_id, connection_id))

    def _settings(self, stored: StoredConnection) -> OdooConnectionSettings:
        tenant_id, connection_id = stored.tenant_id, stored.connection_id
        secret = self._cipher.open(stored.secret, _context(tenant_id, connection_id))
        protocol = stored.protocol
        if protocol is OdooProtocol.AUTO and stored.detected is not None:
            protocol = stored.detected.protocol  # skip detection calls once we know the server
        return OdooConnectionSettings(
            base_url=stored.base_url,
            port=stored.port,
            database=stored.database,
            login=stored.login,
            secret=SecretStr(secret),
            protocol=protocol,
            read_timeout_s=stored.timeout_s,
            allow_private_network=self._allow_private_hosts,
            context=odoo_context(stored.company_id, stored.lang),
        )

    def record_test(
        self, tenant_id: str, connection_id: str, summary: LastTest, detected: DetectedServer | None
    ) -> None:
        current = self._load(tenant_id, connection_id)
        updated = current.model_copy(
            update={
                "last_test": summary,
                "detected": detected or current.detected,
                "version": current.version + 1,
            }
        )
        try:
            self._repository.replace(updated, expected_version=current.version)
        except ConflictError:
            # The connection changed while we tested it; the result no longer describes it.
            return

    def _check_host(self, base_url: str) -> None:
        address = literal_address(base_url)
        # The same policy as at connect time, so what is saved is what may be dialled.
        reason = (
            None if address is None else address_refusal(address, allow_private=self._allow_private_hosts)
        )
        if reason is not None:
            raise InvalidInputError(f"base_url points to a {reason}", field="base_url")

    def _load(self, tenant_id: str, connection_id: str) -> StoredConnection:
        stored = self._repository.get(tenant_id, connection_id)
        if stored is None:
            raise NotFoundError("connection", connection_id, field="connection_id")
        return stored

    def _seal(self, tenant_id: str, connection_id: str, auth: ApiKeyAuth | PasswordAuth) -> SealedSecret:
        plain = auth.api_key if isinstance(auth, ApiKeyAuth) else auth.password
        return self._cipher.seal(plain.get_secret_value(), _context(tenant_id, connection_id))


def normalise_base_url(value: str) -> str:
    """An Odoo address: http(s), a host, no credentials, query or fragment; no trailing slash.

    Literal private addresses are caught here for a clear message; names are checked again
    when the client connects, against the address they resolve to.
    """
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("must be an http:// or https:// URL with a host")
    if parts.username or parts.password:
        raise ValueError("must not carry credentials; use `auth`")
    if parts.query or parts.fragment:
        raise ValueError("must not have a query or fragment")
    try:
        _ = parts.port
    except ValueError as exc:
        raise ValueError("has an invalid port") from exc
    if not re.fullmatch(r"[A-Za-z0-9.\-\[\]:]+", parts.netloc.rsplit("@", 1)[-1]):
        raise ValueError("has an invalid host")
    return value.rstrip("/")


def literal_address(base_url: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    # Also the numeric forms the resolver reads without DNS (2852039166 is 169.254.169.254).
    return ip_of_host(urlsplit(base_url).hostname or "")


def odoo_context(company_id: int | None, lang: str | None) -> dict[str, object] | None:
    """The context every call of a connection carries: its company (as Odoo's company switcher
    sets it, so creates default to it) and its language."""
    context: dict[str, object] = {}
    if company_id is not None:
        context["allowed_company_ids"] = [company_id]
    if lang is not None:
        context["lang"] = lang
    return context or None


def _context(tenant_id: str, connection_id: str) -> dict[str, str]:
    return {"tenant_id": tenant_id, "connection_id": connection_id, "purpose": "odoo-credential"}


def _auth_fields(auth: ApiKeyAuth | PasswordAuth) -> dict[str, object]:
    if isinstance(auth, ApiKeyAuth):
        return {"auth_type": "api_key", "login": auth.login, "api_key_expires_at": auth.expires_at}
    return {"auth_type": "password", "login": auth.login, "api_key_expires_at": None}


def _stored_auth_fields(stored: StoredConnection) -> dict[str, object]:
    return {
        "auth_type": stored.auth_type,
        "login": stored.login,
        "api_key_expires_at": stored.api_key_expires_at,
    }


def _public_fields(data: _ConnectionFields, auth: ApiKeyAuth | PasswordAuth) -> dict[str, object]:
    fields: dict[str, object] = data.model_dump(exclude={"auth"})
    fields.update(_auth_fields(auth))
    return fields


def _view(stored: StoredConnection) -> ConnectionView:
    return ConnectionView.model_validate(stored.model_dump(exclude={"tenant_id", "secret"}))
