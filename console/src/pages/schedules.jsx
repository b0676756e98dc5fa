import { Cron } from "croner";
import cronstrue from "cronstrue";
import { useState } from "preact/hooks";
import { del, enc, get, patch, post, put } from "../api.js";
import { useApp } from "../app.jsx";
import {
  Action,
  Actor,
  Card,
  CheckField,
  Empty,
  ErrorNote,
  FormError,
  Loading,
  Page,
  SelectField,
  StatusBadge,
  TextField,
  Time,
  announce,
  fieldError,
  useLoad,
  useSubmit,
} from "../ui.jsx";
import { useEntityList } from "./records.jsx";

const DIRECTIONS = [
  { value: "to_odoo", label: "Push my records to Odoo" },
  { value: "from_odoo", label: "Pull changes from Odoo" },
  { value: "bidirectional", label: "Both: pull, then push" },
];
const FIELDS = ["name", "description", "entity", "connection_id", "cron_expression", "timezone", "sync_direction", "sync_type", "batch_size", "is_enabled", "filters"];

export function readCron(expression) {
  try {
    return cronstrue.toString(expression, { use24HourTimeFormat: true, verbose: false });
  } catch (error) {
    return null;
  }
}

export function nextRuns(expression, timezone, count = 3) {
  try {
    const cron = new Cron(expression, { timezone, paused: true });
    return cron.nextRuns(count).map((date) => date.toLocaleString(undefined, { timeZone: timezone, dateStyle: "medium", timeStyle: "short" }));
  } catch (error) {
    return [];
  }
}

export function Schedules() {
  const { me } = useApp();
  const schedules = useLoad(() => get("/v1/schedules", { limit: 100 }), []);
  const [editing, setEditing] = useState(null);
  return (
    <Page
      title="Schedules"
      intro="Syncs that run by themselves, at times you set in your own time zone."
      actions={
        <Action me={me} class="primary" onClick={() => setEditing("new")}>
          Add a schedule
        </Action>
      }
    >
      {editing && (
        <ScheduleForm
          existing={editing === "new" ? null : editing}
          onDone={(saved) => {
            setEditing(null);
            if (saved) {
              announce(`Schedule ${saved.name} saved.`);
              schedules.reload(true);
            }
          }}
        />
      )}
      {schedules.loading && <Loading />}
      <ErrorNote error={schedules.error} onRetry={() => schedules.reload()} />
      {schedules.data && schedules.data.items.length === 0 && !editing && (
        <Empty title="No schedule yet" action={<Action me={me} class="primary" onClick={() => setEditing("new")}>Add a schedule</Action>}>
          A schedule pushes or pulls on a timetable, e.g. every 15 minutes on weekdays.
        </Empty>
      )}
      {schedules.data &&
        schedules.data.items.map((schedule) => (
          <ScheduleCard schedule={schedule} onEdit={() => setEditing(schedule)} onChanged={() => schedules.reload(true)} />
        ))}
    </Page>
  );
}

function ScheduleCard({ schedule, onEdit, onChanged }) {
  const { me } = useApp();
  const [ran, setRan] = useState(null);
  const toggling = useSubmit(async () => {
    const saved = await patch(`/v1/schedules/${enc(schedule.schedule_id || schedule.id)}/toggle`, { is_enabled: !schedule.is_enabled });
    announce(`${schedule.name} ${saved.is_enabled ? "enabled" : "disabled"}.`);
    onChanged();
  });
  const running = useSubmit(async () => {
    const answer = await post(`/v1/schedules/${enc(schedule.schedule_id || schedule.id)}/run`);
    setRan(answer);
    announce(answer.batch_id ? `Started batch ${answer.batch_id}.` : `Run: ${answer.error || "nothing to do"}.`);
    onChanged();
  });
  const removing = useSubmit(async () => {
    await del(`/v1/schedules/${enc(schedule.schedule_id || schedule.id)}`);
    announce(`${schedule.name} removed.`);
    onChanged();
  });
  const reading = readCron(schedule.cron_expression);
  const upcoming = schedule.is_enabled ? nextRuns(schedule.cron_expression, schedule.timezone) : [];
  return (
    <Card
      title={schedule.name}
      actions={
        <>
          <Action
            me={me}
            onClick={() => running.submit()}
            disabled={running.busy || !schedule.is_enabled}
            title={schedule.is_enabled ? undefined : "Enable the schedule to run it"}
          >
            Run now
          </Action>
          <Action me={me} onClick={() => toggling.submit()} disabled={toggling.busy}>
            {schedule.is_enabled ? "Disable" : "Enable"}
          </Action>
          <Action me={me} onClick={onEdit}>
            Edit
          </Action>
          <Action me={me} class="danger" onClick={() => removing.submit()} disabled={removing.busy}>
            Remove
          </Action>
        </>
      }
    >
      <ErrorNote error={toggling.error || running.error || removing.error} />
      <dl class="facts">
        <dt>When</dt>
        <dd>
          <code>{schedule.cron_expression}</code> {reading && <span>— {reading}</span>} ({schedule.timezone})
        </dd>
        <dt>What</dt>
        <dd>
          {schedule.entity}: {DIRECTIONS.find((d) => d.value === schedule.sync_direction)?.label || schedule.sync_direction}, {schedule.sync_type}
        </dd>
        <dt>State</dt>
        <dd>
          <StatusBadge status={schedule.is_enabled ? "ok" : "pending"} /> {schedule.is_enabled ? "enabled" : "disabled"}
        </dd>
        <dt>Next runs</dt>
        <dd>{upcoming.length ? `${upcoming.join(" · ")} (${schedule.timezone})` : "—"}</dd>
        <dt>Last run</dt>
        <dd>
          <Time iso={schedule.last_run_at} />
          {schedule.last_batch_id && (
            <>
              {" "}
              · <a href={`#/batches/${schedule.last_batch_id}`}>its batch</a>
            </>
          )}
          {schedule.last_error && <span class="error-text"> · {schedule.last_error}</span>}
        </dd>
        {schedule.actor && (
          <>
            <dt>Changed</dt>
            <dd>
              <Actor actor={schedule.actor} />
            </dd>
          </>
        )}
      </dl>
      {ran && (
        <p role="status">
          {ran.batch_id ? (
            <>
              Started <a href={`#/batches/${ran.batch_id}`}>batch {ran.batch_id}</a>.
            </>
          ) : (
            ran.error || "Nothing to run."
          )}
        </p>
      )}
    </Card>
  );
}

