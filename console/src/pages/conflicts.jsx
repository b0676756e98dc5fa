import { useState } from "preact/hooks";
import { enc, get, post } from "../api.js";
import { useApp } from "../app.jsx";
import {
  Action,
  Actor,
  Card,
  Empty,
  ErrorNote,
  FormError,
  Loading,
  Page,
  Pager,
  SelectField,
  TextField,
  Time,
  announce,
  fieldError,
  show,
  useCursorPages,
  useLoad,
  useSubmit,
} from "../ui.jsx";
import { useEntityList } from "./records.jsx";

export function Conflicts() {
  const entities = useEntityList();
  const [status, setStatus] = useState("open");
  const [entity, setEntity] = useState("");
  const pages = useCursorPages();
  const conflicts = useLoad(() => get("/v1/conflicts", { status, entity, limit: 20, cursor: pages.cursor }), [status, entity, pages.cursor]);
  return (
    <Page title="Conflicts" intro="Fields changed both here and in Odoo since they last agreed. Pick the value that is right; the other side takes it.">
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <SelectField label="Show" name="conflict_status" value={status} onChange={(v) => { pages.reset(); setStatus(v); }} options={[{ value: "open", label: "Open" }, { value: "resolved", label: "Resolved" }]} />
        <SelectField label="Entity" name="conflict_entity" value={entity} onChange={(v) => { pages.reset(); setEntity(v); }} options={[{ value: "", label: "Any" }, ...(entities.data ? entities.data.items.map((e) => e.name) : [])]} />
      </form>
      {conflicts.loading && <Loading />}
      <ErrorNote error={conflicts.error} onRetry={() => conflicts.reload()} />
      {conflicts.data && conflicts.data.items.length === 0 && (
        <Empty title={status === "open" ? "No open conflicts" : "No resolved conflicts yet"}>
          {status === "open"
            ? "Nothing needs a decision. A conflict appears here when a field was changed on both sides and the entity's policy says to hold it (Entities & mappings → When a field changed on both sides)."
            : "Conflicts you resolve are kept here."}
        </Empty>
      )}
      {conflicts.data && conflicts.data.items.map((c) => <ConflictCard conflict={c} onResolved={() => conflicts.reload(true)} key={c.conflict_id} />)}
      {conflicts.data && <Pager hasPrevious={pages.hasPrevious} hasNext={Boolean(conflicts.data.next)} onPrevious={pages.previous} onNext={() => pages.next(conflicts.data.next)} />}
    </Page>
  );
}

function ConflictCard({ conflict, onResolved }) {
  const { me } = useApp();
  const [value, setValue] = useState("");
  const [choosing, setChoosing] = useState(false);
  const resolving = useSubmit(async (winner) => {
    const body = { winner };
    if (winner === "value") {
      try {
        body.value = JSON.parse(value);
      } catch {
        body.value = value;
      }
    }
    await post(`/v1/conflicts/${enc(conflict.conflict_id)}/resolve`, body);
    announce(`Conflict on ${conflict.odoo_field} of ${conflict.entity} ${conflict.local_id} resolved.`);
    onResolved();
  });
  const open = conflict.status === "open";
  const label = `${conflict.entity} ${conflict.local_id}: ${conflict.odoo_field}`;
  return (
    <Card title={label}>
      <p class="muted">
        <a href={`#/records/${enc(conflict.entity)}/${enc(conflict.local_id)}`}>Open the record</a> · Odoo #{conflict.odoo_id} · first seen <Time iso={conflict.detected_at} />, last{" "}
        <Time iso={conflict.last_detected_at} />
        {conflict.local_fields?.length ? ` · your field ${conflict.local_fields.join(", ")}` : ""}
      </p>
      <div class="sides" role="group" aria-label={`Values of ${conflict.odoo_field}`}>
        <div class="side-value base">
          <h3>When they last agreed</h3>
          <p class="value">{show(conflict.base)}</p>
        </div>
        <div class="side-value local">
          <h3>Yours now</h3>
          <p class="value">{show(conflict.local_value)}</p>
        </div>
        <div class="side-value odoo">
          <h3>Odoo now</h3>
          <p class="value">{show(conflict.odoo_value)}</p>
        </div>
      </div>
      <ErrorNote error={resolving.error && !fieldError(resolving.error, "value") ? resolving.error : null} />
      {open ? (
        <div class="buttons">
          <Action me={me} class="primary" onClick={() => resolving.submit("local")} disabled={resolving.busy}>
            Keep yours
          </Action>
          <Action me={me} class="primary" onClick={() => resolving.submit("odoo")} disabled={resolving.busy}>
            Keep Odoo's
          </Action>
          <Action me={me} onClick={() => setChoosing(!choosing)} aria-expanded={choosing ? "true" : "false"}>
            Use another value
          </Action>
        </div>
      ) : (
        <p>
          Resolved with {{ local: "yours", odoo: "Odoo's", value: "a value given" }[conflict.resolution?.winner] || "—"}: <strong>{show(conflict.resolution?.value)}</strong>
          {conflict.resolution?.resolved_at && (
            <>
              {" "}
              on <Time iso={conflict.resolution.resolved_at} />
            </>
          )}{" "}
          <Actor actor={conflict.resolution?.actor || conflict.actor} />
        </p>
      )}
      {open && choosing && (
        <form
          class="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            resolving.submit("value");
          }}
        >
          <FormError error={resolving.error} fields={["value", "winner"]} />
          <TextField label={`New value of ${conflict.odoo_field}`} name="conflict_value" value={value} onInput={setValue} error={fieldError(resolving.error, "value")} hint="As Odoo holds it: text, a number, true/false" />
          <Action me={me} type="submit" class="primary" disabled={resolving.busy}>
            Use this value
          </Action>
        </form>
      )}
    </Card>
  );
}
