import { useState } from "preact/hooks";
import { del, enc, get, post, put } from "../api.js";
import { useApp, go } from "../app.jsx";
import {
  Action,
  Badge,
  Card,
  CheckField,
  Empty,
  ErrorNote,
  FormError,
  Loading,
  Page,
  SelectField,
  Table,
  TextArea,
  TextField,
  announce,
  fieldError,
  useLoad,
  useSubmit,
} from "../ui.jsx";
import { useFields } from "./explorer.jsx";
import { FieldPicker } from "./fieldpicker.jsx";
import { ValueMaps } from "./valuemaps.jsx";

const DIRECTIONS = [
  { value: "both", label: "Both ways" },
  { value: "to_odoo", label: "To Odoo only" },
  { value: "from_odoo", label: "From Odoo only" },
];
const TYPES = [
  { value: "direct", label: "Direct (copy the value)" },
  { value: "transform", label: "Transform" },
  { value: "custom", label: "Custom function" },
];
const TRANSFORMS = ["string", "decimal", "unit", "date", "datetime", "boolean", "selection", "many2one", "country", "state", "custom"];
const RULES = [
  { value: "manual", label: "Hold for me to decide" },
  { value: "odoo", label: "Odoo wins" },
  { value: "local", label: "My system wins" },
  { value: "newest_wins", label: "Newest change wins" },
];
const MAPPING_FIELDS = ["entity", "local_field", "odoo_field", "odoo_model", "mapping_type", "transform", "transform_params", "direction", "priority", "lang", "is_required", "is_active"];

export function Mappings() {
  const { route } = useApp();
  const entities = useLoad(() => get("/v1/entities"), []);
  const [creating, setCreating] = useState(false);
  const selected = route.parts[1] || null;
  const list = entities.data ? entities.data.items : [];
  const entity = list.find((e) => e.name === selected) || (selected ? null : list[0]);
  return (
    <Page
      title="Entities & mappings"
      intro="What each of your record types is in Odoo, and which of your fields goes to which Odoo field."
    >
      {entities.loading && <Loading />}
      <ErrorNote error={entities.error} onRetry={() => entities.reload()} />
      {entities.data && (
        <div class="split">
          <Card title="Entities">
            <ul class="model-list">
              {list.map((e) => (
                <li>
                  <a href={`#/mappings/${enc(e.name)}`} aria-current={entity && e.name === entity.name ? "page" : undefined}>
                    <strong>{e.name}</strong> <code>{e.odoo_model}</code> {e.preset ? <Badge>preset</Badge> : <Badge tone="info">yours</Badge>}
                  </a>
                </li>
              ))}
            </ul>
            <button type="button" onClick={() => setCreating(!creating)} aria-expanded={creating ? "true" : "false"}>
              New entity
            </button>
          </Card>
          <div class="stack">
            {creating && (
              <EntityForm
                onDone={(made) => {
                  setCreating(false);
                  if (made) {
                    entities.reload();
                    go(`/mappings/${made.name}`);
                  }
                }}
              />
            )}
            {entity ? <EntityView entity={entity} key={entity.name} onChanged={() => entities.reload(true)} /> : <Empty title="No such entity">Pick one from the list.</Empty>}
          </div>
        </div>
      )}
      <ValueMaps />
    </Page>
  );
}

