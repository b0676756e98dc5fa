"""Cold start: each function's handler import time, what it loads, and the shared layer's size.

    python -m benchmarks.cold_start

The layer is installed as `sam build` would: `pip install -r layers/shared/requirements.txt
--target DIR` (pip's cache is used), plus `odoo_sync`; its size is measured there. Every
`functions/*/handler.py` is then imported in a fresh interpreter under `python -S -X importtime`
with only that layer, boto3 (which the Lambda runtime provides) and `functions/` on the path,
so nothing the development environment adds (pytest, rich, click...) is loaded. Without the
package index the layer cannot be installed: the imports are then measured against the
development environment and the figures say so.

The figure is the cumulative time of the handler module's import (everything it loads), the
median of REPEATS runs after one warm-up (so .pyc files exist). The five heaviest third-party
packages are those with the largest cumulative time at their first (outermost) import.

A handler should not import what its routes do not use: `ROUTES_USE` says which of the heavy
optional packages each function's routes need, and every package loaded beyond that is flagged.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REPEATS = 5
TOP = 5
OWN_PACKAGES = {"odoo_sync"}

# Heavy packages a handler may load for nothing. Each function lists those its routes use; the
# rest are flagged when its import loads them. (boto3/botocore: DynamoDB, SQS, SSM clients.)
WATCHED = ("boto3", "httpx", "cryptography", "croniter", "phonenumbers", "stdnum", "defusedxml")
ROUTES_USE: dict[str, set[str]] = {
    "admin_api": {"boto3", "cryptography"},
    "authorizer": {"boto3"},
    "automation_api": {"boto3", "httpx", "cryptography", "defusedxml"},
    "bulk_api": {"boto3"},
    "changes_api": {"boto3", "cryptography", "httpx"},  # httpx.URL: the SSRF guard on webhook URLs
    "conflicts_api": {"boto3"},
    "connections_api": {"boto3", "httpx", "cryptography", "defusedxml"},
    "explorer_api": {"boto3", "httpx", "cryptography", "defusedxml"},
    "import_api": {"boto3", "httpx", "cryptography", "defusedxml"},
    "odoo_changes": {"boto3", "httpx", "cryptography", "defusedxml", "phonenumbers", "stdnum"},
    "odoo_webhook": {"boto3"},
    "records_api": {"boto3", "phonenumbers", "stdnum"},
    "reports_api": {"boto3"},
    "schedule_tick": {"boto3", "croniter", "httpx", "cryptography", "defusedxml"},
    "schedules_api": {"boto3", "croniter"},
    "settings_api": {"boto3"},
    "sync_api": {"boto3", "httpx", "cryptography", "defusedxml", "phonenumbers", "stdnum"},
    "sync_worker": {"boto3", "httpx", "cryptography", "defusedxml", "phonenumbers", "stdnum"},
    "webhook_delivery": {"boto3", "httpx", "cryptography"},
}


@dataclass(frozen=True)
class ImportLine:
    self_us: int
    cumulative_us: int
    depth: int
    name: str


@dataclass
class HandlerFigures:
    function: str
    import_ms: float  # median over REPEATS fresh processes
    import_ms_runs: list[float]
    heaviest: list[tuple[str, float]]  # (package, ms at its first import)
    modules: int  # modules the handler's import loaded
    loads: list[str]  # WATCHED packages loaded
    unused: list[str]  # WATCHED packages loaded that its routes do not use


@dataclass
class LayerFigures:
    installed_mib: float | None
    zipped_mib: float | None
    packages: int | None
    note: str = ""


@dataclass
class ColdStartFigures:
    handlers: list[HandlerFigures] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # handlers that could not be imported
    layer: LayerFigures | None = None
    environment: str = ""


def parse_importtime(stderr: str) -> list[ImportLine]:
    """`import time: self [us] | cumulative | imported package` lines, in order."""
    lines = []
    for raw in stderr.splitlines():
        if not raw.startswith("import time:") or "imported package" in raw:
            continue
        self_us, cumulative_us, name = raw.removeprefix("import time:").split("|", 2)
        stripped = name.lstrip(" ")
        depth = (len(name) - len(stripped) - 1) // 2
        lines.append(ImportLine(int(self_us), int(cumulative_us), depth, stripped.removeprefix("- ").strip()))
    return lines


def _environment(path: list[Path]) -> dict[str, str]:
    env = {**os.environ, "AWS_DEFAULT_REGION": "us-east-1", "POWERTOOLS_METRICS_NAMESPACE": "OdooSync"}
    env["PYTHONPATH"] = os.pathsep.join(str(entry) for entry in path)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def import_lines(function: str, path: list[Path], isolated: bool) -> list[ImportLine]:
    # -S: no site-packages of this interpreter, only `path` (the layer as Lambda mounts it).
    flags = ["-S"] if isolated else []
    done = subprocess.run(  # noqa: S603 - this interpreter, on a module name from functions/
        [sys.executable, *flags, "-X", "importtime", "-c", f"import {function}.handler"],
        capture_output=True,
        text=True,
        env=_environment(path),
        cwd=ROOT,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"importing {function}.handler failed:\n{done.stderr[-2000:]}")
    return parse_importtime(done.stderr)


def handler_entries(lines: list[ImportLine], function: str) -> list[ImportLine]:
    """The handler's own entries: its top-level entry and all nested under it.

    -X importtime prints an import after the imports it caused (children first), so the
    handler's subtree is everything after the previous top-level entry (interpreter start-up:
    site, encodings) up to and including `<function>.handler` itself."""
    end = next(n for n, line in enumerate(lines) if line.name == f"{function}.handler" and line.depth == 0)
    start = max((n + 1 for n in range(end) if lines[n].depth == 0), default=0)
    return lines[start : end + 1]


def handler_figures(function: str, path: list[Path], isolated: bool) -> HandlerFigures:
    import_lines(function, path, isolated)  # warm-up: compiles .pyc files and fills the file cache
    runs = [handler_entries(import_lines(function, path, isolated), function) for _ in range(REPEATS)]
    totals = [run[-1].cumulative_us / 1000 for run in runs]
    median_run = runs[totals.index(sorted(totals)[len(totals) // 2])]
    # A package's outermost entry holds all its submodules: its largest cumulative time.
    heaviest_by_package: dict[str, float] = {}
    for line in median_run:
        package = line.name.split(".")[0]
        if package not in OWN_PACKAGES and package != function and package not in sys.stdlib_module_names:
            heaviest_by_package[package] = max(
                heaviest_by_package.get(package, 0.0), line.cumulative_us / 1000
            )
    heaviest = sorted(heaviest_by_package.items(), key=lambda item: -item[1])[:TOP]
    loaded = {line.name.split(".")[0] for line in median_run}
    loads = [package for package in WATCHED if package in loaded]
    return HandlerFigures(
        function=function,
        import_ms=round(statistics.median(totals), 1),
        import_ms_runs=[round(total, 1) for total in totals],
        heaviest=[(package, round(ms, 1)) for package, ms in heaviest],
        modules=len(median_run),
        loads=loads,
        unused=[package for package in loads if package not in ROUTES_USE.get(function, set(WATCHED))],
    )


def _tree_bytes(path: Path) -> int:
    return sum(
        entry.stat().st_size for entry in path.rglob("*") if entry.is_file() and not entry.is_symlink()
    )


def _pip_install(target: Path, *requirements: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - this interpreter's pip, the repository's requirements
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--only-binary=:all:",
            "--target",
            str(target),
            *requirements,
        ],
        capture_output=True,
        text=True,
        check=False,
    )


def install_layer(directory: Path) -> LayerFigures:
    """The layer in `directory`/python (as Lambda mounts it), boto3 in `directory`/runtime."""
    target = directory / "python"
    done = _pip_install(target, "-r", str(ROOT / "layers" / "shared" / "requirements.txt"))
    if done.returncode != 0:
        return LayerFigures(None, None, None, note=f"pip install failed (offline?): {done.stderr[-300:]}")
    shutil.copytree(ROOT / "layers" / "shared" / "odoo_sync", target / "odoo_sync")
    for cache in target.rglob("__pycache__"):
        shutil.rmtree(cache, ignore_errors=True)
    archive = shutil.make_archive(str(directory / "layer"), "zip", directory, "python")
    figures = LayerFigures(
        installed_mib=round(_tree_bytes(target) / 2**20, 1),
        zipped_mib=round(Path(archive).stat().st_size / 2**20, 1),
        packages=len(list(target.glob("*.dist-info"))),
        note="boto3 is not in the layer: the Lambda runtime provides it",
    )
    boto3_pin = next(
        line.strip()
        for line in (ROOT / "requirements-dev.txt").read_text().splitlines()
        if line.startswith("boto3==")
    )
    if _pip_install(directory / "runtime", boto3_pin).returncode != 0:
        figures.note += "; boto3 could not be installed beside it"
    return figures


def functions() -> list[str]:
    return sorted(path.parent.name for path in (ROOT / "functions").glob("*/handler.py"))


def run(verbose: bool = False) -> ColdStartFigures:
    figures = ColdStartFigures()
    with tempfile.TemporaryDirectory(prefix="layer-") as directory:
        figures.layer = install_layer(Path(directory))
        if verbose:
            print(format_layer(figures.layer), flush=True)
        isolated = figures.layer.installed_mib is not None and (Path(directory) / "runtime").exists()
        if isolated:
            path = [Path(directory) / "python", Path(directory) / "runtime", ROOT / "functions"]
        else:  # offline: the development environment, which holds more than the layer
            path = [ROOT / "layers" / "shared", ROOT / "functions"]
        figures.environment = "layer + boto3 only" if isolated else "development environment (offline)"
        for function in functions():
            try:
                handler = handler_figures(function, path, isolated)
            except RuntimeError as error:  # someone's half-written handler: say so, measure the rest
                print(f"{function}: {error}", file=sys.stderr)
                figures.failed.append(function)
                continue
            figures.handlers.append(handler)
            if verbose:
                print(format_handler(handler), flush=True)
    return figures


def format_handler(handler: HandlerFigures) -> str:
    heaviest = ", ".join(f"{package} {ms:.0f}" for package, ms in handler.heaviest)
    unused = f"; loads unused: {', '.join(handler.unused)}" if handler.unused else ""
    return f"{handler.function}: {handler.import_ms:.0f} ms, {handler.modules} modules ({heaviest}){unused}"


def format_layer(layer: LayerFigures) -> str:
    if layer.installed_mib is None:
        return f"layer: size unknown ({layer.note})"
    return (
        f"layer: {layer.installed_mib} MiB installed, {layer.zipped_mib} MiB zipped, "
        f"{layer.packages} packages"
    )


def main() -> None:
    run(verbose=True)


if __name__ == "__main__":
    main()
