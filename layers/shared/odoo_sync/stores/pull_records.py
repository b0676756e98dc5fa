"""Writing what came from Odoo into the records table, and reading the links a reconciliation needs.

A pulled record's data and its link are written together, conditional on the version read before
the decision (or on the record not existing yet, for a new one): a tenant write that lands in
between is never overwritten; the pull reports a race and the page is applied again for that
record. The version goes up by one, so the link's synced_version is known before the write. A
page's writes go 100 to a transaction (stores/transactions.py): one request per 100 records.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.conditions import Key

from odoo_sync.core.ids import iso, utc_now
from odoo_sync.core.pull_writes import PulledWrite
from odoo_sync.stores.dynamodb import storage_errors
from odoo_sync.stores.records import _to_dynamo, records_pk
from odoo_sync.stores.transactions import ItemWrite, write_all

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table


_LINKS_PER_READ = 1_000


class DynamoPulledRecords:
    """core.pull_writes.PulledRecordWriter and core.pull_deletions.LinkedIds on the records table."""

    def __init__(self, table: Table) -> None:
        self._table = table

    def write_many(
        self, tenant_id: str, entity: str, connection_id: str, writes: Sequence[PulledWrite]
    ) -> set[str]:
        """Every write, 100 to a request; answers the local ids whose record changed (or appeared)
        since it was read: those are not written (the page runs again for them)."""
        items = [
            ItemWrite(write.local_id, self._action(tenant_id, entity, connection_id, write))
            for write in writes
        ]
        return write_all(self._table.meta.client, items, what="store the pulled records")

    def _action(self, tenant_id: str, entity: str, connection_id: str, write: PulledWrite) -> dict[str, Any]:
        """A new record is put whole (the same write units as an update, less work for the local
        stack's moto); an existing one is updated, leaving the links of other connections alone."""
        if write.expected_version is not None or write.data is None:
            return {"Update": self._update(tenant_id, entity, connection_id, write)}
        updated_at = iso(utc_now())
        item = {
            "pk": records_pk(tenant_id, entity),
            "sk": write.local_id,
            "data": _to_dynamo(write.data),
            "updated_at": updated_at,
            "updated_sk": f"{updated_at}#{write.local_id}",
            "entity": entity,
            "local_id": write.local_id,
            "links": {connection_id: _to_dynamo(write.link.model_dump(mode="json", exclude_none=True))},
            "version": 1,
        }
        return {
            "Put": {
                "TableName": self._table.name,
                "Item": item,
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }

    def _update(self, tenant_id: str, entity: str, connection_id: str, write: PulledWrite) -> dict[str, Any]:
        key = {"pk": records_pk(tenant_id, entity), "sk": write.local_id}
        stored_link = _to_dynamo(write.link.model_dump(mode="json", exclude_none=True))
        if write.data is None:
            # The link alone (Odoo's version was already applied, or only the link moved): not
            # the tenant's data, so no version check; the record must still be there.
            return {
                "TableName": self._table.name,
                "Key": key,
                "UpdateExpression": "SET #links.#connection = :link",
                "ConditionExpression": "attribute_exists(pk)",
                "ExpressionAttributeNames": {"#links": "links", "#connection": connection_id},
                "ExpressionAttributeValues": {":link": stored_link},
            }
        updated_at = iso(utc_now())
        names = {
            "#data": "data",
            "#updated_at": "updated_at",
            "#updated_sk": "updated_sk",
            "#links": "links",
            "#version": "version",
        }
        values: dict[str, Any] = {
            ":data": _to_dynamo(write.data),
            ":updated_at": updated_at,
            ":updated_sk": f"{updated_at}#{write.local_id}",
            ":one": 1,
        }
        update = "SET #data = :data, #updated_at = :updated_at, #updated_sk = :updated_sk, "
        condition = "#version = :expected"
        names["#connection"] = connection_id
        values.update({":expected": write.expected_version, ":link": stored_link})
        update += "#links.#connection = :link ADD #version :one"
        return {
            "TableName": self._table.name,
            "Key": key,
            "UpdateExpression": update,
            "ConditionExpression": condition,
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
        }

    def linked_ids(self, tenant_id: str, entity: str, connection_id: str) -> Iterator[tuple[str, int, str]]:
        """(local id, Odoo id, link status) of every record of the entity linked to the connection."""
        query: dict[str, Any] = {
            "KeyConditionExpression": Key("pk").eq(records_pk(tenant_id, entity)),
            "ProjectionExpression": "#sk, #links.#connection",
            "ExpressionAttributeNames": {"#sk": "sk", "#links": "links", "#connection": connection_id},
            "ConsistentRead": True,
            "Limit": _LINKS_PER_READ,
        }
        while True:
            with storage_errors("read the records' links"):
                page = self._table.query(**query)
            for item in page.get("Items", []):
                links: Any = item.get("links") or {}
                link: Any = links.get(connection_id) or {}
                odoo_id = link.get("odoo_id")
                if odoo_id is not None:
                    yield str(item["sk"]), int(odoo_id), str(link.get("status", "pending"))
            if "LastEvaluatedKey" not in page:
                return
            query["ExclusiveStartKey"] = page["LastEvaluatedKey"]
