"""A benchmark's figures as printed: one a line, its phases after them, the summary last."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest

from benchmarks.harness import print_figures


@dataclass
class PhasedFigures:
    records: int
    records_per_s: float
    phases: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> str:
        return f"push: {self.records_per_s:.0f} rec/s"


@dataclass
class PlainFigures:
    samples: int

    def summary(self) -> str:
        return f"{self.samples} samples"


def test_each_figure_then_each_phase_then_the_summary(capsys: pytest.CaptureFixture[str]) -> None:
    figures = PhasedFigures(1000, 812.5, {"create_s": 1.23, "create_ddb_by_operation": {"PutItem": 3}})

    print_figures(figures)

    assert capsys.readouterr().out.splitlines() == [
        "records        1000",
        "records_per_s  812.5",
        "create_s       1.23",
        'create_ddb_by_operation  {"PutItem": 3}',
        "push: 812 rec/s",
    ]


def test_figures_without_phases_print_every_field(capsys: pytest.CaptureFixture[str]) -> None:
    print_figures(PlainFigures(50))

    assert capsys.readouterr().out.splitlines() == ["samples  50", "50 samples"]


def test_as_json_the_whole_document_comes_first(capsys: pytest.CaptureFixture[str]) -> None:
    figures = PhasedFigures(10, 2.0, {"create_s": 5.0})

    print_figures(figures, as_json=True)

    out = capsys.readouterr().out
    document, end = json.JSONDecoder().raw_decode(out)
    assert document == {"records": 10, "records_per_s": 2.0, "phases": {"create_s": 5.0}}
    assert out[end:].splitlines()[1:] == [
        "records        10",
        "records_per_s  2.0",
        "create_s       5.0",
        "push: 2 rec/s",
    ]
