import { useState } from "preact/hooks";
import { del, enc, get, post } from "../api.js";
import { useApp } from "../app.jsx";
import { Action, Actor, Badge, Card, Empty, ErrorNote, FormError, Loading, Table, TextField, Time, announce, fieldError, useLoad, useSubmit } from "../ui.jsx";

const SCOPES = [
  ["admin", "admin: everything, settings and keys included"],
  ["sync", "sync: records, pushes, imports, batches, and reading"],
  ["read", "read: look, change nothing"],
];

// The keys under `base` (/v1/api-keys for a tenant's admin, /v1/admin/tenants/{id}/api-keys for
// the operator): list, issue one (its secret shown once), revoke.
export function KeyManager({ base, title = "API keys" }) {
  const { me } = useApp();
  const keys = useLoad(() => get(base, { limit: 100 }), [base]);
  const [name, setName] = useState("");
  const [scopes, setScopes] = useState(["read"]);
  const [issued, setIssued] = useState(null);
  const issuing = useSubmit(async () => {
    const made = await post(base, { name: name.trim(), scopes });
    setIssued(made);
    setName("");
    announce(`Key ${made.name} issued. Copy it now: it is shown once.`);
    keys.reload(true);
  });
  const revoking = useSubmit(async (key) => {
    await del(`${base}/${enc(key.key_id)}`);
    announce(`Key ${key.name} revoked.`);
    keys.reload(true);
  });
  return (
    <Card title={title}>
      {issued && (
        <div class="secret" role="status" data-testid="issued-key">
          <p>
            <strong>New key “{issued.name}”</strong> ({(issued.scopes || []).join(", ")}). Copy it now, it is shown once:
          </p>
          <code class="break">{issued.api_key}</code>
        </div>
      )}
      {keys.loading && <Loading />}
      <ErrorNote error={keys.error} onRetry={() => keys.reload()} />
      <ErrorNote error={revoking.error} />
      {keys.data && keys.data.items.length === 0 && <Empty title="No keys">Issue a key below.</Empty>}
      {keys.data && keys.data.items.length > 0 && (
        <Table head={["Name", "Scopes", "Created", "By", "State", ""]} label={title}>
          {keys.data.items.map((key) => (
            <tr>
              <td>
                {key.name} {me.key_id === key.key_id && <Badge tone="info">this key</Badge>}
              </td>
              <td>{(key.scopes || []).join(", ")}</td>
              <td>
                <Time iso={key.created_at} />
              </td>
              <td>{typeof key.created_by === "object" ? <Actor actor={key.created_by} /> : key.created_by || "—"}</td>
              <td>{key.revoked_at ? <Badge tone="bad">revoked</Badge> : <Badge tone="good">active</Badge>}</td>
              <td>
                {!key.revoked_at && (
                  <Action me={me} class="link danger" onClick={() => revoking.submit(key)} aria-label={`Revoke ${key.name}`}>
                    Revoke
                  </Action>
                )}
              </td>
            </tr>
          ))}
        </Table>
      )}
      <form class="inline-form" onSubmit={issuing.submit} noValidate>
        <h3>Issue a key</h3>
        <FormError error={issuing.error} fields={["name", "scopes"]} />
        <TextField label="Key name" name="key_name" value={name} onInput={setName} error={fieldError(issuing.error, "name")} required hint="Who or what uses it, e.g. ERP connector" />
        <fieldset>
          <legend>Scopes</legend>
          {SCOPES.map(([scope, label]) => (
            <label class="check-line">
              <input
                type="checkbox"
                name="scopes"
                value={scope}
                checked={scopes.includes(scope)}
                onChange={() => setScopes(scopes.includes(scope) ? scopes.filter((s) => s !== scope) : [...scopes, scope])}
              />{" "}
              {label}
            </label>
          ))}
          {fieldError(issuing.error, "scopes") && <p class="field-error">{fieldError(issuing.error, "scopes")}</p>}
        </fieldset>
        <Action me={me} type="submit" class="primary" disabled={issuing.busy || !name.trim()}>
          Issue key
        </Action>
      </form>
    </Card>
  );
}
