import { useState } from "preact/hooks";
import { ApiError, enc, get, post, put } from "../api.js";
import { go, useApp } from "../app.jsx";
import {
  Action,
  Badge,
  Card,
  Empty,
  ErrorNote,
  FormError,
  Json,
  Loading,
  Page,
  Pager,
  SelectField,
  StatusBadge,
  Table,
  TextArea,
  TextField,
  Time,
  announce,
  fieldError,
  show,
  useCursorPages,
  useLoad,
  useSubmit,
} from "../ui.jsx";
import { LogTable } from "./history.jsx";

export function useEntityList() {
  return useLoad(() => get("/v1/entities"), []);
}

export function Records() {
  const { route } = useApp();
  const [entityName, localId] = [route.parts[1], route.parts[2]];
  const entities = useEntityList();
  if (entities.loading) return <Page title="Records"><Loading /></Page>;
  if (entities.error) return <Page title="Records"><ErrorNote error={entities.error} onRetry={() => entities.reload()} /></Page>;
  const list = entities.data.items;
  const entity = list.find((e) => e.name === entityName) || list[0];
  if (localId) return <RecordDetail entity={entity} localId={localId} />;
  return <RecordList entities={list} entity={entity} key={entity.name} />;
}

function linkOf(record, connectionId) {
  return (connectionId && record.links[connectionId]) || Object.values(record.links)[0] || null;
}

function RecordList({ entities, entity }) {
  const { me, connectionId } = useApp();
  const pages = useCursorPages();
  const [status, setStatus] = useState("");
  const [fieldName, setFieldName] = useState("");
  const [fieldValue, setFieldValue] = useState("");
  const [applied, setApplied] = useState({});
  const [chosen, setChosen] = useState([]);
  const [adding, setAdding] = useState(false);
  const records = useLoad(
    () => get(`/v1/records/${enc(entity.name)}`, { limit: 25, cursor: pages.cursor, ...applied }),
    [entity.name, pages.cursor, JSON.stringify(applied)],
  );
  const pushing = useSubmit(async (filters) => {
    const answer = await post("/v1/bulk-sync", { entity: entity.name, filters, ...(connectionId ? { connection_id: connectionId } : {}) });
    announce(`Batch ${answer.batch_id} started with ${answer.records_queued} records.`);
    go(`/batches/${answer.batch_id}`);
  });
  const fieldNames = entity.fields.map((f) => f.field);
  const columns = fieldNames.slice(0, 3);
  const toggle = (id) => setChosen(chosen.includes(id) ? chosen.filter((c) => c !== id) : [...chosen, id]);
  return (
    <Page
      title="Records"
      intro="Your records as Odoo Sync holds them, with their sync state in Odoo."
      actions={
        <>
          <SelectField label="Entity" name="entity" value={entity.name} onChange={(v) => go(`/records/${v}`)} options={entities.map((e) => e.name)} />
          <Action me={me} needs="sync" onClick={() => setAdding(!adding)} aria-expanded={adding ? "true" : "false"}>
            Add a record
          </Action>
        </>
      }
    >
      {adding && <RecordForm entity={entity} onDone={(saved) => { setAdding(false); if (saved) go(`/records/${entity.name}/${saved.local_id}`); }} />}
      <Card title="Filter">
        <form
          class="filters"
          onSubmit={(event) => {
            event.preventDefault();
            const next = {};
            if (status) next.status = status;
            if (status && connectionId) next.connection_id = connectionId;
            if (fieldName && fieldValue) next[`field.${fieldName}`] = fieldValue;
            pages.reset();
            setApplied(next);
          }}
        >
          <SelectField label="Sync state" name="status" value={status} onChange={setStatus} options={[{ value: "", label: "Any" }, "pending", "synced", "error"]} error={fieldError(records.error, "status")} />
          <SelectField label="Field" name="filter_field" value={fieldName} onChange={setFieldName} options={[{ value: "", label: "Any field" }, ...fieldNames]} />
          <TextField label="Equals" name="filter_value" value={fieldValue} onInput={setFieldValue} error={fieldName ? fieldError(records.error, `field.${fieldName}`) : null} />
          <button type="submit">Apply</button>
        </form>
      </Card>
      <Card
        title={`${entity.name} records`}
        actions={
          <>
            <Action me={me} needs="sync" class="primary" disabled={!chosen.length || pushing.busy} onClick={() => pushing.submit({ local_ids: chosen })}>
              Push {chosen.length || ""} selected
            </Action>
            <Action me={me} needs="sync" disabled={pushing.busy || !records.data?.items.length} onClick={() => pushing.submit(applied.status ? { status: applied.status } : {})}>
              Push all {applied.status ? applied.status : ""}
            </Action>
          </>
        }
      >
        <ErrorNote error={pushing.error} />
        {records.loading && <Loading label="Loading records…" />}
        <ErrorNote error={records.error} onRetry={() => records.reload()} />
        {records.data && records.data.items.length === 0 && (
          <Empty
            title={Object.keys(applied).length ? "No record matches these filters" : `No ${entity.name} records yet`}
            action={!Object.keys(applied).length && <Action me={me} needs="sync" class="primary" onClick={() => setAdding(true)}>Add a record</Action>}
          >
            {Object.keys(applied).length
              ? "Change the filters above."
              : "Add one here, send them through the API (PUT /v1/records/…), or import them from Odoo on the Batches page."}
          </Empty>
        )}
        {records.data && records.data.items.length > 0 && (
          <Table head={["Select", "Local id", "State", "In Odoo", ...columns, "Version"]} label={`${entity.name} records`}>
            {records.data.items.map((r) => {
              const link = linkOf(r, connectionId);
              return (
                <tr>
                  <td>
                    <input type="checkbox" aria-label={`Select ${r.local_id}`} checked={chosen.includes(r.local_id)} onChange={() => toggle(r.local_id)} />
                  </td>
                  <td>
                    <a href={`#/records/${enc(entity.name)}/${enc(r.local_id)}`}>{r.local_id}</a>
                  </td>
                  <td>
                    <StatusBadge status={link ? link.status : "pending"} />
                  </td>
                  <td>{link && link.odoo_id ? `#${link.odoo_id}` : "—"}</td>
                  {columns.map((c) => (
                    <td>{show(r.data[c])}</td>
                  ))}
                  <td>{r.version}</td>
                </tr>
              );
            })}
          </Table>
        )}
        <Pager hasPrevious={pages.hasPrevious} hasNext={Boolean(records.data?.next)} onPrevious={pages.previous} onNext={() => pages.next(records.data.next)} />
      </Card>
    </Page>
  );
}

