import { useState } from "preact/hooks";
import { ApiError, enc, get, put } from "../api.js";
import { useApp } from "../app.jsx";
import { Action, Card, CheckField, Empty, ErrorNote, FormError, Loading, SelectField, Table, TextField, announce, fieldError, useId, useLoad, useSubmit } from "../ui.jsx";

const KINDS = [
  { value: "category", label: "Product categories" },
  { value: "tax", label: "Taxes" },
  { value: "uom", label: "Units of measure" },
  { value: "country", label: "Countries" },
  { value: "pricelist", label: "Pricelists" },
  { value: "selection", label: "Selection keys" },
];
const MODELS = { category: "product.category", tax: "account.tax", uom: "uom.uom", country: "res.country", pricelist: "product.pricelist" };

// Your values (e.g. "Shoes") to Odoo's records (product.category 12), picked from your Odoo.
export function ValueMaps() {
  const { me } = useApp();
  const [kind, setKind] = useState("category");
  const loaded = useLoad(async () => {
    try {
      return await get(`/v1/value-maps/${kind}`);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return { kind, entries: [], odoo_model: MODELS[kind] || null, fresh: true };
      throw error;
    }
  }, [kind]);
  return (
    <Card title="Value maps">
      <p class="intro">Translate your own values to Odoo records: a category name to an Odoo category, a tax code to an Odoo tax.</p>
      <SelectField label="Kind" name="value_map_kind" value={kind} onChange={setKind} options={KINDS} />
      {loaded.loading && <Loading />}
      <ErrorNote error={loaded.error} onRetry={() => loaded.reload()} />
      {loaded.data && <ValueMapEditor key={kind} kind={kind} map={loaded.data} me={me} onSaved={() => loaded.reload(true)} />}
    </Card>
  );
}

function ValueMapEditor({ kind, map, me, onSaved }) {
  const [entries, setEntries] = useState(map.entries.map((e) => ({ ...e, odoo: String(e.odoo) })));
  const [autoCreate, setAutoCreate] = useState(Boolean(map.auto_create));
  const model = map.odoo_model || MODELS[kind] || null;
  const saving = useSubmit(async () => {
    const body = {
      ...(model ? { odoo_model: model } : {}),
      auto_create: kind === "selection" ? false : autoCreate,
      entries: entries.map((e) => ({ local: e.local, odoo: kind === "selection" || Number.isNaN(Number(e.odoo)) ? e.odoo : Number(e.odoo), direction: e.direction || "both" })),
    };
    await put(`/v1/value-maps/${kind}`, body);
    announce(`Value map ${kind} saved with ${entries.length} entries.`);
    onSaved();
  });
  const update = (index, change) => setEntries(entries.map((e, i) => (i === index ? { ...e, ...change } : e)));
  return (
    <form onSubmit={saving.submit}>
      <FormError error={saving.error} fields={[]} />
      {entries.length === 0 && <Empty title={`No ${kind} values mapped yet`}>Add an entry: your value, and the Odoo {kind} it stands for.</Empty>}
      {entries.length > 0 && (
        <Table head={["Your value", kind === "selection" ? "Odoo key" : `Odoo ${model}`, "Direction", ""]} label={`${kind} entries`}>
          {entries.map((entry, index) => (
            <tr>
              <td>
                <TextField label={`Your value ${index + 1}`} name={`local-${index}`} value={entry.local} onInput={(v) => update(index, { local: v })} error={fieldError(saving.error, `entries.${index}.local`)} />
              </td>
              <td>
                {kind === "selection" ? (
                  <TextField label={`Odoo key ${index + 1}`} name={`odoo-${index}`} value={entry.odoo} onInput={(v) => update(index, { odoo: v })} error={fieldError(saving.error, `entries.${index}.odoo`)} />
                ) : (
                  <OdooRecordPicker model={model} index={index} value={entry.odoo} label={entry.label} onPick={(id, label) => update(index, { odoo: String(id), label })} error={fieldError(saving.error, `entries.${index}.odoo`) || fieldError(saving.error, "entries")} />
                )}
              </td>
              <td>
                <SelectField label={`Direction ${index + 1}`} name={`direction-${index}`} value={entry.direction || "both"} onChange={(v) => update(index, { direction: v })} options={["both", "to_odoo", "from_odoo"]} />
              </td>
              <td>
                <button type="button" class="link" onClick={() => setEntries(entries.filter((_, i) => i !== index))}>
                  Remove
                </button>
              </td>
            </tr>
          ))}
        </Table>
      )}
      {kind !== "selection" && <CheckField label="Create missing values in Odoo when a record needs them" checked={autoCreate} onChange={setAutoCreate} />}
      <div class="buttons">
        <button type="button" onClick={() => setEntries([...entries, { local: "", odoo: "", direction: "both" }])}>
          Add an entry
        </button>
        <Action me={me} type="submit" class="primary" disabled={saving.busy}>
          Save value map
        </Action>
      </div>
    </form>
  );
}

function OdooRecordPicker({ model, index, value, label, onPick, error }) {
  const { connectionId } = useApp();
  const id = useId("odoo-pick");
  const [search, setSearch] = useState("");
  const [found, setFound] = useState(null);
  const [problem, setProblem] = useState(null);
  const lookUp = async () => {
    setProblem(null);
    try {
      const domain = search.trim() ? [["name", "ilike", search.trim()]] : [];
      const page = await get(`/v1/connections/${enc(connectionId)}/records/${enc(model)}`, { domain: JSON.stringify(domain), fields: "display_name", limit: 20 });
      setFound(page.items);
    } catch (caught) {
      setProblem(caught);
    }
  };
  if (!connectionId) return <p class="muted">Add a connection to pick from Odoo.</p>;
  return (
    <div class="picker">
      <p class="hint" id={`${id}-now`}>{value ? `Odoo id ${value}${label ? ` (${label})` : ""}` : "Not chosen yet"}</p>
      <div class="inline">
        <TextField label={`Find in Odoo ${index + 1}`} name={`find-${index}`} value={search} onInput={setSearch} onKeyDown={(e) => { if (e.key === "Enter") { e.preventDefault(); lookUp(); } }} />
        <button type="button" onClick={lookUp}>
          Find
        </button>
      </div>
      {found && found.length === 0 && <p class="muted">Nothing found.</p>}
      {found && found.length > 0 && (
        <>
          <label for={id} class="visually-hidden">Odoo record {index + 1}</label>
          <select id={id} size={Math.min(5, found.length + 1)} value={value} onChange={(e) => { const pick = found.find((r) => String(r.id) === e.currentTarget.value); onPick(pick.id, pick.display_name); }}>
            {found.map((r) => (
              <option value={String(r.id)}>
                {r.display_name} (#{r.id})
              </option>
            ))}
          </select>
        </>
      )}
      {error && <p class="field-error">{error}</p>}
      <ErrorNote error={problem} />
    </div>
  );
}
