"""Identifiers and timestamps the service hands out."""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime

_ID_PATTERN = re.compile(r"^[a-z]{2,4}_[0-9a-f]{16}$")


def new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(8)}"


def is_valid_id(value: str, prefix: str) -> bool:
    return value.startswith(prefix + "_") and bool(_ID_PATTERN.match(value))


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
