"""Commands that do work: push records, sync one, bulk-sync, import, and follow a batch."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from odoo_sync_cli.client import ApiError
from odoo_sync_cli.context import common_options, emit, note, say, state, stderr, table
from odoo_sync_cli.exits import CliError, ExitCode, Finished
from odoo_sync_cli.models import Batch
from odoo_sync_cli.progress import failed_records, follow_batch
from odoo_sync_cli.records_file import chunks, read_records

BATCH_UPSERT_MAX = 1000
wait_option = click.option("--wait", is_flag=True, help="Follow the batch with a live bar until it finishes.")
interval_option = click.option(
    "--interval",
    type=click.FloatRange(min=0.1),
    default=2.0,
    show_default=True,
    help="Seconds between polls.",
)
connection_option = click.option("--connection", "connection_id", help="Connection id (needed with several).")


@click.group()
def records() -> None:
    """The tenant's records in Odoo Sync."""


@records.command("push")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--entity", required=True, help="The entity the records are, e.g. customer or product.")
@click.option("--id-field", default="local_id", show_default=True, help="The column (or key) holding the id.")
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "jsonl"]), help="Default: by the file's extension."
)
@click.option(
    "--batch-size",
    type=click.IntRange(1, BATCH_UPSERT_MAX),
    default=BATCH_UPSERT_MAX,
    show_default=True,
    help="Records per upsert request.",
)
@common_options
def push(file: Path, entity: str, id_field: str, fmt: str | None, batch_size: int) -> None:
    """Create or replace records from a CSV or JSON-lines FILE, a column per local field.

    Nothing goes to Odoo yet: `odoo-sync bulk-sync ENTITY --wait` pushes them.
    """
    rows = read_records(file, id_field=id_field, fmt=fmt)
    client = state().client()
    totals = {"created": 0, "updated": 0, "failed": 0}
    failures: list[dict[str, Any]] = []
    for number, chunk in enumerate(chunks(rows, batch_size), start=1):
        body = {"records": [{"local_id": row.local_id, "data": row.data} for row in chunk]}
        answer = client.post(f"/v1/records/{entity}/batch", body)
        for name in totals:
            totals[name] += int(answer.get(name, 0))
        lines = {row.local_id: row.line for row in chunk}
        failures += [
            {"local_id": r["local_id"], "line": lines.get(r["local_id"]), "error": r.get("error")}
            for r in answer.get("results", [])
            if r.get("status") == "error"
        ]
        if not state().json_mode:
            note(f"batch {number}: {len(chunk)} records sent")
    result = {"entity": entity, "records": len(rows), **totals, "failures": failures}

    def human() -> None:
        say(f"{entity}: {totals['created']} created, {totals['updated']} updated, {totals['failed']} failed")
        if failures:
            table(
                ["line", "local_id", "reason"],
                [[f["line"], f["local_id"], _reason(f["error"])] for f in failures],
                title="Failed records",
            )

    emit(result, human)
    if failures:
        raise Finished(ExitCode.FAILED_RECORDS)


@click.command()
@click.argument("entity")
@click.argument("local_id")
@connection_option
@click.option("--force-update", is_flag=True, help="Write the mapped values even if Odoo has them.")
@common_options
def sync(entity: str, local_id: str, connection_id: str | None, force_update: bool) -> None:
    """Push one record to Odoo now and show what happened."""
    body: dict[str, Any] = {"force_update": force_update}
    if connection_id:
        body["connection_id"] = connection_id
    try:
        answer = state().client().post(f"/v1/sync/{entity}/{local_id}", body)
    except ApiError as exc:
        if exc.status == 422 and isinstance(exc.body, dict) and exc.body.get("success") is False:
            _refused(exc.body)
            raise Finished(ExitCode.FAILED_RECORDS) from exc
        raise
    emit(answer, lambda: say(f"{entity} {local_id}: {answer['action']} in Odoo as id {answer['odoo_id']}"))


def _refused(body: dict[str, Any]) -> None:
    def human() -> None:
        say(f"not synced: {body.get('message')}")
        issues = body.get("issues") or []
        if issues:
            table(["field", "problem"], [[i.get("field"), i.get("message")] for i in issues])

    emit(body, human)


