"""What a pull asks Odoo before it queues pages: the ids a domain selects, the newest write_date,
the records changed in a delta's window; each refused past the pull's record limit.

Ids are searched keyed on id (`id > last`, ordered by id), never with limit/offset: offset paging
skips records that move between pages.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from odoo_sync.errors import InvalidInputError
from odoo_sync.odoo import OdooClient

SEARCH_PAGE = 50_000


def search_ids(client: OdooClient, model: str, domain: list[Any], max_records: int) -> Iterator[int]:
    """Every id the domain selects, ascending, a search of SEARCH_PAGE ids at a time keyed on id."""
    last: int | None = None
    found = 0
    while True:
        page_domain = domain if last is None else [["id", ">", last], *domain]
        ids = client.search(model, page_domain, limit=SEARCH_PAGE, order="id asc")
        found += len(ids)
        if found > max_records:
            raise InvalidInputError(
                f"the filters select more than {max_records:,} records; narrow them "
                "(odoo_filters, modified_since) and import in several batches",
                field="odoo_filters",
            )
        yield from ids
        if len(ids) < SEARCH_PAGE:
            return
        last = int(ids[-1])


def newest_write_date(client: OdooClient, model: str, domain: list[Any]) -> str | None:
    rows = client.search_read(model, domain, ["write_date"], limit=1, order="write_date desc, id desc")
    return str(rows[0]["write_date"]) if rows and rows[0].get("write_date") else None


def changed_since(
    client: OdooClient, model: str, domain: list[Any], max_records: int
) -> list[dict[str, Any]]:
    """The ids and write_dates a delta's window selects, oldest first."""
    rows = client.search_read(
        model, domain, ["write_date"], limit=max_records + 1, order="write_date asc, id asc"
    )
    if len(rows) > max_records:
        raise InvalidInputError(
            f"more than {max_records:,} records changed; import them by domain first", field="entity"
        )
    return rows
