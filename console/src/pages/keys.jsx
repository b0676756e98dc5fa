import { useApp } from "../app.jsx";
import { Page } from "../ui.jsx";
import { allows, scopeHint } from "../session.js";
import { KeyManager } from "./keyman.jsx";

export function Keys() {
  const { me } = useApp();
  return (
    <Page title="API keys" intro="Keys of your tenant. Give each system and person its own key with the least scope it needs.">
      {!allows(me, "admin") && <p class="note">{scopeHint("admin")}</p>}
      <KeyManager base="/v1/api-keys" />
    </Page>
  );
}
