import { useState } from "preact/hooks";
import { enc, get, post } from "../api.js";
import { go, useApp } from "../app.jsx";
import { Card, Empty, ErrorNote, FormError, Loading, Page, Pager, Table, TextField, Time, announce, fieldError, useCursorPages, useLoad, useSubmit } from "../ui.jsx";
import { KeyManager } from "./keyman.jsx";

export function Tenants() {
  const { route } = useApp();
  const tenantId = route.parts[1];
  const pages = useCursorPages();
  const tenants = useLoad(() => get("/v1/admin/tenants", { limit: 50, cursor: pages.cursor }), [pages.cursor]);
  const [name, setName] = useState("");
  const [created, setCreated] = useState(null);
  const creating = useSubmit(async () => {
    const made = await post("/v1/admin/tenants", { name: name.trim() });
    setCreated(made);
    setName("");
    announce(`Tenant ${made.name} created. Copy its first key now: it is shown once.`);
    tenants.reload(true);
  });
  const tenant = tenants.data?.items.find((t) => t.tenant_id === tenantId);
  return (
    <Page title="Tenants" intro="Operator view: every tenant and its keys.">
      {created && (
        <div class="secret" role="status" data-testid="created-tenant">
          <p>
            <strong>Tenant “{created.name}”</strong> ({created.tenant_id}). Its first API key, shown once:
          </p>
          <code class="break">{created.api_key}</code>
        </div>
      )}
      <Card title="Add a tenant">
        <form class="inline-form" onSubmit={creating.submit} noValidate>
          <FormError error={creating.error} fields={["name"]} />
          <TextField label="Tenant name" name="tenant_name" value={name} onInput={setName} error={fieldError(creating.error, "name")} required />
          <button type="submit" class="primary" disabled={creating.busy || !name.trim()}>
            Add tenant
          </button>
        </form>
      </Card>
      {tenants.loading && <Loading />}
      <ErrorNote error={tenants.error} onRetry={() => tenants.reload()} />
      {tenants.data && tenants.data.items.length === 0 && <Empty title="No tenants yet">Add the first one above.</Empty>}
      {tenants.data && tenants.data.items.length > 0 && (
        <Card title="All tenants">
          <Table head={["Name", "Tenant id", "Created"]} label="Tenants">
            {tenants.data.items.map((t) => (
              <tr>
                <td>
                  <a href={`#/tenants/${enc(t.tenant_id)}`} aria-current={t.tenant_id === tenantId ? "page" : undefined}>
                    {t.name}
                  </a>
                </td>
                <td>
                  <code>{t.tenant_id}</code>
                </td>
                <td>
                  <Time iso={t.created_at} />
                </td>
              </tr>
            ))}
          </Table>
          <Pager hasPrevious={pages.hasPrevious} hasNext={Boolean(tenants.data.next)} onPrevious={pages.previous} onNext={() => pages.next(tenants.data.next)} />
        </Card>
      )}
      {tenantId && (
        <>
          <p>
            <button type="button" class="link" onClick={() => go("/tenants")}>
              ← Close {tenant ? tenant.name : tenantId}
            </button>
          </p>
          <KeyManager base={`/v1/admin/tenants/${enc(tenantId)}/api-keys`} title={`Keys of ${tenant ? tenant.name : tenantId}`} key={tenantId} />
        </>
      )}
    </Page>
  );
}
