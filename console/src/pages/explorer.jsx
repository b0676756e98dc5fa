import { useMemo, useState } from "preact/hooks";
import { enc, get, patch } from "../api.js";
import { useApp } from "../app.jsx";
import {
  Card,
  Empty,
  ErrorNote,
  FormError,
  Json,
  Loading,
  Page,
  Pager,
  SelectField,
  TextArea,
  TextField,
  announce,
  fieldError,
  show,
  useLoad,
  useSubmit,
  Table,
  Badge,
  Action,
} from "../ui.jsx";
import { ConnectionPicker } from "./shared.jsx";

const OPERATORS = ["=", "!=", "ilike", "not ilike", "like", ">", ">=", "<", "<=", "in", "not in", "=?"];
const PAGE = 20;

export function Explorer() {
  const { connectionId, route } = useApp();
  const model = route.parts[1] || null;
  if (!connectionId) {
    return (
      <Page title="Explorer">
        <Empty title="No connection to explore" action={<a href="#/connections">Add a connection</a>}>
          The explorer reads your Odoo through a connection.
        </Empty>
      </Page>
    );
  }
  return (
    <Page title="Explorer" intro="Look into your Odoo: its models, their fields and records." actions={<ConnectionPicker />}>
      <div class="split">
        <ModelSearch connectionId={connectionId} current={model} />
        {model ? <ModelView connectionId={connectionId} model={model} key={`${connectionId}/${model}`} /> : (
          <Empty title="Pick a model">Search for a model on the left, e.g. “partner” or “product”.</Empty>
        )}
      </div>
    </Page>
  );
}

