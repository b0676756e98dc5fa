// Building blocks shared by the pages: loading, errors next to fields, empty states, live
// announcements, tables that scroll on a phone.
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { ApiError } from "./api.js";
import { allows, scopeHint } from "./session.js";

let nextId = 0;
export function useId(prefix = "f") {
  const ref = useRef(null);
  if (ref.current === null) ref.current = `${prefix}-${++nextId}`;
  return ref.current;
}

// Loads on mount and when deps change; `reload` loads again; `quiet` keeps the old data shown.
export function useLoad(load, deps = []) {
  const [state, setState] = useState({ data: null, error: null, loading: true });
  const current = useRef(0);
  const run = useCallback(
    async (quiet = false) => {
      const ticket = ++current.current;
      if (!quiet) setState((old) => ({ ...old, loading: true, error: null }));
      try {
        const data = await load();
        if (ticket === current.current) setState({ data, error: null, loading: false });
      } catch (error) {
        if (ticket === current.current) setState((old) => ({ data: quiet ? old.data : null, error, loading: false }));
      }
    },
    deps, // eslint-disable-line react-hooks/exhaustive-deps
  );
  useEffect(() => {
    run();
    return () => {
      current.current += 1;
    };
  }, [run]);
  return { ...state, reload: run };
}

// Calls `tick` every `ms` while `active`; stops when the component goes away.
export function useInterval(tick, ms, active = true) {
  const saved = useRef(tick);
  saved.current = tick;
  useEffect(() => {
    if (!active) return undefined;
    const timer = setInterval(() => saved.current(), ms);
    return () => clearInterval(timer);
  }, [ms, active]);
}

// A form's submit: busy flag, the error (field errors go next to their fields), a success note.
export function useSubmit(action) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  // Called by a form (with its event) or by a button with what to act on.
  const submit = async (eventOrArgument) => {
    let argument = eventOrArgument;
    if (eventOrArgument && typeof eventOrArgument.preventDefault === "function") {
      eventOrArgument.preventDefault();
      argument = undefined;
    }
    setBusy(true);
    setError(null);
    try {
      return await action(argument);
    } catch (caught) {
      setError(caught);
      return undefined;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, setError, submit };
}

export function fieldError(error, name) {
  if (!(error instanceof ApiError)) return null;
  return error.byField[name] || null;
}

// The polite live region: progress and outcomes are read out without moving focus.
export function announce(text) {
  const region = document.getElementById("announcer");
  if (!region) return;
  region.textContent = "";
  setTimeout(() => {
    region.textContent = text;
  }, 30);
}

export function Page({ title, intro, actions, children }) {
  return (
    <section aria-labelledby="page-title" class="page">
      <header class="page-head">
        <div>
          <h1 id="page-title" tabIndex={-1}>
            {title}
          </h1>
          {intro && <p class="intro">{intro}</p>}
        </div>
        {actions && <div class="page-actions">{actions}</div>}
      </header>
      {children}
    </section>
  );
}

export function Card({ title, children, actions, id }) {
  const headingId = useId("card");
  return (
    <section class="card" aria-labelledby={title ? headingId : undefined} id={id}>
      {(title || actions) && (
        <div class="card-head">
          {title && <h2 id={headingId}>{title}</h2>}
          {actions && <div class="card-actions">{actions}</div>}
        </div>
      )}
      {children}
    </section>
  );
}

export function Loading({ label = "Loading…" }) {
  return (
    <p class="loading" role="status">
      <span class="spinner" aria-hidden="true" />
      {label}
    </p>
  );
}

// An error that belongs to no single field: the API's message (and Odoo's, when it refused).
export function ErrorNote({ error, onRetry }) {
  if (!error) return null;
  const scoped = error instanceof ApiError && error.code === "insufficient_scope";
  const ownKey = error instanceof ApiError && error.code === "cannot_revoke_own_key";
  let lead = "Something went wrong. ";
  if (scoped) lead = "Not allowed with this key. ";
  if (ownKey) lead = "This is the key you signed in with: sign in with another admin key to revoke it. ";
  return (
    <div class="error-note" role="alert">
      <strong>{lead}</strong>
      <span>{error.message}</span>
      {scoped && error.requiredScope && <span> {scopeHint(error.requiredScope)}</span>}
      {onRetry && (
        <button type="button" class="link" onClick={() => onRetry()}>
          Try again
        </button>
      )}
    </div>
  );
}

// Shows the form's error unless every problem is already shown next to a field of this form.
export function FormError({ error, fields = [] }) {
  if (!error) return null;
  if (error instanceof ApiError) {
    const named = Object.keys(error.byField);
    if (named.length && named.every((name) => fields.includes(name))) {
      return (
        <p class="error-note" role="alert">
          Please correct the fields marked below.
        </p>
      );
    }
  }
  return <ErrorNote error={error} />;
}

export function Empty({ title, children, action }) {
  return (
    <div class="empty">
      <p class="empty-title">{title}</p>
      {children && <p>{children}</p>}
      {action}
    </div>
  );
}

