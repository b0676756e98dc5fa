"""Translatable Odoo fields per language: a mapping with `lang` says "this local field is the Odoo
field's value in that language" (local `name_fr` is product.template's `name` in fr_FR).

Push, after the chunk's creates and writes:
    read    one read per language of the chunk's linked ids, with context {'lang': code}
    write   one write per language and distinct set of changed values, with that context
A value equal to what Odoo has in that language is not written. Odoo refusing a language
(19 raises UserError for a language that is not installed) fails the records concerned with
Odoo's message; Odoo being unavailable stops the chunk, as for every other call.

Pull: one read per language of the page's ids (`read_translations`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from odoo_sync.odoo import OdooClient, OdooError
from odoo_sync.sync.mapping import is_record_level
from odoo_sync.sync.model import Direction, FieldMapping
from odoo_sync.sync.plan import SyncPlan
from odoo_sync.sync.planner import WriteGroup, group_writes


def translated_mappings(plan: SyncPlan, direction: Direction) -> dict[str, list[FieldMapping]]:
    """The plan's per-language mappings for `direction` whose field this Odoo translates, by language."""
    own = plan.odoo_fields.get(plan.entity.odoo_model, {})
    by_lang: dict[str, list[FieldMapping]] = defaultdict(list)
    for mapping in sorted(plan.mappings_for(direction), key=lambda m: m.priority):
        info = own.get(mapping.odoo_field)
        if mapping.lang is None or info is None or not info.translate:
            continue
        if mapping.odoo_field in plan.skipped_fields:
            continue
        by_lang[mapping.lang].append(mapping)
    return dict(by_lang)


@dataclass(frozen=True)
class LinkedValues:
    """A record the chunk created, wrote or found unchanged: its Odoo id and validated local values."""

    local_id: str
    odoo_id: int
    values: Mapping[str, Any]


@dataclass
class TranslationResult:
    written: dict[str, set[str]] = field(default_factory=dict)  # local id -> local fields written
    refused: dict[str, OdooError] = field(default_factory=dict)  # local id -> Odoo's refusal


def push_translations(
    client: OdooClient,
    model: str,
    mappings: Mapping[str, Sequence[FieldMapping]],
    records: Sequence[LinkedValues],
) -> TranslationResult:
    """Write each language's changed values; raises what is not about the records (Odoo down)."""
    result = TranslationResult()
    for lang, lang_mappings in mappings.items():
        concerned = [r for r in records if r.local_id not in result.refused and _has_any(r, lang_mappings)]
        if concerned:
            _push_language(client, model, lang, lang_mappings, concerned, result)
    return result


def _has_any(record: LinkedValues, mappings: Iterable[FieldMapping]) -> bool:
    return any(mapping.local_field in record.values for mapping in mappings)


def _push_language(  # noqa: PLR0917 - one language of one chunk
    client: OdooClient,
    model: str,
    lang: str,
    mappings: Sequence[FieldMapping],
    records: Sequence[LinkedValues],
    result: TranslationResult,
) -> None:
    context = {"lang": lang}
    fields = sorted({mapping.odoo_field for mapping in mappings})
    try:
        rows = client.read(model, sorted({r.odoo_id for r in records}), fields, context=context)
    except OdooError as exc:
        if not is_record_level(exc):
            raise
        result.refused.update({record.local_id: exc for record in records})
        return
    current = {int(row["id"]): row for row in rows}
    updates: list[tuple[str, int, dict[str, Any]]] = []
    sources: dict[str, dict[str, str]] = {}
    for record in records:
        vals: dict[str, Any] = {}
        for mapping in mappings:
            if mapping.local_field not in record.values:
                continue
            wanted = _odoo_text(record.values[mapping.local_field])
            if wanted != _odoo_text(current.get(record.odoo_id, {}).get(mapping.odoo_field)):
                vals[mapping.odoo_field] = wanted
                sources.setdefault(record.local_id, {})[mapping.odoo_field] = mapping.local_field
        if vals:
            updates.append((record.local_id, record.odoo_id, vals))
    for group in group_writes(updates):
        _write(client, model, group, context, result, sources)


def _write(  # noqa: PLR0917 - one write group and where its outcome goes
    client: OdooClient,
    model: str,
    group: WriteGroup,
    context: dict[str, Any],
    result: TranslationResult,
    sources: Mapping[str, Mapping[str, str]],
) -> None:
    """One write; Odoo refusing it for what was sent is bisected so the good records land."""
    try:
        client.write(model, group.odoo_ids, group.vals, context=context)
    except OdooError as exc:
        if not is_record_level(exc):
            raise
        if len(group.odoo_ids) == 1:
            result.refused[group.local_ids[0]] = exc
            return
        middle = len(group.odoo_ids) // 2
        for part in (slice(None, middle), slice(middle, None)):
            _write(
                client,
                model,
                WriteGroup(group.vals, group.odoo_ids[part], group.local_ids[part]),
                context,
                result,
                sources,
            )
        return
    for local_id in group.local_ids:
        result.written.setdefault(local_id, set()).update(sources[local_id].values())


def _odoo_text(value: Any) -> Any:
    """Odoo reads an empty text as False; None and "" are written as False."""
    if value is None or value == "" or value is False:
        return False
    return value


def read_translations(
    client: OdooClient, model: str, mappings: Mapping[str, Sequence[FieldMapping]], ids: Sequence[int]
) -> dict[int, dict[str, Any]]:
    """{odoo id: {local field: value in its language}}, one read per language; Odoo's False is None."""
    values: dict[int, dict[str, Any]] = defaultdict(dict)
    if not ids:
        return {}
    for lang, lang_mappings in mappings.items():
        fields = sorted({mapping.odoo_field for mapping in lang_mappings})
        for row in client.read(model, list(ids), fields, context={"lang": lang}):
            for mapping in lang_mappings:
                value = row.get(mapping.odoo_field, False)
                values[int(row["id"])][mapping.local_field] = None if value is False else value
    return dict(values)
