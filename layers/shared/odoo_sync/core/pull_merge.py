"""Pulled records the tenant changed too: merged three ways, the conflicts held for a person.

Kept apart from the page's flow (`odoo_sync.core.pull_apply`) because only two-way records take
this path, and it is the one that reads local records through the to_odoo mappings (Odoo calls
of their own) and talks to the conflict store; a shaped (read-only) entity never comes here.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from odoo_sync.core.conflicts import ConflictRecorder, DetectedConflict
from odoo_sync.core.pull_outcomes import PageState
from odoo_sync.sync.conflicts import FieldComparison, Reconciliation, reconcile
from odoo_sync.sync.mapping import RecordMapper, map_records
from odoo_sync.sync.model import LocalRecord
from odoo_sync.sync.pull import PullApply, locally_changed
from odoo_sync.sync.pull_mapping import OdooRecordMapper, PulledRecord


class TwoWayMerge:
    """Merges what Odoo sent with the tenant's own changes, and holds what cannot be merged."""

    def __init__(self, conflicts: ConflictRecorder | None) -> None:
        self._conflicts = conflicts

    def reconcile(
        self,
        page: PageState,
        pulled: Mapping[int, PulledRecord],
        owners: Mapping[int, str],
        found: Mapping[str, LocalRecord],
    ) -> dict[int, Reconciliation | str]:
        """A three-way merge for records the tenant changed since the last sync (or with open
        conflicts); a string is the reason a record cannot be merged."""
        linked = [owners[i] for i in pulled if owners[i] in found]
        open_fields: dict[str, set[str]] = {}
        if self._conflicts is not None and linked:
            open_fields = self._conflicts.open_fields_many(
                page.tenant_id, page.connection_id, page.entity, linked
            )
        two_way = {
            odoo_id: found[owners[odoo_id]]
            for odoo_id in pulled
            if owners[odoo_id] in found
            and (
                locally_changed(found[owners[odoo_id]], page.connection_id) or owners[odoo_id] in open_fields
            )
        }
        if not two_way:
            return {}
        mapper = RecordMapper(page.plan)
        chunk = map_records(mapper, page.client, list(two_way.values()))
        mapped = {item.local_id: item for item in chunk.records}
        comparison = FieldComparison.for_fields(mapper.field_info, mapper.digits_of)
        results: dict[int, Reconciliation | str] = {}
        for odoo_id, record in two_way.items():
            item = mapped[record.local_id]
            if not item.valid:
                listed = "; ".join(f"{i.field or 'record'}: {i.message}" for i in item.issues)
                results[odoo_id] = (
                    f"the local record changed too and is invalid, so it cannot be merged: {listed}"
                )
                continue
            link = record.links.get(page.connection_id)
            odoo = pulled[odoo_id]
            results[odoo_id] = reconcile(
                link.snapshot if link is not None else None,
                item.vals,
                odoo.odoo_values,
                page.plan.entity.conflicts,
                local_changed_at=_moment(record.updated_at),
                odoo_changed_at=_moment(odoo.write_date),
                open_conflicts=open_fields.get(record.local_id, set()),
                comparison=comparison,
            )
        return results

    def hold(
        self,
        page: PageState,
        decisions: Mapping[int, PullApply],
        found: Mapping[str, LocalRecord],
        pulled: Mapping[int, PulledRecord],
        mapper: OdooRecordMapper,
    ) -> None:
        if self._conflicts is None:
            return
        local_fields: dict[str, list[str]] = {}
        for inbound in mapper.fields:
            local_fields.setdefault(inbound.source.name, []).append(inbound.mapping.local_field)
        detected = [
            DetectedConflict(
                connection_id=page.connection_id,
                entity=page.entity,
                local_id=decision.local_id,
                odoo_id=odoo_id,
                odoo_field=held.odoo_field,
                local_fields=local_fields.get(held.odoo_field, []),
                base=held.base,
                local=held.local,
                odoo=held.odoo,
                odoo_as_local={
                    name: pulled[odoo_id].values[name]
                    for name in local_fields.get(held.odoo_field, [])
                    if name in pulled[odoo_id].values
                },
            )
            for odoo_id, decision in decisions.items()
            for held in decision.held
        ]
        if detected:
            self._conflicts.hold(page.tenant_id, detected)


def _moment(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
