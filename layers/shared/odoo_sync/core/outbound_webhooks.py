"""Outbound webhook subscriptions: where a tenant wants its changes POSTed, and the signing secret.

The URL must be https (http only where private hosts are allowed, i.e. the local stack) and pass
the SSRF guard when it is registered; each delivery dials through the guarded transport again, so
a name that later resolves to a private address (DNS rebinding) is refused at connect time too.

The signing secret (`whsec_...`) is shown once, in the answer that creates or rotates it. It is
stored sealed with KMS envelope encryption (the deliveries need it to sign), never returned
again and never logged. After a rotation the previous secret keeps signing beside the new one
for a grace period, so receivers can switch without dropping deliveries.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Annotated, Literal, Protocol
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field

from odoo_sync.core.ids import iso, new_id, utc_now
from odoo_sync.core.signing import new_signing_secret
from odoo_sync.errors import ConflictError, NotFoundError, UnprocessableError
from odoo_sync.net import Resolver, UnsafeUrlError, ensure_public_url
from odoo_sync.security.envelope import EnvelopeCipher, SealedSecret
from odoo_sync.sync.model import ENTITY_NAME_PATTERN

SUBSCRIPTION_ID_PATTERN = r"^whk_[0-9a-f]{16}$"
MAX_SUBSCRIPTIONS = 20
PREVIOUS_SECRET_GRACE = timedelta(hours=24)

EntityName = Annotated[str, Field(pattern=ENTITY_NAME_PATTERN)]


class SubscriptionInput(BaseModel):
    """Body of POST /v1/webhook-subscriptions."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    url: str = Field(
        min_length=1,
        max_length=2048,
        description="Where changes are POSTed: https, a public address (checked now and at every "
        "delivery), no redirects followed",
        examples=["https://hooks.example.com/odoo-sync"],
    )
    entities: list[EntityName] | None = Field(
        default=None,
        min_length=1,
        max_length=50,
        description="Only changes of these entities; omitted: every entity",
    )
    description: str | None = Field(default=None, max_length=500, description="A note for people")


class SubscriptionView(BaseModel):
    """A subscription as the API shows it: never a secret."""

    subscription_id: str = Field(description="whk_ and 16 hex digits")
    url: str = Field(description="Where changes are POSTed")
    entities: list[str] | None = Field(description="The entities delivered; null: every entity")
    description: str | None = Field(description="The note given at registration")
    status: Literal["active"] = Field(default="active", description="Always active: a deleted one is gone")
    created_at: str = Field(description="ISO 8601 in UTC")
    secret_rotated_at: str | None = Field(default=None, description="The last rotation, ISO 8601 in UTC")
    previous_secret_expires_at: str | None = Field(
        default=None, description="Until then deliveries are signed with the previous secret too"
    )


class SubscriptionCreated(SubscriptionView):
    secret: str | None = Field(
        description="The signing secret (whsec_...), shown in this answer only; null in an "
        "Idempotency-Key replay"
    )


class SecretRotated(BaseModel):
    subscription_id: str = Field(description="The subscription")
    secret: str | None = Field(
        description="The new signing secret, shown in this answer only; null in an Idempotency-Key replay"
    )
    previous_secret_expires_at: str = Field(
        description="Until then (24 hours) deliveries carry a signature with the previous secret too"
    )


class StoredSubscription(SubscriptionView):
    tenant_id: str
    secret: SealedSecret
    previous_secret: SealedSecret | None = None
    version: int = 1

    def accepts(self, entity: str) -> bool:
        return self.entities is None or entity in self.entities


class SubscriptionRepository(Protocol):
    def put_new(self, subscription: StoredSubscription, limit: int) -> None:
        """Store it unless the tenant already has `limit` subscriptions (UnprocessableError)."""
        ...

    def replace(self, subscription: StoredSubscription, expected_version: int) -> None: ...
    def get(self, tenant_id: str, subscription_id: str) -> StoredSubscription | None: ...
    def active(self, tenant_id: str) -> list[StoredSubscription]: ...
    def list(
        self, tenant_id: str, limit: int, cursor: str | None
    ) -> tuple[list[StoredSubscription], str | None]: ...
    def delete(self, tenant_id: str, subscription_id: str) -> bool: ...


