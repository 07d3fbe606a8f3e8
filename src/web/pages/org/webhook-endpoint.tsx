/**
 * One webhook endpoint (owners and admins): its state and last day in figures, the delivery log (newest
 * first, by status, keyset pages), the edit form (the version rides in the form), enable/disable, secret
 * rotation (the new secret rendered once, in the POST's own response) and deletion.
 */
import { Hono } from "hono";
import { serviceContext } from "../../../routes/context.ts";
import {
  type DeliveryView,
  deleteEndpoint,
  type EndpointView,
  getEndpoint,
  listDeliveries,
  pingEndpoint,
  rotateSecret,
  updateEndpoint,
} from "../../../services/webhooks/endpoints.ts";
import type { AppEnv } from "../../../types.ts";
import { Breadcrumbs, EmptyState, ErrorSummary, Field, type FieldErrors } from "../../components.tsx";
import {
  loadViewer,
  type PageFacts,
  pageFacts,
  redirectWith,
  requireVisitor,
  type UserPrincipal,
  type WebContext,
} from "../../context.ts";
import { attempt, field, intField, readForm } from "../../forms.ts";
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
import {
  checkEndpointForm,
  DELIVERY_STATUSES,
  DeliveryStatus,
  deliveryStatusLabel,
  EndpointErrors,
  EndpointFields,
  type EndpointForm,
  EndpointStatus,
  problemErrors,
  readEndpointForm,
  SigningSecret,
  valuesOf,
} from "./webhooks-shared.tsx";

export const webhookEndpointPages = new Hono<AppEnv>();

const PAGE_SIZE = 20;
const OVERLAPS = [
  ["0", "None: the current secret stops signing now"],
  ["24", "24 hours"],
  ["72", "3 days"],
  ["168", "7 days"],
] as const;

type Status = DeliveryView["status"];

function statusOf(value: string | undefined): Status | undefined {
  return DELIVERY_STATUSES.find((status) => status === value);
}

interface DetailState {
  orgId?: string;
  /** The edit form as typed, and the version it was opened at (undefined: the current one). */
  edit?: EndpointForm & { version?: number };
  rotation?: { overlapHours: string; errors?: FieldErrors; message?: string; status?: number };
  problem?: { message: string; status: number };
  rotated?: { secret: string; previousUntil: string | null };
}

function Figures(props: { endpoint: Awaited<ReturnType<typeof getEndpoint>>; facts: PageFacts }) {
  const { last24h } = props.endpoint;
  const { fmt } = props.facts;
  return (
    <div class="stat-row delivery-figures">
      <div class="stat">
        <span class="stat-label">Delivered, last 24 h</span>
        <span class="stat-value">{fmt.number(last24h.delivered)}</span>
      </div>
      <div class="stat">
        <span class="stat-label">Failing, last 24 h</span>
        <span class={last24h.failing > 0 ? "stat-value text-bad" : "stat-value"}>
          {fmt.number(last24h.failing)}
        </span>
      </div>
      <div class="stat">
        <span class="stat-label">Gave up, last 24 h</span>
        <span class={last24h.dead > 0 ? "stat-value text-bad" : "stat-value"}>
          {fmt.number(last24h.dead)}
        </span>
      </div>
    </div>
  );
}

