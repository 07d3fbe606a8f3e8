/**
 * One webhook delivery (owners and admins): every attempt with its answer, the event's payload as JSON
 * (escaped text, never markup), and "Redeliver", which puts it back on the delivery queue.
 */
import { Hono } from "hono";
import { serviceContext } from "../../../routes/context.ts";
import { getDelivery, redeliver } from "../../../services/webhooks/endpoints.ts";
import type { AppEnv } from "../../../types.ts";
import { Breadcrumbs, EmptyState } from "../../components.tsx";
import {
  loadViewer,
  type PageFacts,
  pageFacts,
  redirectWith,
  requireVisitor,
  type UserPrincipal,
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
  uuidParam,
} from "./shell.tsx";
import { DeliveryStatus } from "./webhooks-shared.tsx";

export const webhookDeliveryPages = new Hono<AppEnv>();

type Delivery = Awaited<ReturnType<typeof getDelivery>>;

function AttemptLog(props: { delivery: Delivery; facts: PageFacts }) {
  const { facts } = props;
  if (props.delivery.attemptLog.length === 0) {
    return (
      <EmptyState title="Not attempted yet">
        <p>The first attempt follows within seconds of the event.</p>
      </EmptyState>
    );
  }
  return (
    <div class="table-wrap">
      <table class="table stack-sm">
        <caption class="visually-hidden">Attempts, first to last</caption>
        <thead>
          <tr>
            <th scope="col" class="num">
              Attempt
            </th>
            <th scope="col">Started</th>
            <th scope="col" class="num">
              Took
            </th>
            <th scope="col" class="num">
              Answer
            </th>
            <th scope="col">Result</th>
          </tr>
        </thead>
        <tbody>
          {props.delivery.attemptLog.map((entry) => (
            <tr>
              <td data-label="Attempt" class="num">
                {facts.fmt.number(entry.attempt)}
              </td>
              <td data-label="Started">
                <time datetime={entry.startedAt}>{facts.fmt.dateTime(entry.startedAt)}</time>
              </td>
              <td data-label="Took" class="num">
                {facts.fmt.number(entry.durationMs)} ms
              </td>
              <td data-label="Answer" class="num">
                {entry.statusCode ?? <span class="muted">None</span>}
              </td>
              <td data-label="Result" class="delivery-error">
                {entry.ok ? (
                  <span class="text-ok">Accepted</span>
                ) : (
                  <span class="text-bad">{entry.error ?? "Failed"}</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

async function deliveryPage(
  c: WebContext,
  principal: UserPrincipal,
  endpointId: string,
  deliveryId: string,
  state: { orgId?: string; problem?: { message: string; status: number } } = {},
) {
  const read = (orgId: string) => getDelivery(serviceContext(c), principal, orgId, endpointId, deliveryId);
  let loaded: Awaited<ReturnType<typeof loadOrgPage<Delivery>>>;
  if (state.orgId) {
    const orgId = state.orgId;
    const [viewer, data] = await Promise.all([loadViewer(c, principal), read(orgId)]);
    const org = viewer.me.memberships.find((m) => m.orgId === orgId);
    loaded = org ? { viewer: { ...viewer, org }, org, data } : undefined;
  } else {
    loaded = await loadOrgPage(c, principal, read);
  }
  if (!loaded) return c.redirect("/org/new", 303);
  const { org, data: delivery } = loaded;
  const facts = pageFacts(c);
  const endpointPath = `/org/webhooks/${endpointId}`;
  return page(
    c,
    loaded.viewer,
    {
      title: `Delivery of ${delivery.eventType} · ${org.orgName}`,
      noindex: true,
      facts,
      status: state.problem ? formStatus(state.problem.status) : 200,
      scripts: ["enhance.js"],
    },
    <OrgShell org={org} path="/org/webhooks">
      <Breadcrumbs
        items={[
          ["Webhooks", "/org/webhooks"],
          ["Endpoint", endpointPath],
          [delivery.eventType, undefined],
        ]}
      />
      {state.problem && (
        <div class="alert alert-error" role="alert">
          {state.problem.message}
        </div>
      )}
      <div class="columns webhook-columns">
        <div class="stack">
          <section class="panel" aria-labelledby="attempts-title">
            <h2 id="attempts-title">Attempts</h2>
            <AttemptLog delivery={delivery} facts={facts} />
          </section>
          <section class="panel" aria-labelledby="payload-title">
            <h2 id="payload-title">Event payload</h2>
            <pre class="payload" tabindex={0}>
              <code>{JSON.stringify(delivery.payload, null, 2)}</code>
            </pre>
          </section>
        </div>
        <section class="panel" aria-labelledby="delivery-title">
          <div class="panel-title">
            <h2 id="delivery-title">Delivery</h2>
            <DeliveryStatus status={delivery.status} />
          </div>
          <dl class="kv">
            <dt>Event</dt>
            <dd>
              <code>{delivery.eventType}</code>
            </dd>
            <dt>webhook-id</dt>
            <dd class="mono small">{delivery.eventId}</dd>
            <dt>Attempts</dt>
            <dd>{facts.fmt.number(delivery.attempts)}</dd>
            <dt>Created</dt>
            <dd>
              <time datetime={delivery.createdAt}>{facts.fmt.dateTime(delivery.createdAt)}</time>
            </dd>
            {delivery.deliveredAt && (
              <>
                <dt>Delivered</dt>
                <dd>
                  <time datetime={delivery.deliveredAt}>{facts.fmt.dateTime(delivery.deliveredAt)}</time>
                </dd>
              </>
            )}
            {delivery.nextAttemptAt && (delivery.status === "pending" || delivery.status === "failed") && (
              <>
                <dt>Next retry</dt>
                <dd>
                  <time datetime={delivery.nextAttemptAt}>{facts.fmt.dateTime(delivery.nextAttemptAt)}</time>
                </dd>
              </>
            )}
          </dl>
          <form
            method="post"
            action={`${endpointPath}/deliveries/${delivery.id}/redeliver`}
            class="panel-actions"
            data-once
          >
            <OrgIdField orgId={org.orgId} />
            <button class="btn btn-primary" type="submit">
              Redeliver
            </button>
            <p class="small muted">
              Sends the same event again (same <code>webhook-id</code>) with a fresh retry schedule.
            </p>
          </form>
        </section>
      </div>
    </OrgShell>,
  );
}

const idsOf = (c: WebContext) =>
  [
    uuidParam(c.req.param("endpointId"), "Webhook endpoint"),
    uuidParam(c.req.param("deliveryId"), "Delivery"),
  ] as const;

webhookDeliveryPages.get("/org/webhooks/:endpointId/deliveries/:deliveryId", async (c) => {
  const principal = await requireVisitor(c);
  const [endpointId, deliveryId] = idsOf(c);
  return deliveryPage(c, principal, endpointId, deliveryId);
});

webhookDeliveryPages.post("/org/webhooks/:endpointId/deliveries/:deliveryId/redeliver", async (c) => {
  const principal = await requireVisitor(c);
  const [endpointId, deliveryId] = idsOf(c);
  const orgId = formOrgId(await readForm(c));
  const done = await attempt(
    () => redeliver(serviceContext(c), c.env.DELIVERY, principal, orgId, endpointId, deliveryId),
    (problem) => {
      if (isAccessProblem(problem.status)) throw accessError(problem);
      return deliveryPage(c, principal, endpointId, deliveryId, { orgId, problem });
    },
  );
  if (done instanceof Response) return done;
  return redirectWith(c, `/org/webhooks/${endpointId}/deliveries/${deliveryId}`, "webhook-redelivery-queued");
});
