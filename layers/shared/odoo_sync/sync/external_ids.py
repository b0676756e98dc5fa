"""Our external ids in the tenant's Odoo: `<module>.<entity>-<escaped local id>` in ir.model.data.

The module is per tenant, so two tenants sharing one Odoo (or a tenant and its test tenant)
never claim each other's records. The name is one-to-one with (entity, local id): entity names
cannot contain '-', and every character of the local id other than letters and digits is
escaped (Odoo refuses spaces in names; '_' and '-' are escaped too, so no two ids collide).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping

from odoo_sync.odoo import OdooClient, OdooError
from odoo_sync.sync.issues import FieldIssue

_ESCAPED = re.compile(r"[^A-Za-z0-9]")


def xmlid_module(tenant_id: str) -> str:
    return "odoo_sync_" + hashlib.sha256(tenant_id.encode()).hexdigest()[:8]


def xmlid_name(entity: str, local_id: str) -> str:
    safe = _ESCAPED.sub(lambda m: f"_{ord(m.group()):x}_", local_id)
    return f"{entity}-{safe}"


def save_external_ids(
    client: OdooClient,
    *,
    module: str,
    entity: str,
    model: str,
    linked: Mapping[str, int],
    warnings: list[FieldIssue],
) -> None:
    """Our external id on every record we created or found by key (local id -> Odoo id), so a
    later push or pull (or a redelivery after a crash) finds it even without our own link. A
    refusal is a warning: links and match keys still find these records."""
    if not linked:
        return
    vals = [
        {
            "module": module,
            "name": xmlid_name(entity, local_id),
            "model": model,
            "res_id": odoo_id,
            "noupdate": True,
        }
        for local_id, odoo_id in sorted(linked.items())
    ]
    try:
        client.create("ir.model.data", vals)
    except OdooError as exc:
        warnings.append(
            FieldIssue(
                field="",
                code="external_ids_not_saved",
                message=f"external ids could not be saved in Odoo: {exc.message}",
            )
        )
