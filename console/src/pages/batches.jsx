import { useRef, useState } from "preact/hooks";
import { enc, get, post } from "../api.js";
import { go, useApp } from "../app.jsx";
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
  Pager,
  SelectField,
  StatusBadge,
  Table,
  TextArea,
  Time,
  announce,
  fieldError,
  useCursorPages,
  useInterval,
  useLoad,
  useSubmit,
} from "../ui.jsx";
import { LogTable } from "./history.jsx";
import { useEntityList } from "./records.jsx";

const LIVE = new Set(["queued", "running"]);
const isLive = (batch) => LIVE.has(batch.status) || batch.selecting;

export function Batches() {
  const { route } = useApp();
  const batchId = route.parts[1];
  return batchId ? <BatchDetail batchId={batchId} key={batchId} /> : <BatchList />;
}

function BatchList() {
  const { me } = useApp();
  const pages = useCursorPages();
  const [importing, setImporting] = useState(false);
  const batches = useLoad(() => get("/v1/batches", { limit: 20, cursor: pages.cursor }), [pages.cursor]);
  const live = Boolean(batches.data && batches.data.items.some(isLive));
  useInterval(() => batches.reload(true), 2000, live);
  return (
    <Page
      title="Batches"
      intro="Every push, import and scheduled run, with its progress. Running batches update by themselves."
      actions={
        <Action me={me} needs="sync" class="primary" onClick={() => setImporting(!importing)} aria-expanded={importing ? "true" : "false"}>
          Import from Odoo
        </Action>
      }
    >
      {importing && <ImportForm onDone={() => setImporting(false)} />}
      {batches.loading && <Loading />}
      <ErrorNote error={batches.error} onRetry={() => batches.reload()} />
      {batches.data && batches.data.items.length === 0 && (
        <Empty title="No batches yet" action={<a href="#/records">Go to Records</a>}>
          Push records from the Records page, or import from Odoo with the button above.
        </Empty>
      )}
      {batches.data && batches.data.items.length > 0 && (
        <Card>
          <Table head={["Batch", "Entity", "Direction", "Status", "Progress", "Started", "By"]} label="Batches">
            {batches.data.items.map((b) => (
              <tr>
                <td>
                  <a href={`#/batches/${b.batch_id}`}>{b.batch_id}</a>
                </td>
                <td>{b.entity}</td>
                <td>{b.direction === "from_odoo" ? "from Odoo" : "to Odoo"}</td>
                <td>
                  <StatusBadge status={b.status} />
                </td>
                <td>
                  <Progress batch={b} compact />
                </td>
                <td>
                  <Time iso={b.created_at} />
                </td>
                <td>{b.actor ? <Actor actor={b.actor} /> : b.triggered_by}</td>
              </tr>
            ))}
          </Table>
          <Pager hasPrevious={pages.hasPrevious} hasNext={Boolean(batches.data.next)} onPrevious={pages.previous} onNext={() => pages.next(batches.data.next)} />
        </Card>
      )}
    </Page>
  );
}

function Progress({ batch, compact }) {
  const done = batch.succeeded + batch.failed;
  const label = `${done} of ${batch.total}${batch.selecting ? " so far" : ""} done: ${batch.succeeded} succeeded, ${batch.failed} failed`;
  return (
    <div class={`progress${compact ? " compact" : ""}`}>
      <progress max={Math.max(batch.total, 1)} value={done} aria-label={label} />
      <span>{compact ? `${done}/${batch.total}` : label}</span>
    </div>
  );
}