function StatePanel(props: {
  endpoint: Awaited<ReturnType<typeof getEndpoint>>;
  orgId: string;
  facts: PageFacts;
}) {
  const { endpoint, facts } = props;
  const [current, previous] = endpoint.secrets;
  return (
    <section class="panel" aria-labelledby="state-title">
      <div class="panel-title">
        <h2 id="state-title">State</h2>
        <form method="post" action={`/org/webhooks/${endpoint.id}/enabled`} data-once>
          <OrgIdField orgId={props.orgId} />
          <input type="hidden" name="enabled" value={endpoint.enabled ? "false" : "true"} />
          <button class={endpoint.enabled ? "btn btn-small" : "btn btn-small btn-primary"} type="submit">
            {endpoint.enabled ? "Disable" : endpoint.disabledReason === "failing" ? "Enable again" : "Enable"}
          </button>
        </form>
      </div>
      <dl class="kv">
        <dt>Status</dt>
        <dd>
          <EndpointStatus endpoint={endpoint} facts={facts} />
        </dd>
        {endpoint.disabledReason === "failing" && (
          <>
            <dt>Why</dt>
            <dd>
              Every delivery failed for a day, so it was disabled and the owners were emailed. Fix the
              receiver, then enable it again: the failure count restarts, and you can redeliver what it missed
              from the log.
            </dd>
          </>
        )}
        {endpoint.enabled && endpoint.consecutiveFailures > 0 && (
          <>
            <dt>Failures in a row</dt>
            <dd>{facts.fmt.number(endpoint.consecutiveFailures)}</dd>
          </>
        )}
        <dt>Signing</dt>
        <dd>
          {current ? (
            <>
              Secret made <time datetime={current.createdAt}>{facts.fmt.dateTime(current.createdAt)}</time>
              {previous?.expiresAt && (
                <>
                  ; the previous one signs too until{" "}
                  <time datetime={previous.expiresAt}>{facts.fmt.dateTime(previous.expiresAt)}</time>
                </>
              )}
            </>
          ) : (
            <span class="text-bad">No secret: rotate to make one</span>
          )}
        </dd>
        <dt>Created</dt>
        <dd>
          <time datetime={endpoint.createdAt} title={facts.fmt.dateTime(endpoint.createdAt)}>
            {facts.fmt.relative(endpoint.createdAt, facts.now)}
          </time>
        </dd>
      </dl>
      {endpoint.enabled && (
        <form method="post" action={`/org/webhooks/${endpoint.id}/ping`} data-once>
          <OrgIdField orgId={props.orgId} />
          <button class="btn btn-small" type="submit">
            Send a test event
          </button>
          <p class="small muted">A signed webhook.ping to this endpoint only; it shows in the log below.</p>
        </form>
      )}
    </section>
  );
}

