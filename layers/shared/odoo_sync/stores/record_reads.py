"""Reading the records table: the query a list or selection makes, the records it answers, cursors.

A query reads the entity's partition in local-id order, or, with `modified_since`, the ByUpdatedAt
index in update order. ByUpdatedAt projects the keys only (pk, sk, updated_sk): the records it
finds are read from the table by key (BatchGetItem) with the attributes the caller needs, or left
as keys when the filters need no more. DynamoDB would fetch unprojected attributes of a local
index itself, moto does not: this reads the same on both.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.conditions import Key

from odoo_sync.core.ids import iso
from odoo_sync.errors import InvalidInputError
from odoo_sync.stores.batching import batch_get
from odoo_sync.stores.dynamodb import encode_cursor
from odoo_sync.sync.filters import RecordFilters

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table

BY_UPDATED_AT = "ByUpdatedAt"
# Items a filtered list or selection reads per request while looking for matches.
_FILTERED_READ = 200


def of_entries(
    table: Table,
    query: Mapping[str, Any],
    items: list[dict[str, Any]],
    filters: RecordFilters,
    projection: tuple[str, dict[str, str]] | None,
) -> list[dict[str, Any]]:
    """The records a query answered, in its order. From the table they are as read; from
    ByUpdatedAt (keys only) they are read by key with the attributes the caller asked for
    (`projection`, or all of them with None), or left as keys when the filters need no more.
    A record deleted since is left out; each keeps its position in the index (for cursors)."""
    if "IndexName" not in query or not items:
        return items
    entries = [{**item, "updated_at": str(item["updated_sk"]).split("#", 1)[0]} for item in items]
    if projection is not None and not filters.fields and not filters.needs_connection():
        return entries  # the key and the update time are all the filters read
    keys = [{"pk": item["pk"], "sk": item["sk"]} for item in items]
    attributes, names = projection if projection is not None else (None, None)
    found = {
        str(item["sk"]): item
        for item in batch_get(table, keys, "read records", projection=attributes, names=names)
    }
    return [{**found[str(e["sk"])], **_position(e)} for e in entries if str(e["sk"]) in found]


def _position(entry: Mapping[str, Any]) -> dict[str, Any]:
    return {"pk": entry["pk"], "sk": entry["sk"], "updated_sk": entry["updated_sk"]}


def read_size(filters: RecordFilters, wanted: int) -> int:
    """Items to read for `wanted` more matches: one more than wanted (to know whether more follow)
    when every item matches, more when a filter may drop some."""
    if not filters.fields and not filters.needs_connection():
        return wanted + 1
    return max(wanted + 1, _FILTERED_READ)


def query_for(pk: str, filters: RecordFilters) -> dict[str, Any]:
    if filters.modified_since is None:
        return {"KeyConditionExpression": Key("pk").eq(pk), "ConsistentRead": True}
    since = iso(filters.modified_since)
    return {
        "IndexName": BY_UPDATED_AT,
        "KeyConditionExpression": Key("pk").eq(pk) & Key("updated_sk").gte(since),
        "ConsistentRead": True,
    }


def projection_of(filters: RecordFilters) -> tuple[str, dict[str, str]]:
    """Only what the filters read: the key, the update time, the named data fields, one link."""
    names = {"#sk": "sk", "#updated_at": "updated_at"}
    paths = ["#sk", "#updated_at"]
    for index, name in enumerate(filters.fields):
        names.update({"#data": "data", f"#f{index}": name})
        paths.append(f"#data.#f{index}")
    if filters.needs_connection() and filters.connection_id is not None:
        names.update({"#links": "links", "#connection": filters.connection_id})
        names.update({"#odoo_id": "odoo_id", "#status": "status"})
        paths += ["#links.#connection.#odoo_id", "#links.#connection.#status"]
    return ", ".join(paths), names


def cursor_of(item: dict[str, Any], filters: RecordFilters) -> str | None:
    key = {"pk": item["pk"], "sk": item["sk"]}
    if filters.modified_since is not None:
        key["updated_sk"] = item["updated_sk"]
    return encode_cursor(key)


def decode_cursor(cursor: str | None, pk: str, *, by_update: bool) -> dict[str, Any] | None:
    """The start key a cursor carries, checked to be in the caller's own partition."""
    if not cursor:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode()))
    except (ValueError, binascii.Error) as exc:
        raise InvalidInputError("the cursor is not valid", field="cursor") from exc
    wanted = ("pk", "sk", "updated_sk") if by_update else ("pk", "sk")
    if (
        not isinstance(key, dict)
        or key.get("pk") != pk
        or not all(isinstance(key.get(name), str) for name in wanted)
    ):
        raise InvalidInputError("the cursor is not valid for this list", field="cursor")
    return {name: key[name] for name in wanted}
