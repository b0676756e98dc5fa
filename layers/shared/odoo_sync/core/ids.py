"""Identifiers and timestamps the service hands out."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime

EARLIEST_YEAR, LATEST_YEAR = 1970, 9998


def new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(8)}"


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _within_range(moment: datetime) -> datetime:
    # Near year 1 or 9999 the conversion to UTC overflows; no sync date is out there anyway.
    if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        raise ValueError(f"must be a date between {EARLIEST_YEAR} and {LATEST_YEAR}")
    return moment


# A point in time given by a caller: with its offset, and within years that convert to UTC.
Moment = Annotated[AwareDatetime, AfterValidator(_within_range)]
