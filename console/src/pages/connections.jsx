import { useState } from "preact/hooks";
import { del, enc, post, put } from "../api.js";
import { useApp } from "../app.jsx";
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
  StatusBadge,
  TextField,
  Time,
  announce,
  fieldError,
  useSubmit,
} from "../ui.jsx";

const PROTOCOLS = [
  { value: "auto", label: "Detect (recommended)" },
  { value: "json2", label: "JSON-2 (Odoo 19+)" },
  { value: "jsonrpc", label: "JSON-RPC" },
  { value: "xmlrpc", label: "XML-RPC" },
];
const FORM_FIELDS = [
  "name", "base_url", "port", "database", "protocol", "timeout_s", "company_id", "lang",
  "auth", "auth.api_key", "auth.login", "auth.password", "auth.expires_at", "auth.type",
];

export function Connections() {
  const { me, connections, reloadConnections } = useApp();
  const [editing, setEditing] = useState(null); // null | "new" | connection
  const [tests, setTests] = useState({});

  if (connections === null) return <Page title="Connections"><Loading /></Page>;
  const startNew = () => setEditing("new");
  return (
    <Page
      title="Connections"
      intro="The Odoo databases your records are synced with. The secret you enter is encrypted and never shown again."
      actions={
        editing === null && (
          <Action me={me} class="primary" onClick={startNew}>
            Add a connection
          </Action>
        )
      }
    >
      {editing !== null && (
        <ConnectionForm
          existing={editing === "new" ? null : editing}
          onDone={async (saved) => {
            setEditing(null);
            await reloadConnections();
            if (saved) announce(`Connection ${saved.name} saved. Test it to check it works.`);
          }}
        />
      )}
      {connections.length === 0 && editing === null && (
        <Empty
          title="No connection yet"
          action={
            <Action me={me} class="primary" onClick={startNew}>
              Add your first connection
            </Action>
          }
        >
          Add your Odoo: its address, database and an API key (Odoo: Preferences → Account Security → New API Key).
        </Empty>
      )}
      {connections.map((connection) => (
        <ConnectionCard
          connection={connection}
          test={tests[connection.connection_id]}
          onTested={(result) => setTests({ ...tests, [connection.connection_id]: result })}
          onEdit={() => setEditing(connection)}
          onRemoved={reloadConnections}
        />
      ))}
    </Page>
  );
}

function ConnectionCard({ connection, test, onTested, onEdit, onRemoved }) {
  const { me, reloadConnections } = useApp();
  const [confirming, setConfirming] = useState(false);
  const testing = useSubmit(async () => {
    announce(`Testing ${connection.name}…`);
    const result = await post(`/v1/connections/${enc(connection.connection_id)}/test`);
    onTested(result);
    announce(result.success ? `${connection.name}: connection works.` : `${connection.name}: ${result.message}`);
    reloadConnections();
  });
  const removing = useSubmit(async () => {
    await del(`/v1/connections/${enc(connection.connection_id)}`);
    announce(`Connection ${connection.name} removed.`);
    onRemoved();
  });
  const last = connection.last_test;
  return (
    <Card
      title={connection.name}
      actions={
        <>
          <Action me={me} class="primary" onClick={() => testing.submit()} disabled={testing.busy}>
            {testing.busy ? "Testing…" : "Test"}
          </Action>
          <Action me={me} onClick={onEdit}>
            Edit
          </Action>
          <Action me={me} class="danger" onClick={() => setConfirming(true)}>
            Remove
          </Action>
        </>
      }
    >
      <dl class="facts">
        <dt>Address</dt>
        <dd>
          {connection.base_url}
          {connection.port ? `:${connection.port}` : ""}
        </dd>
        <dt>Database</dt>
        <dd>{connection.database}</dd>
        <dt>Sign-in</dt>
        <dd>
          {connection.auth_type === "api_key" ? "API key" : "Login and password"}
          {connection.login ? ` as ${connection.login}` : ""}
          {connection.api_key_expires_at ? `, key expires ${connection.api_key_expires_at}` : ""}
        </dd>
        <dt>Odoo</dt>
        <dd>
          {connection.detected ? `${connection.detected.odoo_version} over ${connection.detected.protocol}` : "not detected yet"}
        </dd>
        {(connection.company_id || connection.lang) && (
          <>
            <dt>Company / language</dt>
            <dd>
              {connection.company_id || "default"} / {connection.lang || "the user's"}
            </dd>
          </>
        )}
        <dt>Last test</dt>
        <dd>
          {last ? (
            <>
              <StatusBadge status={last.success ? "ok" : "error"} /> {last.message} · <Time iso={last.tested_at} />
            </>
          ) : (
            "never: press Test"
          )}
        </dd>
      </dl>
      <ErrorNote error={testing.error} />
      {test && <TestResult result={test} />}
      {confirming && (
        <div class="confirm" role="group" aria-label="Confirm removal">
          <p>
            Remove <strong>{connection.name}</strong>? Its encrypted secret is deleted; records keep their links.
          </p>
          <button type="button" class="danger" onClick={() => removing.submit()} disabled={removing.busy}>
            Yes, remove it
          </button>
          <button type="button" onClick={() => setConfirming(false)}>
            Keep it
          </button>
          <ErrorNote error={removing.error} />
        </div>
      )}
    </Card>
  );
}

