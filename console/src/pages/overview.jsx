import { browserTimeZone, get } from "../api.js";
import { useApp } from "../app.jsx";
import { RATE_RANGE, SERIES, TimeChart } from "../chart.jsx";
import { Card, ErrorNote, Loading, Page, StatusBadge, Table, Time, useLoad } from "../ui.jsx";

function pct(value) {
  return value === null || value === undefined ? "—" : `${(value * 100).toFixed(1)} %`;
}

export function Overview() {
  const { connections } = useApp();
  const overview = useLoad(async () => {
    const [stats, series, batches, conflicts, mappings] = await Promise.all([
      get("/v1/stats"),
      get("/v1/stats/timeseries", { granularity: "hour", tz: browserTimeZone() }),
      get("/v1/batches", { limit: 5 }),
      get("/v1/conflicts", { limit: 50 }),
      get("/v1/field-mappings"),
    ]);
    return { stats, series, batches: batches.items, conflicts: conflicts.items, mappings: mappings.items };
  }, []);
  const data = overview.data;
  return (
    <Page title="Overview" intro="Is everything in step with your Odoo? Start here.">
      {overview.loading && <Loading label="Loading your tenant's health…" />}
      <ErrorNote error={overview.error} onRetry={() => overview.reload()} />
      {data && (
        <>
          <Steps data={data} connections={connections || []} />
          <div class="tiles">
            <Tile label="Syncs" value={data.stats.total_syncs} />
            <Tile label="Success rate" value={pct(data.stats.success_rate)} />
            <Tile label="Mean duration" value={data.stats.avg_duration_ms === null ? "—" : `${data.stats.avg_duration_ms} ms`} />
            <Tile label="Open conflicts" value={data.conflicts.length} href="#/conflicts" />
          </div>
          <Card title="Last 24 hours">
            <div class="charts">
              <TimeChart title="Syncs per hour" points={data.series.points} series={SERIES.syncs} yLabel="syncs" />
              <TimeChart
                title="Success rate"
                points={data.series.points}
                series={SERIES.rate}
                yRange={RATE_RANGE}
                yLabel="%"
                format={(v) => `${v.toFixed(1)} %`}
              />
            </div>
          </Card>
          <Card title="Recent batches" actions={<a href="#/batches">All batches</a>}>
            {data.batches.length === 0 ? (
              <p class="muted">No batches yet. Push records from Records, or import from Odoo on the Batches page.</p>
            ) : (
              <Table head={["Batch", "Entity", "Status", "Done", "Started"]} label="Recent batches">
                {data.batches.map((b) => (
                  <tr>
                    <td>
                      <a href={`#/batches/${b.batch_id}`}>{b.batch_id}</a>
                    </td>
                    <td>{b.entity}</td>
                    <td>
                      <StatusBadge status={b.status} />
                    </td>
                    <td>
                      {b.succeeded + b.failed} / {b.total}
                    </td>
                    <td>
                      <Time iso={b.created_at} />
                    </td>
                  </tr>
                ))}
              </Table>
            )}
          </Card>
        </>
      )}
    </Page>
  );
}

function Tile({ label, value, href }) {
  const body = (
    <>
      <span class="tile-value">{value}</span>
      <span class="tile-label">{label}</span>
    </>
  );
  return href ? (
    <a class="tile" href={href}>
      {body}
    </a>
  ) : (
    <div class="tile">{body}</div>
  );
}

// The path a newcomer follows: each step says what to do next and links to where it is done.
function Steps({ data, connections }) {
  const connected = connections.some((c) => c.last_test && c.last_test.success);
  const mapped = data.mappings.some((m) => m.source === "tenant");
  const pushed = data.stats.total_syncs > 0;
  const landed = data.batches.some((b) => b.status === "completed" || b.status === "completed_with_errors");
  const steps = [
    [connected, "Connect your Odoo and test it", "#/connections"],
    [mapped, "Map a field of your own to an Odoo field", "#/mappings"],
    [pushed, "Add a record and push it to Odoo", "#/records"],
    [landed, "Watch a batch land", "#/batches"],
    [data.conflicts.length === 0, data.conflicts.length ? `Fix ${data.conflicts.length} open conflict(s)` : "No conflicts to fix", "#/conflicts"],
  ];
  const allDone = steps.every(([done]) => done);
  return (
    <Card title={allDone ? "Getting started: all done" : "Getting started"}>
      <ol class="steps">
        {steps.map(([done, text, href]) => (
          <li class={done ? "done" : ""}>
            <span class="step-mark" aria-hidden="true">
              {done ? "✓" : "•"}
            </span>
            <a href={href}>{text}</a>
            <span class="visually-hidden">{done ? " (done)" : " (to do)"}</span>
          </li>
        ))}
      </ol>
    </Card>
  );
}
