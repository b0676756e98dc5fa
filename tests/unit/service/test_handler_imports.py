"""The authorizer runs before every API request: its cold start must not load the heavy
packages only other functions use (each adds tens of milliseconds to a cold request)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PYTHONPATH = os.pathsep.join(str(ROOT / part) for part in ("layers/shared", "functions", "infra", "."))
HEAVY = ("httpx", "cryptography.hazmat.primitives.ciphers.aead", "croniter", "phonenumbers")


def _modules_after_import(module: str) -> set[str]:
    # A fresh interpreter: this test process has already imported everything.
    script = f"import json, sys; import {module}; print(json.dumps(sorted(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", script],
        env={**os.environ, "PYTHONPATH": PYTHONPATH},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return set(json.loads(result.stdout.strip().splitlines()[-1]))


def test_authorizer_cold_start_loads_no_heavy_package_its_route_does_not_use() -> None:
    loaded = _modules_after_import("authorizer.handler")

    assert "authorizer.handler" in loaded
    assert [name for name in HEAVY if name in loaded] == []