function Described({ id, hint, error }) {
  return (
    <>
      {hint && (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {error && (
        <p class="field-error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </>
  );
}

function describedBy(id, hint, error) {
  return [hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(" ") || undefined;
}

export function TextField({ label, value, onInput, error, hint, type = "text", required, name, ...rest }) {
  const id = useId(name || "text");
  return (
    <div class={`field${error ? " invalid" : ""}`}>
      <label for={id}>
        {label}
        {required && <span class="required"> (required)</span>}
      </label>
      <input
        id={id}
        name={name}
        type={type}
        value={value ?? ""}
        onInput={(event) => onInput(event.currentTarget.value)}
        aria-invalid={error ? "true" : undefined}
        aria-describedby={describedBy(id, hint, error)}
        required={required}
        {...rest}
      />
      <Described id={id} hint={hint} error={error} />
    </div>
  );
}

export function TextArea({ label, value, onInput, error, hint, name, rows = 4, ...rest }) {
  const id = useId(name || "area");
  return (
    <div class={`field${error ? " invalid" : ""}`}>
      <label for={id}>{label}</label>
      <textarea
        id={id}
        name={name}
        rows={rows}
        value={value ?? ""}
        onInput={(event) => onInput(event.currentTarget.value)}
        aria-invalid={error ? "true" : undefined}
        aria-describedby={describedBy(id, hint, error)}
        {...rest}
      />
      <Described id={id} hint={hint} error={error} />
    </div>
  );
}

export function SelectField({ label, value, onChange, options, error, hint, name, ...rest }) {
  const id = useId(name || "select");
  return (
    <div class={`field${error ? " invalid" : ""}`}>
      <label for={id}>{label}</label>
      <select
        id={id}
        name={name}
        value={value ?? ""}
        onChange={(event) => onChange(event.currentTarget.value)}
        aria-invalid={error ? "true" : undefined}
        aria-describedby={describedBy(id, hint, error)}
        {...rest}
      >
        {options.map((option) =>
          typeof option === "string" ? (
            <option value={option}>{option}</option>
          ) : (
            <option value={option.value}>{option.label}</option>
          ),
        )}
      </select>
      <Described id={id} hint={hint} error={error} />
    </div>
  );
}

export function CheckField({ label, checked, onChange, hint, name }) {
  const id = useId(name || "check");
  return (
    <div class="field check">
      <input id={id} type="checkbox" checked={checked} onChange={(e) => onChange(e.currentTarget.checked)} />
      <label for={id}>{label}</label>
      {hint && <p class="hint">{hint}</p>}
    </div>
  );
}

// A button for an action the key's scopes may not allow: disabled, with the reason beside it.
export function Action({ me, needs = "admin", children, class: className = "", ...rest }) {
  const allowed = allows(me, needs);
  return (
    <button
      type="button"
      class={className}
      {...rest}
      disabled={!allowed || rest.disabled}
      title={allowed ? rest.title : scopeHint(needs)}
    >
      {children}
    </button>
  );
}

export function Badge({ tone = "neutral", children }) {
  return <span class={`badge ${tone}`}>{children}</span>;
}

const STATUS_TONES = {
  synced: "good",
  success: "good",
  completed: "good",
  up_to_date: "good",
  created: "good",
  updated: "good",
  ok: "good",
  open: "warn",
  pending: "neutral",
  queued: "neutral",
  running: "info",
  retrying: "info",
  drifted: "warn",
  missing: "warn",
  orphaned: "warn",
  completed_with_errors: "bad",
  error: "bad",
  failed: "bad",
  dead: "bad",
  resolved: "good",
};

export function StatusBadge({ status }) {
  if (!status) return null;
  return <Badge tone={STATUS_TONES[status] || "neutral"}>{String(status).replaceAll("_", " ")}</Badge>;
}

export function Table({ caption, head, children, label }) {
  return (
    <div class="table-wrap" role="region" aria-label={label || caption} tabIndex={0}>
      <table>
        {caption && <caption>{caption}</caption>}
        <thead>
          <tr>
            {head.map((cell) => (
              <th scope="col">{cell}</th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

export function Pager({ hasPrevious, hasNext, onPrevious, onNext }) {
  if (!hasPrevious && !hasNext) return null;
  return (
    <nav class="pager" aria-label="Pages">
      <button type="button" onClick={onPrevious} disabled={!hasPrevious}>
        ← Previous
      </button>
      <button type="button" onClick={onNext} disabled={!hasNext}>
        Next →
      </button>
    </nav>
  );
}

// Cursor paging: a stack of the cursors that led to each page.
export function useCursorPages() {
  const [stack, setStack] = useState([null]);
  const cursor = stack[stack.length - 1];
  return {
    cursor,
    hasPrevious: stack.length > 1,
    next: (value) => value && setStack([...stack, value]),
    previous: () => setStack(stack.slice(0, -1)),
    reset: () => setStack([null]),
  };
}

export function when(iso) {
  if (!iso) return "—";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

export function Time({ iso }) {
  if (!iso) return <span>—</span>;
  return (
    <time dateTime={iso} title={iso}>
      {when(iso)}
    </time>
  );
}

export function show(value) {
  if (value === null || value === undefined) return "—";
  if (typeof value === "object") return JSON.stringify(value);
  if (value === false) return "false";
  if (value === true) return "true";
  return String(value);
}

// Who did it, where the API says so (batches, log entries, schedule/mapping changes, resolutions).
export function Actor({ actor }) {
  if (!actor || !actor.type) return null;
  const text = {
    api_key: `key ${actor.key_name || actor.key_id || ""}`.trim(),
    schedule: `schedule ${actor.schedule_id || ""}`.trim(),
    odoo_webhook: "Odoo webhook",
    system: "Odoo Sync",
  }[actor.type] || actor.type;
  return <span class="actor">by {text}</span>;
}

export function Json({ value, label }) {
  return (
    <pre class="json" aria-label={label} tabIndex={0}>
      {JSON.stringify(value, null, 2)}
    </pre>
  );
}
