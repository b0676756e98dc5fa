"""The secret in the URL Odoo POSTs to: one per connection, random, stored only as its hash.

Odoo's webhooks are unsigned and carry no credential (captured), so the URL itself is the
credential: `<public API>/v1/webhooks/odoo/<token>`. The token has 256 random bits, so a plain
SHA-256 digest is enough to make the stored value useless to a thief, and looking a token up by
its digest compares nothing byte by byte in our code.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field

WEBHOOK_ROUTE = "/v1/webhooks/odoo/"
# secrets.token_urlsafe(32): 43 characters of the URL-safe base64 alphabet.
TOKEN_PATTERN = r"^[A-Za-z0-9_-]{43}$"  # noqa: S105 (a pattern, not a secret)
_TOKEN = re.compile(TOKEN_PATTERN)


class WebhookToken(BaseModel):
    """A connection's token as kept: its hash and what it stands for, never the token."""

    model_config = ConfigDict(frozen=True)

    token_hash: str
    tenant_id: str
    connection_id: str
    created_at: str
    # The Odoo models whose automations point at this token; a notice about any other model
    # is ignored, so a leaked token cannot make the worker read arbitrary models.
    models: list[str] = Field(default_factory=list)


class WebhookTokenRepository(Protocol):
    def get_for_connection(self, tenant_id: str, connection_id: str) -> WebhookToken | None: ...
    def find(self, token_hash: str) -> WebhookToken | None: ...

    def replace(self, new: WebhookToken, previous: WebhookToken | None) -> None:
        """Make `new` the connection's token; `previous` stops working in the same write.

        ConflictError when the connection's token is no longer `previous` (a concurrent rotation).
        """
        ...

    def set_models(self, token: WebhookToken, models: list[str]) -> None: ...
    def revoke(self, token: WebhookToken) -> None: ...


def new_token() -> str:
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def is_token_shaped(value: str) -> bool:
    return bool(_TOKEN.fullmatch(value))


def webhook_url(public_base_url: str, token: str) -> str:
    return f"{public_base_url.rstrip('/')}{WEBHOOK_ROUTE}{token}"


def token_in_url(url: object) -> str | None:
    """The token at the end of one of our webhook URLs (any base), or None."""
    if not isinstance(url, str) or WEBHOOK_ROUTE not in url:
        return None
    candidate = url.rsplit(WEBHOOK_ROUTE, 1)[1]
    return candidate if is_token_shaped(candidate) else None


def url_carries(url: object, token_hash: str) -> bool:
    """Whether `url` ends with the token whose hash is `token_hash`."""
    token = token_in_url(url)
    return token is not None and secrets.compare_digest(hash_token(token), token_hash)
