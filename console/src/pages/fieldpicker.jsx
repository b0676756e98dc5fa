import { useMemo, useState } from "preact/hooks";
import { useId } from "../ui.jsx";

// Picks an Odoo field from the model's fields_get: type to filter, arrows to move, Enter to pick.
// A native listbox (select size=n), so keyboards and screen readers work without extra code.
export function FieldPicker({ label, fields, value, onChange, error, name = "odoo_field" }) {
  const id = useId(name);
  const [filter, setFilter] = useState("");
  const shown = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    return fields.filter((f) => !needle || f.name.includes(needle) || (f.string || "").toLowerCase().includes(needle));
  }, [fields, filter]);
  const chosen = fields.find((f) => f.name === value);
  return (
    <div class={`field picker${error ? " invalid" : ""}`}>
      <label for={`${id}-filter`}>{label}: search</label>
      <input
        id={`${id}-filter`}
        type="search"
        value={filter}
        placeholder="name, email, price…"
        onInput={(e) => setFilter(e.currentTarget.value)}
        aria-controls={id}
        onKeyDown={(e) => {
          if (e.key === "ArrowDown") {
            // Into the list, on its first field when none is chosen yet.
            e.preventDefault();
            if (!shown.some((f) => f.name === value) && shown.length) onChange(shown[0].name);
            document.getElementById(id)?.focus();
          }
        }}
      />
      <label for={id} class="visually-hidden">
        {label}
      </label>
      <select
        id={id}
        name={name}
        size={Math.min(8, Math.max(3, shown.length))}
        value={value || ""}
        onChange={(e) => onChange(e.currentTarget.value)}
        aria-invalid={error ? "true" : undefined}
        aria-describedby={`${id}-chosen${error ? ` ${id}-error` : ""}`}
      >
        {shown.map((f) => {
          const text = `${f.string} (${f.name}) · ${f.type}${f.relation ? ` → ${f.relation}` : ""}${f.required ? " · required" : ""}`;
          return (
            <option value={f.name} title={text}>
              {text}
            </option>
          );
        })}
      </select>
      <p class="hint" id={`${id}-chosen`}>
        {chosen
          ? `Chosen: ${chosen.name} (${chosen.type}${chosen.relation ? ` of ${chosen.relation}` : ""}${chosen.required ? ", required in Odoo" : ""}${chosen.readonly ? ", read-only" : ""})`
          : `${shown.length} of ${fields.length} fields; pick one.`}
      </p>
      {error && (
        <p class="field-error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}
