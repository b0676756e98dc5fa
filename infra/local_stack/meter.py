"""Counts every AWS request this process makes, by service and operation, and what it would bill.

    with AwsMeter() as meter:
        ...                       # anything that calls AWS through boto3/botocore
    reading = meter.reading()     # requests by (service, operation), DynamoDB units, SQS units

Every botocore client of the process is counted, whenever and however it was created (the service's
cached clients, Powertools' own, the local stack's poller): the meter wraps the one method every
client call goes through. Several meters may run at once (each counts what happens while it runs).

DynamoDB capacity is what DynamoDB on-demand bills, computed from item sizes as DynamoDB defines
them: a write costs 1 write request unit (WRU) per KB of the larger of the item before and after it
(2 in a transaction), plus the same for every secondary index whose entry the write changes (an
index entry whose key changed: a delete and a put); a read costs 1 read request unit (RRU) per
4 KB strongly consistent, half of that eventually consistent, 2 per 4 KB in a transaction; a
query costs the sizes of the items it examined (filtered ones too), summed, per 4 KB. Sizes come
from the stored items themselves (moto's tables, in process); against real DynamoDB, where no
such tables are at hand, the meter asks for ReturnConsumedCapacity and adds what DynamoDB reports.
SQS bills each request per started 64 KB of payload.
"""

from __future__ import annotations

import json
import math
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import botocore.client

READ_UNIT_BYTES = 4096
WRITE_UNIT_BYTES = 1024
SQS_CHUNK_BYTES = 65_536

_CLIENT: Any = botocore.client.BaseClient  # its private _make_api_call carries every request
_install_lock = threading.Lock()
_meters: list[AwsMeter] = []
_original_call: Any = None


@dataclass(frozen=True)
class MeterReading:
    """What a meter counted: immutable, subtractable (`after - before`)."""

    requests: Counter[tuple[str, str]] = field(default_factory=Counter)
    read_units: dict[str, float] = field(default_factory=dict)  # by table
    write_units: dict[str, float] = field(default_factory=dict)  # by table
    sqs_billed: int = 0  # SQS requests as billed (per 64 KB started)
    sqs_empty_receives: int = 0  # receives that found nothing (a poller waiting), not in sqs_billed
    seconds: dict[str, float] = field(default_factory=dict)  # time spent waiting on each service

    def __sub__(self, other: MeterReading) -> MeterReading:
        return MeterReading(
            requests=self.requests - other.requests,
            read_units=_minus(self.read_units, other.read_units),
            write_units=_minus(self.write_units, other.write_units),
            sqs_billed=self.sqs_billed - other.sqs_billed,
            sqs_empty_receives=self.sqs_empty_receives - other.sqs_empty_receives,
            seconds=_minus(self.seconds, other.seconds),
        )

    def count(self, service: str, operation: str | None = None) -> int:
        return sum(n for (s, op), n in self.requests.items() if s == service and operation in (None, op))

    def by_operation(self, service: str) -> dict[str, int]:
        return dict(sorted(((op, n) for (s, op), n in self.requests.items() if s == service and n)))

    @property
    def dynamodb_requests(self) -> int:
        return self.count("dynamodb")

    @property
    def total_read_units(self) -> float:
        return float(sum(self.read_units.values()))

    @property
    def total_write_units(self) -> float:
        return float(sum(self.write_units.values()))


def _minus(left: Mapping[str, float], right: Mapping[str, float]) -> dict[str, float]:
    result: dict[str, float] = {}
    for key in set(left) | set(right):
        value = left.get(key, 0) - right.get(key, 0)
        if value:
            result[key] = value
    return result


