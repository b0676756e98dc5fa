"""The tenant's records in the records table, one item per record with one link per connection.

Item: pk=TENANT#<tenant>#ENTITY#<entity>  sk=<local_id>  updated_sk=<updated_at>#<local_id>
      entity, local_id, data (map), version, updated_at, links (map: connection id -> link)

A write of the data is one UpdateItem that adds 1 to `version` atomically, so concurrent writers
each get their own version and none is lost; it never touches `links`. A link update sets one
connection's link and never touches the data. Filters are applied to the items read (a filter
expression would cost the same reads); `modified_since` reads through the ByUpdatedAt index.

ByUpdatedAt projects the keys only (pk, sk, updated_sk): a write that leaves `updated_sk` alone (a
link, a sync state) does not write the index at all, and a data write moves a small entry instead
of a copy of the record. How reads go through it: stores/record_reads.py.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from odoo_sync.core.ids import iso, utc_now
from odoo_sync.core.records import filter_problems, record_matches, unique_local_ids
from odoo_sync.errors import ConflictError, InvalidInputError, NotFoundError, ServiceError
from odoo_sync.stores.batching import batch_get
from odoo_sync.stores.dynamodb import ConditionFailedError, encode_cursor, storage_errors
from odoo_sync.stores.record_reads import (
    cursor_of,
    decode_cursor,
    of_entries,
    projection_of,
    query_for,
    read_size,
)
from odoo_sync.stores.transactions import ItemWrite, write_all
from odoo_sync.sync.filters import RecordFilters
from odoo_sync.sync.model import LocalRecord, OdooLink

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table

# A list request reads at most this many items to fill one page of rare matches, then answers
# with what it found and a cursor to go on from.
MAX_EXAMINED_PER_PAGE = 2_000
_RACE_ROUNDS = 4
_SELECT_READ = 1_000  # items per request when every selected id is read


def records_pk(tenant_id: str, entity: str) -> str:
    return f"TENANT#{tenant_id}#ENTITY#{entity}"


class DynamoRecordStore:
    """core.ports.RecordStore for the push path, plus what the record routes and bulk selection use."""

    def __init__(self, table: Table) -> None:
        self._table = table

    # writes

    def put(
        self,
        tenant_id: str,
        entity: str,
        local_id: str,
        data: dict[str, Any],
        *,
        expected_version: int | None = None,
    ) -> LocalRecord:
        """Store the record's data (created or replaced) with the next version; links are kept.

        With `expected_version`, only if the stored version is that one (ConflictError otherwise).
        """
        update = self._data_update(tenant_id, entity, local_id, data)
        update["UpdateExpression"] += " ADD #version :one"
        update["ExpressionAttributeValues"][":one"] = 1
        if expected_version is not None:
            update["ConditionExpression"] = "#version = :expected"
            update["ExpressionAttributeValues"][":expected"] = expected_version
        try:
            with storage_errors("store the record"):
                # The table's client takes and returns plain Python values like the resource does.
                answer = self._table.meta.client.update_item(
                    TableName=self._table.name, ReturnValues="ALL_NEW", **update
                )
        except ConditionFailedError as exc:
            raise ConflictError(
                f"the record is not at version {expected_version} any more; read it again",
                field="If-Match",
            ) from exc
        return _record(answer["Attributes"])

    def put_many(
        self, tenant_id: str, entity: str, records: Sequence[tuple[str, dict[str, Any]]]
    ) -> list[int | ServiceError]:
        """`put` for each record, in transactions of up to 100; the new versions (or errors) in the
        order given. 2 requests per 100 records: the stored versions are read, then each record is
        written on the condition that its version is still the one read; a record another writer
        changed in between is read and written again (only that one)."""
        pending = dict(records)
        written: dict[str, int] = {}
        for _ in range(_RACE_ROUNDS):
            if not pending:
                break
            stored = self._versions(tenant_id, entity, list(pending))
            writes = [
                ItemWrite(local_id, self._versioned(tenant_id, entity, local_id, data, stored))
                for local_id, data in pending.items()
            ]
            losers = write_all(self._table.meta.client, writes, what="store the records")
            for local_id in pending:
                if local_id not in losers:
                    written[local_id] = stored.get(local_id, 0) + 1
            pending = {local_id: data for local_id, data in pending.items() if local_id in losers}
        busy = ConflictError("the record kept changing while it was stored; send it again", field="local_id")
        return [written.get(local_id, busy) for local_id, _ in records]

    def _versions(self, tenant_id: str, entity: str, local_ids: Sequence[str]) -> dict[str, int]:
        keys = [_key(tenant_id, entity, local_id) for local_id in local_ids]
        items = batch_get(self._table, keys, "read the records' versions", projection="sk, version")
        return {str(item["sk"]): int(str(item["version"])) for item in items}

    def _versioned(
        self, tenant_id: str, entity: str, local_id: str, data: dict[str, Any], stored: Mapping[str, int]
    ) -> dict[str, Any]:
        """The transaction action writing the record: a Put of the whole item for a new one (the
        same write units as an update, less work for the local stack's moto), else an update."""
        update = {"TableName": self._table.name, **self._data_update(tenant_id, entity, local_id, data)}
        read = stored.get(local_id)
        if read is None:
            values = update["ExpressionAttributeValues"]
            item = {
                **update["Key"],
                "data": values[":data"],
                "updated_at": values[":updated_at"],
                "updated_sk": values[":updated_sk"],
                "entity": entity,
                "local_id": local_id,
                "links": {},
                "version": 1,
            }
            return {
                "Put": {
                    "TableName": self._table.name,
                    "Item": item,
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            }
        update["UpdateExpression"] += ", #version = :version"
        update["ExpressionAttributeValues"][":version"] = read + 1
        update["ConditionExpression"] = "#version = :read"
        update["ExpressionAttributeValues"][":read"] = read
        return {"Update": update}

    @staticmethod
    def _data_update(tenant_id: str, entity: str, local_id: str, data: dict[str, Any]) -> dict[str, Any]:
        updated_at = iso(utc_now())
        return {
            "Key": _key(tenant_id, entity, local_id),
            "UpdateExpression": (
                "SET #data = :data, #updated_at = :updated_at, #updated_sk = :updated_sk, "
                "#entity = :entity, #local_id = :local_id, #links = if_not_exists(#links, :no_links)"
            ),
            "ExpressionAttributeNames": {
                "#data": "data",
                "#updated_at": "updated_at",
                "#updated_sk": "updated_sk",
                "#entity": "entity",
                "#local_id": "local_id",
                "#links": "links",
                "#version": "version",
            },
            "ExpressionAttributeValues": {
                ":data": _to_dynamo(data),
                ":updated_at": updated_at,
                ":updated_sk": f"{updated_at}#{local_id}",
                ":entity": entity,
                ":local_id": local_id,
                ":no_links": {},
            },
        }

    def update_link(
        self, tenant_id: str, entity: str, local_id: str, connection_id: str, link: OdooLink
    ) -> None:
        """Set one connection's link; the data, version and other links stay as they are."""
        try:
            with storage_errors("store the record's link"):
                self._table.update_item(**self._link_update(tenant_id, entity, local_id, connection_id, link))
        except ConditionFailedError as exc:
            raise NotFoundError("record", f"{entity}/{local_id}", field="local_id") from exc

    def update_links(
        self, tenant_id: str, entity: str, connection_id: str, links: Mapping[str, OdooLink]
    ) -> None:
        """Set one connection's link on many records, 100 to a request; deleted records are skipped.

        A link write is not the tenant's edit: it needs no version check, only that the record
        still exists (a record deleted meanwhile is left out; the others are written)."""
        writes = [
            ItemWrite(
                local_id,
                {
                    "Update": {
                        "TableName": self._table.name,
                        **self._link_update(tenant_id, entity, local_id, connection_id, link),
                    }
                },
            )
            for local_id, link in links.items()
        ]
        write_all(self._table.meta.client, writes, what="store the records' links")

    def _link_update(
        self, tenant_id: str, entity: str, local_id: str, connection_id: str, link: OdooLink
    ) -> Any:  # plain values, as the table resource takes them
        return {
            "Key": _key(tenant_id, entity, local_id),
            "UpdateExpression": "SET #links.#connection = :link",
            "ConditionExpression": "attribute_exists(pk)",
            "ExpressionAttributeNames": {"#links": "links", "#connection": connection_id},
            "ExpressionAttributeValues": {
                ":link": _to_dynamo(link.model_dump(mode="json", exclude_none=True))
            },
        }

    # reads

    def get(self, tenant_id: str, entity: str, local_id: str) -> LocalRecord | None:
        with storage_errors("read the record"):
            item = self._table.get_item(Key=_key(tenant_id, entity, local_id), ConsistentRead=True).get(
                "Item"
            )
        return _record(item) if item else None

    def get_many(self, tenant_id: str, entity: str, local_ids: Sequence[str]) -> list[LocalRecord]:
        """The records that exist, in any order (BatchGetItem, 100 keys per call)."""
        keys = [_key(tenant_id, entity, local_id) for local_id in unique_local_ids(local_ids)]
        return [_record(item) for item in batch_get(self._table, keys, "read records")]

    def page_local_ids(
        self, tenant_id: str, entity: str, filters: RecordFilters, limit: int, cursor: str | None
    ) -> tuple[list[str], str | None]:
        """Up to `limit` selected ids from the cursor on (the order of iter_local_ids), and the
        cursor after them; with `local_ids`, all of them at once (at most 10,000, read by key)."""
        if filters.local_ids is not None:
            return list(self.iter_local_ids(tenant_id, entity, filters)), None
        filter_problems(filters)
        pk = records_pk(tenant_id, entity)
        by_update = filters.modified_since is not None
        projection, names = projection_of(filters)
        query = query_for(pk, filters)
        if not by_update:
            query.update(ProjectionExpression=projection, ExpressionAttributeNames=names)
        start = decode_cursor(cursor, pk, by_update=by_update)
        if start is not None:
            query["ExclusiveStartKey"] = start
        selected: list[str] = []
        while True:
            query["Limit"] = read_size(filters, limit - len(selected))
            with storage_errors("select records"):
                page = self._table.query(**query)
            items = of_entries(self._table, query, page.get("Items", []), filters, (projection, names))
            last_key = page.get("LastEvaluatedKey")
            for index, item in enumerate(items):
                if not record_matches(_plain(item), filters):
                    continue
                selected.append(str(item["sk"]))
                if len(selected) == limit:
                    more = index < len(items) - 1 or last_key is not None
                    return selected, cursor_of({"pk": pk, **item}, filters) if more else None
            if last_key is None:
                return selected, None
            query["ExclusiveStartKey"] = last_key

    def list(
        self, tenant_id: str, entity: str, filters: RecordFilters, limit: int, cursor: str | None
    ) -> tuple[list[LocalRecord], str | None]:
        """One page of matching records, by local id (or by update time with modified_since)."""
        filter_problems(filters)
        if filters.local_ids is not None:
            raise InvalidInputError("local_ids select records for a push, not for a list", field="local_ids")
        pk = records_pk(tenant_id, entity)
        query = query_for(pk, filters)
        start = decode_cursor(cursor, pk, by_update=filters.modified_since is not None)
        if start is not None:
            query["ExclusiveStartKey"] = start
        found: list[dict[str, Any]] = []
        examined = 0
        while True:
            query["Limit"] = min(read_size(filters, limit - len(found)), MAX_EXAMINED_PER_PAGE - examined)
            with storage_errors("list records"):
                page = self._table.query(**query)
            items = of_entries(self._table, query, page.get("Items", []), filters, None)
            last_key = page.get("LastEvaluatedKey")
            for index, item in enumerate(items):
                if not record_matches(item, filters):
                    continue
                found.append(item)
                if len(found) == limit:
                    more = index < len(items) - 1 or last_key is not None
                    return [_record(i) for i in found], cursor_of(item, filters) if more else None
            examined += len(items)
            if last_key is None:
                return [_record(i) for i in found], None
            query["ExclusiveStartKey"] = last_key
            if examined >= MAX_EXAMINED_PER_PAGE:
                return [_record(i) for i in found], encode_cursor(last_key)

    def iter_local_ids(self, tenant_id: str, entity: str, filters: RecordFilters) -> Iterator[str]:
        """Every local id that passes the filters (paged reads of only the attributes they need).

        With `local_ids`, those that exist and pass the other filters, in the order given.
        """
        filter_problems(filters)
        projection, names = projection_of(filters)
        if filters.local_ids is not None:
            wanted = list(unique_local_ids(filters.local_ids))
            keys = [_key(tenant_id, entity, local_id) for local_id in wanted]
            items = batch_get(self._table, keys, "select records", projection=projection, names=names)
            matching = {str(item["sk"]) for item in items if record_matches(_plain(item), filters)}
            yield from (local_id for local_id in wanted if local_id in matching)
            return
        query = query_for(records_pk(tenant_id, entity), filters)
        query["Limit"] = _SELECT_READ
        if filters.modified_since is None:
            query.update(ProjectionExpression=projection, ExpressionAttributeNames=names)
        while True:
            with storage_errors("select records"):
                page = self._table.query(**query)
            for item in of_entries(self._table, query, page.get("Items", []), filters, (projection, names)):
                if record_matches(_plain(item), filters):
                    yield str(item["sk"])
            if "LastEvaluatedKey" not in page:
                return
            query["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _key(tenant_id: str, entity: str, local_id: str) -> dict[str, str]:
    return {"pk": records_pk(tenant_id, entity), "sk": local_id}


def _to_dynamo(value: Any) -> Any:
    """JSON values as boto3 takes them: floats become Decimals (by their shortest repr)."""
    return json.loads(json.dumps(value), parse_float=Decimal)


def _from_dynamo(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {key: _from_dynamo(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_from_dynamo(item) for item in value]
    return value


def _plain(item: dict[str, Any]) -> dict[str, Any]:
    return {str(key): value for key, value in item.items()}


def _record(item: dict[str, Any]) -> LocalRecord:
    plain = _from_dynamo(item)
    return LocalRecord(
        entity=plain["entity"],
        local_id=plain["local_id"],
        data=plain.get("data") or {},
        version=plain["version"],
        updated_at=plain["updated_at"],
        links=plain.get("links") or {},
    )
