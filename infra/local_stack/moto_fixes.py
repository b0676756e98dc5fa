"""Fixes for moto's DynamoDB, applied while the local stack runs, so it measures the service.

Answers: moto writes every answer through a generic serializer that walks the service's shapes
value by value; for DynamoDB's items (AttributeValue maps) that walk was three quarters of
moto's time, more than the work it answers for. DynamoDB's answers are built as JSON already:
an AttributeValue that holds no binary data is written as it is.

Transactions: moto backs up every table a TransactWriteItems touches so that it can roll back:
it deep-copies each whole table, once per *item* of the transaction (and each item again). A
100-item transaction on a table of 100,000 items copied ten million items; the cost grew with
the table, which DynamoDB's does not. Here the conditions of all the transaction's items are
checked first, against the state before any of them is written (moto refuses two actions on one
item, so no action sees another's write); when one fails, the transaction is cancelled with the
same reasons before anything is written, and when none does, the writes are applied without a
backup. Transactions are serialised meanwhile (moto's own state is not thread-safe either).
"""

from __future__ import annotations

import copy
import threading
import types
from typing import Any

from moto.core import serialize
from moto.dynamodb import models as dynamodb_models
from moto.dynamodb.comparisons import get_filter_expression
from moto.dynamodb.exceptions import MultipleTransactionsException, TransactionCanceledException

_lock = threading.Lock()
_transactions = threading.Lock()
_applied = False
_NO_COPY = types.SimpleNamespace(deepcopy=lambda value, memo=None: value)


def apply() -> None:
    global _applied  # noqa: PLW0603 - the patch is process-wide by nature
    with _lock:
        if _applied:
            return
        original = dynamodb_models.DynamoDBBackend.transact_write_items

        def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
            with _transactions:
                _check_conditions(self, transact_items)
                # Every condition holds: nothing will be rolled back, so nothing is backed up.
                setattr(dynamodb_models, "copy", _NO_COPY)  # noqa: B010
                try:
                    original(self, transact_items)
                finally:
                    setattr(dynamodb_models, "copy", copy)  # noqa: B010

        dynamodb_models.DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]
        _serialize_attribute_values_as_they_are()
        _applied = True


def _check_conditions(backend: Any, transact_items: list[dict[str, Any]]) -> None:
    """Cancel the transaction, as moto would, before it writes, if any item's condition fails."""
    if len(transact_items) > 100 or any(len(entry) != 1 for entry in transact_items):
        return  # moto refuses these itself, before writing
    errors: list[tuple[str | None, str | None, Any]] = []
    seen: set[tuple[str, str]] = set()
    for entry in transact_items:
        ((_, op),) = entry.items()
        table = backend.tables.get(op.get("TableName"))
        if table is None:
            return  # moto answers a missing table itself
        source = op.get("Item") if "Item" in op else op.get("Key") or {}
        key = {name: source[name] for name in (table.hash_key_attr, table.range_key_attr) if name in source}
        identity = (str(op.get("TableName")), str(sorted(key.items())))
        if identity in seen:
            raise MultipleTransactionsException()
        seen.add(identity)
        condition = op.get("ConditionExpression")
        if condition is None:
            errors.append((None, None, None))
            continue
        current = backend.get_item(op["TableName"], key)
        check = get_filter_expression(
            condition, op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues")
        )
        if check.expr(current):
            errors.append((None, None, None))
            continue
        old = None
        if op.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and current is not None:
            old = current.to_json()["Attributes"]
        errors.append(("ConditionalCheckFailed", "The conditional request failed", old))
    if any(code is not None for code, _, _ in errors):
        raise TransactionCanceledException(errors)


def _serialize_attribute_values_as_they_are() -> None:
    structure = serialize.BaseJSONSerializer._serialize_type_structure

    def serialize_structure(self: Any, serialized: Any, value: Any, shape: Any, key: str) -> None:
        if shape.name == "AttributeValue" and isinstance(value, dict) and _plain_json(value):
            self._default_serialize(serialized, value, shape, key)
            return
        structure(self, serialized, value, shape, key)

    serialize.BaseJSONSerializer._serialize_type_structure = serialize_structure  # type: ignore[method-assign]


def _plain_json(value: Any) -> bool:
    """No bytes anywhere (binary values need the serializer's base64)."""
    if isinstance(value, dict):
        return all(_plain_json(inner) for inner in value.values())
    if isinstance(value, list):
        return all(_plain_json(inner) for inner in value)
    return not isinstance(value, bytes | bytearray)
