"""DynamoDB capacity units of one request, from the sizes of the items in moto's tables (in process).

A write costs 1 WRU per KB of the larger of the item before and after it (2 in a transaction), plus,
for each secondary index, what the write changed in the index's own entry of the item (its
projection, sized on its own), as DynamoDB bills index maintenance:

- the item enters the index (it now has the index's key attributes): the new entry, per KB;
- it leaves the index (a key attribute removed, or the item deleted): the old entry, per KB;
- its index key changed: a delete and a put, each entry per KB on its own;
- same index key, projected attributes changed: the larger of the two entries, per KB;
- same index key and the same projected attributes: nothing (a KEYS_ONLY index is not written
  when a write leaves its key alone; an ALL index is, whenever the item changes).

A transaction doubles the items' own units, not their index writes: AWS documents the 2x for the
items and is silent on indexes; captures of ReturnConsumedCapacity=INDEXES against real DynamoDB
(published with the dynoxide emulator's conformance tests, 2026-08) show index arms inside a
transaction costing what the same write costs outside one.
A read costs 1 RRU per 4 KB strongly consistent, half of that eventually consistent, 2 per 4 KB in
a transaction; a query the sizes of the items it examined (filtered ones too), summed, per 4 KB.
Used by local_stack.meter.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

READ_UNIT_BYTES = 4096
WRITE_UNIT_BYTES = 1024


@dataclass(frozen=True)
class Units:
    """Where one request's units go, by table."""

    read_units: dict[str, float]
    write_units: dict[str, float]


def moto_tables() -> dict[str, Any] | None:
    """moto's tables by name, when moto runs in this process (mock_aws or its threaded server)."""
    try:
        from moto.dynamodb.models import dynamodb_backends  # noqa: PLC0415 - only where moto is
    except ImportError:
        return None
    tables: dict[str, Any] = {}
    for regions in list(dynamodb_backends.values()):
        for backend in list(regions.values()):
            tables.update(backend.tables)
    return tables or None


Key = tuple[str, str, str]  # table, hash key, range key (as text)
_Entry = tuple[int, str, int]  # an index's entry of an item: its size, its index key, its content's hash
_Stored = tuple[int, dict[str, _Entry]]  # item size; its entry in each index that holds it


def sizes_before(tables: Mapping[str, Any], operation: str, params: Mapping[str, Any]) -> dict[Key, _Stored]:
    return {key: _stored_size(tables, key) for key in _written_keys(tables, operation, params)}


def _written_keys(tables: Mapping[str, Any], operation: str, params: Mapping[str, Any]) -> list[Key]:
    table = str(params.get("TableName", ""))
    if operation == "PutItem":
        return [_key_of(tables, table, params.get("Item", {}))]
    if operation in ("UpdateItem", "DeleteItem"):
        return [_key_of(tables, table, params.get("Key", {}))]
    if operation == "BatchWriteItem":
        keys = []
        for name, requests in (params.get("RequestItems") or {}).items():
            for request in requests:
                if "PutRequest" in request:
                    keys.append(_key_of(tables, name, request["PutRequest"].get("Item", {})))
                elif "DeleteRequest" in request:
                    keys.append(_key_of(tables, name, request["DeleteRequest"].get("Key", {})))
        return keys
    if operation == "TransactWriteItems":
        keys = []
        for action in params.get("TransactItems", []):
            for kind, body in action.items():
                item = body.get("Item") if kind == "Put" else body.get("Key")
                keys.append(_key_of(tables, str(body.get("TableName", "")), item or {}))
        return keys
    return []


def add_units(  # noqa: PLR0917 - one call's whole context
    call: Units,
    tables: Mapping[str, Any],
    operation: str,
    params: Mapping[str, Any],
    answer: Any,
    before: Mapping[Key, _Stored],
) -> None:
    after = {key: _stored_size(tables, key) for key in before}
    factor = 2 if operation == "TransactWriteItems" else 1
    for key in before:
        call.write_units[key[0]] += _write_units(before[key], after[key], item_factor=factor)
    if operation in ("GetItem", "BatchGetItem", "TransactGetItems"):
        _read_by_key(call, tables, operation, params)
    elif operation in ("Query", "Scan"):
        _read_examined(call, tables, params, answer)


