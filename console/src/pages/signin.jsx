import { useState } from "preact/hooks";
import { ApiError } from "../api.js";
import { TextField, useSubmit } from "../ui.jsx";

export function SignIn({ onSignIn }) {
  const [key, setKey] = useState("");
  const { busy, error, submit } = useSubmit(async () => {
    await onSignIn(key.trim());
  });
  let keyError = null;
  if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
    keyError = "This key was not accepted. Check that it was copied whole; a revoked key no longer works.";
  } else if (error) {
    keyError = error.message;
  }
  return (
    <main id="main" class="signin">
      <form class="card signin-card" onSubmit={(event) => (key.trim() ? submit(event) : event.preventDefault())}>
        <h1>Sign in to Odoo Sync</h1>
        <p class="intro">
          Use your tenant's API key (it starts with <code>osk_live_</code>) or the operator key. It stays in
          this browser tab only and is forgotten when you sign out or close the tab.
        </p>
        <TextField
          label="API key"
          name="api_key"
          type="password"
          value={key}
          onInput={setKey}
          error={keyError}
          required
          autoComplete="off"
          spellcheck={false}
          hint="Running locally? `make run` printed the demo tenant's key; the operator key is in .local/demo.json."
        />
        <button type="submit" class="primary" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}
