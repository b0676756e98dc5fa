"""A fix for moto's DynamoDB transactions, applied while the local stack runs.

moto backs up a table before a TransactWriteItems so that it can roll back, but it deep-copies
the whole table once per *item* of the transaction: a 100-item transaction on a table of 10,000
items copies a million items, taking seconds and gigabytes, and the cost grows with the table.
Here each table is copied once per transaction; what is rolled back, and when, is unchanged.
Transactions are serialised meanwhile (moto's own state is not thread-safe either).
"""

from __future__ import annotations

import copy
import threading
import types
from typing import Any

from moto.dynamodb import models as dynamodb_models

_lock = threading.Lock()
_transactions = threading.Lock()
_applied = False


def apply() -> None:
    global _applied  # noqa: PLW0603 - the patch is process-wide by nature
    with _lock:
        if _applied:
            return
        original = dynamodb_models.DynamoDBBackend.transact_write_items

        def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
            copies: dict[int, Any] = {}

            def deepcopy_once(value: Any, memo: dict[int, Any] | None = None) -> Any:
                if id(value) not in copies:
                    copies[id(value)] = copy.deepcopy(value, memo)
                return copies[id(value)]

            with _transactions:
                setattr(dynamodb_models, "copy", types.SimpleNamespace(deepcopy=deepcopy_once))  # noqa: B010
                try:
                    original(self, transact_items)
                finally:
                    setattr(dynamodb_models, "copy", copy)  # noqa: B010

        dynamodb_models.DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]
        _applied = True
