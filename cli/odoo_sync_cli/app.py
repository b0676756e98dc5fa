"""The `odoo-sync` command: its group, `login`, and how errors become exit codes."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from odoo_sync_cli import __version__
from odoo_sync_cli.client import ApiClient, ApiError
from odoo_sync_cli.commands_look import conflicts, connections, logs, schedules, stats
from odoo_sync_cli.commands_work import batches, bulk_sync, import_records, records, sync
from odoo_sync_cli.config import DEFAULT_PROFILE, save_profile
from odoo_sync_cli.context import State, common_options, emit, note, say, state
from odoo_sync_cli.exits import CliError, ExitCode, Finished
from odoo_sync_cli.models import Identity


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="odoo-sync")
@common_options
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Odoo Sync from a terminal or a script.

    The API and key come from ODOO_SYNC_API_URL / ODOO_SYNC_API_KEY, else the profile saved by
    `odoo-sync login`, else the local stack's .local/demo.json. Exit codes: 0 success, 1 finished
    with failed records, 2 bad input or refused, 3 the service or Odoo unreachable.
    """
    ctx.call_on_close(ctx.ensure_object(State).close)


@cli.command()
@click.option("--api-url", required=True, help="The API's base URL (the stack's ApiUrl output).")
@click.option("--key", prompt=True, hide_input=True, help="A tenant API key (asked for when left out).")
@common_options
def login(api_url: str, key: str) -> None:
    """Check a key against the API and save it as a profile (file mode 0600)."""
    if not api_url.startswith(("http://", "https://")):
        raise CliError(f"--api-url must start with http:// or https://, got {api_url!r}", ExitCode.REFUSED)
    with ApiClient(api_url, key) as client:
        identity = who_am_i(client)
    name = state().profile or DEFAULT_PROFILE
    path = save_profile(name, api_url, key)
    answer = {"profile": name, "api_url": api_url.rstrip("/"), "config_file": str(path), **identity}

    def human() -> None:
        who = identity.get("tenant_name") or identity.get("tenant_id") or "the key's tenant"
        say(f"Logged in to {api_url} as {who}; saved as profile {name!r} in {path}")

    emit(answer, human)


def who_am_i(client: ApiClient) -> dict[str, Any]:
    """GET /v1/me; a service without it is asked for one connection instead, to check the key."""
    try:
        me = Identity.model_validate(client.get("/v1/me"))
    except ApiError as exc:
        if not (exc.missing_route or exc.status == 404):
            raise
        client.get("/v1/connections", {"limit": 1})
        return {}
    return me.model_dump(exclude_none=True)


for command in (
    connections,
    records,
    sync,
    bulk_sync,
    import_records,
    batches,
    logs,
    stats,
    conflicts,
    schedules,
):
    cli.add_command(command)


def main(argv: list[str] | None = None) -> None:
    """The console script: run, then exit with the code the outcome calls for."""
    ctx_state = State()
    try:
        cli.main(args=argv, prog_name="odoo-sync", standalone_mode=False, obj=ctx_state)
    except Finished as finished:
        sys.exit(int(finished.code))
    except CliError as exc:
        _report(exc.message, exc.code, exc.answer, ctx_state.json_mode or "--json" in (argv or sys.argv))
        sys.exit(int(exc.code))
    except click.exceptions.Abort:
        note("Aborted.")
        sys.exit(130)
    except click.ClickException as exc:  # usage errors: bad options or arguments
        exc.show()
        sys.exit(int(ExitCode.REFUSED))
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    sys.exit(int(ExitCode.OK))


def _report(message: str, code: ExitCode, answer: object, json_mode: bool) -> None:
    if json_mode:
        click.echo(json.dumps({"error": {"message": message, "exit_code": int(code), "answer": answer}}))
    note(f"odoo-sync: {message}")