class AwsMeter:
    """A context manager (or start()/stop()) counting AWS requests made while it runs."""

    def __init__(self, *, trace: bool = False) -> None:
        """With `trace`, also count requests by the code that made them (`callers`): slower."""
        self.trace = trace
        self.callers: Counter[tuple[str, str, str]] = Counter()  # (service, operation, caller)
        self._lock = threading.Lock()
        self._requests: Counter[tuple[str, str]] = Counter()
        self._read: dict[str, float] = defaultdict(float)
        self._write: dict[str, float] = defaultdict(float)
        self._seconds: dict[str, float] = defaultdict(float)
        self._sqs_billed = 0
        self._sqs_empty = 0

    def __enter__(self) -> AwsMeter:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> AwsMeter:
        _install(self)
        return self

    def stop(self) -> None:
        _uninstall(self)

    def reading(self) -> MeterReading:
        with self._lock:
            return MeterReading(
                requests=Counter(self._requests),
                read_units=dict(self._read),
                write_units=dict(self._write),
                sqs_billed=self._sqs_billed,
                sqs_empty_receives=self._sqs_empty,
                seconds=dict(self._seconds),
            )

    def reset(self) -> None:
        with self._lock:
            self._requests.clear()
            self._read.clear()
            self._write.clear()
            self._seconds.clear()
            self._sqs_billed = self._sqs_empty = 0

    def _add(self, call: _Call) -> None:
        caller = _caller() if self.trace else ""
        with self._lock:
            if self.trace:
                self.callers[(call.service, call.operation, caller)] += 1
            self._requests[(call.service, call.operation)] += 1
            self._seconds[call.service] += call.seconds
            for table, units in call.read_units.items():
                self._read[table] += units
            for table, units in call.write_units.items():
                self._write[table] += units
            if call.service == "sqs":
                if call.empty_receive:
                    self._sqs_empty += 1
                else:
                    self._sqs_billed += call.sqs_billed


def _caller() -> str:
    """The innermost frame of the service's own code (odoo_sync), else of whatever called boto3."""
    frame = sys._getframe(2)
    fallback = ""
    while frame is not None:
        name = frame.f_code.co_filename
        if "odoo_sync" in name:
            return f"{name.rsplit('odoo_sync/', 1)[-1]}:{frame.f_code.co_name}"
        if not fallback and "botocore" not in name and "boto3" not in name and "meter.py" not in name:
            fallback = f"{name.rsplit('/', 1)[-1]}:{frame.f_code.co_name}"
        frame = frame.f_back  # type: ignore[assignment]
    return fallback


# -- the hook ---------------------------------------------------------------------------------------


def _install(meter: AwsMeter) -> None:
    global _original_call  # noqa: PLW0603 - one wrapper for the whole process
    with _install_lock:
        if _original_call is None:
            _original_call = _CLIENT._make_api_call
            _CLIENT._make_api_call = _metered_call
        _meters.append(meter)


def _uninstall(meter: AwsMeter) -> None:
    global _original_call  # noqa: PLW0603
    with _install_lock:
        if meter in _meters:
            _meters.remove(meter)
        if not _meters and _original_call is not None:
            _CLIENT._make_api_call = _original_call
            _original_call = None


