"""Our external ids in the tenant's Odoo: `<module>.<entity>-<escaped local id>` in ir.model.data.

The module is per tenant, so two tenants sharing one Odoo (or a tenant and its test tenant)
never claim each other's records. The name is one-to-one with (entity, local id): entity names
cannot contain '-', and every character of the local id other than letters and digits is
escaped (Odoo refuses spaces in names; '_' and '-' are escaped too, so no two ids collide).
"""

from __future__ import annotations

import hashlib
import re

_ESCAPED = re.compile(r"[^A-Za-z0-9]")


def xmlid_module(tenant_id: str) -> str:
    return "odoo_sync_" + hashlib.sha256(tenant_id.encode()).hexdigest()[:8]


def xmlid_name(entity: str, local_id: str) -> str:
    safe = _ESCAPED.sub(lambda m: f"_{ord(m.group()):x}_", local_id)
    return f"{entity}-{safe}"