// The fields a record of the entity can carry: its validation rules, then the local fields of
// the mappings that push to Odoo (a field just mapped gets its input at once).
function useRecordFields(entity) {
  const mappings = useLoad(() => get("/v1/field-mappings", { entity: entity.name }), [entity.name]);
  const rules = entity.fields.map((f) => ({ field: f.field, kind: f.kind, required: f.required }));
  const known = new Set(rules.map((f) => f.field));
  for (const m of mappings.data ? mappings.data.items : []) {
    if (m.is_active && m.direction !== "from_odoo" && !known.has(m.local_field)) {
      known.add(m.local_field);
      rules.push({ field: m.local_field, kind: "text", required: m.is_required });
    }
  }
  return { fields: rules, ready: !mappings.loading };
}

// A form from the entity's fields; the values are stored as the record's data.
function RecordForm({ entity, existing, onDone }) {
  const { fields, ready } = useRecordFields(entity);
  const [localId, setLocalId] = useState(existing?.local_id || "");
  const [values, setValues] = useState({});
  const valueOf = (name) => (name in values ? values[name] : existing ? show(existing.data[name]).replace(/^—$/, "") : "");
  const { busy, error, submit } = useSubmit(async () => {
    const data = { ...(existing ? existing.data : {}) };
    for (const rule of fields) {
      if (!(rule.field in values)) continue;
      const text = values[rule.field];
      if (text === "") {
        delete data[rule.field];
      } else if (rule.kind === "boolean") {
        data[rule.field] = text === "true" || text === "yes";
      } else {
        data[rule.field] = text;
      }
    }
    const saved = await put(`/v1/records/${enc(entity.name)}/${enc(localId.trim())}`, data);
    announce(`Record ${saved.local_id} saved, version ${saved.version}.`);
    onDone(saved);
  });
  const idError = error instanceof ApiError && error.status === 422 && !Object.keys(error.byField).some((f) => fields.some((r) => r.field === f)) ? fieldError(error, "local_id") : null;
  return (
    <Card title={existing ? `Edit ${existing.local_id}` : `New ${entity.name} record`}>
      <form onSubmit={submit} noValidate>
        <FormError error={error} fields={["local_id", ...fields.map((f) => f.field)]} />
        {!ready && <Loading label="Reading the entity's fields…" />}
        <div class="grid">
          {!existing && <TextField label="Local id" name="local_id" value={localId} onInput={setLocalId} error={idError} required hint="Your system's id for it" />}
          {fields.map((rule) => (
            <TextField
              label={rule.field}
              name={rule.field}
              value={valueOf(rule.field)}
              onInput={(v) => setValues({ ...values, [rule.field]: v })}
              required={rule.required}
              error={fieldError(error, rule.field) || fieldError(error, `data.${rule.field}`)}
              hint={rule.kind !== "text" && rule.kind !== "single_line" ? rule.kind.replace("_", " ") : undefined}
            />
          ))}
        </div>
        <div class="buttons">
          <button type="submit" class="primary" disabled={busy || (!existing && !localId.trim())}>
            {busy ? "Saving…" : "Save record"}
          </button>
          <button type="button" onClick={() => onDone(null)}>
            Cancel
          </button>
        </div>
      </form>
    </Card>
  );
}

