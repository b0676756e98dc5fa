"""Commands that look and decide: connections, logs, stats, conflicts, schedules."""

from __future__ import annotations

import json
import time
from typing import Any

import click

from odoo_sync_cli.context import common_options, emit, emit_line, say, state, table
from odoo_sync_cli.exits import CliError, ExitCode, Finished
from odoo_sync_cli.models import LogEntry

# A failed connection test of these kinds means Odoo could not be reached (or spoke no Odoo).
UNREACHABLE_CATEGORIES = ("network", "tls", "protocol")


@click.group()
def connections() -> None:
    """The tenant's Odoo connections."""


@connections.command("list")
@common_options
def list_connections() -> None:
    """Every connection (never a secret)."""
    items = list(state().client().pages("/v1/connections", {"limit": 100}))
    emit(
        items,
        lambda: table(
            ["id", "name", "url", "database", "protocol", "last test"],
            [
                [
                    c["connection_id"],
                    c["name"],
                    c["base_url"],
                    c["database"],
                    c["protocol"],
                    _last_test(c.get("last_test")),
                ]
                for c in items
            ],
        ),
    )


def _last_test(last: dict[str, Any] | None) -> str:
    if not last:
        return "never"
    return "ok" if last.get("success") else f"failed ({last.get('category') or 'error'})"


@connections.command("test")
@click.argument("connection_id")
@common_options
def test_connection(connection_id: str) -> None:
    """Test a connection: network, TLS, version, authentication, database, access rights."""
    result = state().client().post(f"/v1/connections/{connection_id}/test")

    def human() -> None:
        if result["success"]:
            say(
                f"ok: Odoo {result.get('odoo_version')} over {result.get('protocol')}, "
                f"database {result.get('database')}, {result.get('latency_ms')} ms"
            )
        else:
            say(f"failed ({result.get('category')}): {result.get('message')}")
            if result.get("odoo_message"):
                say(f"Odoo said: {result['odoo_message']}")
        for warning in result.get("warnings") or []:
            say(f"warning: {warning}")

    emit(result, human)
    if not result["success"]:
        unreachable = result.get("category") in UNREACHABLE_CATEGORIES
        raise Finished(ExitCode.UNREACHABLE if unreachable else ExitCode.REFUSED)


@click.command()
@click.option("--status", type=click.Choice(["success", "error"]), help="Only successes, or failures.")
@click.option("--entity", help="Only this entity's.")
@click.option("--batch", "batch_id", help="Only this batch's.")
@click.option("--local-id", help="Only this record's (with --entity).")
@click.option("--since", help="Started at or after (ISO 8601 with zone).")
@click.option("--limit", type=click.IntRange(1, 10_000), default=50, show_default=True, help="Entries shown.")
@click.option("--follow", is_flag=True, help="Keep printing new entries as they come (Ctrl-C stops).")
@click.option(
    "--interval",
    type=click.FloatRange(min=0.1),
    default=2.0,
    show_default=True,
    help="Seconds between polls.",
)
@click.option(
    "--for", "follow_for", type=click.FloatRange(min=0), help="With --follow: stop after this many seconds."
)
@common_options
def logs(  # click passes every option by name
    *,
    status: str | None,
    entity: str | None,
    batch_id: str | None,
    local_id: str | None,
    since: str | None,
    limit: int,
    follow: bool,
    interval: float,
    follow_for: float | None,
) -> None:
    """Sync history: one entry per record operation, newest first (oldest first with --follow)."""
    query = {"status": status, "entity": entity, "batch_id": batch_id, "local_id": local_id, "since": since}
    client = state().client()
    entries = [
        LogEntry.model_validate(item)
        for item in client.pages("/v1/logs", {**query, "limit": min(limit, 200)}, limit)
    ]
    if not follow:
        emit([e.model_dump() for e in entries], lambda: _log_table(entries))
        return
    latest = entries[0].started_at if entries else since
    # `since` is to the second: what that second already holds is not new (only the last few are
    # shown). Known before the first line is printed, so whatever comes after it is new.
    seen = {entry.id for entry in entries} | {
        item["id"] for item in client.pages("/v1/logs", {**query, "since": latest, "limit": 200})
    }
    _print_entries(list(reversed(entries)))
    _follow_logs(query, seen, latest, interval, follow_for)


def _follow_logs(
    query: dict[str, Any], seen: set[str], latest: str | None, interval: float, follow_for: float | None
) -> None:
    """Poll for entries newer than those seen; print each once, oldest first."""
    client = state().client()
    deadline = None if follow_for is None else time.monotonic() + follow_for
    while deadline is None or time.monotonic() < deadline:
        time.sleep(interval if deadline is None else max(0.0, min(interval, deadline - time.monotonic())))
        fresh = [
            LogEntry.model_validate(item)
            for item in client.pages("/v1/logs", {**query, "since": latest, "limit": 200})
        ]
        new = [entry for entry in fresh if entry.id not in seen]
        seen.update(entry.id for entry in new)
        if new:
            latest = max(entry.started_at for entry in new)
            _print_entries(sorted(new, key=lambda entry: entry.started_at))


def _print_entries(entries: list[LogEntry]) -> None:
    for entry in entries:
        if state().json_mode:
            emit_line(entry.model_dump())
        else:
            say(_log_line(entry))


