"""Indexes of the in-memory tables: row ids by the values of a few columns, like PostgreSQL's
index on ir_model_data (module, name), so a lookup of a few keys reads only the rows it names.

The store keeps every index of a table up to date on insert, update, delete, rollback and
attach; rows must change through the store (never in place) for an index to stay right.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

Row = dict[str, Any]
Key = tuple[Any, ...]


class TableIndex:
    """Row ids by their values in `columns`. A key may hold several ids: Odoo's unique index
    refuses a duplicate at its constraint check, after the row was written (and rolls it back)."""

    def __init__(self, columns: tuple[str, ...], rows: Mapping[int, Row]) -> None:
        self.columns = columns
        self._ids: dict[Key, set[int]] = {}
        self._unhashable: set[int] = set()  # rows whose key cannot be hashed: every lookup reads them
        for record_id, row in rows.items():
            self.add(record_id, row)

    def key(self, row: Row) -> Key:
        return tuple(row.get(column, False) for column in self.columns)

    def add(self, record_id: int, row: Row) -> None:
        key = self.key(row)
        try:
            self._ids.setdefault(key, set()).add(record_id)
        except TypeError:
            self._unhashable.add(record_id)

    def remove(self, record_id: int, row: Row) -> None:
        key = self.key(row)
        self._unhashable.discard(record_id)
        try:
            ids = self._ids.get(key)
        except TypeError:
            return
        if ids is not None:
            ids.discard(record_id)
            if not ids:
                del self._ids[key]

    def ids(self, keys: Iterable[Key]) -> set[int]:
        """The ids of the rows whose values equal one of `keys` (Python equality, as a domain's
        `=` and `in` compare them), plus any row whose values cannot be hashed: a superset the
        caller still checks row by row."""
        found = set(self._unhashable)
        for key in keys:
            try:
                found.update(self._ids.get(key, ()))
            except TypeError:  # an unhashable key equals no hashable row key
                continue
        return found


class TableIndexes:
    """The indexes of one table, built on first use and kept in step with its rows."""

    def __init__(self) -> None:
        self._by_columns: dict[tuple[str, ...], TableIndex] = {}

    def get(self, columns: tuple[str, ...], rows: Mapping[int, Row]) -> TableIndex:
        index = self._by_columns.get(columns)
        if index is None:
            index = self._by_columns[columns] = TableIndex(columns, rows)
        return index

    def touches(self, values: Iterable[str]) -> bool:
        """Whether a change of these columns changes a key of some index."""
        names = set(values)
        return any(names.intersection(columns) for columns in self._by_columns)

    def add(self, record_id: int, row: Row) -> None:
        for index in self._by_columns.values():
            index.add(record_id, row)

    def remove(self, record_id: int, row: Row) -> None:
        for index in self._by_columns.values():
            index.remove(record_id, row)
