import { render } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import "uplot/dist/uPlot.min.css";
import "./styles.css";
import { forgetKey, get, keepKey, storedKey } from "./api.js";
import { AppContext, go, parseRoute } from "./app.jsx";
import { whoAmI } from "./session.js";
import { ErrorNote, Loading } from "./ui.jsx";
import { SignIn } from "./pages/signin.jsx";
import { Overview } from "./pages/overview.jsx";
import { Connections } from "./pages/connections.jsx";
import { Explorer } from "./pages/explorer.jsx";
import { Mappings } from "./pages/mappings.jsx";
import { Records } from "./pages/records.jsx";
import { Batches } from "./pages/batches.jsx";
import { History } from "./pages/history.jsx";
import { Schedules } from "./pages/schedules.jsx";
import { Conflicts } from "./pages/conflicts.jsx";
import { Realtime } from "./pages/realtime.jsx";
import { Keys } from "./pages/keys.jsx";
import { Tenants } from "./pages/tenants.jsx";

const TENANT_PAGES = [
  ["", "Overview", Overview],
  ["connections", "Connections", Connections],
  ["explorer", "Explorer", Explorer],
  ["mappings", "Entities & mappings", Mappings],
  ["records", "Records", Records],
  ["batches", "Batches", Batches],
  ["history", "History & statistics", History],
  ["schedules", "Schedules", Schedules],
  ["conflicts", "Conflicts", Conflicts],
  ["realtime", "Real-time", Realtime],
  ["keys", "API keys", Keys],
];
const OPERATOR_PAGES = [["tenants", "Tenants", Tenants]];

function useRoute() {
  const [hash, setHash] = useState(window.location.hash);
  useEffect(() => {
    const changed = () => setHash(window.location.hash);
    window.addEventListener("hashchange", changed);
    return () => window.removeEventListener("hashchange", changed);
  }, []);
  return parseRoute(hash);
}

function Console() {
  const [me, setMe] = useState(null);
  const [checking, setChecking] = useState(Boolean(storedKey()));
  const [problem, setProblem] = useState(null);
  const [connections, setConnections] = useState(null);
  const [connectionId, setConnectionId] = useState(null);
  const route = useRoute();

  const signIn = async (key) => {
    const who = await whoAmI(key);
    keepKey(key);
    setMe(who);
    return who;
  };

  const signOut = () => {
    forgetKey();
    setMe(null);
    setConnections(null);
    setConnectionId(null);
    go("/");
  };

  useEffect(() => {
    const key = storedKey();
    if (!key) return;
    whoAmI(key)
      .then(setMe)
      .catch((error) => {
        if (error.status === 401) forgetKey();
        else setProblem(error);
      })
      .finally(() => setChecking(false));
  }, []);

  const loadConnections = async () => {
    try {
      const page = await get("/v1/connections", { limit: 100 });
      setConnections(page.items);
      setConnectionId((old) => (page.items.some((c) => c.connection_id === old) ? old : page.items[0]?.connection_id || null));
    } catch (error) {
      setConnections([]);
      setProblem(error);
    }
  };

  useEffect(() => {
    if (me && me.role === "tenant") loadConnections();
  }, [me]);

  if (checking) return <Loading label="Checking your key…" />;
  if (!me) return <SignIn onSignIn={signIn} />;

  const pages = me.role === "operator" ? OPERATOR_PAGES : TENANT_PAGES;
  const section = route.parts[0] || (me.role === "operator" ? "tenants" : "");
  const found = pages.find(([path]) => path === section) || pages[0];
  const Current = found[2];
  const context = {
    me,
    connections,
    connectionId,
    setConnectionId,
    reloadConnections: loadConnections,
    route,
  };

  return (
    <AppContext.Provider value={context}>
      <Shell me={me} pages={pages} current={found[0]} onSignOut={signOut} title={found[1]}>
        <ErrorNote error={problem} />
        <Current key={found[0]} />
      </Shell>
    </AppContext.Provider>
  );
}

function Shell({ me, pages, current, onSignOut, title, children }) {
  const [menuOpen, setMenuOpen] = useState(false);
  const mainRef = useRef(null);
  useEffect(() => {
    document.title = `${title} · Odoo Sync console`;
    setMenuOpen(false);
    const heading = document.getElementById("page-title");
    if (heading && document.activeElement && document.activeElement.closest("nav.side")) heading.focus();
  }, [current]);
  const who = me.role === "operator" ? "Operator" : me.tenant_name || "Your tenant";
  return (
    <div class="shell">
      <a class="skip" href="#main" onClick={(e) => { e.preventDefault(); mainRef.current?.focus(); }}>
        Skip to content
      </a>
      <header class="top" role="banner">
        <button
          type="button"
          class="menu-button"
          aria-expanded={menuOpen ? "true" : "false"}
          aria-controls="side-nav"
          onClick={() => setMenuOpen(!menuOpen)}
        >
          Menu
        </button>
        <span class="brand">Odoo Sync</span>
        <span class="who" data-testid="who">
          {who}
          {me.key_name && <span class="muted"> · key {me.key_name}</span>}
          <span class="muted"> · {(me.scopes || []).join(", ")}</span>
        </span>
        <button type="button" class="sign-out" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <div class="body">
        <nav id="side-nav" class={`side${menuOpen ? " open" : ""}`} aria-label="Console">
          <p class="nav-who">
            Signed in: {who}
            {me.key_name ? `, key ${me.key_name}` : ""} ({(me.scopes || []).join(", ")})
          </p>
          <ul>
            {pages.map(([path, label]) => (
              <li>
                <a href={`#/${path}`} aria-current={path === current ? "page" : undefined}>
                  {label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <main id="main" ref={mainRef} tabIndex={-1}>
          {children}
        </main>
      </div>
      <div id="announcer" class="visually-hidden" aria-live="polite" role="status" />
    </div>
  );
}

render(<Console />, document.getElementById("app"));
