/** Creating an organisation (/org/new, where sign-up lands) and its overview with the details form (/org). */
import { Hono } from "hono";
import { serviceContext } from "../../../routes/context.ts";
import { createOrg, getOrg, type OrgView, updateOrg } from "../../../services/identity/orgs.ts";
import type { AppEnv } from "../../../types.ts";
import { type FieldErrors, PageHead } from "../../components.tsx";
import {
  loadViewer,
  pageFacts,
  redirectWith,
  requireVisitor,
  setPreferredOrg,
  type Viewer,
  type WebContext,
} from "../../context.ts";
import { countryName } from "../../format.ts";
import { attempt, readForm } from "../../forms.ts";
import { page } from "../../render.tsx";
import { emptyOrg, OrgFields, type OrgValues, orgValues, parseOrg } from "./details.tsx";
import {
  accessError,
  can,
  formOrgId,
  formStatus,
  isAccessProblem,
  KIND_LABELS,
  loadOrgPage,
  OrgIdField,
  OrgShell,
  roleLabel,
} from "./shell.tsx";

export const overviewPages = new Hono<AppEnv>();

function NewOrgPage(props: { viewer: Viewer; values: OrgValues; errors?: FieldErrors; message?: string }) {
  const first = props.viewer.me.memberships.length === 0;
  return (
    <div class="org-new">
      <PageHead
        title={first ? `Welcome, ${props.viewer.me.name}` : "New organisation"}
        subtitle={
          first
            ? "Create your company's organisation to start buying or selling, or ask a colleague to invite you."
            : "Each organisation has its own members, orders, listings and invoices."
        }
      />
      <div class="columns">
        <section class="panel" aria-labelledby="new-org-title">
          <h2 id="new-org-title">Create an organisation</h2>
          {props.message && (
            <div class="alert alert-error" role="alert">
              {props.message}
            </div>
          )}
          <form method="post" action="/org/new" class="form" data-once>
            <OrgFields values={props.values} errors={props.errors} />
            <div class="actions">
              <button class="btn btn-primary btn-large" type="submit">
                Create organisation
              </button>
            </div>
          </form>
        </section>
        <aside class="stack">
          <section class="panel" aria-labelledby="join-title">
            <h2 id="join-title">Joining your company?</h2>
            <p>
              If your company already trades here, ask one of its owners or admins to invite{" "}
              <strong>{props.viewer.me.email}</strong>. The invitation arrives by email; open its link while
              signed in to join.
            </p>
          </section>
          <section class="panel" aria-labelledby="next-title">
            <h2 id="next-title">What happens next</h2>
            <ol class="steps">
              <li>You become the organisation's owner.</li>
              <li>Invite colleagues and give each a role: buyer, seller, approver or viewer.</li>
              <li>Set spending limits so larger orders wait for an approver.</li>
            </ol>
          </section>
        </aside>
      </div>
    </div>
  );
}

overviewPages.get("/org/new", async (c) => {
  const principal = await requireVisitor(c);
  const viewer = await loadViewer(c, principal);
  return page(
    c,
    viewer,
    { title: "New organisation", noindex: true },
    <NewOrgPage viewer={viewer} values={emptyOrg} />,
  );
});

overviewPages.post("/org/new", async (c) => {
  const principal = await requireVisitor(c);
  const values = orgValues(await readForm(c));
  const shown = async (errors: FieldErrors, status: number, message?: string) => {
    const viewer = await loadViewer(c, principal);
    return page(
      c,
      viewer,
      { title: "New organisation", noindex: true, status: formStatus(status) },
      <NewOrgPage viewer={viewer} values={values} errors={errors} message={message} />,
    );
  };
  const parsed = parseOrg(values);
  if (!parsed.ok) return shown(parsed.errors, 422);
  const org = await attempt(
    () => createOrg(serviceContext(c), principal, parsed.value),
    ({ message, errors, status }) => shown(errors, status, message),
  );
  if (org instanceof Response) return org;
  setPreferredOrg(c, org.id);
  return redirectWith(c, "/org", "org-created");
});

