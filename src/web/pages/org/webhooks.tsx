/**
 * Webhook endpoints of the active organisation (owners and admins): the list with each endpoint's state,
 * and the form that adds one (its signing secret is rendered once, in the POST's own response, never in
 * a URL or a redirect). Emails about an endpoint disabled after failures link here.
 */
import { Hono } from "hono";
import { serviceContext } from "../../../routes/context.ts";
import {
  createEndpoint,
  type EndpointView,
  listEndpoints,
  MAX_ENDPOINTS,
} from "../../../services/webhooks/endpoints.ts";
import type { AppEnv } from "../../../types.ts";
import { EmptyState } from "../../components.tsx";
import {
  loadViewer,
  type Membership,
  type PageFacts,
  pageFacts,
  requireVisitor,
  type UserPrincipal,
  type Viewer,
  type WebContext,
} from "../../context.ts";
import { attempt, readForm } from "../../forms.ts";
import { page } from "../../render.tsx";
import {
  accessError,
  formOrgId,
  formStatus,
  isAccessProblem,
  loadOrgPage,
  OrgIdField,
  OrgShell,
} from "./shell.tsx";
import {
  checkEndpointForm,
  EndpointErrors,
  EndpointFields,
  type EndpointForm,
  EndpointStatus,
  NEW_ENDPOINT,
  problemErrors,
  readEndpointForm,
  SigningSecret,
} from "./webhooks-shared.tsx";

export const webhookListPages = new Hono<AppEnv>();

function AddEndpointPanel(props: { org: Membership; form?: EndpointForm; full: boolean }) {
  const form = props.form ?? { values: NEW_ENDPOINT };
  return (
    <section class="panel" aria-labelledby="new-endpoint-title">
      <h2 id="new-endpoint-title">Add an endpoint</h2>
      <p class="muted small">
        Your systems hear about orders, quotes and messages as they happen: each event is POSTed to the URL,
        signed, and retried for about a day if it fails.
      </p>
      {props.full ? (
        <p class="alert alert-info">
          This organisation has {MAX_ENDPOINTS} endpoints, the most it may have. Delete one to add another.
        </p>
      ) : (
        <>
          <EndpointErrors form={props.form} />
          <form method="post" action="/org/webhooks" class="form form-wide" data-once>
            <OrgIdField orgId={props.org.orgId} />
            <EndpointFields form={form} />
            <div class="actions">
              <button class="btn btn-primary" type="submit">
                Add endpoint
              </button>
            </div>
          </form>
        </>
      )}
    </section>
  );
}

