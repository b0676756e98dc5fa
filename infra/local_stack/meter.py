"""Counts every AWS request this process makes, by service and operation, and what it would bill.

    with AwsMeter() as meter:
        ...                       # anything that calls AWS through boto3/botocore
    reading = meter.reading()     # requests by (service, operation), DynamoDB units, SQS units

Every botocore client of the process is counted, whenever and however it was created (the service's
cached clients, Powertools' own, the local stack's poller): the meter wraps the one method every
client call goes through. Several meters may run at once (each counts what happens while it runs).

DynamoDB capacity is what DynamoDB on-demand bills: computed from item sizes (local_stack.capacity)
where moto's tables are in this process, or by moto's own process (local_stack.moto_child: each
answer carries its units in a header); against real DynamoDB the meter asks for
ReturnConsumedCapacity and adds what DynamoDB reports.
SQS bills each request per started 64 KB of payload, at a higher price on a FIFO queue than on a
standard one: the meter counts those apart.
"""

from __future__ import annotations

import json
import math
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import botocore.client

from local_stack import capacity
from local_stack.moto_child import CAPACITY_HEADER

SQS_CHUNK_BYTES = 65_536

_CLIENT: Any = botocore.client.BaseClient  # its private _make_api_call carries every request
_install_lock = threading.Lock()
_meters: list[AwsMeter] = []
_original_call: Any = None
_counting_endpoints: set[str] = set()  # moto's own process answers with the units (no table here)


@dataclass(frozen=True)
class MeterReading:
    """What a meter counted: immutable, subtractable (`after - before`)."""

    requests: Counter[tuple[str, str]] = field(default_factory=Counter)
    read_units: dict[str, float] = field(default_factory=dict)  # by table
    write_units: dict[str, float] = field(default_factory=dict)  # by table
    sqs_billed: int = 0  # SQS requests as billed (per 64 KB started)
    sqs_billed_fifo: int = 0  # those of them made to FIFO queues (priced higher than standard ones)
    sqs_empty_receives: int = 0  # receives that found nothing (a poller waiting), not in sqs_billed
    seconds: dict[str, float] = field(default_factory=dict)  # time spent waiting on each service

    def __sub__(self, other: MeterReading) -> MeterReading:
        return MeterReading(
            requests=self.requests - other.requests,
            read_units=_minus(self.read_units, other.read_units),
            write_units=_minus(self.write_units, other.write_units),
            sqs_billed=self.sqs_billed - other.sqs_billed,
            sqs_billed_fifo=self.sqs_billed_fifo - other.sqs_billed_fifo,
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
        self._sqs_billed_fifo = 0
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
                sqs_billed_fifo=self._sqs_billed_fifo,
                sqs_empty_receives=self._sqs_empty,
                seconds=dict(self._seconds),
            )

    def reset(self) -> None:
        with self._lock:
            self._requests.clear()
            self._read.clear()
            self._write.clear()
            self._seconds.clear()
            self._sqs_billed = self._sqs_billed_fifo = self._sqs_empty = 0

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
                    self._sqs_billed_fifo += call.sqs_billed if call.fifo else 0


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
    endpoint = str(client.meta.endpoint_url)
    local = endpoint in _counting_endpoints
    tables = capacity.moto_tables() if service == "dynamodb" and not local else None
    before = capacity.sizes_before(tables, operation_name, api_params) if tables is not None else {}
    asked_capacity = False
    if service == "dynamodb" and tables is None and not local and "ReturnConsumedCapacity" not in api_params:
        api_params = {**api_params, "ReturnConsumedCapacity": "INDEXES"}
        asked_capacity = True
    started = time.perf_counter()
    failure: Exception | None = None
    try:
        answer = original(client, operation_name, api_params)
    except Exception as error:  # a refused request is billed too (a failed condition: its write units)
        failure, answer = error, getattr(error, "response", {})
    call = _Call(service, operation_name, time.perf_counter() - started)
    if service == "dynamodb" and _counted_units(call, answer):
        _counting_endpoints.add(endpoint)  # moto in a process of its own counted them
        if asked_capacity and isinstance(answer, dict):
            answer.pop("ConsumedCapacity", None)
    elif service == "dynamodb":
        if tables is not None:
            capacity.add_units(call.units(), tables, operation_name, api_params, answer, before)
        else:
            _reported_units(call, answer)
            if asked_capacity and isinstance(answer, dict):
                answer.pop("ConsumedCapacity", None)
    elif service == "sqs":
        _sqs_units(call, operation_name, api_params, answer)
    for meter in list(_meters):
        meter._add(call)
    if failure is not None:
        raise failure
    return answer


@dataclass
class _Call:
    service: str
    operation: str
    seconds: float
    read_units: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    write_units: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    sqs_billed: int = 1
    fifo: bool = False
    empty_receive: bool = False

    def units(self) -> capacity.Units:
        return capacity.Units(self.read_units, self.write_units)


# -- SQS ------------------------------------------------------------------------------------------------


def _sqs_units(call: _Call, operation: str, params: Mapping[str, Any], answer: Any) -> None:
    # A FIFO queue's name, hence its URL, ends in ".fifo" (SQS requires it).
    call.fifo = str(params.get("QueueUrl") or params.get("QueueName") or "").endswith(".fifo")
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


# -- DynamoDB as moto's own process counted it ------------------------------------------------------------


def _counted_units(call: _Call, answer: Any) -> bool:
    """The units local_stack.moto_child put in the answer's header, if it did."""
    headers = answer.get("ResponseMetadata", {}).get("HTTPHeaders", {}) if isinstance(answer, dict) else {}
    text = headers.get(CAPACITY_HEADER.lower())
    if not text:
        return False
    counted: dict[str, dict[str, float]] = json.loads(text)
    for table, units in counted.get("read", {}).items():
        call.read_units[table] += float(units)
    for table, units in counted.get("write", {}).items():
        call.write_units[table] += float(units)
    return True


# -- DynamoDB from what DynamoDB reports (real AWS) --------------------------------------------------------


def _reported_units(call: _Call, answer: Any) -> None:
    consumed = answer.get("ConsumedCapacity") if isinstance(answer, dict) else None
    entries = consumed if isinstance(consumed, list) else [consumed] if consumed else []
    for entry in entries:
        table = str(entry.get("TableName", "?"))
        call.read_units[table] += float(entry.get("ReadCapacityUnits", 0) or 0)
        call.write_units[table] += float(entry.get("WriteCapacityUnits", 0) or 0)


def summary(reading: MeterReading, records: int) -> str:
    """`<d> ddb/1k (<ops>)`: DynamoDB requests per 1,000 records, by operation."""
    per_k = reading.dynamodb_requests * 1000 / max(records, 1)
    ops = ", ".join(f"{op} {n}" for op, n in reading.by_operation("dynamodb").items())
    return f"{per_k:.1f} ddb/1k ({ops})"


def iter_rows(reading: MeterReading) -> Iterator[tuple[str, str, int]]:
    for (service, operation), count in sorted(reading.requests.items()):
        yield service, operation, count