function ModelSearch({ connectionId, current }) {
  const [search, setSearch] = useState("");
  const [query, setQuery] = useState("");
  const models = useLoad(() => get(`/v1/connections/${enc(connectionId)}/models`, { search: query, limit: 50 }), [connectionId, query]);
  return (
    <Card title="Models">
      <form
        role="search"
        onSubmit={(event) => {
          event.preventDefault();
          setQuery(search.trim());
        }}
      >
        <TextField label="Search models" name="model_search" value={search} onInput={setSearch} placeholder="partner" />
        <button type="submit">Find models</button>
      </form>
      {models.loading && <Loading />}
      <ErrorNote error={models.error} onRetry={() => models.reload()} />
      {models.data && models.data.items.length === 0 && <p class="muted">No model matches “{query}”.</p>}
      {models.data && (
        <ul class="model-list">
          {models.data.items.map((m) => (
            <li>
              <a href={`#/explorer/${enc(m.model)}`} aria-current={m.model === current ? "page" : undefined}>
                <strong>{m.name}</strong> <code>{m.model}</code>
              </a>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}

export function useFields(connectionId, model) {
  return useLoad(
    () => (connectionId && model ? get(`/v1/connections/${enc(connectionId)}/models/${enc(model)}/fields`) : Promise.resolve({ items: [] })),
    [connectionId, model],
  );
}

function ModelView({ connectionId, model }) {
  const fields = useFields(connectionId, model);
  const [tab, setTab] = useState("records");
  return (
    <div class="stack">
      <div class="tabs" role="tablist" aria-label={`${model} views`}>
        {["records", "fields"].map((name) => (
          <button type="button" role="tab" aria-selected={tab === name ? "true" : "false"} onClick={() => setTab(name)}>
            {name === "records" ? "Records" : "Fields"}
          </button>
        ))}
      </div>
      {fields.loading && <Loading label="Reading the model's fields…" />}
      <ErrorNote error={fields.error} onRetry={() => fields.reload()} />
      {fields.data && tab === "fields" && <FieldTable fields={fields.data.items} model={model} />}
      {fields.data && tab === "records" && <RecordGrid connectionId={connectionId} model={model} fields={fields.data.items} />}
    </div>
  );
}

function FieldTable({ fields, model }) {
  const [filter, setFilter] = useState("");
  const shown = fields.filter((f) => `${f.name} ${f.string}`.toLowerCase().includes(filter.toLowerCase()));
  return (
    <Card title={`Fields of ${model}`}>
      <TextField label="Filter fields" name="field_filter" value={filter} onInput={setFilter} />
      <Table head={["Field", "Label", "Type", "Relation", "Required", "Read-only"]} label={`Fields of ${model}`}>
        {shown.map((f) => (
          <tr>
            <td>
              <code>{f.name}</code>
            </td>
            <td>{f.string}</td>
            <td>{f.type}</td>
            <td>{f.relation ? <a href={`#/explorer/${enc(f.relation)}`}>{f.relation}</a> : "—"}</td>
            <td>{f.required ? <Badge tone="warn">required</Badge> : "no"}</td>
            <td>{f.readonly ? "yes" : "no"}</td>
          </tr>
        ))}
      </Table>
    </Card>
  );
}

function defaultColumns(fields) {
  const names = fields.map((f) => f.name);
  const preferred = ["name", "email", "default_code", "list_price", "state", "city", "write_date"];
  const picked = preferred.filter((n) => names.includes(n));
  return picked.length ? picked.slice(0, 4) : names.slice(0, 4);
}

// Odoo answers `false` for an empty field that is not a boolean, and [id, name] for a many2one.
function cell(value, field) {
  if (value === false && field && field.type !== "boolean") return "—";
  if (Array.isArray(value) && value.length === 2 && typeof value[0] === "number") return value[1];
  return show(value);
}

function valueOf(text, field) {
  const trimmed = text.trim();
  if (field && ["integer", "many2one", "float", "monetary"].includes(field.type) && trimmed !== "" && !Number.isNaN(Number(trimmed))) {
    return Number(trimmed);
  }
  if (trimmed === "true") return true;
  if (trimmed === "false") return false;
  if (trimmed.startsWith("[")) {
    try {
      return JSON.parse(trimmed);
    } catch {
      return text;
    }
  }
  return text;
}

// Builds an Odoo domain from rows of field/operator/value; the domain is shown and editable as JSON.
function RecordGrid({ connectionId, model, fields }) {
  const byName = useMemo(() => Object.fromEntries(fields.map((f) => [f.name, f])), [fields]);
  const [rows, setRows] = useState([]);
  const [raw, setRaw] = useState("");
  const [applied, setApplied] = useState("[]");
  const [columns] = useState(() => defaultColumns(fields));
  const [offset, setOffset] = useState(0);
  const [selected, setSelected] = useState(null);
  const built = JSON.stringify(rows.filter((r) => r.field).map((r) => [r.field, r.op, valueOf(r.value, byName[r.field])]));
  const records = useLoad(
    () =>
      get(`/v1/connections/${enc(connectionId)}/records/${enc(model)}`, {
        domain: applied,
        fields: columns.join(","),
        limit: PAGE,
        offset,
      }),
    [connectionId, model, applied, offset],
  );
  const options = [{ value: "", label: "Choose a field" }, ...fields.map((f) => ({ value: f.name, label: `${f.string} (${f.name})` }))];
  const domainError = fieldError(records.error, "domain");
  return (
    <>
      <Card title="Filter">
        <form
          onSubmit={(event) => {
            event.preventDefault();
            setOffset(0);
            setApplied(raw.trim() || built);
          }}
        >
          {rows.map((row, index) => (
            <div class="domain-row" role="group" aria-label={`Condition ${index + 1}`}>
              <SelectField label="Field" name={`field-${index}`} value={row.field} options={options} onChange={(v) => setRows(rows.map((r, i) => (i === index ? { ...r, field: v } : r)))} />
              <SelectField label="Operator" name={`op-${index}`} value={row.op} options={OPERATORS} onChange={(v) => setRows(rows.map((r, i) => (i === index ? { ...r, op: v } : r)))} />
              <TextField label="Value" name={`value-${index}`} value={row.value} onInput={(v) => setRows(rows.map((r, i) => (i === index ? { ...r, value: v } : r)))} />
              <button type="button" class="link" onClick={() => setRows(rows.filter((_, i) => i !== index))} aria-label={`Remove condition ${index + 1}`}>
                Remove
              </button>
            </div>
          ))}
          <div class="buttons">
            <button type="button" onClick={() => setRows([...rows, { field: "", op: "=", value: "" }])}>
              Add a condition
            </button>
          </div>
          <TextArea
            label="Odoo domain"
            name="domain"
            rows={2}
            value={raw || built}
            onInput={setRaw}
            error={domainError}
            hint='Built from the conditions above, or type one, e.g. [["is_company", "=", true]]'
          />
          <div class="buttons">
            <button type="submit" class="primary">
              Search records
            </button>
            {raw && (
              <button type="button" onClick={() => setRaw("")}>
                Use the conditions
              </button>
            )}
          </div>
        </form>
      </Card>
      <Card title={`Records of ${model}`}>
        {records.loading && <Loading label="Searching Odoo…" />}
        {!domainError && <ErrorNote error={records.error} onRetry={() => records.reload()} />}
        {records.data && records.data.items.length === 0 && <p class="muted">No record matches this domain.</p>}
        {records.data && records.data.items.length > 0 && (
          <Table head={["Id", ...columns]} label={`Records of ${model}`}>
            {records.data.items.map((record) => (
              <tr>
                <td>
                  <button type="button" class="link" onClick={() => setSelected(record.id)}>
                    #{record.id}
                  </button>
                </td>
                {columns.map((c) => (
                  <td>{cell(record[c], byName[c])}</td>
                ))}
              </tr>
            ))}
          </Table>
        )}
        <Pager
          hasPrevious={offset > 0}
          hasNext={Boolean(records.data && records.data.next)}
          onPrevious={() => setOffset(Math.max(0, offset - PAGE))}
          onNext={() => setOffset(offset + PAGE)}
        />
      </Card>
      {selected !== null && <OdooRecord connectionId={connectionId} model={model} id={selected} fields={fields} onClose={() => setSelected(null)} />}
    </>
  );
}

function OdooRecord({ connectionId, model, id, fields, onClose }) {
  const { me } = useApp();
  const record = useLoad(() => get(`/v1/connections/${enc(connectionId)}/records/${enc(model)}/${id}`), [connectionId, model, id]);
  const writable = fields.filter((f) => !f.readonly && ["char", "text", "integer", "float", "boolean", "monetary", "selection"].includes(f.type));
  const [field, setField] = useState("");
  const [value, setValue] = useState("");
  const saving = useSubmit(async () => {
    const type = fields.find((f) => f.name === field)?.type;
    let parsed = value;
    if (["integer", "float", "monetary"].includes(type)) parsed = Number(value);
    if (type === "boolean") parsed = value === "true";
    await patch(`/v1/connections/${enc(connectionId)}/records/${enc(model)}/${id}`, { [field]: parsed });
    announce(`Saved ${field} in Odoo.`);
    record.reload(true);
  });
  return (
    <Card title={`${model} #${id}`} actions={<button type="button" onClick={onClose}>Close</button>}>
      {record.loading && <Loading />}
      <ErrorNote error={record.error} />
      {record.data && <Json value={record.data} label={`${model} ${id} as Odoo holds it`} />}
      <form class="inline-form" onSubmit={saving.submit}>
        <h3>Change a field in Odoo</h3>
        <FormError error={saving.error} fields={["values", `values.${field}`]} />
        <SelectField label="Field" name="edit_field" value={field} onChange={setField} options={[{ value: "", label: "Choose a field" }, ...writable.map((f) => ({ value: f.name, label: `${f.string} (${f.name})` }))]} />
        <TextField label="New value" name="edit_value" value={value} onInput={setValue} error={fieldError(saving.error, "values")} />
        <Action me={me} type="submit" class="primary" disabled={!field || saving.busy}>
          Save in Odoo
        </Action>
      </form>
    </Card>
  );
}
