"""Which local record an Odoo record of a page belongs to.

In this order, each one call (or one read of the records table) for the whole page:
1. our external id in Odoo (`<module>.<entity>-<escaped local id>`, written by every push and
   by every pull that creates or matches a local record): one search_read on ir.model.data by
   model and res_id;
2. the entity's match-key value as the local id (a record pushed with `default_from_local_id`
   keys carries its local id in Odoo's ref/default_code): matched when such a local record exists;
3. otherwise the record is new to the tenant: its local id is the match-key value, or
   `odoo-<id>` when Odoo has none.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from odoo_sync.odoo import OdooClient
from odoo_sync.sync.external_ids import xmlid_name
from odoo_sync.sync.model import LOCAL_ID_PATTERN, EntityDefinition

_ESCAPE = re.compile(r"_([0-9a-f]+)_")
_LOCAL_ID = re.compile(LOCAL_ID_PATTERN)


def local_id_of_xmlid(entity: str, name: str) -> str | None:
    """The local id in one of our xmlid names for `entity` (the inverse of `xmlid_name`)."""
    prefix = f"{entity}-"
    if not name.startswith(prefix):
        return None
    try:
        local_id = _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), name[len(prefix) :])
    except (ValueError, OverflowError):
        return None
    return local_id if xmlid_name(entity, local_id) == name else None


def linked_by_external_id(
    client: OdooClient, module: str, entity: str, model: str, odoo_ids: Sequence[int]
) -> dict[int, str]:
    """Odoo id -> local id for the ids that carry our external id for this entity."""
    if not odoo_ids:
        return {}
    rows = client.search_read(
        "ir.model.data",
        [["module", "=", module], ["model", "=", model], ["res_id", "in", sorted(set(odoo_ids))]],
        ["name", "res_id"],
        order="id asc",
    )
    found: dict[int, str] = {}
    for row in rows:
        local_id = local_id_of_xmlid(entity, str(row.get("name", "")))
        if local_id is not None:
            found.setdefault(int(row["res_id"]), local_id)  # the oldest wins: one-to-one by push
    return found


def candidate_local_id(entity: EntityDefinition, match_values: Mapping[str, str]) -> str | None:
    """The local id an Odoo record would have by its first match key with a usable value."""
    for key in entity.match_keys:
        value = match_values.get(key.local_field)
        if value and _LOCAL_ID.match(value):
            return value
    return None


def new_local_id(entity: EntityDefinition, match_values: Mapping[str, str], odoo_id: int) -> str:
    return candidate_local_id(entity, match_values) or f"odoo-{odoo_id}"
