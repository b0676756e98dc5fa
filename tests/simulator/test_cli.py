"""`python -m odoo_simulator` prints where it listens and stops cleanly on Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx

from odoo_simulator.__main__ import parse_args

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_defaults() -> None:
    args = parse_args([])
    assert (args.version, args.port, args.seed_partners) == ("19", 8069, 300)


def test_serves_until_interrupted() -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT / "infra")}
    command = [
        sys.executable,
        "-m",
        "odoo_simulator",
        "--port",
        "0",
        "--seed-partners",
        "2",
        "--seed-products",
        "2",
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        url = first.rsplit(" ", 1)[-1].strip()
        assert url.startswith("http://127.0.0.1:")
        assert httpx.get(f"{url}/web/version").json()["version"].startswith("19.0")
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