function Overview(props: {
  c: WebContext;
  org: OrgView;
  orgId: string;
  values?: OrgValues;
  errors?: FieldErrors;
  message?: string;
}) {
  const { org } = props;
  const { fmt, now } = pageFacts(props.c);
  const editable = can({ role: org.role ?? "viewer" }, "org:manage");
  const values: OrgValues = props.values ?? {
    name: org.name,
    kind: org.kind,
    country: org.country ?? "",
    legalName: org.legalName ?? "",
    taxId: org.taxId ?? "",
    website: org.website ?? "",
  };
  return (
    <div class="columns org-overview">
      <section class="panel" aria-labelledby="details-title">
        <h2 id="details-title">Details</h2>
        <dl class="kv">
          <dt>Name</dt>
          <dd>{org.name}</dd>
          <dt>Trades as</dt>
          <dd>{KIND_LABELS[org.kind]}</dd>
          <dt>Country</dt>
          <dd>{countryName(org.country) ?? <span class="muted">Not set</span>}</dd>
          <dt>Legal name</dt>
          <dd>{org.legalName ?? <span class="muted">Not set</span>}</dd>
          <dt>VAT or tax number</dt>
          <dd>{org.taxId ?? <span class="muted">Not set</span>}</dd>
          <dt>Website</dt>
          <dd>{org.website ?? <span class="muted">Not set</span>}</dd>
          <dt>Your role</dt>
          <dd>{roleLabel(org.role ?? "")}</dd>
          <dt>Created</dt>
          <dd>
            <time datetime={org.createdAt} title={fmt.dateTime(org.createdAt)}>
              {fmt.relative(org.createdAt, now)}
            </time>
          </dd>
        </dl>
      </section>
      {editable ? (
        <section class="panel" aria-labelledby="edit-title">
          <h2 id="edit-title">Edit details</h2>
          {props.message && (
            <div class="alert alert-error" role="alert">
              {props.message}
            </div>
          )}
          <form method="post" action="/org" class="form" data-once>
            <OrgIdField orgId={props.orgId} />
            <OrgFields values={values} errors={props.errors} />
            <div class="actions">
              <button class="btn btn-primary" type="submit">
                Save details
              </button>
            </div>
          </form>
        </section>
      ) : (
        <aside class="panel">
          <h2>Changing these details</h2>
          <p class="muted">Owners and admins of {org.name} can edit its details.</p>
        </aside>
      )}
    </div>
  );
}

overviewPages.get("/org", async (c) => {
  const principal = await requireVisitor(c);
  const loaded = await loadOrgPage(c, principal, (orgId) => getOrg(serviceContext(c), principal, orgId));
  if (!loaded) return c.redirect("/org/new", 303);
  return page(
    c,
    loaded.viewer,
    { title: loaded.org.orgName, noindex: true },
    <OrgShell org={loaded.org} path="/org">
      <Overview c={c} org={loaded.data} orgId={loaded.org.orgId} />
    </OrgShell>,
  );
});

overviewPages.post("/org", async (c) => {
  const principal = await requireVisitor(c);
  const form = await readForm(c);
  const orgId = formOrgId(form);
  const values = orgValues(form);
  const shown = async (errors: FieldErrors, status: number, message?: string) => {
    const [viewer, org] = await Promise.all([
      loadViewer(c, principal),
      getOrg(serviceContext(c), principal, orgId),
    ]);
    const membership = viewer.me.memberships.find((m) => m.orgId === orgId) ?? viewer.org;
    if (!membership) return c.redirect("/org/new", 303);
    return page(
      c,
      { ...viewer, org: membership },
      { title: org.name, noindex: true, status: formStatus(status) },
      <OrgShell org={membership} path="/org">
        <Overview c={c} org={org} orgId={orgId} values={values} errors={errors} message={message} />
      </OrgShell>,
    );
  };
  const parsed = parseOrg(values);
  if (!parsed.ok) return shown(parsed.errors, 422);
  const updated = await attempt(
    () => updateOrg(serviceContext(c), principal, orgId, parsed.value),
    (problem) => {
      if (isAccessProblem(problem.status)) throw accessError(problem);
      return shown(problem.errors, problem.status, problem.message);
    },
  );
  if (updated instanceof Response) return updated;
  return redirectWith(c, "/org", "org-saved");
});