export function TestResult({ result }) {
  return (
    <div class={`test-result ${result.success ? "good" : "bad"}`} data-testid="test-result">
      <h3>{result.success ? "Connection works" : "Connection failed"}</h3>
      <ul class="checks">
        <li>
          <StatusBadge status={result.success ? "ok" : "error"} /> {result.message}
          {result.category && <span class="muted"> ({result.category})</span>}
        </li>
        {result.odoo_message && <li class="muted">Odoo said: {result.odoo_message}</li>}
      </ul>
      <dl class="facts">
        <dt>Odoo version</dt>
        <dd>{result.odoo_version || "—"}</dd>
        <dt>Protocol</dt>
        <dd>{result.protocol || "—"}</dd>
        <dt>User id</dt>
        <dd>{result.user_id ?? "—"}</dd>
        <dt>Database</dt>
        <dd>{result.database || "—"}</dd>
        <dt>Latency</dt>
        <dd>{result.latency_ms !== null && result.latency_ms !== undefined ? `${result.latency_ms} ms` : "—"}</dd>
      </dl>
      {result.access && Object.keys(result.access).length > 0 && (
        <>
          <h4>Access rights</h4>
          <ul class="checks">
            {Object.entries(result.access).map(([model, rights]) => (
              <li>
                <code>{model}</code>{" "}
                {["read", "write", "create", "unlink"].map((right) => (
                  <Badge tone={rights[right] ? "good" : "bad"}>
                    {rights[right] ? "✓" : "✗"} {right}
                  </Badge>
                ))}
              </li>
            ))}
          </ul>
        </>
      )}
      {result.success && (!result.warnings || result.warnings.length === 0) && (
        <p class="muted">No warnings: the key is not about to expire and the protocol is not being retired.</p>
      )}
      {result.warnings && result.warnings.length > 0 && (
        <>
          <h4>Warnings</h4>
          <ul class="warnings">
            {result.warnings.map((warning) => (
              <li>{warning}</li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}

function ConnectionForm({ existing, onDone }) {
  const [form, setForm] = useState(() => ({
    name: existing?.name || "",
    base_url: existing?.base_url || "",
    port: existing?.port ? String(existing.port) : "",
    database: existing?.database || "",
    protocol: existing?.protocol || "auto",
    timeout_s: existing ? String(existing.timeout_s) : "30",
    company_id: existing?.company_id ? String(existing.company_id) : "",
    lang: existing?.lang || "",
    auth_type: existing?.auth_type || "api_key",
    api_key: "",
    login: existing?.login || "",
    password: "",
    expires_at: existing?.api_key_expires_at || "",
    replace_secret: !existing,
  }));
  const set = (name) => (value) => setForm({ ...form, [name]: value });
  const { busy, error, submit } = useSubmit(async () => {
    const body = {
      name: form.name.trim(),
      base_url: form.base_url.trim(),
      database: form.database.trim(),
      protocol: form.protocol,
      timeout_s: Number(form.timeout_s || 30),
    };
    if (form.port.trim()) body.port = Number(form.port);
    if (form.company_id.trim()) body.company_id = Number(form.company_id);
    if (form.lang.trim()) body.lang = form.lang.trim();
    if (form.replace_secret) {
      body.auth =
        form.auth_type === "api_key"
          ? {
              type: "api_key",
              api_key: form.api_key,
              ...(form.login.trim() ? { login: form.login.trim() } : {}),
              ...(form.expires_at ? { expires_at: form.expires_at } : {}),
            }
          : { type: "password", login: form.login.trim(), password: form.password };
    }
    const saved = existing
      ? await put(`/v1/connections/${enc(existing.connection_id)}`, body)
      : await post("/v1/connections", body);
    onDone(saved);
  });
  const err = (name) => fieldError(error, name);
  return (
    <Card title={existing ? `Edit ${existing.name}` : "Add a connection"}>
      <form onSubmit={submit} noValidate>
        <FormError error={error} fields={FORM_FIELDS} />
        <div class="grid">
          <TextField label="Name" name="name" value={form.name} onInput={set("name")} error={err("name")} required hint="For you, e.g. Production Odoo" />
          <TextField label="Odoo address" name="base_url" value={form.base_url} onInput={set("base_url")} error={err("base_url")} required placeholder="https://mycompany.odoo.com" type="url" />
          <TextField label="Database" name="database" value={form.database} onInput={set("database")} error={err("database")} required />
          <TextField label="Port" name="port" value={form.port} onInput={set("port")} error={err("port")} inputMode="numeric" hint="Only when not in the address" />
          <SelectField label="Protocol" name="protocol" value={form.protocol} onChange={set("protocol")} options={PROTOCOLS} error={err("protocol")} />
          <TextField label="Timeout (seconds)" name="timeout_s" value={form.timeout_s} onInput={set("timeout_s")} error={err("timeout_s")} inputMode="decimal" />
          <TextField label="Company id" name="company_id" value={form.company_id} onInput={set("company_id")} error={err("company_id")} inputMode="numeric" hint="Work in this Odoo company (optional)" />
          <TextField label="Language" name="lang" value={form.lang} onInput={set("lang")} error={err("lang")} placeholder="fr_FR" hint="Odoo language code (optional)" />
        </div>
        {existing && (
          <CheckField label="Replace the stored secret" checked={form.replace_secret} onChange={set("replace_secret")} hint="Leave unticked to keep the key or password already stored." />
        )}
        {form.replace_secret && (
          <fieldset>
            <legend>How Odoo Sync signs in to Odoo</legend>
            <div class="radios">
              <label>
                <input type="radio" name="auth_type" value="api_key" checked={form.auth_type === "api_key"} onChange={() => set("auth_type")("api_key")} /> API key
              </label>
              <label>
                <input type="radio" name="auth_type" value="password" checked={form.auth_type === "password"} onChange={() => set("auth_type")("password")} /> Login and password
              </label>
            </div>
            <div class="grid">
              {form.auth_type === "api_key" ? (
                <>
                  <TextField label="API key" name="api_key" type="password" autoComplete="off" value={form.api_key} onInput={set("api_key")} error={err("auth.api_key")} required />
                  <TextField label="Login" name="login" value={form.login} onInput={set("login")} error={err("auth.login")} hint="Needed before Odoo 19" />
                  <TextField label="Key expires on" name="expires_at" type="date" value={form.expires_at} onInput={set("expires_at")} error={err("auth.expires_at")} hint="The test warns before it expires" />
                </>
              ) : (
                <>
                  <TextField label="Login" name="login" value={form.login} onInput={set("login")} error={err("auth.login")} required />
                  <TextField label="Password" name="password" type="password" autoComplete="off" value={form.password} onInput={set("password")} error={err("auth.password")} required />
                </>
              )}
            </div>
          </fieldset>
        )}
        <div class="buttons">
          <button type="submit" class="primary" disabled={busy}>
            {busy ? "Saving…" : existing ? "Save changes" : "Add connection"}
          </button>
          <button type="button" onClick={() => onDone(null)}>
            Cancel
          </button>
        </div>
      </form>
    </Card>
  );
}