def _write_units(before: _Stored, after: _Stored, *, item_factor: int = 1) -> int:
    units = item_factor * max(1, math.ceil(max(before[0], after[0]) / WRITE_UNIT_BYTES))
    for index in set(before[1]) | set(after[1]):
        units += _index_write_units(before[1].get(index), after[1].get(index))
    return units


def _index_write_units(old: _Entry | None, new: _Entry | None) -> int:
    """What one write costs one index, from its entry of the item before and after."""
    if old is None or new is None:
        entry = old or new
        return _index_units(entry[0]) if entry is not None else 0  # entered or left the index
    if old[1] != new[1]:
        return _index_units(old[0]) + _index_units(new[0])  # moved: a delete and a put
    if old[2] == new[2]:
        return 0  # the entry is as it was
    return max(_index_units(old[0]), _index_units(new[0]))


def _index_units(size: int) -> int:
    return max(1, math.ceil(size / WRITE_UNIT_BYTES))


def _read_by_key(call: Units, tables: Mapping[str, Any], operation: str, params: Mapping[str, Any]) -> None:
    reads: list[tuple[str, Mapping[str, Any], bool]] = []
    if operation == "GetItem":
        table = str(params.get("TableName", ""))
        reads.append((table, params.get("Key", {}), bool(params.get("ConsistentRead"))))
    elif operation == "BatchGetItem":
        for table, request in (params.get("RequestItems") or {}).items():
            consistent = bool(request.get("ConsistentRead"))
            reads.extend((table, key, consistent) for key in request.get("Keys", []))
    else:
        reads.extend(
            (str(a["Get"].get("TableName", "")), a["Get"].get("Key", {}), True)
            for a in params.get("TransactItems", [])
        )
    factor = 2.0 if operation == "TransactGetItems" else 1.0
    for table, key, consistent in reads:
        size = max(0, _stored_size(tables, _key_of(tables, table, key), with_indexes=False)[0])
        units = max(1, math.ceil(size / READ_UNIT_BYTES)) * factor
        call.read_units[table] += units if consistent or factor == 2.0 else units / 2


def _read_examined(call: Units, tables: Mapping[str, Any], params: Mapping[str, Any], answer: Any) -> None:
    """The sizes of the items a query examined: those returned at full size, and as many more of
    the same average size as the filter dropped."""
    table = str(params.get("TableName", ""))
    items = answer.get("Items", []) if isinstance(answer, dict) else []
    moto_table = tables.get(table)
    partition = _partition_value(params)
    total = 0
    for item in items:
        full = None
        if moto_table is not None and partition is not None and moto_table.range_key_attr in item:
            full = _stored_size(
                tables, (table, partition, _text(item[moto_table.range_key_attr])), with_indexes=False
            )[0]
        total += full if full is not None and full > 0 else _plain_size(item)
    scanned = int(answer.get("ScannedCount", len(items))) if isinstance(answer, dict) else len(items)
    if scanned > len(items):
        average = total / len(items) if items else WRITE_UNIT_BYTES
        total += int(average * (scanned - len(items)))
    units = max(1, math.ceil(total / READ_UNIT_BYTES))
    call.read_units[table] += units if params.get("ConsistentRead") else units / 2


def _partition_value(params: Mapping[str, Any]) -> str | None:
    """The partition key's value in a query's key condition (a boto3 condition or its text)."""
    condition = params.get("KeyConditionExpression")
    if condition is None:
        return None
    if hasattr(condition, "get_expression"):
        return _equality_value(condition)
    values = params.get("ExpressionAttributeValues") or {}
    left, _, rest = str(condition).partition("=")
    placeholder = rest.strip().split(" ")[0] if left else ""
    value = values.get(placeholder)
    return _text(value) if value is not None else None


