"""Which rows a domain matches, and in what order (NULLS LAST ascending, like PostgreSQL)."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable
from typing import Any

from ..domain import compile_domain, ids_named, parse_order, values_named
from .records import RecordsCore

INDEXABLE_TYPES = frozenset({"char", "text", "selection", "integer", "many2one_reference"})


class SearchableRecords(RecordsCore):
    def _search_ids(
        self, domain: Any, offset: int = 0, limit: int | None = None, order: str | None = None
    ) -> list[int]:
        predicate = compile_domain(self._as_model(), domain)
        keys = parse_order(self._as_model(), order)
        active_filter = self._active_filter(domain)
        privileged = self.env.is_privileged
        found = [
            rid
            for rid in self._candidates(domain)
            if active_filter(rid) and (privileged or self._rule_allows(rid)) and predicate(rid)
        ]
        ordered = self._sorted(found, keys)
        offset = int(offset or 0)
        return ordered[offset : offset + int(limit)] if limit else ordered[offset:]

    def _candidates(self, domain: Any) -> Iterable[int]:
        """The rows a domain may match: those it names by id or by the columns of an index when
        all its leaves must hold (what PostgreSQL's primary key and indexes find without reading
        the table), else every row. Named rows come in id order, the table's own order."""
        table = self._table()
        named = ids_named(domain)
        if named is None:
            named = self._indexed_ids(domain)
        return table if named is None else sorted(rid for rid in named if rid in table)

    def _indexed_ids(self, domain: Any) -> set[int] | None:
        """The ids an index finds for the values the domain names in all of its columns."""
        for columns in self._indexes:
            named = [values_named(domain, column) for column in columns]
            value_sets = [values for values in named if values is not None]
            if len(value_sets) < len(columns) or not self._indexable(columns):
                continue
            if math.prod(len(values) for values in value_sets) > len(self._table()):
                continue  # more keys than rows: reading the rows is cheaper
            return self.env.store.index(self._name, columns).ids(itertools.product(*value_sets))
        return None

    def _indexable(self, columns: tuple[str, ...]) -> bool:
        """Columns whose stored value is what `=` and `in` compare (no name search, no dates, no
        translation), so that equal keys are exactly the matching rows."""
        return all(
            self._fields[name].type in INDEXABLE_TYPES
            and not self._fields[name].translate
            and name in self._own_stored_names()
            for name in columns
        )

    def _active_filter(self, domain: Any) -> Any:
        uses_active = isinstance(domain, (list, tuple)) and any(
            isinstance(leaf, (list, tuple)) and len(leaf) == 3 and str(leaf[0]).split(".")[0] == "active"
            for leaf in domain
        )
        if "active" not in self._fields or uses_active or not self.env.context.get("active_test", True):
            return lambda _rid: True
        return lambda rid: bool(self._raw(rid, "active"))

    def _sort_value(self, rid: int, name: str) -> Any:
        fld = self._fields[name]
        value = self._raw(rid, name)
        if fld.type == "many2one":
            return self.env[fld.relation or ""]._display_name(value).casefold() if value else None
        if value is False or value is None or value == "":
            return None if fld.type not in ("boolean", "integer", "float", "monetary") else value
        return value.casefold() if isinstance(value, str) else value

    def _sorted(self, ids: list[int], keys: list[tuple[str, bool]]) -> list[int]:
        ordered = list(ids)
        for name, descending in reversed(keys):
            values = {rid: self._sort_value(rid, name) for rid in ordered}
            present = [rid for rid in ordered if values[rid] is not None]
            nulls = [rid for rid in ordered if values[rid] is None]
            present.sort(key=lambda rid: values[rid], reverse=descending)
            # PostgreSQL: NULLS LAST ascending, NULLS FIRST descending.
            ordered = nulls + present if descending else present + nulls
        return ordered

    def _name_search_pairs(self, name: str, operator: str = "ilike") -> list[tuple[int, str]]:
        domain: list[Any] = [("display_name", operator, name)] if name else []
        ids = self._search_ids(domain)
        return [(rid, self._display_name(rid)) for rid in ids]