@click.command("bulk-sync")
@click.argument("entity")
@click.option("--modified-since", help="Only records changed since (ISO 8601 with zone).")
@connection_option
@click.option("--batch-size", type=click.IntRange(1, 1000), help="Records per chunk (the service's default).")
@click.option("--force-update", is_flag=True, help="Write the mapped values even if Odoo has them.")
@wait_option
@interval_option
@common_options
def bulk_sync(  # click passes every option by name
    *,
    entity: str,
    modified_since: str | None,
    connection_id: str | None,
    batch_size: int | None,
    force_update: bool,
    wait: bool,
    interval: float,
) -> None:
    """Push the entity's records to Odoo through the queue, as a batch."""
    body: dict[str, Any] = {"entity": entity, "force_update": force_update}
    if modified_since:
        _check_moment(modified_since)
        body["filters"] = {"modified_since": modified_since}
    for name, value in (("connection_id", connection_id), ("batch_size", batch_size)):
        if value is not None:
            body[name] = value
    answer = state().client().post("/v1/bulk-sync", body)
    _started(answer, f"{answer['records_queued']} records queued", wait, interval)


@click.command("import")
@click.argument("entity")
@click.option("--domain", help='An Odoo domain as JSON, e.g. \'[["is_company", "=", true]]\'.')
@connection_option
@click.option("--no-create", is_flag=True, help="Only update records already here; create none.")
@wait_option
@interval_option
@common_options
def import_records(  # click passes every option by name
    *,
    entity: str,
    domain: str | None,
    connection_id: str | None,
    no_create: bool,
    wait: bool,
    interval: float,
) -> None:
    """Pull the Odoo records a domain selects into the tenant's records, as a batch."""
    body: dict[str, Any] = {
        "entity": entity,
        "odoo_filters": _domain(domain),
        "create_missing": not no_create,
    }
    if connection_id:
        body["connection_id"] = connection_id
    answer = state().client().post("/v1/import", body)
    _started(answer, f"{answer['records_found']} records found", wait, interval)


@click.group()
def batches() -> None:
    """Batches: the progress of bulk pushes, imports and scheduled runs."""


@batches.command("show")
@click.argument("batch_id")
@wait_option
@interval_option
@common_options
def show_batch(batch_id: str, wait: bool, interval: float) -> None:
    """A batch's progress; with --wait, follow it to the end and list its failed records."""
    if wait:
        report(follow(batch_id, interval))
        return
    batch = Batch.model_validate(state().client().get(f"/v1/batches/{batch_id}"))
    if batch.finished:
        report(batch)
        return
    emit(batch.model_dump(), lambda: say(_summary(batch)))


def _started(answer: dict[str, Any], what: str, wait: bool, interval: float) -> None:
    batch_id = answer["batch_id"]
    if not wait:
        emit(
            answer,
            lambda: say(
                f"batch {batch_id}: {what}; follow it with `odoo-sync batches show {batch_id} --wait`"
            ),
        )
        return
    if not state().json_mode:
        note(f"batch {batch_id}: {what}")
    report(follow(batch_id, interval))


def follow(batch_id: str, interval: float) -> Batch:
    console = None if state().json_mode else stderr
    return follow_batch(state().client(), batch_id, interval_s=interval, console=console)


def report(batch: Batch) -> None:
    """A finished batch: its counts, then each failed record and why; exit 1 when some failed."""
    failures = failed_records(state().client(), batch.batch_id) if batch.failed else []
    result = {"batch": batch.model_dump(), "failures": [f.model_dump() for f in failures]}

    def human() -> None:
        say(_summary(batch))
        if failures:
            table(
                ["entity", "local_id", "odoo_id", "reason"],
                [[f.entity, f.local_id, f.odoo_id, f.error_message] for f in failures],
                title="Failed records",
            )

    emit(result, human)
    if batch.failed:
        raise Finished(ExitCode.FAILED_RECORDS)


def _summary(batch: Batch) -> str:
    return (
        f"batch {batch.batch_id} ({batch.entity}, {batch.direction}): {batch.status}, "
        f"{batch.succeeded} succeeded, {batch.failed} failed, {batch.pending} pending of {batch.total}"
    )


def _reason(error: Any) -> str:
    if isinstance(error, dict):
        return str(error.get("message") or error.get("code") or error)
    return str(error)


def _domain(text: str | None) -> list[Any]:
    if text is None:
        return []
    try:
        domain = json.loads(text)
    except ValueError as exc:
        raise CliError(f"--domain is not JSON: {exc}", ExitCode.REFUSED) from exc
    if not isinstance(domain, list):
        raise CliError('--domain must be a JSON list, e.g. [] or [["name", "=", "x"]]', ExitCode.REFUSED)
    return domain


def _check_moment(text: str) -> None:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise CliError(f"--modified-since is not an ISO 8601 time: {text!r}", ExitCode.REFUSED) from exc
    if moment.tzinfo is None:
        raise CliError("--modified-since needs a time zone, e.g. 2026-01-31T00:00:00Z", ExitCode.REFUSED)