function RecordDetail({ entity, localId }) {
  const { me, connections, connectionId } = useApp();
  const record = useLoad(() => get(`/v1/records/${enc(entity.name)}/${enc(localId)}`), [entity.name, localId]);
  const [editing, setEditing] = useState(false);
  const [outcome, setOutcome] = useState(null);
  const [historyKey, setHistoryKey] = useState(0);
  const pushing = useSubmit(async () => {
    setOutcome(null);
    try {
      const answer = await post(`/v1/sync/${enc(entity.name)}/${enc(localId)}`, connectionId ? { connection_id: connectionId } : {});
      setOutcome(answer);
      announce(`Pushed: ${answer.action}${answer.odoo_id ? `, Odoo id ${answer.odoo_id}` : ""}.`);
    } catch (error) {
      if (error instanceof ApiError && error.status === 422 && error.body.success === false) {
        setOutcome(error.body);
        announce(`Push failed: ${error.body.message}`);
      } else {
        throw error;
      }
    }
    record.reload(true);
    setHistoryKey(historyKey + 1);
  });
  const names = Object.fromEntries((connections || []).map((c) => [c.connection_id, c.name]));
  return (
    <Page
      title={`${entity.name} ${localId}`}
      intro={<a href={`#/records/${enc(entity.name)}`}>← All {entity.name} records</a>}
      actions={
        <>
          <Action me={me} needs="sync" class="primary" onClick={() => pushing.submit()} disabled={pushing.busy || !record.data}>
            {pushing.busy ? "Pushing…" : "Push to Odoo now"}
          </Action>
          <Action me={me} needs="sync" onClick={() => setEditing(!editing)} disabled={!record.data}>
            Edit
          </Action>
        </>
      }
    >
      {record.loading && <Loading />}
      <ErrorNote error={record.error} onRetry={() => record.reload()} />
      <ErrorNote error={pushing.error} />
      {outcome && <PushOutcome outcome={outcome} />}
      {editing && record.data && (
        <RecordForm
          entity={entity}
          existing={record.data}
          onDone={(saved) => {
            setEditing(false);
            if (saved) record.reload(true);
          }}
        />
      )}
      {record.data && (
        <>
          <Card title="Data">
            <dl class="facts">
              <dt>Version</dt>
              <dd>{record.data.version}</dd>
              <dt>Updated</dt>
              <dd>
                <Time iso={record.data.updated_at} />
              </dd>
            </dl>
            <Json value={record.data.data} label="The record's data" />
          </Card>
          <Card title="In Odoo">
            {Object.keys(record.data.links).length === 0 ? (
              <p class="muted">Not pushed yet: press “Push to Odoo now”.</p>
            ) : (
              <Table head={["Connection", "Odoo id", "State", "Synced version", "Last sync", "Last error"]} label="Sync state per connection">
                {Object.entries(record.data.links).map(([connection, link]) => (
                  <tr>
                    <td>{names[connection] || connection}</td>
                    <td>{link.odoo_id ?? "—"}</td>
                    <td>
                      <StatusBadge status={link.status} />
                    </td>
                    <td>{link.synced_version ?? "—"}</td>
                    <td>
                      <Time iso={link.last_synced_at} />
                    </td>
                    <td class={link.last_error ? "error-text" : ""}>{link.last_error || "—"}</td>
                  </tr>
                ))}
              </Table>
            )}
          </Card>
          <Card title="History">
            <LogTable key={historyKey} query={{ entity: entity.name, local_id: localId }} empty="Nothing happened to this record yet." />
          </Card>
        </>
      )}
    </Page>
  );
}

function PushOutcome({ outcome }) {
  return (
    <div class={`test-result ${outcome.success ? "good" : "bad"}`} role="status" data-testid="push-outcome">
      <h2>{outcome.success ? `Pushed: ${outcome.action}` : "Push failed"}</h2>
      {outcome.success ? (
        <p>
          Odoo id {outcome.odoo_id}; {outcome.fields_synced?.length ? `fields written: ${outcome.fields_synced.join(", ")}` : "nothing needed writing"} ·{" "}
          {outcome.duration_ms} ms
        </p>
      ) : (
        <>
          <p>
            {outcome.message} {outcome.code && <Badge tone="bad">{outcome.code}</Badge>}
          </p>
          {outcome.issues?.length > 0 && (
            <ul>
              {outcome.issues.map((issue) => (
                <li>
                  <strong>{issue.field || "record"}</strong>: {issue.message}
                </li>
              ))}
            </ul>
          )}
          {outcome.odoo && <p class="muted">Odoo said: {outcome.odoo.message}</p>}
        </>
      )}
      {outcome.warnings?.length > 0 && (
        <ul class="warnings">
          {outcome.warnings.map((w) => (
            <li>
              {w.field ? <strong>{w.field}: </strong> : null}
              {w.message || w.code}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
