"""How to reach one Odoo database: URL, database, credentials, protocol and limits."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator


class Protocol(StrEnum):
    AUTO = "auto"
    JSON2 = "json2"
    JSONRPC = "jsonrpc"
    XMLRPC = "xmlrpc"


class OdooConnectionSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    base_url: str = Field(min_length=1, max_length=2048)
    port: int | None = Field(default=None, ge=1, le=65535)
    database: str = Field(min_length=1, max_length=128)
    login: str | None = Field(default=None, min_length=1, max_length=256)
    secret: SecretStr
    protocol: Protocol = Protocol.AUTO
    connect_timeout_s: float = Field(default=5.0, gt=0, le=120)
    read_timeout_s: float = Field(default=30.0, gt=0, le=900)
    allow_private_network: bool = False
    context: dict[str, Any] | None = None
    max_response_bytes: int = Field(default=50 * 1024 * 1024, gt=0)

    @field_validator("base_url")
    @classmethod
    def _check_base_url(cls, value: str) -> str:
        try:
            url = httpx.URL(value.strip())
        except (httpx.InvalidURL, TypeError) as exc:
            raise ValueError(f"invalid URL: {exc}") from exc
        if url.scheme not in ("http", "https"):
            raise ValueError("base_url must start with http:// or https://")
        if not url.host:
            raise ValueError("base_url has no host")
        if url.userinfo:
            raise ValueError("base_url may not carry credentials")
        if url.query or url.fragment:
            raise ValueError("base_url may not have a query or fragment")
        return str(url.copy_with(path=url.path.rstrip("/") or "/")).rstrip("/")

    @field_validator("secret")
    @classmethod
    def _check_secret(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value():
            raise ValueError("secret is empty")
        return value

    @model_validator(mode="after")
    def _check_port(self) -> OdooConnectionSettings:
        url_port = httpx.URL(self.base_url).port
        if self.port is not None and url_port is not None and url_port != self.port:
            raise ValueError(f"port {self.port} contradicts the port in base_url ({url_port})")
        return self

    @property
    def root_url(self) -> str:
        """Scheme, host, port and path prefix, without a trailing slash."""
        url = httpx.URL(self.base_url)
        if self.port is not None and url.port is None:
            url = url.copy_with(port=self.port)
        return str(url).rstrip("/")

    @property
    def deadline_s(self) -> float:
        """The most one exchange may take, all reads together: a trickling answer cannot outlast it."""
        return self.connect_timeout_s + self.read_timeout_s

    @property
    def api_key(self) -> str:
        return self.secret.get_secret_value()
