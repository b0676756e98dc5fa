"""Our external ids in the tenant's Odoo: `<module>.<entity>_<local id>` in ir.model.data.

The module is per tenant, so two tenants sharing one Odoo (or a tenant and its test tenant)
never claim each other's records.
"""

from __future__ import annotations

import hashlib
import re

_UNSAFE = re.compile(r"[^A-Za-z0-9_.\-]")


def xmlid_module(tenant_id: str) -> str:
    return "odoo_sync_" + hashlib.sha256(tenant_id.encode()).hexdigest()[:8]


def xmlid_name(entity: str, local_id: str) -> str:
    """The name part: Odoo refuses spaces; other unsafe characters become their code point."""
    safe = _UNSAFE.sub(lambda m: f"_{ord(m.group()):x}_", local_id)
    return f"{entity}_{safe}"
