"""`python -m local_stack` end to end: the real template, the real handlers, the Odoo simulator."""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from local_stack import LocalStack
from local_stack.__main__ import LOCAL_PARAMETERS, Settings, SettingsError, main
from local_stack.demo import OdooTarget, seed
from odoo_simulator import OdooSimulator

ROOT = Path(__file__).resolve().parents[3]
READY_LINE = "Ctrl-C stops everything."

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def running_demo(tmp_path_factory):
    """The command `make run` runs, on free ports, in a scratch directory."""
    workdir = tmp_path_factory.mktemp("demo")
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(str(ROOT / p) for p in ("layers/shared", "functions", "infra", ".")),
        "PORT": "0",
        "ODOO_SIM_PORT": "0",
        "TEMPLATE": str(ROOT / "template.yaml"),
    }
    for name in ("ODOO_URL", "ODOO_DB", "ODOO_LOGIN", "ODOO_API_KEY", "ODOO_SIM_VERSION", "AWS_ENDPOINT_URL"):
        env.pop(name, None)
    process = subprocess.Popen(
        [sys.executable, "-m", "local_stack"],
        cwd=workdir,
        env=env,
        stdout=subprocess.PIPE,
        stderr=(workdir / "stderr.log").open("w"),
        text=True,
        start_new_session=True,  # a process group of its own, as a terminal gives `make run`
    )
    assert process.stdout is not None
    output: list[str] = []
    for line in process.stdout:
        output.append(line)
        if READY_LINE in line:
            break
    if process.poll() is not None:
        pytest.fail(f"the local stack exited early ({process.returncode}):\n{''.join(output)}")
    demo = json.loads((workdir / ".local" / "demo.json").read_text())
    yield process, demo, "".join(output), workdir / "stderr.log"
    if process.poll() is None:
        process.kill()
        process.wait()


def test_demo_file_holds_what_the_readme_promises(running_demo):
    _, demo, _, _ = running_demo

    assert set(demo) == {"api_url", "api_key", "tenant_id", "connection_id", "odoo_url", "operator_key"}
    assert demo["operator_key"].startswith("osk_op_")
    assert demo["api_url"].startswith("http://127.0.0.1:")
    assert demo["odoo_url"].startswith("http://127.0.0.1:")


def test_seeded_connection_test_was_printed_as_a_success(running_demo):
    _, demo, output, _ = running_demo

    assert "Connection test: passed (Odoo 19" in output
    assert f"/v1/connections/{demo['connection_id']}/test" in output  # a curl line to try


def test_the_console_link_and_key_are_the_last_thing_printed(running_demo):
    _, demo, output, _ = running_demo

    tail = output[output.index("Console: ") :]
    assert f"Console: {demo['api_url']}/console/" in tail
    assert demo["api_key"] in tail
    assert tail.rstrip().endswith(READY_LINE)


def test_connection_test_succeeds_with_the_simulators_version_and_protocol(running_demo):
    _, demo, _, _ = running_demo

    response = httpx.post(
        f"{demo['api_url']}/v1/connections/{demo['connection_id']}/test",
        headers={"Authorization": f"Bearer {demo['api_key']}"},
        timeout=60,
    )

    assert response.status_code == 200
    answer = response.json()
    assert answer["success"] is True
    assert answer["odoo_version"].startswith("19.")
    assert answer["protocol"] == "json2"


def test_the_tenant_sees_its_connection(running_demo):
    _, demo, _, _ = running_demo

    response = httpx.get(
        f"{demo['api_url']}/v1/connections",
        headers={"Authorization": f"Bearer {demo['api_key']}"},
        timeout=30,
    )

    assert response.status_code == 200
    assert [item["connection_id"] for item in response.json()["items"]] == [demo["connection_id"]]


def test_no_key_is_401(running_demo):
    _, demo, _, _ = running_demo

    response = httpx.get(f"{demo['api_url']}/v1/connections", timeout=30)

    assert response.status_code == 401


def test_operator_key_is_kept_to_admin_routes(running_demo):
    _, demo, _, _ = running_demo

    response = httpx.get(
        f"{demo['api_url']}/v1/connections",
        headers={"Authorization": f"Bearer {demo['operator_key']}"},
        timeout=30,
    )

    assert response.status_code == 403


def test_ctrl_c_stops_everything_cleanly(running_demo):
    process, demo, _, stderr = running_demo

    os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C does: the whole group, moto's process too

    assert process.wait(timeout=60) == 0
    assert "Traceback" not in stderr.read_text()
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{demo['api_url']}/v1/connections", timeout=5)
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{demo['odoo_url']}/web/version", timeout=5)


def test_wrong_odoo_credentials_still_seed_and_the_test_names_the_auth_failure():
    with OdooSimulator(version="17", port=0) as simulator:
        wrong = OdooTarget(simulator.url, simulator.database, simulator.admin_login, "not-the-key")
        with LocalStack(ROOT / "template.yaml", port=0, parameter_overrides=LOCAL_PARAMETERS) as stack:
            result = seed(stack, wrong)

    assert result.connection_test["success"] is False
    assert result.connection_test["category"] == "auth"


def test_settings_default_to_the_simulator_on_the_documented_ports():
    settings = Settings.from_environment({})

    assert (settings.port, settings.simulator_port, settings.simulator_version) == (3000, 8069, "19")
    assert settings.real_odoo is None


def test_settings_point_the_demo_at_a_real_odoo():
    env = {
        "ODOO_URL": "https://erp.example.com/",
        "ODOO_DB": "prod",
        "ODOO_LOGIN": "api",
        "ODOO_API_KEY": "k",
    }

    assert Settings.from_environment(env).real_odoo == OdooTarget(
        "https://erp.example.com", "prod", "api", "k"
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"PORT": "http"}, "PORT must be a port number"),
        ({"ODOO_SIM_PORT": "70000"}, "ODOO_SIM_PORT must be a port number"),
        ({"ODOO_URL": "https://erp.example.com"}, "missing"),
    ],
)
def test_bad_settings_are_refused(env, message):
    with pytest.raises(SettingsError, match=message):
        Settings.from_environment(env)


def test_main_reports_bad_settings_and_exits_1(monkeypatch, capsys):
    monkeypatch.setenv("PORT", "not-a-port")
    # main() turns metrics off for its process; undone after this test, as the process goes on.
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")

    assert main() == 1
    assert "PORT must be a port number" in capsys.readouterr().err