class WebhookService:
    def __init__(
        self,
        repository: SubscriptionRepository,
        cipher: EnvelopeCipher,
        *,
        allow_private_hosts: bool,
        resolver: Resolver | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._repository = repository
        self._cipher = cipher
        self._allow_private_hosts = allow_private_hosts
        self._resolver = resolver
        self._clock = clock

    def create(self, tenant_id: str, data: SubscriptionInput) -> SubscriptionCreated:
        url = self._checked_url(data.url)
        subscription_id = new_id("whk")
        secret = new_signing_secret()
        stored = StoredSubscription(
            tenant_id=tenant_id,
            subscription_id=subscription_id,
            url=url,
            entities=sorted(set(data.entities)) if data.entities else None,
            description=data.description,
            created_at=iso(self._clock()),
            secret=self._cipher.seal(secret, secret_context(tenant_id, subscription_id)),
        )
        self._repository.put_new(stored, MAX_SUBSCRIPTIONS)
        return SubscriptionCreated(**view(stored).model_dump(), secret=secret)

    def get(self, tenant_id: str, subscription_id: str) -> SubscriptionView:
        return view(self.load(tenant_id, subscription_id))

    def delete(self, tenant_id: str, subscription_id: str) -> None:
        if not self._repository.delete(tenant_id, subscription_id):
            raise NotFoundError("webhook subscription", subscription_id, field="subscription_id")

    def rotate_secret(self, tenant_id: str, subscription_id: str) -> SecretRotated:
        current = self.load(tenant_id, subscription_id)
        now = self._clock()
        secret = new_signing_secret()
        expires = iso(now + PREVIOUS_SECRET_GRACE)
        updated = current.model_copy(
            update={
                "secret": self._cipher.seal(secret, secret_context(tenant_id, subscription_id)),
                "previous_secret": current.secret,
                "previous_secret_expires_at": expires,
                "secret_rotated_at": iso(now),
                "version": current.version + 1,
            }
        )
        try:
            self._repository.replace(updated, expected_version=current.version)
        except ConflictError as exc:
            raise ConflictError(
                "the subscription changed meanwhile (another rotation?); try again", field="subscription_id"
            ) from exc
        return SecretRotated(
            subscription_id=subscription_id, secret=secret, previous_secret_expires_at=expires
        )

    def load(self, tenant_id: str, subscription_id: str) -> StoredSubscription:
        stored = self._repository.get(tenant_id, subscription_id)
        if stored is None:
            raise NotFoundError("webhook subscription", subscription_id, field="subscription_id")
        return stored

    def active(self, tenant_id: str) -> Sequence[StoredSubscription]:
        return self._repository.active(tenant_id)

    def signing_secrets(self, subscription: StoredSubscription) -> list[str]:
        """The secrets a delivery is signed with now: the current one, then the previous one in
        its grace period."""
        context = secret_context(subscription.tenant_id, subscription.subscription_id)
        secrets = [self._cipher.open(subscription.secret, context)]
        expires = subscription.previous_secret_expires_at
        if subscription.previous_secret is not None and expires is not None and expires > iso(self._clock()):
            secrets.append(self._cipher.open(subscription.previous_secret, context))
        return secrets

    def _checked_url(self, url: str) -> str:
        parts = urlsplit(url)
        allowed_schemes = ("https", "http") if self._allow_private_hosts else ("https",)
        if parts.scheme not in allowed_schemes:
            raise UnprocessableError([("url", "must be an https:// URL")])
        if parts.username or parts.password:
            raise UnprocessableError([("url", "must not carry credentials")])
        if parts.fragment:
            raise UnprocessableError([("url", "must not have a fragment")])
        try:
            ensure_public_url(url, self._allow_private_hosts, resolver=self._resolver)
        except UnsafeUrlError as exc:
            raise UnprocessableError([("url", exc.message)]) from exc
        return url

    def list(
        self, tenant_id: str, limit: int, cursor: str | None
    ) -> tuple[list[SubscriptionView], str | None]:
        items, next_cursor = self._repository.list(tenant_id, limit, cursor)
        return [view(item) for item in items], next_cursor


def secret_context(tenant_id: str, subscription_id: str) -> dict[str, str]:
    return {"tenant_id": tenant_id, "subscription_id": subscription_id, "purpose": "webhook-signing-secret"}


def view(stored: StoredSubscription) -> SubscriptionView:
    return SubscriptionView.model_validate(
        stored.model_dump(exclude={"tenant_id", "secret", "previous_secret", "version"})
    )