function EntityView({ entity, onChanged }) {
  const { me, connectionId } = useApp();
  const mappings = useLoad(() => get("/v1/field-mappings", { entity: entity.name }), [entity.name]);
  const fields = useFields(connectionId, entity.odoo_model);
  const [editing, setEditing] = useState(null); // null | "new" | mapping
  const removing = useSubmit(async (mapping) => {
    await del(`/v1/field-mappings/${enc(mapping.mapping_id)}`);
    announce(`Mapping of ${mapping.local_field} removed; the preset applies again.`);
    mappings.reload(true);
  });
  const toggling = useSubmit(async (mapping) => {
    const { mapping_id, source, ...rest } = mapping;
    await post("/v1/field-mappings", { ...rest, transform_params: rest.transform_params || {}, is_active: !mapping.is_active });
    announce(`${mapping.local_field} switched ${mapping.is_active ? "off" : "on"}.`);
    mappings.reload(true);
  });
  const odooFields = fields.data ? fields.data.items : [];
  return (
    <>
      <Card title={`${entity.name} → ${entity.odoo_model}`}>
        {entity.description && <p>{entity.description}</p>}
        <dl class="facts">
          <dt>Match keys</dt>
          <dd>
            {entity.match_keys.map((k) => (
              <span class="chip">
                {k.local_field} = {k.odoo_field}
                {k.default_from_local_id ? " (local id when empty)" : ""}
              </span>
            ))}
          </dd>
          <dt>Time zone</dt>
          <dd>{entity.timezone}</dd>
          {entity.variant_model && (
            <>
              <dt>Variant model</dt>
              <dd>{entity.variant_model}</dd>
            </>
          )}
        </dl>
        <details>
          <summary>Validation rules ({entity.fields.length})</summary>
          <Table head={["Field", "Kind", "Required", "Limits"]} label="Validation rules">
            {entity.fields.map((f) => (
              <tr>
                <td>{f.field}</td>
                <td>{f.kind}</td>
                <td>{f.required ? "yes" : "no"}</td>
                <td>
                  {[f.max_length && `≤ ${f.max_length} chars`, f.min_value !== null && f.min_value !== undefined && `≥ ${f.min_value}`, f.max_value !== null && f.max_value !== undefined && `≤ ${f.max_value}`]
                    .filter(Boolean)
                    .join(", ") || "—"}
                </td>
              </tr>
            ))}
          </Table>
        </details>
      </Card>
      <Card
        title="Field mappings"
        actions={
          <Action me={me} class="primary" onClick={() => setEditing("new")}>
            Add a mapping
          </Action>
        }
      >
        {!connectionId && <p class="muted">Add a connection to pick Odoo fields from your Odoo.</p>}
        <ErrorNote error={fields.error} />
        {editing && (
          <MappingForm
            entity={entity}
            existing={editing === "new" ? null : editing}
            odooFields={odooFields}
            onDone={(saved) => {
              setEditing(null);
              if (saved) {
                announce(`Mapping ${saved.local_field} → ${saved.odoo_field} saved.`);
                mappings.reload(true);
              }
            }}
          />
        )}
        {mappings.loading && <Loading />}
        <ErrorNote error={mappings.error || removing.error || toggling.error} />
        {mappings.data && mappings.data.items.length === 0 && (
          <Empty title="No mapping for this entity">Add a mapping: pick one of your fields and the Odoo field it fills.</Empty>
        )}
        {mappings.data && mappings.data.items.length > 0 && (
          <Table head={["Your field", "Odoo field", "Direction", "How", "Priority", "Active", "From", ""]} label="Field mappings">
            {mappings.data.items.map((m) => (
              <tr class={m.is_active ? "" : "inactive"}>
                <td>
                  <code>{m.local_field}</code>
                  {m.is_required && <Badge tone="warn">required</Badge>}
                </td>
                <td>
                  <code>{m.odoo_field}</code>
                  {m.lang && <span class="muted"> ({m.lang})</span>}
                </td>
                <td>{m.direction.replace("_", " ")}</td>
                <td>{m.mapping_type === "direct" ? "direct" : `${m.mapping_type}: ${m.transform || "—"}`}</td>
                <td>{m.priority}</td>
                <td>{m.is_active ? "yes" : "off"}</td>
                <td>{m.source === "preset" ? <Badge>preset</Badge> : <Badge tone="info">yours</Badge>}</td>
                <td class="row-actions">
                  <Action me={me} class="link" onClick={() => setEditing(m)} aria-label={`Edit mapping of ${m.local_field}`}>
                    Edit
                  </Action>
                  {m.source === "tenant" ? (
                    <Action me={me} class="link" onClick={() => removing.submit(m)} aria-label={`Remove mapping of ${m.local_field}`}>
                      Remove
                    </Action>
                  ) : (
                    <Action me={me} class="link" onClick={() => toggling.submit(m)} aria-label={`${m.is_active ? "Switch off" : "Switch on"} ${m.local_field}`}>
                      {m.is_active ? "Switch off" : "Switch on"}
                    </Action>
                  )}
                </td>
              </tr>
            ))}
          </Table>
        )}
      </Card>
      <ConflictPolicy entity={entity} odooFields={odooFields} onSaved={onChanged} />
    </>
  );
}