function DeliveryLog(props: {
  endpointId: string;
  deliveries: DeliveryView[];
  nextCursor: string | null;
  status: Status | undefined;
  cursor: string | undefined;
  facts: PageFacts;
}) {
  const { facts, endpointId, status } = props;
  const base = `/org/webhooks/${endpointId}`;
  const query = (extra: Record<string, string>) =>
    `${base}?${new URLSearchParams({ ...(status ? { status } : {}), ...extra })}#deliveries-title`;
  return (
    <section class="panel" aria-labelledby="deliveries-title">
      <h2 id="deliveries-title">Deliveries</h2>
      <form method="get" action={base} class="toolbar" data-autosubmit>
        <label for="status-filter">Status</label>
        <select id="status-filter" name="status">
          <option value="" selected={!status}>
            All statuses
          </option>
          {DELIVERY_STATUSES.map((value) => (
            <option value={value} selected={status === value}>
              {deliveryStatusLabel(value)}
            </option>
          ))}
        </select>
        <button class="btn btn-small" type="submit" data-autosubmit-hide>
          Filter
        </button>
      </form>
      {props.deliveries.length === 0 ? (
        status || props.cursor ? (
          <EmptyState title="No deliveries match">
            <p>
              <a href={base}>Show all deliveries</a>
            </p>
          </EmptyState>
        ) : (
          <EmptyState title="No deliveries yet">
            <p>Events this endpoint listens to appear here as they are sent.</p>
          </EmptyState>
        )
      ) : (
        <div class="table-wrap">
          <table class="table stack-sm">
            <caption class="visually-hidden">Deliveries, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Event</th>
                <th scope="col">Status</th>
                <th scope="col" class="num">
                  Attempts
                </th>
                <th scope="col" class="num">
                  Last answer
                </th>
                <th scope="col" class="num">
                  Took
                </th>
                <th scope="col">Last error</th>
                <th scope="col">Next retry</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {props.deliveries.map((delivery) => (
                <tr>
                  <td data-label="Event">
                    <a href={`${base}/deliveries/${delivery.id}`}>
                      <code>{delivery.eventType}</code>
                    </a>
                  </td>
                  <td data-label="Status">
                    <DeliveryStatus status={delivery.status} />
                  </td>
                  <td data-label="Attempts" class="num">
                    {facts.fmt.number(delivery.attempts)}
                  </td>
                  <td data-label="Last answer" class="num">
                    {delivery.lastStatusCode ?? <span class="muted">None</span>}
                  </td>
                  <td data-label="Took" class="num">
                    {delivery.lastDurationMs === null ? (
                      <span class="muted">–</span>
                    ) : (
                      `${facts.fmt.number(delivery.lastDurationMs)} ms`
                    )}
                  </td>
                  <td data-label="Last error" class="delivery-error">
                    {delivery.lastError ?? <span class="muted">None</span>}
                  </td>
                  <td data-label="Next retry">
                    {delivery.nextAttemptAt &&
                    (delivery.status === "pending" || delivery.status === "failed") ? (
                      <time
                        datetime={delivery.nextAttemptAt}
                        title={facts.fmt.dateTime(delivery.nextAttemptAt)}
                      >
                        {facts.fmt.relative(delivery.nextAttemptAt, facts.now)}
                      </time>
                    ) : (
                      <span class="muted">–</span>
                    )}
                  </td>
                  <td data-label="Created">
                    <time datetime={delivery.createdAt} title={facts.fmt.dateTime(delivery.createdAt)}>
                      {facts.fmt.relative(delivery.createdAt, facts.now)}
                    </time>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {(props.nextCursor || props.cursor) && (
        <nav class="pagination" aria-label="Older and newer deliveries">
          {props.cursor ? <a href={query({})}>← Newest</a> : <span />}
          {props.nextCursor && (
            <a class="btn" href={query({ cursor: props.nextCursor })}>
              Older deliveries →
            </a>
          )}
        </nav>
      )}
    </section>
  );
}

function EditPanel(props: { endpoint: EndpointView; orgId: string; form?: DetailState["edit"] }) {
  const form = props.form ?? { values: valuesOf(props.endpoint) };
  return (
    <section class="panel" aria-labelledby="edit-title">
      <h2 id="edit-title">Settings</h2>
      <EndpointErrors form={props.form} />
      <form method="post" action={`/org/webhooks/${props.endpoint.id}`} class="form form-wide" data-once>
        <OrgIdField orgId={props.orgId} />
        <input type="hidden" name="version" value={String(form.version ?? props.endpoint.version)} />
        <EndpointFields form={form} />
        <div class="actions">
          <button class="btn btn-primary" type="submit">
            Save settings
          </button>
        </div>
      </form>
    </section>
  );
}

function RotatePanel(props: { endpointId: string; orgId: string; rotation?: DetailState["rotation"] }) {
  const errors = props.rotation?.errors;
  return (
    <section class="panel" aria-labelledby="rotate-title">
      <h2 id="rotate-title">Rotate the signing secret</h2>
      <p class="small muted">
        A new secret is shown once. The current one can keep signing for a while, so your receiver can switch
        without missing a delivery.
      </p>
      <ErrorSummary message={props.rotation?.message} errors={errors} labels={{ overlapHours: "Overlap" }} />
      <form method="post" action={`/org/webhooks/${props.endpointId}/secret`} class="form" data-once>
        <OrgIdField orgId={props.orgId} />
        <Field
          name="overlapHours"
          label="Current secret keeps signing for"
          required
          options={OVERLAPS}
          value={props.rotation?.overlapHours ?? "24"}
          errors={errors}
        />
        <div class="actions">
          <button class="btn" type="submit">
            Rotate secret
          </button>
        </div>
      </form>
    </section>
  );
}

function DeletePanel(props: { endpointId: string; orgId: string }) {
  return (
    <section class="panel" aria-labelledby="delete-title">
      <h2 id="delete-title">Delete</h2>
      <details class="more-fields">
        <summary>Delete this endpoint…</summary>
        <p class="small">
          Its secrets and its delivery log go with it, and no more events are sent. This cannot be undone; to
          pause deliveries, disable it instead.
        </p>
        <form method="post" action={`/org/webhooks/${props.endpointId}/delete`} data-once>
          <OrgIdField orgId={props.orgId} />
          <button class="btn btn-danger" type="submit">
            Delete endpoint permanently
          </button>
        </form>
      </details>
    </section>
  );
}

async function endpointPage(c: WebContext, principal: UserPrincipal, id: string, state: DetailState = {}) {
  const ctx = serviceContext(c);
  const status = statusOf(c.req.query("status"));
  const cursor = c.req.query("cursor")?.slice(0, 512) || undefined;
  const read = (orgId: string) =>
    Promise.all([
      getEndpoint(ctx, principal, orgId, id),
      listDeliveries(ctx, principal, orgId, id, { status, cursor, limit: PAGE_SIZE }),
    ]);
  let loaded: Awaited<ReturnType<typeof loadOrgPage<Awaited<ReturnType<typeof read>>>>>;
  if (state.orgId) {
    const orgId = state.orgId;
    const [viewer, data] = await Promise.all([loadViewer(c, principal), read(orgId)]);
    const org = viewer.me.memberships.find((m) => m.orgId === orgId);
    loaded = org ? { viewer: { ...viewer, org }, org, data } : undefined;
  } else {
    loaded = await loadOrgPage(c, principal, read);
  }
  if (!loaded) return c.redirect("/org/new", 303);
  const { org } = loaded;
  const [endpoint, log] = loaded.data;
  const facts = pageFacts(c);
  const problemStatus = state.edit?.status ?? state.rotation?.status ?? state.problem?.status;
  return page(
    c,
    loaded.viewer,
    {
      title: `Webhook ${endpoint.url} · ${org.orgName}`,
      noindex: true,
      facts,
      status: problemStatus ? formStatus(problemStatus) : 200,
      scripts: ["enhance.js"],
    },
    <OrgShell org={org} path="/org/webhooks">
      <Breadcrumbs
        items={[
          ["Webhooks", "/org/webhooks"],
          [endpoint.description || endpoint.url, undefined],
        ]}
      />
      <p class="mono endpoint-url">{endpoint.url}</p>
      {state.problem && (
        <div class="alert alert-error" role="alert">
          {state.problem.message}
        </div>
      )}
      {state.rotated && (
        <SigningSecret
          secret={state.rotated.secret}
          title="New signing secret"
          timeoutMs={c.var.config.WEBHOOK_TIMEOUT_MS}
          previousUntil={state.rotated.previousUntil}
          facts={facts}
        />
      )}
      <div class="stack">
        <div class="columns webhook-columns">
          <Figures endpoint={endpoint} facts={facts} />
          <StatePanel endpoint={endpoint} orgId={org.orgId} facts={facts} />
        </div>
        <DeliveryLog
          endpointId={endpoint.id}
          deliveries={log.deliveries}
          nextCursor={log.nextCursor}
          status={status}
          cursor={cursor}
          facts={facts}
        />
        <div class="columns webhook-columns">
          <EditPanel endpoint={endpoint} orgId={org.orgId} form={state.edit} />
          <div class="stack">
            <RotatePanel endpointId={endpoint.id} orgId={org.orgId} rotation={state.rotation} />
            <DeletePanel endpointId={endpoint.id} orgId={org.orgId} />
          </div>
        </div>
      </div>
    </OrgShell>,
  );
}

const endpointIdOf = (c: WebContext) => uuidParam(c.req.param("endpointId"), "Webhook endpoint");

webhookEndpointPages.get("/org/webhooks/:endpointId", async (c) =>
  endpointPage(c, await requireVisitor(c), endpointIdOf(c)),
);

webhookEndpointPages.post("/org/webhooks/:endpointId", async (c) => {
  const principal = await requireVisitor(c);
  const id = endpointIdOf(c);
  const form = await readForm(c);
  const orgId = formOrgId(form);
  const version = intField(form, "version");
  const values = readEndpointForm(form);
  const checked = checkEndpointForm(values);
  if (!checked.ok) {
    return endpointPage(c, principal, id, {
      orgId,
      edit: { values, version, errors: checked.errors, status: 422 },
    });
  }
  const saved = await attempt(
    () => updateEndpoint(serviceContext(c), c.var.config, principal, orgId, id, checked.data, version),
    (problem) => {
      if (isAccessProblem(problem.status)) throw accessError(problem);
      const conflict = problem.status === 412;
      return endpointPage(c, principal, id, {
        orgId,
        edit: {
          values,
          // After a conflict the form carries the current version: saving again replaces what is saved.
          version: conflict ? undefined : version,
          errors: problemErrors(problem.errors),
          message: conflict
            ? "Someone changed this endpoint since you opened the page. What you typed is still in the form; save again to replace their change."
            : problem.message,
          status: problem.status,
        },
      });
    },
  );
  if (saved instanceof Response) return saved;
  return redirectWith(c, `/org/webhooks/${id}`, "webhook-saved");
});

webhookEndpointPages.post("/org/webhooks/:endpointId/enabled", async (c) => {
  const principal = await requireVisitor(c);
  const id = endpointIdOf(c);
  const form = await readForm(c);
  const orgId = formOrgId(form);
  const enabled = field(form, "enabled") === "true";
  const saved = await attempt(
    () => updateEndpoint(serviceContext(c), c.var.config, principal, orgId, id, { enabled }),
    (problem) => {
      if (isAccessProblem(problem.status)) throw accessError(problem);
      return endpointPage(c, principal, id, { orgId, problem });
    },
  );
  if (saved instanceof Response) return saved;
  return redirectWith(c, `/org/webhooks/${id}`, enabled ? "webhook-enabled" : "webhook-disabled");
});

webhookEndpointPages.post("/org/webhooks/:endpointId/ping", async (c) => {
  const principal = await requireVisitor(c);
  const id = endpointIdOf(c);
  const orgId = formOrgId(await readForm(c));
  const sent = await attempt(
    () => pingEndpoint(serviceContext(c), c.env.DELIVERY, principal, orgId, id),
    (problem) => {
      if (isAccessProblem(problem.status)) throw accessError(problem);
      return endpointPage(c, principal, id, { orgId, problem });
    },
  );
  if (sent instanceof Response) return sent;
  return redirectWith(c, `/org/webhooks/${id}`, "webhook-ping-queued");
});

webhookEndpointPages.post("/org/webhooks/:endpointId/secret", async (c) => {
  const principal = await requireVisitor(c);
  const id = endpointIdOf(c);
  const form = await readForm(c);
  const orgId = formOrgId(form);
  const overlapHours = field(form, "overlapHours");
  if (!OVERLAPS.some(([value]) => value === overlapHours)) {
    return endpointPage(c, principal, id, {
      orgId,
      rotation: {
        overlapHours,
        errors: { overlapHours: "Choose one of the overlaps offered." },
        status: 422,
      },
    });
  }
  const hours = Number(overlapHours);
  const rotated = await attempt(
    () => rotateSecret(serviceContext(c), c.var.config, principal, orgId, id, hours),
    (problem) => {
      if (isAccessProblem(problem.status)) throw accessError(problem);
      return endpointPage(c, principal, id, {
        orgId,
        rotation: { overlapHours, message: problem.message, status: problem.status },
      });
    },
  );
  if (rotated instanceof Response) return rotated;
  const previousUntil = hours === 0 ? null : (rotated.secrets.find((s) => s.expiresAt)?.expiresAt ?? null);
  // The secret is in this response only: rendered directly (no redirect), never stored by any cache.
  const res = await endpointPage(c, principal, id, {
    orgId,
    rotated: { secret: rotated.secret, previousUntil },
  });
  res.headers.set("Cache-Control", "no-store");
  return res;
});

webhookEndpointPages.post("/org/webhooks/:endpointId/delete", async (c) => {
  const principal = await requireVisitor(c);
  const id = endpointIdOf(c);
  const orgId = formOrgId(await readForm(c));
  const done = await attempt(
    () => deleteEndpoint(serviceContext(c), principal, orgId, id),
    (problem) => {
      if (isAccessProblem(problem.status)) throw accessError(problem);
      return endpointPage(c, principal, id, { orgId, problem });
    },
  );
  if (done instanceof Response) return done;
  return redirectWith(c, "/org/webhooks", "webhook-deleted");
});
