"""What one Odoo model call is, independent of the transport that carries it."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from odoo_sync.odoo.errors import OdooValidationError
from odoo_sync.odoo.values import format_date, format_datetime

MODEL_NAME = re.compile(r"^[a-z_][a-z0-9_]*(\.[a-z0-9_]+)*$")
METHOD_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

# Methods that change nothing, so a lost answer can be asked again.
READ_METHODS = frozenset(
    {
        "read",
        "search",
        "search_read",
        "search_count",
        "search_fetch",
        "fields_get",
        "name_search",
        "name_get",
        "default_get",
        "check_access_rights",
        "check_access",
        "has_access",
        "read_group",
        "formatted_read_group",
        "web_read",
        "web_search_read",
        "get_metadata",
        "check_object_reference",
        "context_get",
        "exists",
        "fields_view_get",
        "get_views",
    }
)


@dataclass(frozen=True)
class OdooCall:
    """A model method call.

    `args`/`kwargs` are what execute_kw takes (record ids first for record methods). `named`
    is the same call with every argument named, as JSON-2 wants it; when the caller cannot know
    the names (a raw call with positional arguments) it is None and JSON-2 looks them up.
    """

    model: str
    method: str
    args: Sequence[Any] = ()
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    named: Mapping[str, Any] | None = None
    idempotent: bool = False

    def __post_init__(self) -> None:
        if not MODEL_NAME.match(self.model):
            raise OdooValidationError(f"invalid model name {self.model!r}")
        if not METHOD_NAME.match(self.method):
            raise OdooValidationError(f"invalid method name {self.method!r}")


def to_wire(value: Any) -> Any:
    """Make a value JSON/XML-RPC friendly the way Odoo expects: dates as Odoo strings, tuples as lists."""
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, date):
        return format_date(value)
    if isinstance(value, list | tuple):
        return [to_wire(item) for item in value]
    if isinstance(value, Mapping):
        return {str(key): to_wire(item) for key, item in value.items()}
    return value


def with_context(kwargs: Mapping[str, Any], context: Mapping[str, Any] | None) -> dict[str, Any]:
    """kwargs with the connection's context merged under the call's own context."""
    merged = dict(kwargs)
    if context:
        own = merged.get("context")
        merged["context"] = {**context, **(own if isinstance(own, Mapping) else {})}
    return merged
