"""Read the records to push from a CSV or a JSON-lines file: one record per row or line.

A CSV has a header with a column per local field, one of them the record's id (`local_id` by
default); empty cells are left out, so they do not blank a field. A JSON-lines file has one object
per line, with the id among its keys and the other keys as the record's fields.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from odoo_sync_cli.exits import CliError, ExitCode

JSON_LINES = (".jsonl", ".ndjson", ".json")
# The API's rule for a local id (checked here so that one bad id does not refuse its whole batch).
LOCAL_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:@\-]{0,127}")


@dataclass(frozen=True)
class LocalRecord:
    local_id: str
    data: dict[str, Any]
    line: int  # where it came from, to name it in an error


def bad(message: str) -> CliError:
    return CliError(message, ExitCode.REFUSED)


def file_format(path: Path, given: str | None) -> str:
    if given:
        return given
    return "jsonl" if path.suffix.lower() in JSON_LINES else "csv"


def read_records(path: Path, *, id_field: str = "local_id", fmt: str | None = None) -> list[LocalRecord]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise bad(f"cannot read {path}: {exc}") from exc
    kind = file_format(path, fmt)
    records = list(_jsonl(text, id_field) if kind == "jsonl" else _csv(text, id_field))
    if not records:
        raise bad(f"{path} holds no records")
    seen: dict[str, int] = {}
    for record in records:
        if record.local_id in seen:
            first = seen[record.local_id]
            raise bad(f"line {record.line}: {id_field} {record.local_id!r} already on line {first}")
        seen[record.local_id] = record.line
    return records


def _csv(text: str, id_field: str) -> Iterator[LocalRecord]:
    try:
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        header = next(reader, None)
        if not header or not any(name.strip() for name in header):
            raise bad("the CSV has no header row naming its columns")
        names = [name.strip() for name in header]
        if id_field not in names:
            raise bad(f"the CSV has no {id_field!r} column (columns: {', '.join(names)})")
        if len(set(names)) != len(names) or "" in names:
            raise bad("the CSV header has an empty or repeated column name")
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(names):
                raise bad(f"line {reader.line_num}: {len(row)} cells, the header has {len(names)}")
            values = {name: cell for name, cell in zip(names, row, strict=True) if cell != ""}
            yield _record(values, id_field, reader.line_num)
    except csv.Error as exc:
        raise bad(f"not a readable CSV: {exc}") from exc


def _jsonl(text: str, id_field: str) -> Iterator[LocalRecord]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            values = json.loads(line)
        except ValueError as exc:
            raise bad(f"line {number}: not JSON ({exc})") from exc
        if not isinstance(values, dict):
            raise bad(f"line {number}: a JSON object per line is expected")
        yield _record(values, id_field, number)


def _record(values: dict[str, Any], id_field: str, line: int) -> LocalRecord:
    local_id = values.pop(id_field, None)
    if isinstance(local_id, int | float) and not isinstance(local_id, bool):
        local_id = str(local_id)
    if not isinstance(local_id, str) or not local_id.strip():
        raise bad(f"line {line}: no {id_field}")
    local_id = local_id.strip()
    if not LOCAL_ID.fullmatch(local_id):
        raise bad(
            f"line {line}: {id_field} {local_id[:40]!r} is not an id: up to 128 letters, digits and _.:@- "
            "starting with a letter or digit"
        )
    return LocalRecord(local_id=local_id, data=values, line=line)


def chunks(records: list[LocalRecord], size: int) -> Iterator[list[LocalRecord]]:
    for start in range(0, len(records), size):
        yield records[start : start + size]
