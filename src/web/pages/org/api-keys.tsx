/**
 * API keys of the active organisation (owners and admins): list, create (the secret is rendered once, in
 * the POST's own response, never in a URL or a redirect) and revoke.
 */
import { Hono } from "hono";
import { createApiKey as createApiKeyRoute } from "../../../routes/api-keys/api-keys.routes.ts";
import { serviceContext } from "../../../routes/context.ts";
import {
  type ApiKeyView,
  createApiKey,
  listApiKeys,
  revokeApiKey,
} from "../../../services/identity/api-keys.ts";
import { type ApiKeyScope, apiKeyScopes } from "../../../services/identity/principal.ts";
import type { AppEnv } from "../../../types.ts";
import { EmptyState, ErrorSummary, Field, type FieldErrors } from "../../components.tsx";
import {
  loadViewer,
  type Membership,
  pageFacts,
  redirectWith,
  requireVisitor,
  type UserPrincipal,
  type Viewer,
  type WebContext,
} from "../../context.ts";
import { attempt, field, readForm, zodErrors } from "../../forms.ts";
import { page } from "../../render.tsx";
import {
  accessError,
  formOrgId,
  formStatus,
  isAccessProblem,
  loadOrgPage,
  OrgIdField,
  OrgShell,
  uuidParam,
} from "./shell.tsx";

export const apiKeyPages = new Hono<AppEnv>();

const apiKeyBody = createApiKeyRoute.request.body.content["application/json"].schema;

const SCOPE_HINTS: Record<ApiKeyScope, string> = {
  "org:read": "See the organisation",
  "org:write": "Edit the organisation's details",
  "members:read": "See the members",
  "listings:read": "See listings, drafts included",
  "listings:write": "Create, edit and submit listings; upload files",
  "orders:read": "See carts, orders and invoices",
  "orders:write": "Check out, and act on orders received",
};

const EXPIRIES = [
  ["30", "30 days"],
  ["90", "90 days"],
  ["180", "180 days"],
  ["365", "1 year"],
  ["730", "2 years"],
  ["", "Never"],
] as const;

interface KeyForm {
  values: { name: string; scopes: string[]; expiresInDays: string };
  errors?: FieldErrors;
  message?: string;
  status?: number;
}

function CreateKeyPanel(props: { org: Membership; form?: KeyForm }) {
  const values = props.form?.values ?? { name: "", scopes: ["orders:read"], expiresInDays: "90" };
  const errors = props.form?.errors;
  const scopeError = errors?.scopes;
  return (
    <section class="panel" aria-labelledby="new-key-title">
      <h2 id="new-key-title">Create an API key</h2>
      <p class="muted small">
        For your own systems (ERP, procurement tools). A key acts for this organisation, within its scopes.
      </p>
      <ErrorSummary
        message={props.form?.message}
        errors={errors}
        labels={{ name: "Name", scopes: "Scopes", expiresInDays: "Expires" }}
      />
      <form method="post" action="/org/api-keys" class="form" data-once>
        <OrgIdField orgId={props.org.orgId} />
        <Field
          name="name"
          label="Name"
          required
          maxlength={100}
          hint="What uses it, e.g. “ERP order sync”."
          value={values.name}
          errors={errors}
        />
        <fieldset
          class={scopeError ? "field field-invalid scope-list" : "field scope-list"}
          aria-describedby={scopeError ? "f-scopes-error" : undefined}
        >
          <legend>Scopes</legend>
          {apiKeyScopes.map((scope, index) => (
            <label class="checkbox" for={index === 0 ? "f-scopes" : `f-scopes-${scope.replace(":", "-")}`}>
              <input
                type="checkbox"
                name="scopes"
                id={index === 0 ? "f-scopes" : `f-scopes-${scope.replace(":", "-")}`}
                value={scope}
                checked={values.scopes.includes(scope)}
              />
              <span>
                <code>{scope}</code> <span class="muted small">{SCOPE_HINTS[scope]}</span>
              </span>
            </label>
          ))}
          {scopeError && (
            <span class="error" id="f-scopes-error">
              {scopeError}
            </span>
          )}
        </fieldset>
        <Field
          name="expiresInDays"
          label="Expires after"
          required
          options={EXPIRIES}
          value={values.expiresInDays}
          errors={errors}
        />
        <div class="actions">
          <button class="btn btn-primary" type="submit">
            Create key
          </button>
        </div>
      </form>
    </section>
  );
}