def _equality_value(condition: Any) -> str | None:
    expression = condition.get_expression()
    if expression["operator"] == "=":
        return _text(expression["values"][1])
    for part in expression["values"]:
        if hasattr(part, "get_expression"):
            found = _equality_value(part)
            if found is not None:
                return found
    return None


def _key_of(tables: Mapping[str, Any], table: str, item: Mapping[str, Any]) -> Key:
    moto_table = tables.get(table)
    if moto_table is None:
        return (table, "", "")
    hash_value = item.get(moto_table.hash_key_attr)
    range_value = item.get(moto_table.range_key_attr) if moto_table.range_key_attr else None
    return (table, _text(hash_value), _text(range_value) if range_value is not None else "")


def _stored_size(tables: Mapping[str, Any], key: Key, *, with_indexes: bool = True) -> _Stored:
    """The stored item's size (0 when absent) and, for each index holding it (unless only the
    size is wanted, as for a read), its entry's size, index key and content."""
    moto_table = tables.get(key[0])
    if moto_table is None or not key[1]:
        return 0, {}
    from moto.dynamodb.models.dynamo_type import DynamoType  # noqa: PLC0415 - only where moto is

    try:
        item = moto_table.get_item(DynamoType({"S": key[1]}), DynamoType({"S": key[2]}) if key[2] else None)
    except Exception:  # a key of another type: size unknown, counted as absent
        return 0, {}
    if item is None:
        return 0, {}
    size = item.size()
    if not with_indexes:
        return size, {}
    indexes: dict[str, _Entry] = {}
    for index in [*moto_table.indexes, *moto_table.global_indexes]:
        if all(name in item.attrs for name in index.schema_key_attrs):
            index_key = "|".join(str(item.attrs[name].value) for name in index.schema_key_attrs)
            entry_size, content = _entry(index, item, size)
            indexes[index.name] = (entry_size, index_key, content)
    return size, indexes


def _entry(index: Any, item: Any, size: int) -> tuple[int, int]:
    """An index entry's size and a fingerprint of its content, from the item's projected
    attributes (moto's own projection copies the item: most of the meter's time)."""
    projection = (index.projection or {}).get("ProjectionType", "ALL")
    if projection == "ALL":
        return size, hash(json.dumps(item.to_json(), sort_keys=True, default=str))
    names = [*index.table_key_attrs, *index.schema_key_attrs]
    if projection == "INCLUDE":
        names += index.projection.get("NonKeyAttributes", [])
    projected = sorted({name for name in names if name in item.attrs})
    entry_size = sum(len(name.encode()) + item.attrs[name].size() for name in projected)
    return entry_size, hash(tuple((name, str(item.attrs[name].value)) for name in projected))


def _text(value: Any) -> str:
    if isinstance(value, dict) and len(value) == 1:
        ((kind, inner),) = value.items()
        if kind in ("S", "N"):
            return str(inner)
    if isinstance(value, Decimal):
        return str(value)
    return str(value)


def _plain_size(item: Mapping[str, Any]) -> int:
    return sum(len(str(name).encode()) + _value_size(value) for name, value in item.items())


def _value_size(value: Any) -> int:  # noqa: PLR0911 - one size rule per kind
    if isinstance(value, str):
        return len(value.encode())
    if isinstance(value, bytes):
        return len(value)
    if isinstance(value, bool) or value is None:
        return 1
    if isinstance(value, int | float | Decimal):
        return len(str(value)) // 2 + 2
    if isinstance(value, Mapping):
        return 3 + sum(len(str(k).encode()) + 1 + _value_size(v) for k, v in value.items())
    if isinstance(value, Iterable):
        return 3 + sum(1 + _value_size(v) for v in value)
    return len(json.dumps(value, default=str))
