import { useMemo, useState } from "preact/hooks";
import { browserTimeZone, get } from "../api.js";
import { RATE_RANGE, SERIES, TimeChart } from "../chart.jsx";
import {
  Actor,
  Card,
  ErrorNote,
  Loading,
  Page,
  Pager,
  SelectField,
  StatusBadge,
  Table,
  TextField,
  Time,
  fieldError,
  useCursorPages,
  useLoad,
} from "../ui.jsx";
import { useEntityList } from "./records.jsx";

export function LogTable({ query, empty = "No sync matches these filters." }) {
  const pages = useCursorPages();
  const key = JSON.stringify(query);
  const logs = useLoad(() => get("/v1/logs", { ...query, limit: 25, cursor: pages.cursor }), [key, pages.cursor]);
  return (
    <>
      {logs.loading && <Loading label="Loading the history…" />}
      <ErrorNote error={logs.error && !logs.error.field ? logs.error : null} onRetry={() => logs.reload()} />
      {logs.error && logs.error.field && <p class="field-error">{logs.error.field}: {logs.error.message}</p>}
      {logs.data && logs.data.items.length === 0 && <p class="muted">{empty}</p>}
      {logs.data && logs.data.items.length > 0 && (
        <Table head={["When", "Record", "Direction", "Outcome", "Odoo id", "Took", "By", "Details"]} label="Sync history">
          {logs.data.items.map((entry) => (
            <tr>
              <td>
                <Time iso={entry.completed_at} />
              </td>
              <td>
                <a href={`#/records/${entry.entity}/${encodeURIComponent(entry.local_id)}`}>
                  {entry.entity} {entry.local_id}
                </a>
              </td>
              <td>{entry.sync_direction === "from_odoo" ? "from Odoo" : "to Odoo"}</td>
              <td>
                <StatusBadge status={entry.sync_status} /> {entry.sync_type || ""}
              </td>
              <td>{entry.odoo_id ?? "—"}</td>
              <td>{entry.duration_ms} ms</td>
              <td>
                {entry.actor ? <Actor actor={entry.actor} /> : entry.triggered_by}
                {entry.batch_id && (
                  <>
                    {" "}
                    <a href={`#/batches/${entry.batch_id}`}>batch</a>
                  </>
                )}
              </td>
              <td class={entry.error_message ? "error-text" : ""}>
                {entry.error_message || (entry.fields_synced.length ? entry.fields_synced.join(", ") : "—")}
              </td>
            </tr>
          ))}
        </Table>
      )}
      <Pager hasPrevious={pages.hasPrevious} hasNext={Boolean(logs.data?.next)} onPrevious={pages.previous} onNext={() => pages.next(logs.data.next)} />
    </>
  );
}

function toIso(local) {
  if (!local) return undefined;
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? local : date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

export function History() {
  const entities = useEntityList();
  const names = entities.data ? entities.data.items.map((e) => e.name) : [];
  const [form, setForm] = useState({ status: "", entity: "", batch_id: "", since: "", until: "" });
  const [query, setQuery] = useState({});
  const set = (name) => (value) => setForm({ ...form, [name]: value });
  return (
    <Page title="History & statistics" intro="Every sync, newest first, and how things went over time.">
      <Charts names={names} />
      <Card title="Sync log">
        <form
          class="filters"
          onSubmit={(event) => {
            event.preventDefault();
            setQuery({ ...form, since: toIso(form.since), until: toIso(form.until) });
          }}
        >
          <SelectField label="Outcome" name="log_status" value={form.status} onChange={set("status")} options={[{ value: "", label: "Any" }, "success", "error"]} />
          <SelectField label="Entity" name="log_entity" value={form.entity} onChange={set("entity")} options={[{ value: "", label: "Any" }, ...names]} />
          <TextField label="Batch id" name="log_batch" value={form.batch_id} onInput={set("batch_id")} placeholder="bat_…" />
          <TextField label="Since" name="log_since" type="datetime-local" value={form.since} onInput={set("since")} />
          <TextField label="Until" name="log_until" type="datetime-local" value={form.until} onInput={set("until")} />
          <button type="submit">Apply</button>
        </form>
        <LogTable query={query} key={JSON.stringify(query)} />
      </Card>
    </Page>
  );
}

function Charts({ names }) {
  const [granularity, setGranularity] = useState("hour");
  const [entity, setEntity] = useState("");
  const series = useLoad(() => get("/v1/stats/timeseries", { granularity, entity, tz: browserTimeZone() }), [granularity, entity]);
  const perEntity = useMemo(() => {
    if (!series.data || entity) return null;
    const seen = new Set();
    for (const p of series.data.points) Object.keys(p.per_entity || {}).forEach((name) => seen.add(name));
    const tones = ["info", "good", "bad", "muted"];
    return [...seen].map((name, index) => ({ label: name, tone: tones[index % tones.length], value: (p) => p.per_entity?.[name]?.total_syncs ?? 0 }));
  }, [series.data, entity]);
  return (
    <Card title="Over time">
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <SelectField label="Per" name="granularity" value={granularity} onChange={setGranularity} options={[{ value: "hour", label: "Hour (last 24 hours)" }, { value: "day", label: "Day (last 30 days)" }]} />
        <SelectField label="Entity in the charts" name="chart_entity" value={entity} onChange={setEntity} options={[{ value: "", label: "All" }, ...names]} error={fieldError(series.error, "entity")} />
      </form>
      {series.loading && <Loading label="Loading statistics…" />}
      <ErrorNote error={series.error} onRetry={() => series.reload()} />
      {series.data && (
        <div class="charts">
          <TimeChart title={`Syncs per ${granularity}`} points={series.data.points} series={SERIES.syncs} yLabel="syncs" />
          <TimeChart title="Success rate" points={series.data.points} series={SERIES.rate} yRange={RATE_RANGE} yLabel="%" format={(v) => `${v.toFixed(1)} %`} />
          <TimeChart title="Mean duration" points={series.data.points} series={SERIES.duration} yLabel="ms" format={(v) => `${Math.round(v)} ms`} />
          {perEntity && perEntity.length > 0 && <TimeChart title="Syncs per entity" points={series.data.points} series={perEntity} yLabel="syncs" />}
        </div>
      )}
    </Card>
  );
}
