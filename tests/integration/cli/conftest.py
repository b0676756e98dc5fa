"""`make run`'s stack (template.yaml, workers running, the Odoo simulator, the demo tenant) for the CLI."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from local_stack.__main__ import REAL_ODOO_SETTINGS
from local_stack.demo import Demo
from odoo_sync_cli.app import main

ROOT = Path(__file__).resolve().parents[3]
CLI_VARIABLES = ("ODOO_SYNC_API_URL", "ODOO_SYNC_API_KEY", "ODOO_SYNC_PROFILE")
READY_LINE = "Ctrl-C stops everything."
STARTUP_S = 300


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """What `make run` starts (the stack, the simulator, the demo tenant), on free ports, in a process
    of its own: the command under test then shares nothing with the service but HTTP."""
    workdir = tmp_path_factory.mktemp("stack")
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(str(ROOT / p) for p in ("layers/shared", "functions", "infra", ".")),
        "PORT": "0",
        "ODOO_SIM_PORT": "0",
        "TEMPLATE": str(ROOT / "template.yaml"),
    }
    for name in (*REAL_ODOO_SETTINGS, "ODOO_SIM_VERSION", "AWS_ENDPOINT_URL", *CLI_VARIABLES):
        env.pop(name, None)
    output = workdir / "stack.log"
    with output.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "local_stack"], cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + STARTUP_S
        while READY_LINE not in output.read_text():
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(
                    f"the local stack did not start ({process.poll()}):\n{output.read_text()[-3000:]}"
                )
            time.sleep(0.2)
        yield Demo(**json.loads((workdir / ".local" / "demo.json").read_text()))
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class Ran:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty current directory and config home; no CLI variables from the caller's environment."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    for name in CLI_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    folder = tmp_path / "work"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


@pytest.fixture
def odoo_sync(workdir: Path, demo: Demo, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):
    """Run the command as `odoo-sync ARGS` would, by default with the demo tenant's key in the environment."""

    def run(*args: str, env: dict[str, str] | None = None) -> Ran:
        values = (
            {"ODOO_SYNC_API_URL": demo.api_url, "ODOO_SYNC_API_KEY": demo.api_key} if env is None else env
        )
        with monkeypatch.context() as patch:
            for name, value in values.items():
                patch.setenv(name, value)
            capsys.readouterr()
            with pytest.raises(SystemExit) as ended:
                main(list(args))
        captured = capsys.readouterr()
        return Ran(int(ended.value.code or 0), captured.out, captured.err)

    assert os.environ.get("ODOO_SYNC_API_KEY") is None
    return run
