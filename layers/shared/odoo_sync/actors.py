"""Who acted: the audit trail's actor, and the actor of the work being done right now.

Every batch, log entry, schedule change, settings change and conflict resolution records an
actor: an API key (its id and name, from the authorizer), a schedule, Odoo's webhook, or the
service itself. The edge of each entry point says who acts for the work it starts (the API's
resolver for a request, the worker for a queued message, the tick for a schedule's run) with
`acting_as`; the code that writes a record of the work asks `current_actor()`. The actor thus
crosses the core without being threaded through every signature, and a message on the queue
carries it explicitly (`actor` on the message) to the worker that finishes the work.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from enum import StrEnum
from typing import Any, Literal, NotRequired, cast

from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, model_serializer
from typing_extensions import TypedDict  # pydantic takes typing_extensions' TypedDict before 3.12


class ActorType(StrEnum):
    API_KEY = "api_key"  # a tenant key, or the operator key (key_id "operator")
    SCHEDULE = "schedule"  # a schedule's run, started by the tick
    ODOO_WEBHOOK = "odoo_webhook"  # a change Odoo's webhook announced
    SYSTEM = "system"  # the service itself (nothing else said who acts)


class ActorJson(TypedDict):
    """An actor as answered: the fields that apply, nothing else (the OpenAPI schema says so)."""

    type: Literal["api_key", "schedule", "odoo_webhook", "system"]  # ActorType's values
    key_id: NotRequired[str]
    key_name: NotRequired[str]
    schedule_id: NotRequired[str]


class Actor(BaseModel):
    """`{type, key_id?, key_name?, schedule_id?}`: absent fields are left out of every answer."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    type: ActorType
    key_id: str | None = Field(default=None, max_length=64)
    key_name: str | None = Field(default=None, max_length=100)
    # With type schedule: the schedule that ran; with api_key: the schedule the key ran now.
    schedule_id: str | None = Field(default=None, max_length=64)

    @model_serializer(mode="wrap")
    def _without_absent_fields(self, handler: SerializerFunctionWrapHandler) -> ActorJson:
        dumped: dict[str, Any] = handler(self)
        return cast(ActorJson, {name: value for name, value in dumped.items() if value is not None})

    @classmethod
    def api_key(cls, key_id: str, key_name: str) -> Actor:
        return cls(type=ActorType.API_KEY, key_id=key_id, key_name=key_name)

    @classmethod
    def schedule(cls, schedule_id: str) -> Actor:
        return cls(type=ActorType.SCHEDULE, schedule_id=schedule_id)


SYSTEM = Actor(type=ActorType.SYSTEM)
ODOO_WEBHOOK = Actor(type=ActorType.ODOO_WEBHOOK)

_acting: ContextVar[Actor] = ContextVar("odoo_sync_actor", default=SYSTEM)


def current_actor() -> Actor:
    """Who the work being done now is done for (SYSTEM outside any `acting_as`)."""
    return _acting.get()


@contextmanager
def acting_as(actor: Actor) -> Iterator[Actor]:
    """Within the block, work is recorded as done by `actor`; the previous actor comes back after."""
    token = _acting.set(actor)
    try:
        yield actor
    finally:
        _acting.reset(token)
