import { useState } from "preact/hooks";
import { del, enc, get, post } from "../api.js";
import { useApp } from "../app.jsx";
import {
  Action,
  Badge,
  Card,
  Empty,
  ErrorNote,
  FormError,
  Loading,
  Page,
  StatusBadge,
  Table,
  TextField,
  Time,
  announce,
  fieldError,
  useLoad,
  useSubmit,
} from "../ui.jsx";
import { ConnectionPicker } from "./shared.jsx";
import { ScheduleForm } from "./schedules.jsx";

export function Realtime() {
  const { connectionId } = useApp();
  return (
    <Page title="Real-time" intro="Hear about Odoo's changes as they happen, and pass your changes on to your own systems." actions={<ConnectionPicker />}>
      {connectionId ? (
        <Automation connectionId={connectionId} key={connectionId} />
      ) : (
        <Empty title="No connection yet" action={<a href="#/connections">Add a connection</a>}>
          Real-time rules are set up in the Odoo of a connection.
        </Empty>
      )}
      <ChangeFeed />
      <Subscriptions />
    </Page>
  );
}

function Automation({ connectionId }) {
  const { me } = useApp();
  const status = useLoad(() => get(`/v1/connections/${enc(connectionId)}/automation`), [connectionId]);
  const [secretUrl, setSecretUrl] = useState(null);
  const [suggested, setSuggested] = useState(null);
  const [confirmRemove, setConfirmRemove] = useState(false);
  const act = useSubmit(async (what) => {
    let answer = null;
    if (what === "setup") answer = await post(`/v1/connections/${enc(connectionId)}/automation`, {});
    if (what === "rotate") answer = await post(`/v1/connections/${enc(connectionId)}/automation/token`);
    if (what === "remove") {
      await del(`/v1/connections/${enc(connectionId)}/automation`);
      setConfirmRemove(false);
    }
    if (answer && answer.webhook_url) setSecretUrl(answer.webhook_url);
    announce({ setup: "Real-time rules set up in Odoo.", rotate: "Token rotated; the old address no longer works.", remove: "Real-time rules removed from Odoo." }[what]);
    status.reload(true);
  });
  const data = status.data;
  return (
    <Card
      title="Odoo automation"
      actions={
        data &&
        data.mode === "webhook" && (
          <>
            <Action me={me} class="primary" onClick={() => act.submit("setup")} disabled={act.busy}>
              {data.entities.some((e) => e.status !== "missing") ? "Bring up to date" : "Set up"}
            </Action>
            <Action me={me} onClick={() => act.submit("rotate")} disabled={act.busy || !data.entities.some((e) => e.status !== "missing")}>
              Rotate token
            </Action>
            <Action me={me} class="danger" onClick={() => setConfirmRemove(true)} disabled={act.busy || !data.entities.some((e) => e.status !== "missing")}>
              Remove
            </Action>
          </>
        )
      }
    >
      {status.loading && <Loading label="Asking Odoo what is set up…" />}
      <ErrorNote error={status.error || act.error} onRetry={status.error ? () => status.reload() : undefined} />
      {confirmRemove && (
        <div class="confirm" role="group" aria-label="Confirm removal">
          <p>Remove the rules Odoo Sync created in this Odoo? Nothing else in your Odoo is touched.</p>
          <button type="button" class="danger" onClick={() => act.submit("remove")}>
            Yes, remove them
          </button>
          <button type="button" onClick={() => setConfirmRemove(false)}>
            Keep them
          </button>
        </div>
      )}
      {secretUrl && (
        <div class="secret" role="status">
          <p>
            <strong>Odoo now calls this address</strong> (shown once; it carries the token):
          </p>
          <code class="break">{secretUrl}</code>
        </div>
      )}
      {data && data.mode === "polling" && (
        <>
          <p>
            This Odoo ({data.odoo_version}) cannot call us: <strong>{data.reason}</strong> Use a schedule that pulls its changes instead.
          </p>
          {(data.suggested_schedules || []).map((s) => (
            <div class="buttons">
              <span>
                {s.entity}: <code>{s.cron_expression}</code>
              </span>
              <Action me={me} onClick={() => setSuggested(s)}>
                Create this schedule
              </Action>
            </div>
          ))}
          {suggested && <ScheduleForm preset={{ ...suggested, name: suggested.name || `Pull ${suggested.entity} from Odoo` }} onDone={(saved) => { setSuggested(null); if (saved) announce(`Schedule ${saved.name} created.`); }} />}
        </>
      )}
      {data && data.mode === "webhook" && (
        <>
          <p class="muted">
            Odoo {data.odoo_version}: rules in Odoo tell us when a mapped field changes, and we read the record back.
          </p>
          <Table head={["Entity", "Odoo model", "State", "Watched fields", "What differs"]} label="Automation per entity">
            {data.entities.map((e) => (
              <tr>
                <td>{e.entity}</td>
                <td>
                  <code>{e.odoo_model}</code>
                </td>
                <td>
                  <StatusBadge status={e.status} />
                  {e.reason && <span class="muted"> {e.reason}</span>}
                </td>
                <td>{(e.trigger_fields || []).join(", ") || "—"}</td>
                <td>{e.differences && e.differences.length ? e.differences.map((d) => (typeof d === "string" ? d : JSON.stringify(d))).join("; ") : "—"}</td>
              </tr>
            ))}
          </Table>
        </>
      )}
    </Card>
  );
}