function KeysTable(props: { c: WebContext; org: Membership; keys: ApiKeyView[] }) {
  const { fmt, now } = pageFacts(props.c);
  if (props.keys.length === 0) {
    return (
      <EmptyState title="No API keys yet">
        <p>Create one to connect your ERP or procurement system to the marketplace.</p>
      </EmptyState>
    );
  }
  return (
    <div class="table-wrap">
      <table class="table stack-sm">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Scopes</th>
            <th scope="col">Created</th>
            <th scope="col">Last used</th>
            <th scope="col">Expires</th>
            <th scope="col">
              <span class="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {props.keys.map((key) => {
            const expired = key.expiresAt !== null && Date.parse(key.expiresAt) <= now;
            return (
              <tr class={key.revokedAt || expired ? "inactive" : undefined}>
                <td data-label="Name">
                  <div>
                    <strong>{key.name}</strong>
                    <div class="mono small muted">{key.prefix}…</div>
                  </div>
                </td>
                <td data-label="Scopes">
                  <ul class="tag-list">
                    {key.scopes.map((scope) => (
                      <li>
                        <code>{scope}</code>
                      </li>
                    ))}
                  </ul>
                </td>
                <td data-label="Created">
                  <time datetime={key.createdAt} title={fmt.dateTime(key.createdAt)}>
                    {fmt.relative(key.createdAt, now)}
                  </time>
                </td>
                <td data-label="Last used">
                  {key.lastUsedAt ? (
                    <time datetime={key.lastUsedAt} title={fmt.dateTime(key.lastUsedAt)}>
                      {fmt.relative(key.lastUsedAt, now)}
                    </time>
                  ) : (
                    <span class="muted">Never</span>
                  )}
                </td>
                <td data-label="Expires">
                  {key.expiresAt ? (
                    <time datetime={key.expiresAt}>{fmt.date(key.expiresAt)}</time>
                  ) : (
                    <span class="muted">Never</span>
                  )}
                </td>
                <td data-label="Status" class="row-actions">
                  {key.revokedAt ? (
                    <span class="badge badge-bad">Revoked</span>
                  ) : expired ? (
                    <span class="badge badge-bad">Expired</span>
                  ) : (
                    <form method="post" action={`/org/api-keys/${key.id}/revoke`} data-once>
                      <OrgIdField orgId={props.org.orgId} />
                      <button
                        class="btn btn-small btn-danger"
                        type="submit"
                        aria-label={`Revoke ${key.name}`}
                      >
                        Revoke
                      </button>
                    </form>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function NewSecret(props: { created: ApiKeyView & { key: string } }) {
  return (
    <section class="panel secret-panel" aria-labelledby="secret-title">
      <h2 id="secret-title">Your new key “{props.created.name}”</h2>
      <div class="alert alert-warn">
        <strong>Copy it now, it will not be shown again.</strong> Store it in your system's secret store. If
        it is lost, revoke it and create another.
      </div>
      <label class="label" for="new-secret">
        Secret key
      </label>
      <textarea id="new-secret" class="secret" readonly rows={2} spellcheck={false} autocomplete="off">
        {props.created.key}
      </textarea>
      <p class="small muted">
        Send it as <code>Authorization: Bearer &lt;key&gt;</code>. Scopes:{" "}
        {props.created.scopes.map((scope) => (
          <code class="scope">{scope}</code>
        ))}
      </p>
    </section>
  );
}

async function apiKeysPage(
  c: WebContext,
  principal: UserPrincipal,
  options: {
    orgId?: string;
    form?: KeyForm;
    problem?: { message: string; status: number };
    created?: ApiKeyView & { key: string };
  } = {},
) {
  const read = (orgId: string) => listApiKeys(serviceContext(c), principal, orgId);
  let loaded: { viewer: Viewer; org: Membership; data: ApiKeyView[] } | undefined;
  if (options.orgId) {
    const orgId = options.orgId;
    const [viewer, keys] = await Promise.all([loadViewer(c, principal), read(orgId)]);
    const org = viewer.me.memberships.find((m) => m.orgId === orgId);
    if (org) loaded = { viewer: { ...viewer, org }, org, data: keys };
  } else {
    loaded = await loadOrgPage(c, principal, read);
  }
  if (!loaded) return c.redirect("/org/new", 303);
  const status = options.form?.status ?? options.problem?.status;
  return page(
    c,
    loaded.viewer,
    { title: `API keys · ${loaded.org.orgName}`, noindex: true, status: status ? formStatus(status) : 200 },
    <OrgShell org={loaded.org} path="/org/api-keys">
      {options.problem && (
        <div class="alert alert-error" role="alert">
          {options.problem.message}
        </div>
      )}
      {options.created && <NewSecret created={options.created} />}
      <div class="columns columns-reverse">
        <section class="panel" aria-labelledby="keys-title">
          <h2 id="keys-title">Keys</h2>
          <KeysTable c={c} org={loaded.org} keys={loaded.data} />
        </section>
        <CreateKeyPanel org={loaded.org} form={options.form} />
      </div>
    </OrgShell>,
  );
}

apiKeyPages.get("/org/api-keys", async (c) => apiKeysPage(c, await requireVisitor(c)));

apiKeyPages.post("/org/api-keys", async (c) => {
  const principal = await requireVisitor(c);
  const form = await readForm(c);
  const orgId = formOrgId(form);
  const values = {
    name: field(form, "name"),
    scopes: form.getAll("scopes").slice(0, 20),
    expiresInDays: field(form, "expiresInDays"),
  };
  const parsed = apiKeyBody.safeParse({
    name: values.name,
    scopes: values.scopes,
    expiresInDays: values.expiresInDays ? Number(values.expiresInDays) : undefined,
  });
  if (!parsed.success) {
    const errors = zodErrors(parsed.error);
    // "scopes.0" and friends are one field on the page.
    for (const key of Object.keys(errors))
      if (key.startsWith("scopes.")) errors.scopes ??= "is not a known scope";
    if (values.scopes.length === 0) errors.scopes = "Choose at least one scope.";
    return apiKeysPage(c, principal, { orgId, form: { values, errors, status: 422 } });
  }
  const created = await attempt(
    () => createApiKey(serviceContext(c), principal, orgId, parsed.data),
    (problem) => {
      if (isAccessProblem(problem.status)) throw accessError(problem);
      return apiKeysPage(c, principal, {
        orgId,
        form: { values, errors: problem.errors, message: problem.message, status: problem.status },
      });
    },
  );
  if (created instanceof Response) return created;
  // The secret is in this response only: rendered directly (no redirect), never stored by any cache.
  const res = await apiKeysPage(c, principal, { orgId, created });
  res.headers.set("Cache-Control", "no-store");
  return res;
});

apiKeyPages.post("/org/api-keys/:keyId/revoke", async (c) => {
  const principal = await requireVisitor(c);
  const keyId = uuidParam(c.req.param("keyId"), "API key");
  const orgId = formOrgId(await readForm(c));
  const done = await attempt(
    () => revokeApiKey(serviceContext(c), principal, orgId, keyId),
    (problem) => {
      if (isAccessProblem(problem.status)) throw accessError(problem);
      return apiKeysPage(c, principal, { orgId, problem });
    },
  );
  if (done instanceof Response) return done;
  return redirectWith(c, "/org/api-keys", "key-revoked");
});