function EndpointsTable(props: { endpoints: EndpointView[]; facts: PageFacts }) {
  const { facts } = props;
  if (props.endpoints.length === 0) {
    return (
      <EmptyState title="No webhook endpoints yet">
        <p>Add one to send orders, quotes and messages to your ERP or procurement system as they happen.</p>
      </EmptyState>
    );
  }
  return (
    <div class="table-wrap">
      <table class="table stack-sm">
        <caption class="visually-hidden">Webhook endpoints, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Endpoint</th>
            <th scope="col" class="num">
              Events
            </th>
            <th scope="col">Status</th>
            <th scope="col" class="num">
              Last 24 h
            </th>
            <th scope="col">Created</th>
          </tr>
        </thead>
        <tbody>
          {props.endpoints.map((endpoint) => (
            <tr class={endpoint.enabled ? undefined : "inactive"}>
              <td data-label="Endpoint">
                <div class="endpoint-cell">
                  <a href={`/org/webhooks/${endpoint.id}`} class="mono endpoint-link">
                    {endpoint.url}
                  </a>
                  {endpoint.description && <div class="small muted">{endpoint.description}</div>}
                </div>
              </td>
              <td data-label="Events" class="num">
                {facts.fmt.number(endpoint.eventTypes.length)}
              </td>
              <td data-label="Status">
                <div>
                  <EndpointStatus endpoint={endpoint} facts={facts} />
                  <div class="small">
                    <a href={`/org/webhooks/${endpoint.id}`}>
                      Deliveries<span class="visually-hidden"> to {endpoint.url}</span>
                    </a>
                  </div>
                </div>
              </td>
              <td data-label="Last 24 h" class="num small">
                <div>{facts.fmt.number(endpoint.last24h.delivered)} delivered</div>
                {endpoint.last24h.failing > 0 && (
                  <div class="text-bad">{facts.fmt.number(endpoint.last24h.failing)} retrying</div>
                )}
                {endpoint.last24h.dead > 0 && (
                  <div class="text-bad">{facts.fmt.number(endpoint.last24h.dead)} gave up</div>
                )}
              </td>
              <td data-label="Created">
                <time datetime={endpoint.createdAt} title={facts.fmt.dateTime(endpoint.createdAt)}>
                  {facts.fmt.relative(endpoint.createdAt, facts.now)}
                </time>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

async function webhooksPage(
  c: WebContext,
  principal: UserPrincipal,
  options: { orgId?: string; form?: EndpointForm; created?: EndpointView & { secret: string } } = {},
) {
  const read = (orgId: string) => listEndpoints(serviceContext(c), principal, orgId);
  let loaded: { viewer: Viewer; org: Membership; data: EndpointView[] } | undefined;
  if (options.orgId) {
    const orgId = options.orgId;
    const [viewer, endpoints] = await Promise.all([loadViewer(c, principal), read(orgId)]);
    const org = viewer.me.memberships.find((m) => m.orgId === orgId);
    if (org) loaded = { viewer: { ...viewer, org }, org, data: endpoints };
  } else {
    loaded = await loadOrgPage(c, principal, read);
  }
  if (!loaded) return c.redirect("/org/new", 303);
  const facts = pageFacts(c);
  const status = options.form?.status;
  return page(
    c,
    loaded.viewer,
    {
      title: `Webhooks · ${loaded.org.orgName}`,
      noindex: true,
      facts,
      status: status ? formStatus(status) : 200,
      scripts: ["enhance.js"],
    },
    <OrgShell org={loaded.org} path="/org/webhooks">
      {options.created && (
        <SigningSecret
          secret={options.created.secret}
          title={`Signing secret of ${options.created.url}`}
          timeoutMs={c.var.config.WEBHOOK_TIMEOUT_MS}
          facts={facts}
        />
      )}
      <div class="stack">
        <section class="panel" aria-labelledby="endpoints-title">
          <h2 id="endpoints-title">Endpoints</h2>
          <EndpointsTable endpoints={loaded.data} facts={facts} />
        </section>
        <AddEndpointPanel
          org={loaded.org}
          form={options.form}
          full={loaded.data.length >= MAX_ENDPOINTS && !options.form}
        />
      </div>
    </OrgShell>,
  );
}

webhookListPages.get("/org/webhooks", async (c) => webhooksPage(c, await requireVisitor(c)));

webhookListPages.post("/org/webhooks", async (c) => {
  const principal = await requireVisitor(c);
  const form = await readForm(c);
  const orgId = formOrgId(form);
  const values = readEndpointForm(form);
  const checked = checkEndpointForm(values);
  if (!checked.ok) {
    return webhooksPage(c, principal, { orgId, form: { values, errors: checked.errors, status: 422 } });
  }
  const created = await attempt(
    () => createEndpoint(serviceContext(c), c.var.config, principal, orgId, checked.data),
    (problem) => {
      if (isAccessProblem(problem.status)) throw accessError(problem);
      return webhooksPage(c, principal, {
        orgId,
        form: {
          values,
          errors: problemErrors(problem.errors),
          message: problem.message,
          status: problem.status,
        },
      });
    },
  );
  if (created instanceof Response) return created;
  // The secret is in this response only: rendered directly (no redirect), never stored by any cache.
  const res = await webhooksPage(c, principal, { orgId, created });
  res.headers.set("Cache-Control", "no-store");
  return res;
});
