"""Finding each record of a chunk in Odoo: stored link, then our external id, then match keys.

Each step is one call for the whole chunk (a match key: one search_read with `in` over the
chunk's values) and reads the mapped fields at the same time, so the planner can compare
without another call. A linked or external id whose Odoo record is gone falls through to the
next step. Archived records are found too: a match key must not create a twin of an archived
record.

What the link says Odoo did is not undone silently: a link marked deleted (by a pull) fails with
`deleted_in_odoo` rather than falling through to a create, and a linked record Odoo has archived
fails with `archived_in_odoo` rather than being written while archived; the push options
`recreate_deleted` and `write_archived` ask for it explicitly.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from odoo_sync.odoo import OdooAccessError, OdooClient
from odoo_sync.sync.external_ids import xmlid_name
from odoo_sync.sync.issues import FieldIssue
from odoo_sync.sync.mapping import MappedRecord
from odoo_sync.sync.model import LinkStatus, SyncOptions
from odoo_sync.sync.plan import SyncPlan
from odoo_sync.sync.transform_core import is_empty

MatchedBy = Literal["link", "external_id", "match_key"]
MAX_IDS_SHOWN = 10
_ACTIVE = "active"


@dataclass(frozen=True)
class Match:
    odoo_id: int
    by: MatchedBy
    current: dict[str, Any]  # the mapped fields as Odoo has them now
    has_external_id: bool | None  # None: not asked (found through the link)


@dataclass(frozen=True)
class MatchFailure:
    code: str
    message: str
    odoo_ids: list[int] = field(default_factory=list)


@dataclass
class MatchResult:
    matches: dict[str, Match] = field(default_factory=dict)
    failures: dict[str, MatchFailure] = field(default_factory=dict)
    external_ids_usable: bool = True
    warnings: list[FieldIssue] = field(default_factory=list)
    owners: dict[int, str] = field(default_factory=dict)  # odoo id -> local id

    def settled(self, local_id: str) -> bool:
        return local_id in self.matches or local_id in self.failures

    def external_ids_to_save(self, created: dict[str, int]) -> dict[str, int]:
        """Records that should now carry our external id: those just created and those found by
        match key only; none when this Odoo user may not write external ids."""
        if not self.external_ids_usable:
            return {}
        key_matched = {lid: m.odoo_id for lid, m in self.matches.items() if m.has_external_id is False}
        return {**key_matched, **created}


class Matcher:
    def __init__(
        self,
        client: OdooClient,
        plan: SyncPlan,
        connection_id: str,
        read_fields: list[str],
        options: SyncOptions | None = None,
    ) -> None:
        self.client = client
        self.plan = plan
        self.model = plan.entity.odoo_model
        self.connection_id = connection_id
        self.read_fields = read_fields
        self.options = options or SyncOptions()
        self.has_active = _ACTIVE in plan.odoo_fields.get(self.model, {})

    def match(self, items: Sequence[MappedRecord]) -> MatchResult:
        result = MatchResult()
        pending = list(items)
        pending = self._by_link(pending, result)
        pending = self._by_external_id(pending, result)
        for key_index in range(len(self.plan.entity.match_keys)):
            pending = self._by_key(pending, key_index, result)
        return result

    # steps -----------------------------------------------------------------------------------
    def _by_link(self, items: list[MappedRecord], result: MatchResult) -> list[MappedRecord]:
        linked: dict[str, int] = {}
        for item in items:
            link = item.record.links.get(self.connection_id)
            if link is None or link.odoo_id is None:
                continue
            if link.status is LinkStatus.DELETED:
                if not self.options.recreate_deleted:
                    result.failures[item.local_id] = _deleted(self.model, link.odoo_id)
                continue  # asked to: matched like a record never pushed
            linked[item.local_id] = link.odoo_id
        archived_too = self.has_active and _ACTIVE not in self.read_fields
        rows = self._read(sorted(set(linked.values())), with_active=archived_too)
        for local_id, odoo_id in linked.items():
            if odoo_id not in rows:
                continue
            row = rows[odoo_id]
            if self.has_active and row.get(_ACTIVE) is False and not self.options.write_archived:
                result.failures[local_id] = _archived(self.model, odoo_id)
                continue
            if archived_too:
                row = {name: value for name, value in row.items() if name != _ACTIVE}
            self._claim(result, local_id, Match(odoo_id, "link", row, None))
        return [item for item in items if not result.settled(item.local_id)]

    def _by_external_id(self, items: list[MappedRecord], result: MatchResult) -> list[MappedRecord]:
        if not items:
            return items
        names = {xmlid_name(self.plan.entity.name, item.local_id): item.local_id for item in items}
        domain: list[Any] = [
            ["module", "=", self.plan.xmlid_module],
            ["model", "=", self.model],
            ["name", "in", sorted(names)],
        ]
        try:
            rows = self.client.search_read("ir.model.data", domain, ["name", "res_id"])
        except OdooAccessError as exc:
            result.external_ids_usable = False
            result.warnings.append(
                FieldIssue(
                    field="",
                    code="external_ids_unavailable",
                    message="this Odoo user cannot read external ids (ir.model.data); records are "
                    f"matched by their link and match keys only: {exc.message}",
                )
            )
            return items
        claimed = {names[str(row["name"])]: int(row["res_id"]) for row in rows if row.get("name") in names}
        found = self._read(sorted(set(claimed.values())))
        for local_id, odoo_id in claimed.items():
            if odoo_id in found:
                self._claim(result, local_id, Match(odoo_id, "external_id", found[odoo_id], True))
        return [item for item in items if not result.settled(item.local_id)]

    def _by_key(self, items: list[MappedRecord], key_index: int, result: MatchResult) -> list[MappedRecord]:
        key = self.plan.entity.match_keys[key_index]
        wanted: dict[str, list[str]] = defaultdict(list)
        for item in items:
            value = key_value(item, key.local_field, key.odoo_field)
            if value is not None:
                wanted[value].append(item.local_id)
        if not wanted:
            return items
        rows_by_value = self.search_by_key(key.odoo_field, list(wanted))
        for value, local_ids in wanted.items():
            rows = rows_by_value.get(value, [])
            if len(rows) > 1:
                ids = sorted(int(row["id"]) for row in rows)
                failure = MatchFailure(
                    "ambiguous_match",
                    f"{len(ids)} Odoo {self.model} records have {key.odoo_field} = {value!r} "
                    f"(ids {ids[:MAX_IDS_SHOWN]}); link one of them or make the key unique",
                    ids,
                )
                for local_id in local_ids:
                    result.failures[local_id] = failure
            elif rows:
                row = rows[0]
                for local_id in local_ids:
                    self._claim(result, local_id, Match(int(row["id"]), "match_key", row, False))
        return [item for item in items if not result.settled(item.local_id)]

    # calls -----------------------------------------------------------------------------------
    def search_by_key(self, odoo_field: str, values: list[str]) -> dict[str, list[dict[str, Any]]]:
        """Odoo rows (mapped fields included) whose `odoo_field` is one of `values`, archived too."""
        domain: list[Any] = [[odoo_field, "in", sorted(values)]]
        if self.has_active:
            domain.append(["active", "in", [True, False]])
        fields = sorted({*self.read_fields, odoo_field})
        rows = self.client.search_read(self.model, domain, fields)
        grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in rows:
            grouped[str(row.get(odoo_field))].append(row)
        return grouped

    def _read(self, ids: list[int], *, with_active: bool = False) -> dict[int, dict[str, Any]]:
        if not ids:
            return {}
        # search_read, not read: a record hidden from this user by a record rule is left out (and
        # so falls through to the next matching step) instead of failing the whole chunk.
        rows = self.client.execute(
            self.model,
            "search_read",
            (),
            {
                "domain": [["id", "in", ids]],
                "fields": [*self.read_fields, _ACTIVE] if with_active else self.read_fields,
                "context": {"active_test": False},
            },
        )
        return {int(row["id"]): row for row in rows}

    @staticmethod
    def _claim(result: MatchResult, local_id: str, match: Match) -> None:
        """One Odoo record per local record: a second local record on the same Odoo record fails."""
        owner = result.owners.get(match.odoo_id)
        if owner is not None:
            result.failures[local_id] = MatchFailure(
                "duplicate_match",
                f"Odoo record {match.odoo_id} already belongs to local record {owner!r} in this push",
                [match.odoo_id],
            )
            return
        result.matches[local_id] = match
        result.owners[match.odoo_id] = local_id


def _deleted(model: str, odoo_id: int) -> MatchFailure:
    return MatchFailure(
        "deleted_in_odoo",
        f"Odoo {model} record {odoo_id} was deleted in Odoo; push with recreate_deleted: true to "
        "create it again (or match it by its keys), or delete the local record if it should go too",
        [odoo_id],
    )


def _archived(model: str, odoo_id: int) -> MatchFailure:
    return MatchFailure(
        "archived_in_odoo",
        f"Odoo {model} record {odoo_id} is archived in Odoo; unarchive it there, or push with "
        "write_archived: true to update it while it stays archived",
        [odoo_id],
    )


def key_value(item: MappedRecord, local_field: str, odoo_field: str) -> str | None:
    """A record's value for a match key, as it is written to Odoo (after its transform)."""
    value = item.vals.get(odoo_field)
    if value is None or value is False:
        value = item.values.get(local_field)
    if isinstance(value, bool) or not isinstance(value, str | int) or is_empty(value):
        return None
    return str(value)