function BatchDetail({ batchId }) {
  const { me } = useApp();
  const batch = useLoad(() => get(`/v1/batches/${enc(batchId)}`), [batchId]);
  const failures = useLoad(() => get("/v1/logs", { batch_id: batchId, status: "error", limit: 200 }), [batchId]);
  const wasLive = useRef(false);
  const [picked, setPicked] = useState([]);
  const live = Boolean(batch.data && isLive(batch.data));
  useInterval(
    async () => {
      await batch.reload(true);
      failures.reload(true);
    },
    1000,
    live,
  );
  if (batch.data) {
    if (live) wasLive.current = true;
    else if (wasLive.current) {
      wasLive.current = false;
      announce(`Batch finished: ${batch.data.succeeded} succeeded, ${batch.data.failed} failed.`);
    }
  }
  const retrying = useSubmit(async (localIds) => {
    const answer = await post(`/v1/batches/${enc(batchId)}/retry`, localIds ? { local_ids: localIds } : undefined);
    announce(`${answer.records_queued} records queued again.`);
    setPicked([]);
    batch.reload(true);
  });
  // The newest entry per record: a retried record that then succeeded is no longer failed.
  const failed = [];
  const seen = new Set();
  for (const entry of failures.data ? failures.data.items : []) {
    if (!seen.has(entry.local_id)) {
      seen.add(entry.local_id);
      failed.push(entry);
    }
  }
  const b = batch.data;
  return (
    <Page title={`Batch ${batchId}`} intro={<a href="#/batches">← All batches</a>}>
      {batch.loading && <Loading />}
      <ErrorNote error={batch.error} onRetry={() => batch.reload()} />
      {b && (
        <>
          <Card title="Progress">
            <div aria-live="polite" aria-atomic="true" data-testid="batch-progress">
              <p>
                <StatusBadge status={b.status} /> {b.entity}, {b.direction === "from_odoo" ? "from Odoo" : "to Odoo"}
                {live && <span class="muted"> · updating live</span>}
              </p>
              <Progress batch={b} />
            </div>
            <dl class="facts">
              <dt>Total</dt>
              <dd>{b.total}</dd>
              <dt>Succeeded</dt>
              <dd>{b.succeeded}</dd>
              <dt>Failed</dt>
              <dd>{b.failed}</dd>
              <dt>Pending</dt>
              <dd>{b.pending}</dd>
              <dt>Started</dt>
              <dd>
                <Time iso={b.started_at || b.created_at} />
              </dd>
              <dt>Finished</dt>
              <dd>
                <Time iso={b.finished_at} />
              </dd>
              <dt>Started by</dt>
              <dd>{b.actor ? <Actor actor={b.actor} /> : b.triggered_by}</dd>
              <dt>Retries</dt>
              <dd>{b.retries}</dd>
            </dl>
          </Card>
          <Card
            title="Failed records"
            actions={
              b.failed > 0 &&
              !live && (
                <>
                  <Action me={me} needs="sync" class="primary" onClick={() => retrying.submit(null)} disabled={retrying.busy}>
                    Retry all failed
                  </Action>
                  <Action me={me} needs="sync" onClick={() => retrying.submit(picked)} disabled={retrying.busy || !picked.length}>
                    Retry {picked.length || ""} selected
                  </Action>
                </>
              )
            }
          >
            <ErrorNote error={retrying.error || failures.error} />
            {failed.length === 0 ? (
              <p class="muted">{b.failed ? "Loading the reasons…" : "No record failed."}</p>
            ) : (
              <Table head={["Select", "Record", "Reason", "When"]} label="Failed records">
                {failed.map((entry) => (
                  <tr>
                    <td>
                      <input
                        type="checkbox"
                        aria-label={`Select ${entry.local_id}`}
                        checked={picked.includes(entry.local_id)}
                        onChange={() => setPicked(picked.includes(entry.local_id) ? picked.filter((p) => p !== entry.local_id) : [...picked, entry.local_id])}
                      />
                    </td>
                    <td>
                      <a href={`#/records/${enc(entry.entity)}/${enc(entry.local_id)}`}>{entry.local_id}</a>
                    </td>
                    <td class="error-text">{entry.error_message}</td>
                    <td>
                      <Time iso={entry.completed_at} />
                    </td>
                  </tr>
                ))}
              </Table>
            )}
          </Card>
          <Card title="Every record of this batch">
            <LogTable query={{ batch_id: batchId }} key={`${b.succeeded}/${b.failed}`} empty={live ? "Nothing finished yet." : "No record was logged."} />
          </Card>
        </>
      )}
    </Page>
  );
}

function ImportForm({ onDone }) {
  const { connectionId } = useApp();
  const entities = useEntityList();
  const [entity, setEntity] = useState("customer");
  const [domain, setDomain] = useState("[]");
  const [createMissing, setCreateMissing] = useState(true);
  const [updateExisting, setUpdateExisting] = useState(true);
  const { busy, error, setError, submit } = useSubmit(async () => {
    let parsed;
    try {
      parsed = JSON.parse(domain || "[]");
    } catch {
      setError({ message: "The domain must be JSON, e.g. [[\"is_company\", \"=\", true]]", byField: { odoo_filters: "The domain must be JSON, e.g. [[\"is_company\", \"=\", true]]" } });
      return;
    }
    const answer = await post("/v1/import", {
      entity,
      odoo_filters: parsed,
      create_missing: createMissing,
      update_existing: updateExisting,
      ...(connectionId ? { connection_id: connectionId } : {}),
    });
    announce(`Import started: ${answer.records_found ?? 0} Odoo records found.`);
    onDone();
    go(`/batches/${answer.batch_id}`);
  });
  const domainError = error && error.byField ? error.byField.odoo_filters || null : null;
  return (
    <Card title="Import from Odoo">
      <form onSubmit={submit} noValidate>
        <FormError error={error} fields={["odoo_filters", "entity"]} />
        <SelectField label="Entity" name="import_entity" value={entity} onChange={setEntity} options={entities.data ? entities.data.items.map((e) => e.name) : [entity]} error={fieldError(error, "entity")} />
        <TextArea label="Odoo domain" name="odoo_filters" rows={2} value={domain} onInput={setDomain} error={domainError} hint='Which Odoo records, e.g. [["is_company", "=", true]]; [] for all' />
        <CheckField label="Create records that are new to you" checked={createMissing} onChange={setCreateMissing} />
        <CheckField label="Update records you already have" checked={updateExisting} onChange={setUpdateExisting} />
        <div class="buttons">
          <button type="submit" class="primary" disabled={busy}>
            {busy ? "Starting…" : "Start import"}
          </button>
          <button type="button" onClick={onDone}>
            Cancel
          </button>
        </div>
      </form>
    </Card>
  );
}
