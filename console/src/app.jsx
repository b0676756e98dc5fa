// What every page shares: who signed in, the tenant's connections and the one in use.
import { createContext } from "preact";
import { useContext } from "preact/hooks";

export const AppContext = createContext(null);

export function useApp() {
  return useContext(AppContext);
}

export function go(path) {
  window.location.hash = `#${path}`;
}

// "#/records/customer/c1?x=1" -> { parts: ["records", "customer", "c1"], query: URLSearchParams }
export function parseRoute(hash) {
  const raw = (hash || "").replace(/^#/, "") || "/";
  const [path, search = ""] = raw.split("?");
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  return { parts, query: new URLSearchParams(search) };
}