export function ScheduleForm({ existing, preset, onDone }) {
  const entities = useEntityList();
  const { connectionId } = useApp();
  const start = existing || preset || {};
  const [form, setForm] = useState({
    name: start.name || "",
    entity: start.entity || "customer",
    cron_expression: start.cron_expression || "*/15 * * * *",
    timezone: start.timezone || Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC",
    sync_direction: start.sync_direction || "to_odoo",
    sync_type: start.sync_type || "incremental",
    batch_size: String(start.batch_size || 100),
    is_enabled: start.is_enabled ?? true,
  });
  const set = (name) => (value) => setForm({ ...form, [name]: value });
  const { busy, error, submit } = useSubmit(async () => {
    const body = {
      ...form,
      name: form.name.trim(),
      batch_size: Number(form.batch_size || 100),
      ...(connectionId ? { connection_id: connectionId } : {}),
    };
    const id = existing && (existing.schedule_id || existing.id);
    const saved = id ? await put(`/v1/schedules/${enc(id)}`, body) : await post("/v1/schedules", body);
    onDone(saved);
  });
  const err = (name) => fieldError(error, name);
  const reading = readCron(form.cron_expression);
  const upcoming = nextRuns(form.cron_expression, form.timezone);
  return (
    <Card title={existing ? `Edit ${existing.name}` : "New schedule"}>
      <form onSubmit={submit} noValidate>
        <FormError error={error} fields={FIELDS} />
        <div class="grid">
          <TextField label="Name" name="schedule_name" value={form.name} onInput={set("name")} error={err("name")} required />
          <SelectField label="Entity" name="schedule_entity" value={form.entity} onChange={set("entity")} options={entities.data ? entities.data.items.map((e) => e.name) : [form.entity]} error={err("entity")} />
          <TextField
            label="When (cron, 5 fields)"
            name="cron_expression"
            value={form.cron_expression}
            onInput={set("cron_expression")}
            error={err("cron_expression")}
            hint={reading ? `${reading}. Next: ${upcoming.join(" · ") || "—"}` : "minute hour day month weekday, e.g. 0 6 * * 1-5"}
            required
          />
          <TextField label="Time zone" name="timezone" value={form.timezone} onInput={set("timezone")} error={err("timezone")} hint="IANA name, e.g. Europe/Brussels" />
          <SelectField label="Direction" name="sync_direction" value={form.sync_direction} onChange={set("sync_direction")} options={DIRECTIONS} error={err("sync_direction")} />
          <SelectField label="What" name="sync_type" value={form.sync_type} onChange={set("sync_type")} options={[{ value: "incremental", label: "Only what changed" }, { value: "full", label: "Everything" }]} error={err("sync_type")} />
          <TextField label="Batch size" name="batch_size" value={form.batch_size} onInput={set("batch_size")} error={err("batch_size")} inputMode="numeric" />
        </div>
        <CheckField label="Enabled" checked={form.is_enabled} onChange={set("is_enabled")} />
        <div class="buttons">
          <button type="submit" class="primary" disabled={busy}>
            {busy ? "Saving…" : "Save schedule"}
          </button>
          <button type="button" onClick={() => onDone(null)}>
            Cancel
          </button>
        </div>
      </form>
    </Card>
  );
}
