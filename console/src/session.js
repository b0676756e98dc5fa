// Who signed in: GET /v1/me (role, tenant, key, scopes). Scopes nest: admin > sync > read.
import { api } from "./api.js";

const RANK = { read: 1, sync: 2, admin: 3 };

export function allows(me, needed) {
  if (!me) return false;
  // The operator's key (scope "operator") is only offered the operator's own pages.
  if (me.role === "operator") return true;
  const best = Math.max(0, ...(me.scopes || []).map((scope) => RANK[scope] || 0));
  return best >= RANK[needed];
}

export function scopeHint(needed) {
  return `Your key lacks the ${needed} scope: ask an admin of your tenant for a key with it.`;
}

export function whoAmI(key) {
  return api("GET", "/v1/me", { key });
}
