"""Answering a chunk's lookups from Odoo: one search_read per model and key for the whole chunk.

Values not found among active records are looked for once more among archived ones (one call per
model and key that has any, only on models that can archive), so a record can say "archived in
Odoo, activate it" rather than "not found" (`odoo_sync.sync.lookups`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from odoo_sync.odoo import ErrorCategory, OdooClient, OdooError
from odoo_sync.sync.lookups import LookupBy, LookupRequest, StaticResolver, may_be_archived

# Scope keys of lookup requests, as a path Odoo's domain understands on the looked-up model.
_SCOPE_PATHS = {"country_code": "country_id.code"}
LookupGroup = tuple[str, LookupBy, str, tuple[tuple[str, str], ...]]


@dataclass
class LookupAnswers:
    resolver: StaticResolver
    failures: list[str]
    calls: int


def fetch_lookups(
    client: OdooClient,
    requests: Iterable[LookupRequest],
    odoo_fields: Mapping[str, Mapping[str, object]] | None = None,
) -> LookupAnswers:
    """One search_read per (model, key, scope) for every lookup of a chunk.

    Values not found are searched once more among archived records (one call per group that has
    any, only on models that can archive: `odoo_fields` tells when known), so the record says
    "archived in Odoo" rather than "not found". A lookup Odoo refuses (no access to the model, an
    unknown field) leaves its values unresolved, so the records that need them fail with "not
    found" and the reason is reported; a chunk-level failure (network, rate limit) raises.
    """
    groups: dict[LookupGroup, set[str]] = defaultdict(set)
    for request in requests:
        groups[(request.model, request.by, request.match_field, request.scope)].add(request.value)
    resolver = StaticResolver()
    failures: list[str] = []
    calls = 0
    for (model, by, match_field, scope), values in sorted(groups.items()):
        calls += 1
        try:
            if by == "external_id":
                found = _external_ids(client, model, values)
            else:
                found = _by_field(client, model, match_field, scope, values)
        except OdooError as exc:
            if not is_record_level(exc):
                raise
            failures.append(f"lookup of {model} by {match_field} failed: {exc.message}")
            continue
        for value in values:
            resolver.add(LookupRequest(model, by, match_field, value, scope), found.get(value, ()))
        unresolved = {value for value in values if not found.get(value)}
        if unresolved and by != "external_id" and may_be_archived(model, odoo_fields or {}):
            calls += 1
            for value, ids in _archived_by_field(client, model, match_field, scope, unresolved).items():
                resolver.add_archived(LookupRequest(model, by, match_field, value, scope), ids)
    return LookupAnswers(resolver=resolver, failures=failures, calls=calls)


def _by_field(
    client: OdooClient,
    model: str,
    match_field: str,
    scope: tuple[tuple[str, str], ...],
    values: set[str],
    *,
    context: dict[str, Any] | None = None,
) -> dict[str, list[int]]:
    domain: list[Any] = [[match_field, "in", sorted(values)]]
    domain += [[_SCOPE_PATHS.get(key, key), "=", value] for key, value in scope]
    rows = client.search_read(model, domain, [match_field], context=context)
    found: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        found[str(row.get(match_field))].append(int(row["id"]))
    return found


def _archived_by_field(
    client: OdooClient,
    model: str,
    match_field: str,
    scope: tuple[tuple[str, str], ...],
    values: set[str],
) -> dict[str, list[int]]:
    """The values that exist only archived (none of them was found active a moment ago)."""
    try:
        return _by_field(client, model, match_field, scope, values, context={"active_test": False})
    except OdooError as exc:
        if not is_record_level(exc):
            raise
        return {}  # the values stay "not found", which is what the first search said


def _external_ids(client: OdooClient, model: str, values: set[str]) -> dict[str, list[int]]:
    pairs = [value.split(".", 1) for value in values if "." in value]
    if not pairs:
        return {}
    domain: list[Any] = [
        ["model", "=", model],
        ["module", "in", sorted({module for module, _ in pairs})],
        ["name", "in", sorted({name for _, name in pairs})],
    ]
    rows = client.search_read("ir.model.data", domain, ["module", "name", "res_id"])
    found: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        found[f"{row['module']}.{row['name']}"].append(int(row["res_id"]))
    return found


def is_record_level(error: OdooError) -> bool:
    """Odoo's verdict on what was sent (fix the data), as opposed to Odoo being unavailable."""
    return error.category in (
        ErrorCategory.VALIDATION,
        ErrorCategory.CONSTRAINT,
        ErrorCategory.ACCESS,
        ErrorCategory.NOT_FOUND,
        ErrorCategory.SERVER,
    )