def _log_line(entry: LogEntry) -> str:
    outcome = (entry.sync_type or "") if entry.sync_status == "success" else f"error: {entry.error_message}"
    where = f"{entry.entity} {entry.local_id}  odoo {entry.odoo_id}"
    return f"{entry.started_at}  {entry.sync_direction}  {where}  {outcome}"


def _log_table(entries: list[LogEntry]) -> None:
    table(
        ["started", "direction", "entity", "local_id", "odoo_id", "status", "what"],
        [
            [
                e.started_at,
                e.sync_direction,
                e.entity,
                e.local_id,
                e.odoo_id,
                e.sync_status,
                e.sync_type if e.sync_status == "success" else e.error_message,
            ]
            for e in entries
        ],
    )


@click.command()
@common_options
def stats() -> None:
    """Sync statistics, overall and per entity."""
    answer = state().client().get("/v1/stats")
    columns = ["", "syncs", "ok", "failed", "success rate", "avg ms", "linked", "last sync"]

    def row(name: str, c: dict[str, Any]) -> list[Any]:
        rate = c.get("success_rate")
        return [
            name,
            c.get("total_syncs"),
            c.get("successful_syncs"),
            c.get("failed_syncs"),
            "" if rate is None else f"{rate:.1%}",
            c.get("avg_duration_ms"),
            c.get("records_with_odoo_id"),
            c.get("last_sync_at"),
        ]

    per_entity = answer.get("per_entity") or {}
    emit(
        answer,
        lambda: table(columns, [row("all", answer), *(row(name, c) for name, c in per_entity.items())]),
    )


@click.group()
def conflicts() -> None:
    """Fields changed on both sides, held for a decision."""


@conflicts.command("list")
@click.option("--entity", help="Only this entity's.")
@click.option("--status", type=click.Choice(["open", "resolved"]), default="open", show_default=True)
@click.option(
    "--limit", type=click.IntRange(1, 10_000), default=200, show_default=True, help="Conflicts shown."
)
@common_options
def list_conflicts(entity: str | None, status: str, limit: int) -> None:
    """Open (or resolved) conflicts."""
    items = list(
        state().client().pages("/v1/conflicts", {"entity": entity, "status": status, "limit": 200}, limit)
    )
    emit(
        items,
        lambda: table(
            ["id", "entity", "local_id", "odoo field", "local value", "odoo value", "status"],
            [
                [
                    c["conflict_id"],
                    c["entity"],
                    c["local_id"],
                    c["odoo_field"],
                    json.dumps(c.get("local_value")),
                    json.dumps(c.get("odoo_value")),
                    c["status"],
                ]
                for c in items
            ],
        ),
    )


@conflicts.command("resolve")
@click.argument("conflict_id")
@click.option(
    "--winner", type=click.Choice(["local", "odoo", "value"]), required=True, help="Which value wins."
)
@click.option("--value", "value_json", help="With --winner value: the value both sides take, as JSON.")
@common_options
def resolve_conflict(conflict_id: str, winner: str, value_json: str | None) -> None:
    """Decide a conflict; the losing side takes the winning value."""
    body: dict[str, Any] = {"winner": winner}
    if value_json is not None:
        try:
            body["value"] = json.loads(value_json)
        except ValueError as exc:
            raise CliError(f"--value is not JSON: {exc}", ExitCode.REFUSED) from exc
    answer = state().client().post(f"/v1/conflicts/{conflict_id}/resolve", body)
    emit(answer, lambda: say(f"conflict {conflict_id} resolved: {winner} wins"))


@click.group()
def schedules() -> None:
    """Recurring syncs."""


@schedules.command("list")
@common_options
def list_schedules() -> None:
    """Every schedule with its next and last run."""
    items = list(state().client().pages("/v1/schedules", {"limit": 100}))
    emit(
        items,
        lambda: table(
            ["id", "name", "entity", "cron", "zone", "direction", "enabled", "next run", "last batch"],
            [
                [
                    s["id"],
                    s["name"],
                    s["entity"],
                    s["cron_expression"],
                    s["timezone"],
                    s["sync_direction"],
                    "yes" if s["is_enabled"] else "no",
                    s.get("next_run_at"),
                    s.get("last_batch_id"),
                ]
                for s in items
            ],
        ),
    )


@schedules.command("run")
@click.argument("schedule_id")
@click.option("--wait", is_flag=True, help="Follow the run's batches until they finish.")
@click.option(
    "--interval",
    type=click.FloatRange(min=0.1),
    default=2.0,
    show_default=True,
    help="Seconds between polls.",
)
@common_options
def run_schedule(schedule_id: str, wait: bool, interval: float) -> None:
    """Run a schedule now (its next run stays)."""
    from odoo_sync_cli.commands_work import follow, report  # noqa: PLC0415 - shared with batches

    answer = state().client().post(f"/v1/schedules/{schedule_id}/run")
    if not wait:
        emit(answer, lambda: say(f"started: batch {', '.join(answer['batch_ids'])}"))
        return
    worst = ExitCode.OK
    for batch_id in answer["batch_ids"]:
        try:
            report(follow(batch_id, interval))
        except Finished as finished:
            worst = max(worst, finished.code)
    if worst:
        raise Finished(worst)