function ChangeFeed() {
  const changes = useLoad(() => get("/v1/changes", { limit: 20 }), []);
  return (
    <Card title="Changes from Odoo" actions={<button type="button" onClick={() => changes.reload()}>Refresh</button>}>
      {changes.loading && <Loading />}
      <ErrorNote error={changes.error} onRetry={() => changes.reload()} />
      {changes.data && changes.data.items.length === 0 && (
        <p class="muted">No change from Odoo yet. Changes appear here once an import, a schedule or Odoo's own notice brings them.</p>
      )}
      {changes.data && changes.data.items.length > 0 && (
        <Table head={["#", "When", "Record", "What", "Fields"]} label="Change feed">
          {changes.data.items.map((c) => (
            <tr>
              <td>{c.sequence ?? c.id}</td>
              <td>
                <Time iso={c.applied_at} />
              </td>
              <td>
                <a href={`#/records/${enc(c.entity)}/${enc(c.local_id)}`}>
                  {c.entity} {c.local_id}
                </a>
              </td>
              <td>{c.action}</td>
              <td>{(c.fields_changed || []).join(", ") || "—"}</td>
            </tr>
          ))}
        </Table>
      )}
    </Card>
  );
}

function Subscriptions() {
  const { me } = useApp();
  const subscriptions = useLoad(() => get("/v1/webhook-subscriptions", { limit: 100 }), []);
  const [url, setUrl] = useState("");
  const [description, setDescription] = useState("");
  const [secret, setSecret] = useState(null);
  const [open, setOpen] = useState(null);
  const creating = useSubmit(async () => {
    const made = await post("/v1/webhook-subscriptions", { url: url.trim(), ...(description.trim() ? { description: description.trim() } : {}) });
    setSecret({ id: made.subscription_id, secret: made.secret });
    setUrl("");
    setDescription("");
    announce("Subscription added. Copy its signing secret now: it is shown once.");
    subscriptions.reload(true);
  });
  const acting = useSubmit(async ([what, id]) => {
    if (what === "rotate") {
      const answer = await post(`/v1/webhook-subscriptions/${enc(id)}/rotate-secret`);
      setSecret({ id, secret: answer.secret });
      announce("New signing secret made; the old one works for 24 more hours.");
    } else {
      await del(`/v1/webhook-subscriptions/${enc(id)}`);
      announce("Subscription removed.");
    }
    subscriptions.reload(true);
  });
  return (
    <Card title="Your webhooks">
      <p class="intro">We POST each change from Odoo to these addresses, signed with HMAC-SHA256.</p>
      {secret && (
        <div class="secret" role="status">
          <p>
            <strong>Signing secret</strong> for {secret.id} (shown once; keep it safe):
          </p>
          <code class="break">{secret.secret}</code>
        </div>
      )}
      <ErrorNote error={acting.error || subscriptions.error} />
      {subscriptions.loading && <Loading />}
      {subscriptions.data && subscriptions.data.items.length === 0 && <p class="muted">No webhook yet: add the address of your receiver below.</p>}
      {subscriptions.data &&
        subscriptions.data.items.map((s) => (
          <div class="subscription">
            <p>
              <code class="break">{s.url}</code> {s.entities ? <Badge>{s.entities.join(", ")}</Badge> : <Badge>every entity</Badge>}{" "}
              <span class="muted">
                since <Time iso={s.created_at} />
              </span>
            </p>
            <div class="buttons">
              <button type="button" onClick={() => setOpen(open === s.subscription_id ? null : s.subscription_id)} aria-expanded={open === s.subscription_id ? "true" : "false"}>
                Delivery log
              </button>
              <Action me={me} onClick={() => acting.submit(["rotate", s.subscription_id])}>
                New secret
              </Action>
              <Action me={me} class="danger" onClick={() => acting.submit(["remove", s.subscription_id])}>
                Remove
              </Action>
            </div>
            {open === s.subscription_id && <Deliveries id={s.subscription_id} />}
          </div>
        ))}
      <form class="inline-form" onSubmit={creating.submit} noValidate>
        <h3>Add a webhook</h3>
        <FormError error={creating.error} fields={["url", "description", "entities"]} />
        <TextField label="Receiver address" name="subscription_url" type="url" value={url} onInput={setUrl} error={fieldError(creating.error, "url")} placeholder="https://hooks.example.com/odoo-sync" required />
        <TextField label="Description" name="subscription_description" value={description} onInput={setDescription} error={fieldError(creating.error, "description")} />
        <Action me={me} type="submit" class="primary" disabled={creating.busy || !url.trim()}>
          Add webhook
        </Action>
      </form>
    </Card>
  );
}

function Deliveries({ id }) {
  const deliveries = useLoad(() => get(`/v1/webhook-subscriptions/${enc(id)}/deliveries`, { limit: 50 }), [id]);
  if (deliveries.loading) return <Loading />;
  if (deliveries.error) return <ErrorNote error={deliveries.error} />;
  if (!deliveries.data.items.length) return <p class="muted">Nothing delivered yet.</p>;
  return (
    <Table head={["Change", "Record", "State", "Attempts", "Answer", "Error"]} label="Delivery log">
      {deliveries.data.items.map((d) => (
        <tr>
          <td>{d.sequence}</td>
          <td>
            {d.entity} {d.local_id}
          </td>
          <td>
            <StatusBadge status={d.status} />
          </td>
          <td>{d.attempts}</td>
          <td>{d.last_status_code ?? "—"}</td>
          <td class="error-text">{d.last_error || "—"}</td>
        </tr>
      ))}
    </Table>
  );
}
