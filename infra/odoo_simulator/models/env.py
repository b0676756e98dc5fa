"""The environment of one call: who calls, with which context, at which transaction time."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..personality import Personality
from ..store import Store

if TYPE_CHECKING:
    from .base import BaseModel
    from .registry import Registry

SUPERUSER_ID = 1
ADMIN_UID = 2


class Env:
    def __init__(
        self,
        registry: Registry,
        store: Store,
        uid: int,
        context: Mapping[str, Any] | None = None,
        *,
        now: datetime | None = None,
        scratch: dict[str, Any] | None = None,
    ) -> None:
        self.registry = registry
        self.store = store
        self.uid = uid
        self.context: dict[str, Any] = dict(context or {})
        # All records written in one transaction share its start time (with microseconds).
        self.now = now or store.clock.now()
        # Per-call scratch space shared by every recordset of the call (e.g. pending variant values).
        self.scratch: dict[str, Any] = scratch if scratch is not None else {}

    @property
    def personality(self) -> Personality:
        return self.registry.personality

    @property
    def is_privileged(self) -> bool:
        """Admin and OdooBot pass every ACL and record rule (the demo user does not)."""
        return self.uid in (SUPERUSER_ID, ADMIN_UID)

    def __contains__(self, model: object) -> bool:
        return model in self.registry.models and model not in self.registry.hidden

    def __getitem__(self, model: str) -> BaseModel:
        return self.registry.models[model](self, ())

    def with_context(self, **changes: Any) -> Env:
        return Env(
            self.registry,
            self.store,
            self.uid,
            {**self.context, **changes},
            now=self.now,
            scratch=self.scratch,
        )

    def user_name(self) -> str:
        users = self.store.table("res.users")
        row = users.get(self.uid)
        if not row:
            return str(self.uid)
        partner = self.store.table("res.partner").get(row.get("partner_id") or 0) or {}
        return str(partner.get("name") or row.get("login"))