def _metered_call(client: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
    original = _original_call
    if original is None:  # uninstalled while this call was on its way
        return _CLIENT._make_api_call(client, operation_name, api_params)
    service = str(client.meta.service_model.service_name)
    tables = _moto_tables() if service == "dynamodb" else None
    before = _sizes_before(tables, operation_name, api_params) if tables is not None else {}
    asked_capacity = False
    if service == "dynamodb" and tables is None and "ReturnConsumedCapacity" not in api_params:
        api_params = {**api_params, "ReturnConsumedCapacity": "INDEXES"}
        asked_capacity = True
    started = time.perf_counter()
    answer = original(client, operation_name, api_params)
    call = _Call(service, operation_name, time.perf_counter() - started)
    if service == "dynamodb":
        if tables is not None:
            _dynamodb_units(call, tables, operation_name, api_params, answer, before)
        else:
            _reported_units(call, answer)
            if asked_capacity and isinstance(answer, dict):
                answer.pop("ConsumedCapacity", None)
    elif service == "sqs":
        _sqs_units(call, operation_name, api_params, answer)
    for meter in list(_meters):
        meter._add(call)
    return answer


@dataclass
class _Call:
    service: str
    operation: str
    seconds: float
    read_units: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    write_units: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    sqs_billed: int = 1
    empty_receive: bool = False


# -- SQS ------------------------------------------------------------------------------------------------


def _sqs_units(call: _Call, operation: str, params: Mapping[str, Any], answer: Any) -> None:
    payload = 0
    if operation == "SendMessage":
        payload = len(str(params.get("MessageBody", "")).encode())
    elif operation == "SendMessageBatch":
        payload = sum(len(str(e.get("MessageBody", "")).encode()) for e in params.get("Entries", []))
    elif operation == "ReceiveMessage":
        messages = answer.get("Messages", []) if isinstance(answer, dict) else []
        call.empty_receive = not messages
        payload = sum(len(str(m.get("Body", "")).encode()) for m in messages)
    call.sqs_billed = max(1, math.ceil(payload / SQS_CHUNK_BYTES))


# -- DynamoDB from what DynamoDB reports (real AWS) --------------------------------------------------------


def _reported_units(call: _Call, answer: Any) -> None:
    consumed = answer.get("ConsumedCapacity") if isinstance(answer, dict) else None
    entries = consumed if isinstance(consumed, list) else [consumed] if consumed else []
    for entry in entries:
        table = str(entry.get("TableName", "?"))
        call.read_units[table] += float(entry.get("ReadCapacityUnits", 0) or 0)
        call.write_units[table] += float(entry.get("WriteCapacityUnits", 0) or 0)


# -- DynamoDB from item sizes (moto in this process) -------------------------------------------------------


def _moto_tables() -> dict[str, Any] | None:
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
_Stored = tuple[int, dict[str, tuple[int, str, int]]]  # item size; per index: size, key, content


def _sizes_before(tables: Mapping[str, Any], operation: str, params: Mapping[str, Any]) -> dict[Key, _Stored]:
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


def _dynamodb_units(  # noqa: PLR0917 - one call's whole context
    call: _Call,
    tables: Mapping[str, Any],
    operation: str,
    params: Mapping[str, Any],
    answer: Any,
    before: Mapping[Key, _Stored],
) -> None:
    after = {key: _stored_size(tables, key) for key in before}
    factor = 2 if operation == "TransactWriteItems" else 1
    for key in before:
        call.write_units[key[0]] += factor * _write_units(before[key], after[key])
    if operation in ("GetItem", "BatchGetItem", "TransactGetItems"):
        _read_by_key(call, tables, operation, params)
    elif operation in ("Query", "Scan"):
        _read_examined(call, tables, params, answer)


def _write_units(before: _Stored, after: _Stored) -> int:
    units = max(1, math.ceil(max(before[0], after[0]) / WRITE_UNIT_BYTES))
    for index in set(before[1]) | set(after[1]):
        old, new = before[1].get(index), after[1].get(index)
        if old is not None and new is not None and old[1] != new[1]:
            # The entry moved (its index key changed): a delete and a put.
            units += _index_units(old[0]) + _index_units(new[0])
        elif old is None or new is None or old[2] != new[2]:
            units += _index_units(max(entry[0] for entry in (old, new) if entry is not None))
    return units


def _index_units(size: int) -> int:
    return max(1, math.ceil(size / WRITE_UNIT_BYTES))


def _read_by_key(call: _Call, tables: Mapping[str, Any], operation: str, params: Mapping[str, Any]) -> None:
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
        size = max(0, _stored_size(tables, _key_of(tables, table, key))[0])
        units = max(1, math.ceil(size / READ_UNIT_BYTES)) * factor
        call.read_units[table] += units if consistent or factor == 2.0 else units / 2


def _read_examined(call: _Call, tables: Mapping[str, Any], params: Mapping[str, Any], answer: Any) -> None:
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
            full = _stored_size(tables, (table, partition, _text(item[moto_table.range_key_attr])))[0]
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


def _stored_size(tables: Mapping[str, Any], key: Key) -> _Stored:
    """The stored item's size (0 when absent) and, for each index holding it, its entry's size,
    index key and content (a write that leaves an entry as it was costs that index nothing)."""
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
    indexes: dict[str, tuple[int, str, int]] = {}
    for index in [*moto_table.indexes, *moto_table.global_indexes]:
        if all(name in item.attrs for name in index.schema_key_attrs):
            entry = index.project(item)
            index_key = "|".join(str(item.attrs[name].value) for name in index.schema_key_attrs)
            content = hash(json.dumps(entry.to_json(), sort_keys=True, default=str))
            indexes[index.name] = (entry.size(), index_key, content)
    return item.size(), indexes


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


def summary(reading: MeterReading, records: int) -> str:
    """`<d> ddb/1k (<ops>)`: DynamoDB requests per 1,000 records, by operation."""
    per_k = reading.dynamodb_requests * 1000 / max(records, 1)
    ops = ", ".join(f"{op} {n}" for op, n in reading.by_operation("dynamodb").items())
    return f"{per_k:.1f} ddb/1k ({ops})"


def iter_rows(reading: MeterReading) -> Iterator[tuple[str, str, int]]:
    for (service, operation), count in sorted(reading.requests.items()):
        yield service, operation, count