function MappingForm({ entity, existing, odooFields, onDone }) {
  const { connectionId } = useApp();
  const [form, setForm] = useState(() => ({
    local_field: existing?.local_field || "",
    odoo_field: existing?.odoo_field || "",
    direction: existing?.direction || "both",
    mapping_type: existing?.mapping_type || "direct",
    transform: existing?.transform || "",
    transform_params: existing && Object.keys(existing.transform_params || {}).length ? JSON.stringify(existing.transform_params) : "",
    priority: existing ? String(existing.priority) : "100",
    is_required: existing?.is_required || false,
    is_active: existing ? existing.is_active : true,
    lang: existing?.lang || "",
  }));
  const set = (name) => (value) => setForm({ ...form, [name]: value });
  const { busy, error, setError, submit } = useSubmit(async () => {
    let params = {};
    if (form.transform_params.trim()) {
      try {
        params = JSON.parse(form.transform_params);
      } catch {
        const problem = new Error("Transform parameters must be a JSON object, e.g. {\"unit\": \"kg\"}.");
        setError(problem);
        return;
      }
    }
    const body = {
      entity: entity.name,
      local_field: form.local_field.trim(),
      odoo_field: form.odoo_field,
      odoo_model: entity.odoo_model,
      mapping_type: form.mapping_type,
      direction: form.direction,
      priority: Number(form.priority || 100),
      is_required: form.is_required,
      is_active: form.is_active,
      transform_params: params,
      ...(form.mapping_type !== "direct" && form.transform ? { transform: form.transform } : {}),
      ...(form.lang.trim() ? { lang: form.lang.trim() } : {}),
      ...(connectionId ? { connection_id: connectionId } : {}),
    };
    const saved = await post("/v1/field-mappings", body);
    onDone(saved);
  });
  const err = (name) => fieldError(error, name);
  const localFields = entity.fields.map((f) => f.field);
  return (
    <form class="subform" onSubmit={submit} noValidate aria-label="Mapping">
      <h3>{existing ? `Edit the mapping of ${existing.local_field}` : "New mapping"}</h3>
      <FormError error={error} fields={MAPPING_FIELDS} />
      <div class="grid">
        <div>
          <TextField
            label="Your field"
            name="local_field"
            value={form.local_field}
            onInput={set("local_field")}
            error={err("local_field")}
            required
            list="local-fields"
            hint="The field's name in your records, e.g. nickname"
          />
          <datalist id="local-fields">
            {localFields.map((f) => (
              <option value={f} />
            ))}
          </datalist>
        </div>
        <FieldPicker label="Odoo field" fields={odooFields} value={form.odoo_field} onChange={set("odoo_field")} error={err("odoo_field")} />
        <SelectField label="Direction" name="direction" value={form.direction} onChange={set("direction")} options={DIRECTIONS} error={err("direction")} />
        <SelectField label="How" name="mapping_type" value={form.mapping_type} onChange={set("mapping_type")} options={TYPES} error={err("mapping_type")} />
        {form.mapping_type !== "direct" && (
          <SelectField label="Transform" name="transform" value={form.transform} onChange={set("transform")} options={["", ...TRANSFORMS]} error={err("transform")} />
        )}
        {form.mapping_type !== "direct" && (
          <TextArea label="Transform parameters (JSON)" name="transform_params" rows={2} value={form.transform_params} onInput={set("transform_params")} error={err("transform_params")} />
        )}
        <TextField label="Priority" name="priority" value={form.priority} onInput={set("priority")} error={err("priority")} inputMode="numeric" hint="Lower runs first" />
        <TextField label="Language" name="lang" value={form.lang} onInput={set("lang")} error={err("lang")} placeholder="fr_FR" hint="Only for a translatable Odoo field" />
      </div>
      <CheckField label="Required: a record without it is refused" checked={form.is_required} onChange={set("is_required")} />
      <CheckField label="Active" checked={form.is_active} onChange={set("is_active")} />
      <div class="buttons">
        <button type="submit" class="primary" disabled={busy}>
          {busy ? "Checking with Odoo…" : "Save mapping"}
        </button>
        <button type="button" onClick={() => onDone(null)}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function ConflictPolicy({ entity, odooFields, onSaved }) {
  const { me, connectionId } = useApp();
  const [policy, setPolicy] = useState(() => ({ default: entity.conflicts?.default || "manual", fields: { ...(entity.conflicts?.fields || {}) } }));
  const [field, setField] = useState("");
  const saving = useSubmit(async () => {
    await put(`/v1/entities/${enc(entity.name)}/conflicts`, { ...policy, ...(connectionId ? { connection_id: connectionId } : {}) });
    announce("Conflict policy saved.");
    onSaved();
  });
  return (
    <Card title="When a field changed on both sides">
      <form onSubmit={saving.submit}>
        <FormError error={saving.error} fields={["default"]} />
        <SelectField label="Every field, unless set below" name="conflict_default" value={policy.default} onChange={(v) => setPolicy({ ...policy, default: v })} options={RULES} error={fieldError(saving.error, "default")} />
        {Object.entries(policy.fields).map(([name, rule]) => (
          <div class="domain-row">
            <SelectField
              label={`Odoo field ${name}`}
              name={`rule-${name}`}
              value={rule}
              onChange={(v) => setPolicy({ ...policy, fields: { ...policy.fields, [name]: v } })}
              options={RULES}
              error={fieldError(saving.error, `fields.${name}`)}
            />
            <button
              type="button"
              class="link"
              onClick={() => {
                const { [name]: _, ...rest } = policy.fields;
                setPolicy({ ...policy, fields: rest });
              }}
            >
              Remove {name}
            </button>
          </div>
        ))}
        <div class="domain-row">
          <SelectField label="Add a rule for an Odoo field" name="rule_field" value={field} onChange={setField} options={[{ value: "", label: "Choose a field" }, ...odooFields.map((f) => ({ value: f.name, label: `${f.string} (${f.name})` }))]} />
          <button type="button" disabled={!field} onClick={() => { setPolicy({ ...policy, fields: { ...policy.fields, [field]: "manual" } }); setField(""); }}>
            Add rule
          </button>
        </div>
        <Action me={me} type="submit" class="primary" disabled={saving.busy}>
          Save policy
        </Action>
      </form>
    </Card>
  );
}

function EntityForm({ onDone }) {
  const { connectionId } = useApp();
  const [form, setForm] = useState({ name: "", odoo_model: "", description: "", local_key: "", odoo_key: "", fields: "", timezone: "UTC" });
  const set = (name) => (value) => setForm({ ...form, [name]: value });
  const { busy, error, submit } = useSubmit(async () => {
    const fieldNames = form.fields.split(",").map((f) => f.trim()).filter(Boolean);
    const made = await post("/v1/entities", {
      name: form.name.trim(),
      odoo_model: form.odoo_model.trim(),
      description: form.description,
      match_keys: [{ local_field: form.local_key.trim(), odoo_field: form.odoo_key.trim() }],
      fields: fieldNames.map((field) => ({ field })),
      timezone: form.timezone.trim() || "UTC",
      ...(connectionId ? { connection_id: connectionId } : {}),
    });
    announce(`Entity ${made.name} created.`);
    onDone(made);
  });
  const err = (name) => fieldError(error, name);
  return (
    <Card title="New entity">
      <form onSubmit={submit} noValidate>
        <FormError error={error} fields={["name", "odoo_model", "description", "timezone", "match_keys", "match_keys.0.local_field", "match_keys.0.odoo_field", "fields"]} />
        <div class="grid">
          <TextField label="Name" name="entity_name" value={form.name} onInput={set("name")} error={err("name")} required hint="Lower case, e.g. supplier" />
          <TextField label="Odoo model" name="odoo_model" value={form.odoo_model} onInput={set("odoo_model")} error={err("odoo_model")} required placeholder="res.partner" />
          <TextField label="Match key: your field" name="local_key" value={form.local_key} onInput={set("local_key")} error={err("match_keys.0.local_field") || err("match_keys")} required />
          <TextField label="Match key: Odoo field" name="odoo_key" value={form.odoo_key} onInput={set("odoo_key")} error={err("match_keys.0.odoo_field")} required />
          <TextField label="Your fields" name="local_fields" value={form.fields} onInput={set("fields")} error={err("fields")} hint="Comma-separated, e.g. name, email" />
          <TextField label="Time zone" name="timezone" value={form.timezone} onInput={set("timezone")} error={err("timezone")} />
        </div>
        <TextField label="Description" name="description" value={form.description} onInput={set("description")} error={err("description")} />
        <div class="buttons">
          <button type="submit" class="primary" disabled={busy}>
            {busy ? "Checking with Odoo…" : "Create entity"}
          </button>
          <button type="button" onClick={() => onDone(null)}>
            Cancel
          </button>
        </div>
      </form>
    </Card>
  );
}
