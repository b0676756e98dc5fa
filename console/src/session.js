// Who signed in: GET /v1/me (role, tenant, key, scopes). Scopes nest: admin > sync > read.
import { api, ApiError } from "./api.js";

const RANK = { read: 1, sync: 2, admin: 3 };

export function allows(me, needed) {
  if (!me) return false;
  const best = Math.max(0, ...(me.scopes || []).map((scope) => RANK[scope] || 0));
  return best >= RANK[needed];
}

export function scopeHint(needed) {
  return `Your key lacks the ${needed} scope: ask an admin of your tenant for a key with it.`;
}

// A gateway that does not know /v1/me answers 403 without our error code: an older API. Then the
// key's prefix tells the role and a read proves a tenant key works.
function meIsMissing(error) {
  return error instanceof ApiError && (error.status === 404 || (error.status === 403 && !error.code));
}

export async function whoAmI(key) {
  try {
    return await api("GET", "/v1/me", { key });
  } catch (error) {
    if (!meIsMissing(error)) throw error;
  }
  if (key.startsWith("osk_op_")) {
    return { role: "operator", tenant_id: null, tenant_name: null, key_id: null, key_name: null, scopes: ["admin"] };
  }
  await api("GET", "/v1/connections", { key, query: { limit: 1 } });
  return { role: "tenant", tenant_id: null, tenant_name: null, key_id: null, key_name: null, scopes: ["admin"] };
}
