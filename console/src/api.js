// Every request of the console goes through here: the public API on the same origin, the key
// from this tab's sessionStorage (never a URL, a cookie or a log), errors as ApiError.

const KEY_SLOT = "odoo-sync.api-key";

export function storedKey() {
  return sessionStorage.getItem(KEY_SLOT);
}

export function keepKey(key) {
  sessionStorage.setItem(KEY_SLOT, key);
}

export function forgetKey() {
  sessionStorage.removeItem(KEY_SLOT);
}

export class ApiError extends Error {
  constructor(status, body) {
    super(messageOf(status, body));
    this.status = status;
    this.body = body || {};
    this.code = this.body.code || null;
    this.field = normaliseField(this.body.field);
    this.errors = Array.isArray(this.body.errors) ? this.body.errors : [];
    this.odoo = this.body.odoo || null;
    this.requiredScope = this.body.required_scope || null;
  }

  // field -> message, for showing each error next to its field
  get byField() {
    const found = {};
    for (const problem of this.errors) {
      const name = normaliseField(problem.field);
      if (name && !(name in found)) found[name] = problem.message;
    }
    if (this.field && !(this.field in found)) found[this.field] = this.message;
    return found;
  }
}

function messageOf(status, body) {
  if (body && typeof body.message === "string" && body.message) {
    const odoo = body.odoo && body.odoo.message ? ` (Odoo: ${body.odoo.message})` : "";
    return body.message + odoo;
  }
  if (status === 0) return "The API cannot be reached: check your network and try again.";
  return `The API answered ${status}.`;
}

// "auth.api_key.api_key" (the union's tag in the path) -> "auth.api_key"; "body.name" -> "name"
export function normaliseField(field) {
  if (!field || typeof field !== "string") return null;
  let parts = field.split(".");
  if (parts[0] === "body") parts = parts.slice(1);
  if (parts[0] === "auth" && parts.length === 3 && (parts[1] === "api_key" || parts[1] === "password")) {
    parts = ["auth", parts[2]];
  }
  return parts.join(".");
}

export async function api(method, path, { body, query, key } = {}) {
  const headers = { Accept: "application/json" };
  const bearer = key || storedKey();
  if (bearer) headers.Authorization = `Bearer ${bearer}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let url = path;
  if (query) {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) {
      if (value !== undefined && value !== null && value !== "") params.set(name, String(value));
    }
    const text = params.toString();
    if (text) url += `?${text}`;
  }
  let response;
  try {
    response = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "omit",
      cache: "no-store",
    });
  } catch {
    throw new ApiError(0, null);
  }
  if (response.status === 204) return null;
  const text = await response.text();
  let parsed = null;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = { message: text.slice(0, 300) };
    }
  }
  if (!response.ok) throw new ApiError(response.status, parsed);
  return parsed;
}

export const get = (path, query) => api("GET", path, { query });

/** The browser's IANA time zone, so that daily charts cut days at the viewer's midnight. */
export function browserTimeZone() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
}
export const post = (path, body) => api("POST", path, { body });
export const put = (path, body) => api("PUT", path, { body });
export const patch = (path, body) => api("PATCH", path, { body });
export const del = (path) => api("DELETE", path);

export const enc = encodeURIComponent;
