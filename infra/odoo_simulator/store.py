"""The in-memory database: one table per model, one lock, one transaction per call."""

from __future__ import annotations

import copy
import threading
from typing import Any

from .clock import SimClock
from .indexes import TableIndex, TableIndexes

Row = dict[str, Any]
Changes = dict[tuple[str, int], "Row | None"]


class Store:
    """Rows by model and id. Callers hold `lock` for a whole call; `rollback` undoes that call."""

    def __init__(self, clock: SimClock | None = None) -> None:
        self.lock = threading.RLock()
        self.clock = clock or SimClock()
        self.tables: dict[str, dict[int, Row]] = {}
        self._indexes: dict[str, TableIndexes] = {}
        self._sequences: dict[str, int] = {}
        self._journal: dict[tuple[str, int], Row | None] = {}

    def table(self, model: str) -> dict[int, Row]:
        return self.tables.setdefault(model, {})

    def index(self, model: str, columns: tuple[str, ...]) -> TableIndex:
        """The index of `model` on `columns` (built from the table on first use, then kept)."""
        indexes = self._indexes.setdefault(model, TableIndexes())
        return indexes.get(columns, self.table(model))

    def _put(self, model: str, record_id: int, row: Row | None) -> None:
        """Replace (or with None, remove) a row, keeping the table's indexes in step."""
        table = self.table(model)
        indexes = self._indexes.get(model)
        old = table.get(record_id)
        if indexes is not None and old is not None:
            indexes.remove(record_id, old)
        if row is None:
            table.pop(record_id, None)
            return
        table[record_id] = row
        if indexes is not None:
            indexes.add(record_id, row)

    def next_id(self, model: str) -> int:
        # Like PostgreSQL sequences, ids are never reused, even after a rollback.
        value = self._sequences.get(model, 0) + 1
        self._sequences[model] = value
        return value

    def bump_sequence(self, model: str, at_least: int) -> None:
        self._sequences[model] = max(self._sequences.get(model, 0), at_least)

    def _remember(self, model: str, record_id: int) -> None:
        key = (model, record_id)
        if key not in self._journal:
            row = self.table(model).get(record_id)
            self._journal[key] = copy.deepcopy(row) if row is not None else None

    def insert(self, model: str, record_id: int, row: Row) -> None:
        self._remember(model, record_id)
        self._put(model, record_id, row)

    def update(self, model: str, record_id: int, values: Row) -> None:
        self._remember(model, record_id)
        indexes = self._indexes.get(model)
        row = self.table(model)[record_id]
        if indexes is None or not indexes.touches(values):
            row.update(values)
            return
        indexes.remove(record_id, row)
        row.update(values)
        indexes.add(record_id, row)

    def delete(self, model: str, record_id: int) -> None:
        self._remember(model, record_id)
        self._put(model, record_id, None)

    def begin(self) -> None:
        self._journal = {}

    def commit(self) -> None:
        self._journal = {}

    def detach(self) -> Changes:
        """Take this call's changes out of the live tables: {(model, id): row after, or None if
        deleted}. The tables are back to their state before `begin`; `attach` replays them."""
        changes: Changes = {}
        for model, record_id in self._journal:
            row = self.table(model).get(record_id)
            changes[(model, record_id)] = copy.deepcopy(row) if row is not None else None
        self.rollback()
        return changes

    def attach(self, changes: Changes) -> None:
        """Apply rows taken by `detach` (inside a transaction begun by the caller)."""
        for (model, record_id), row in changes.items():
            if row is None:
                self.delete(model, record_id)
            else:
                self._remember(model, record_id)
                self._put(model, record_id, copy.deepcopy(row))

    def rollback(self) -> None:
        for (model, record_id), row in self._journal.items():
            self._put(model, record_id, row)
        self._journal = {}
