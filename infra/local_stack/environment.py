"""One process runs every function, so their environments must agree."""

from __future__ import annotations

from collections.abc import Iterable

from local_stack.functions import FunctionSpec


class EnvironmentConflictError(Exception):
    """Two functions give one environment variable different values."""


def merged_environment(functions: Iterable[FunctionSpec]) -> dict[str, str]:
    merged: dict[str, str] = {}
    owner: dict[str, str] = {}
    conflicts: list[str] = []
    for spec in functions:
        for name, value in spec.environment.items():
            if name in merged and merged[name] != value:
                conflicts.append(f"{name}: {owner[name]}={merged[name]!r} but {spec.logical_id}={value!r}")
                continue
            merged.setdefault(name, value)
            owner.setdefault(name, spec.logical_id)
    if conflicts:
        raise EnvironmentConflictError(
            "functions share one process locally but disagree on environment variables: "
            + "; ".join(conflicts)
        )
    return merged
