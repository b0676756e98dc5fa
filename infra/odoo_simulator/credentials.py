"""Passwords and API keys by user id: what `login`, `execute_kw` and a JSON-2 bearer are checked
against (kept out of the models, so never readable over the API)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Credentials:
    """Passwords and API keys by uid; never stored in a model, so never readable over the API."""

    passwords: dict[int, str] = field(default_factory=dict)
    api_keys: dict[int, list[str]] = field(default_factory=dict)

    def check(self, uid: int, secret: Any) -> bool:
        if not isinstance(secret, str) or not secret:
            return False
        return self.passwords.get(uid) == secret or secret in self.api_keys.get(uid, [])

    def uid_for_key(self, key: str) -> int | None:
        for uid, keys in self.api_keys.items():
            if key in keys:
                return uid
        return None
