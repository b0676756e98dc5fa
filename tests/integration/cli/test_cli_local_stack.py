"""`odoo-sync` end to end against the local stack: every command, --json, --wait and every exit code."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from local_stack.console_demo import CONFLICT_ID
from local_stack.demo import Demo

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("cli_local_stack")]

CUSTOMERS_CSV = "local_id,name,email,city\n" + "".join(
    f"CLI-{n},Customer {n},customer{n}@example.com,Ghent\n" for n in range(1, 13)
)
BAD_EMAIL = "CLI-BAD"


def next_second() -> str:
    """The next whole second, once it has come: records keep `updated_at` to the second, so a
    `modified_since` of it leaves out whatever the demo or an earlier test wrote before it."""
    now = datetime.now(UTC)
    following = now.replace(microsecond=0) + timedelta(seconds=1)
    time.sleep((following - now).total_seconds())
    return following.isoformat()


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


# -- configuration --------------------------------------------------------------------------------


def test_with_no_configuration_the_local_stacks_demo_file_is_used(odoo_sync, workdir, demo: Demo) -> None:
    (workdir / ".local").mkdir()
    (workdir / ".local" / "demo.json").write_text(
        json.dumps({"api_url": demo.api_url, "api_key": demo.api_key})
    )

    ran = odoo_sync("connections", "list", "--json", env={})

    assert ran.code == 0, ran.err
    assert [c["connection_id"] for c in ran.json()] == [demo.connection_id]


def test_nothing_configured_is_exit_2_with_how_to_configure(odoo_sync) -> None:
    ran = odoo_sync("stats", env={})

    assert ran.code == 2
    assert "odoo-sync login" in ran.err


def test_login_checks_the_key_saves_a_private_profile_and_later_commands_use_it(
    odoo_sync, workdir, demo: Demo
) -> None:
    ran = odoo_sync(
        "login", "--api-url", demo.api_url, "--key", demo.api_key, "--profile", "work", "--json", env={}
    )

    assert ran.code == 0, ran.err
    saved = Path(ran.json()["config_file"])
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    assert json.loads(saved.read_text())["profiles"]["work"]["api_key"] == demo.api_key

    listed = odoo_sync("--profile", "work", "connections", "list", "--json", env={})
    assert listed.code == 0, listed.err

    # The environment overrides the profile: a wrong key there is refused.
    overridden = odoo_sync(
        "connections", "list", "--profile", "work", env={"ODOO_SYNC_API_KEY": "osk_live_wrong"}
    )
    assert overridden.code == 2
    assert "401" in overridden.err


def test_login_with_a_wrong_key_saves_nothing_and_is_exit_2(odoo_sync, workdir, demo: Demo) -> None:
    ran = odoo_sync("login", "--api-url", demo.api_url, "--key", "osk_live_not_a_key", env={})

    assert ran.code == 2
    assert "401" in ran.err
    assert not list((workdir.parent / "config").rglob("config.json"))


def test_an_unreachable_service_is_exit_3(odoo_sync) -> None:
    ran = odoo_sync(
        "stats", "--json", env={"ODOO_SYNC_API_URL": "http://127.0.0.1:9", "ODOO_SYNC_API_KEY": "k"}
    )

    assert ran.code == 3
    assert ran.json()["error"]["exit_code"] == 3


# -- connections ----------------------------------------------------------------------------------


def test_connection_test_passes_against_the_simulator(odoo_sync, demo: Demo) -> None:
    ran = odoo_sync("connections", "test", demo.connection_id)

    assert ran.code == 0, ran.err
    assert "ok: Odoo 19" in ran.out


def test_a_connection_whose_odoo_is_unreachable_tests_as_exit_3(odoo_sync, demo: Demo) -> None:
    created = httpx.post(
        f"{demo.api_url}/v1/connections",
        headers={"Authorization": f"Bearer {demo.api_key}"},
        json={
            "name": "nowhere",
            "base_url": "http://127.0.0.1:9",
            "database": "odoo",
            "auth": {"type": "api_key", "login": "admin", "api_key": "not-used-nothing-listens"},
        },
        timeout=60,
    )
    assert created.status_code == 201, created.text
    connection_id = created.json()["connection_id"]
    try:
        ran = odoo_sync("connections", "test", connection_id, "--json")
        assert ran.code == 3, ran.out
        assert ran.json()["category"] == "network"
    finally:
        httpx.delete(
            f"{demo.api_url}/v1/connections/{connection_id}",
            headers={"Authorization": f"Bearer {demo.api_key}"},
            timeout=60,
        )


def test_an_unknown_connection_is_exit_2(odoo_sync) -> None:
    ran = odoo_sync("connections", "test", "con_0000000000000000")

    assert ran.code == 2
    assert "404" in ran.err


# -- records, sync, bulk-sync, batches ------------------------------------------------------------


def test_a_day_of_work_push_bulk_sync_wait_sync_one_logs_stats_and_a_schedule(
    odoo_sync, workdir, demo
) -> None:
    """One scenario, its steps in order (tests may run in any order; this one's steps may not)."""
    # A CSV of 12 customers in batch upserts of 5, then one clean batch, waited for.
    since = next_second()
    csv_file = write(workdir, "c.csv", CUSTOMERS_CSV)
    pushed = odoo_sync(
        "records", "push", str(csv_file), "--entity", "customer", "--batch-size", "5", "--json"
    )
    assert pushed.code == 0, pushed.err
    assert pushed.json() == {
        "entity": "customer",
        "records": 12,
        "created": 12,
        "updated": 0,
        "failed": 0,
        "failures": [],
    }
    synced = odoo_sync(
        "bulk-sync", "customer", "--modified-since", since, "--wait", "--interval", "0.2", "--json"
    )
    assert synced.code == 0, synced.err
    answer = synced.json()
    assert answer["batch"]["status"] == "completed"
    assert (answer["batch"]["succeeded"], answer["batch"]["failed"], answer["failures"]) == (12, 0, [])

    # JSON lines: one record the API refuses (exit 1), one Odoo will refuse, one fine.
    since = next_second()
    lines = [
        json.dumps({"local_id": "CLI-OK", "name": "Fine", "email": "fine@example.com"}),
        json.dumps({"local_id": BAD_EMAIL, "name": "Broken", "email": "not-an-email"}),
        json.dumps({"local_id": "CLI-ODD", "name": "Odd", "not a field": 1}),
    ]
    pushed = odoo_sync(
        "records", "push", str(write(workdir, "c.jsonl", "\n".join(lines))), "--entity", "customer"
    )
    assert pushed.code == 1
    assert "CLI-ODD" in pushed.out
    assert "not a field name" in pushed.out

    # --wait: the live bar on stderr, then the failed record and why, exit 1.
    synced = odoo_sync("bulk-sync", "customer", "--modified-since", since, "--wait", "--interval", "0.2")
    assert synced.code == 1, synced.out + synced.err
    assert "ETA" in synced.err
    assert "rec/s" in synced.err
    assert "Failed records" in synced.out
    assert BAD_EMAIL in synced.out
    batch_id = synced.out.split("batch ", 1)[1].split(" ", 1)[0]

    shown = odoo_sync("batches", "show", batch_id, "--json")
    assert shown.code == 1
    assert [f["local_id"] for f in shown.json()["failures"]] == [BAD_EMAIL]
    assert "email" in shown.json()["failures"][0]["error_message"]
    assert odoo_sync("batches", "show", batch_id, "--wait", "--interval", "0.2").code == 1

    # One record now: pushed, refused, unknown.
    ok = odoo_sync("sync", "customer", "CLI-1", "--json")
    assert ok.code == 0, ok.out + ok.err
    assert ok.json()["success"] is True
    refused = odoo_sync("sync", "customer", BAD_EMAIL, "--json")
    assert refused.code == 1, refused.out + refused.err
    assert refused.json()["success"] is False
    unknown = odoo_sync("sync", "customer", "CLI-NOBODY")
    assert unknown.code == 2
    assert "404" in unknown.err

    # What happened, from the logs and the counters.
    errors = odoo_sync("logs", "--entity", "customer", "--status", "error", "--json")
    assert errors.code == 0
    assert BAD_EMAIL in {entry["local_id"] for entry in errors.json()}
    stats = odoo_sync("stats", "--json")
    assert stats.code == 0
    assert stats.json()["per_entity"]["customer"]["failed_syncs"] >= 1
    assert "customer" in odoo_sync("stats").out

    # A schedule over two of them, run now and waited for.
    created = httpx.post(
        f"{demo.api_url}/v1/schedules",
        headers={"Authorization": f"Bearer {demo.api_key}"},
        json={
            "name": "nightly",
            "entity": "customer",
            "cron_expression": "0 3 * * *",
            "sync_direction": "to_odoo",
            "filters": {"local_ids": ["CLI-1", "CLI-2"]},
            "sync_type": "full",
        },
        timeout=60,
    )
    assert created.status_code == 201, created.text
    schedule_id = created.json()["id"]
    listed = odoo_sync("schedules", "list", "--json")
    assert schedule_id in [s["id"] for s in listed.json()]
    ran = odoo_sync("schedules", "run", schedule_id, "--wait", "--interval", "0.2", "--json")
    assert ran.code == 0, ran.out + ran.err
    assert ran.json()["batch"]["succeeded"] == 2


def test_an_unknown_batch_or_schedule_is_exit_2(odoo_sync) -> None:
    assert odoo_sync("batches", "show", "bat_0000000000000000").code == 2
    assert odoo_sync("schedules", "run", "sch_0000000000000000").code == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("records", "push", "missing.csv", "--entity", "customer"), "cannot read"),
        (("records", "push", "bad.csv", "--entity", "customer"), "line 2: 3 cells"),
        (("import", "customer", "--domain", '[["name", "="'), "--domain is not JSON"),
        (("import", "customer", "--domain", '{"name": 1}'), "must be a JSON list"),
        (("bulk-sync", "customer", "--modified-since", "yesterday"), "not an ISO 8601"),
        (("bulk-sync", "customer", "--batch-size", "0"), "0"),
        (("records", "push"), "Missing argument"),
        (("conflicts", "resolve", "cfl_x", "--winner", "value", "--value", "{"), "--value is not JSON"),
    ],
)
def test_bad_input_is_exit_2_before_anything_is_sent(odoo_sync, workdir, args, message) -> None:
    write(workdir, "bad.csv", "local_id,name\nA,B,C\n")

    ran = odoo_sync(*args)

    assert ran.code == 2
    assert message in ran.err


