"""Reading the records to push: CSV and JSON lines, and every way a file can be unfit."""

from __future__ import annotations

from pathlib import Path

import pytest

from odoo_sync_cli.exits import CliError, ExitCode
from odoo_sync_cli.records_file import chunks, read_records


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_csv_row_is_a_record_with_a_field_per_column_and_empty_cells_left_out(tmp_path) -> None:
    path = write(tmp_path, "c.csv", 'local_id,name,email\nC-1,Ada,ada@example.com\nC-2,"Bob, Jr",\n')

    records = read_records(path)

    assert [(r.local_id, r.data, r.line) for r in records] == [
        ("C-1", {"name": "Ada", "email": "ada@example.com"}, 2),
        ("C-2", {"name": "Bob, Jr"}, 3),
    ]


def test_a_json_line_is_a_record_with_its_types_kept(tmp_path) -> None:
    path = write(
        tmp_path, "p.jsonl", '{"local_id": 7, "price": 9.5, "active": true}\n\n{"local_id": "P-8"}\n'
    )

    records = read_records(path)

    assert [(r.local_id, r.data, r.line) for r in records] == [
        ("7", {"price": 9.5, "active": True}, 1),
        ("P-8", {}, 3),
    ]


def test_the_id_column_can_be_named_and_the_format_forced(tmp_path) -> None:
    path = write(tmp_path, "export.txt", "sku,name\nA1,Chair\n")

    records = read_records(path, id_field="sku", fmt="csv")

    assert [(r.local_id, r.data) for r in records] == [("A1", {"name": "Chair"})]


def test_batches_of_a_thousand() -> None:
    assert [len(chunk) for chunk in chunks(list(range(2500)), 1000)] == [1000, 1000, 500]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("c.csv", "", "no header"),
        ("c.csv", "name,email\nAda,a@x.io\n", "no 'local_id' column"),
        ("c.csv", "local_id,name,name\n1,a,b\n", "empty or repeated column"),
        ("c.csv", "local_id,name\n1,Ada,extra\n", "line 2: 3 cells, the header has 2"),
        ("c.csv", 'local_id,name\n1,"Ada\n', "not a readable CSV"),
        ("c.csv", "local_id,name\n,Ada\n", "line 2: no local_id"),
        ("c.csv", "local_id,name\nC 1,Ada\n", "is not an id"),
        ("c.csv", "local_id,name\nC1,Ada\nC1,Bob\n", "line 3: local_id 'C1' already on line 2"),
        ("c.csv", "local_id,name\n", "holds no records"),
        ("r.jsonl", '{"local_id": "1"}\n{"local_id": \n', "line 2: not JSON"),
        ("r.jsonl", '["local_id", "1"]\n', "line 1: a JSON object per line"),
        ("r.jsonl", '{"local_id": true}\n', "line 1: no local_id"),
    ],
)
def test_an_unfit_file_is_refused_naming_the_line(tmp_path, name, text, message) -> None:
    with pytest.raises(CliError, match=message) as refused:
        read_records(write(tmp_path, name, text))

    assert refused.value.code is ExitCode.REFUSED


def test_a_missing_a_directory_or_a_binary_file_is_refused(tmp_path) -> None:
    binary = tmp_path / "b.csv"
    binary.write_bytes(b"\xff\xfe\x00local_id")
    for path in (tmp_path / "missing.csv", tmp_path, binary):
        with pytest.raises(CliError, match="cannot read") as refused:
            read_records(path)
        assert refused.value.code is ExitCode.REFUSED
