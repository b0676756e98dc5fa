"""The tables of docs/benchmarks.md: figures by size, the runs they came from."""

from __future__ import annotations

from typing import Any

OPT_IN_SIZE = 100_000
SIZES = (1_000, 10_000, OPT_IN_SIZE)


def number(value: float) -> str:
    if isinstance(value, int) or abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:,.1f}"


def cell(entry: dict[str, Any] | None, key: str, unit: str, size: int) -> str:
    if entry is None:
        return f"not run (opt-in: `make bench SIZES=...,{size}`)" if size == OPT_IN_SIZE else "not run"
    if "error" in entry:
        return "failed (see below)"
    value = entry["figures"].get(key)
    if value is None:
        return "—"
    if unit.startswith("x"):
        return f"{value:.{unit[1:] or 1}f}x"
    return f"{number(value)} {unit}".strip()


def load(entry: dict[str, Any]) -> str:
    before, after = entry["load_before"], entry["load_after"]
    return f"load average {before[0]:.1f} → {after[0]:.1f} (1 min)"


# What a failure's message means, for the failures these runs are known to meet.
FAILURE_HINTS = (
    (
        "502 Bad Gateway' for url",
        "the API answered 502: the function outlasted the API's 29 s, as `POST /v1/bulk-sync` does "
        "when it reads every selected record id and queues all chunks within the request",
    ),
    (
        "batch did not complete",
        "the queue ran dry with the batch still running: a worker invocation (5 messages) outlasted "
        "its 120 s, so its messages wait out the queue's visibility timeout",
    ),
)


def runs(entries: list[tuple[str, dict[str, Any]]]) -> list[str]:
    lines = []
    for name, entry in entries:
        outcome = f"took {entry['wall_s']:,.0f} s"
        if "error" in entry:
            hints = [hint for marker, hint in FAILURE_HINTS if marker in entry["error"]]
            message = entry["error"].splitlines()[0][:300]
            outcome = f"failed after {entry['wall_s']:,.0f} s: `{message}`"
            outcome += f" ({hints[0]})" if hints else ""
        lines.append(f"- {name}: `{entry['command']}`, {entry['date']}, {load(entry)}, {outcome}")
    return lines


def sized(entries: dict[str, Any], kind: str) -> list[str]:
    """The cost models measured for `kind` (push/pull), as in their keys `kind/costs/size`."""
    return sorted(
        {key.split("/")[1] for key in entries if key.startswith(f"{kind}/") and key.count("/") == 2}
    )


def table(
    entries: dict[str, Any], kind: str, costs: str, rows: tuple[tuple[str, str, str], ...], noun: str
) -> list[str]:
    row_entries = {size: entries.get(f"{kind}/{costs}/{size}") for size in SIZES}
    out = [
        "| figure | " + " | ".join(f"{size:,} {noun}" for size in SIZES) + " |",
        "|---|" + "---|" * len(SIZES),
    ]
    for label, key, unit in rows:
        cells = [cell(row_entries[size], key, unit, size) for size in SIZES]
        out.append(f"| {label.strip()} | " + " | ".join(cells) + " |")
    out.append("")
    out += runs([(f"{size:,}", entry) for size, entry in row_entries.items() if entry is not None])
    out.append("")
    return out