def test_an_entity_the_tenant_does_not_have_is_exit_2(odoo_sync) -> None:
    ran = odoo_sync("bulk-sync", "nothing_here", "--json")

    assert ran.code == 2
    assert ran.json()["error"]["answer"]["code"]


# -- import, logs, stats, conflicts, schedules ----------------------------------------------------


def test_import_by_domain_waits_for_the_batch(odoo_sync) -> None:
    ran = odoo_sync(
        "import",
        "customer",
        "--domain",
        '[["is_company", "=", true]]',
        "--wait",
        "--interval",
        "0.2",
        "--json",
    )

    assert ran.code == 0, ran.out + ran.err
    batch = ran.json()["batch"]
    assert (batch["direction"], batch["status"], batch["failed"]) == ("from_odoo", "completed", 0)
    assert batch["succeeded"] == batch["total"] > 0


def test_logs_follow_prints_the_last_entries_then_each_new_one_once(demo: Demo, tmp_path) -> None:
    api = httpx.Client(base_url=demo.api_url, headers={"Authorization": f"Bearer {demo.api_key}"}, timeout=60)
    stored = api.put("/v1/records/customer/CLI-FOLLOW", json={"name": "Followed", "email": "f@example.com"})
    assert stored.status_code in (200, 201), stored.text
    for _ in range(2):  # two entries there before following starts
        assert api.post("/v1/sync/customer/CLI-FOLLOW", json={"force_update": True}).status_code == 200
    command = [installed_script(), "logs", "--follow", "--for", "60", "--interval", "0.2", "--limit", "2"]
    following = subprocess.Popen(
        [*command, "--json"], env=script_env(demo, tmp_path), stdout=subprocess.PIPE, text=True
    )
    try:
        assert following.stdout is not None
        shown = [json.loads(following.stdout.readline()) for _ in range(2)]
        assert api.post("/v1/sync/customer/CLI-FOLLOW", json={"force_update": True}).status_code == 200
        new = json.loads(following.stdout.readline())  # blocks until printed (--for bounds it)
    finally:
        following.terminate()
        following.wait(timeout=30)
        api.close()

    assert [entry["local_id"] for entry in [*shown, new]] == ["CLI-FOLLOW"] * 3
    assert new["id"] not in {entry["id"] for entry in shown}
    assert shown[0]["started_at"] <= shown[1]["started_at"] <= new["started_at"]  # oldest first


def test_conflicts_list_resolve_and_an_unknown_conflict(odoo_sync) -> None:
    # `make run` seeds one held conflict for the console: an e-mail changed on both sides.
    listed = odoo_sync("conflicts", "list", "--json")
    assert listed.code == 0
    [held] = listed.json()
    assert (held["entity"], held["local_id"], held["odoo_field"]) == ("customer", CONFLICT_ID, "email")

    resolved = odoo_sync("conflicts", "resolve", held["conflict_id"], "--winner", "odoo", "--json")
    assert resolved.code == 0
    assert odoo_sync("conflicts", "list", "--json").json() == []
    again = odoo_sync("conflicts", "resolve", held["conflict_id"], "--winner", "odoo")
    assert again.code == 2  # already resolved: 409

    unknown = odoo_sync("conflicts", "resolve", "cfl_0000000000000000", "--winner", "odoo")
    assert unknown.code == 2


# -- the API describes itself, on the stack ---------------------------------------------------


def test_the_stack_serves_its_openapi_document_and_page_without_a_key(demo: Demo) -> None:
    document = httpx.get(f"{demo.api_url}/v1/openapi.json", timeout=30)
    page = httpx.get(f"{demo.api_url}/v1/docs", timeout=30)

    assert document.status_code == 200
    assert "/v1/bulk-sync" in document.json()["paths"]
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "/v1/bulk-sync" in page.text


# -- the installed command ----------------------------------------------------------------------


def installed_script() -> str:
    script = shutil.which("odoo-sync", path=str(Path(sys.executable).parent))
    assert script is not None, "`pip install -e .` installs the odoo-sync console script"
    return script


def script_env(demo: Demo, config_home: Path) -> dict[str, str]:
    return {
        **os.environ,
        "ODOO_SYNC_API_URL": demo.api_url,
        "ODOO_SYNC_API_KEY": demo.api_key,
        "XDG_CONFIG_HOME": str(config_home),
    }


def test_the_installed_console_script_runs_against_the_stack(demo: Demo, tmp_path) -> None:
    ran = subprocess.run(
        [installed_script(), "stats", "--json"],
        env=script_env(demo, tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert ran.returncode == 0, ran.stderr
    assert "per_entity" in json.loads(ran.stdout)
