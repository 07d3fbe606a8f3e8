import { sql } from "drizzle-orm";
import {
  type SubscribableEventType as EventType,
  eventCatalogue,
  subscribableEventTypes,
} from "../../contracts/events.ts";
import { guard, textArray } from "../../db/atomic.ts";
import type { Config } from "../../env.ts";
import { ApiError } from "../../lib/problem.ts";
import { type CursorContext, cursorKeys, decodeCursor, encodeCursor } from "../catalog/cursor.ts";
import type { ServiceContext } from "../context.ts";
import type { DeliveryQueue } from "../delivery/messages.ts";
import { enqueue } from "../delivery/relay.ts";
import { assertRole, memberRoleSql, orgRoleGuard } from "../identity/org-access.ts";
import { type Principal, principalGuard } from "../identity/principal.ts";
import { write } from "../write.ts";
import { newSigningSecret, sealSecret } from "./signing.ts";
import { webhookUrlProblem } from "./url-guard.ts";

type UserPrincipal = Extract<Principal, { kind: "user" }>;

/** Endpoints per organisation. */
export const MAX_ENDPOINTS = 10;
/** The longest a rotated-out secret keeps signing (deliveries carry both signatures meanwhile). */
export const MAX_ROTATION_OVERLAP_HOURS = 7 * 24;
/** The most secrets that sign at once: a rotation retires the oldest still overlapping beyond it. */
export const MAX_LIVE_SECRETS = 3;

export interface EndpointView {
  id: string;
  url: string;
  description: string;
  eventTypes: EventType[];
  enabled: boolean;
  disabledReason: "manual" | "failing" | null;
  failingSince: string | null;
  consecutiveFailures: number;
  secrets: { createdAt: string; expiresAt: string | null }[];
  /** Deliveries of the last 24 hours by outcome. */
  last24h: { delivered: number; failing: number; dead: number };
  version: number;
  createdAt: string;
  updatedAt: string;
}

type EndpointRow = {
  id: string;
  url: string;
  description: string;
  event_types: string[];
  enabled: boolean;
  disabled_reason: "manual" | "failing" | null;
  failing_since: string | null;
  consecutive_failures: number;
  secrets: { createdAt: string; expiresAt: string | null }[] | null;
  recent: { delivered: number; failing: number; dead: number } | null;
  version: number;
  created_at: string;
  updated_at: string;
};

const iso = (value: string | null) => (value ? new Date(value).toISOString() : null);

function endpointView(row: EndpointRow): EndpointView {
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    eventTypes: row.event_types as EventType[],
    enabled: row.enabled,
    disabledReason: row.disabled_reason,
    failingSince: iso(row.failing_since),
    consecutiveFailures: row.consecutive_failures,
    secrets: (row.secrets ?? []).map((secret) => ({
      createdAt: new Date(secret.createdAt).toISOString(),
      expiresAt: iso(secret.expiresAt),
    })),
    last24h: row.recent ?? { delivered: 0, failing: 0, dead: 0 },
    version: row.version,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

/** The columns of {@link EndpointRow}, for `w` a webhook_endpoints row: live secrets, newest first. */
const endpointColumns = sql`w.id, w.url, w.description, w.event_types, w.enabled, w.disabled_reason,
  w.failing_since, w.consecutive_failures, w.version, w.created_at, w.updated_at,
  (select json_agg(json_build_object('createdAt', s.created_at, 'expiresAt', s.expires_at) order by s.created_at desc)
    from webhook_secrets s where s.endpoint_id = w.id and (s.expires_at is null or s.expires_at > now())) as secrets,
  (select json_build_object(
      'delivered', count(*) filter (where d.status = 'delivered'),
      'failing', count(*) filter (where d.status in ('pending', 'failed')),
      'dead', count(*) filter (where d.status = 'dead'))
    from webhook_deliveries d where d.endpoint_id = w.id and d.created_at > now() - interval '24 hours') as recent`;

function checkUrl(config: Config, url: string): void {
  const problem = webhookUrlProblem(url, config.WEBHOOK_ALLOW_LOOPBACK === "on");
  if (problem) {
    throw new ApiError("validation_failed", `The endpoint URL ${problem}.`, {
      errors: [{ field: "body.url", message: problem }],
    });
  }
}

function uniqueTypes(types: readonly EventType[]): EventType[] {
  for (const type of types) {
    if (!subscribableEventTypes.includes(type)) {
      throw new ApiError("validation_failed", `Unknown event type ${type}.`, {
        errors: [{ field: "body.eventTypes", message: `unknown event type ${type}` }],
      });
    }
  }
  return [...new Set(types)].sort();
}

const notFound = "Webhook endpoint not found.";

/**
 * Adds an endpoint (owners and admins; at most {@link MAX_ENDPOINTS}). Its signing secret is returned
 * now and never again (stored encrypted: a signature needs the secret itself). One round trip.
 */
export async function createEndpoint(
  ctx: ServiceContext,
  config: Config,
  principal: UserPrincipal,
  orgId: string,
  input: { url: string; description?: string; eventTypes: EventType[]; enabled?: boolean },
): Promise<EndpointView & { secret: string }> {
  checkUrl(config, input.url);
  const types = uniqueTypes(input.eventTypes);
  const id = crypto.randomUUID();
  const secret = newSigningSecret();
  const sealed = await sealSecret(config.WEBHOOK_SECRETS_KEY, id, secret);
  const enabled = input.enabled ?? true;
  const { endpoint } = await write(ctx.db, "manage webhooks", {
    endpoint_limit: () =>
      new ApiError("conflict", `An organisation may have at most ${MAX_ENDPOINTS} webhook endpoints.`),
  })
    .add(
      principalGuard(ctx.db, principal, new Date(ctx.now)),
      orgRoleGuard(ctx.db, orgId, principal.userId, "webhooks:manage"),
      // Serialises endpoint creation per organisation, so the limit holds under concurrency.
      ctx.db.execute(sql`select 1 from organizations where id = ${orgId} for update`),
      guard(
        ctx.db,
        "endpoint_limit",
        sql`(select count(*) from webhook_endpoints where org_id = ${orgId}) < ${MAX_ENDPOINTS}`,
      ),
      ctx.db.execute(sql`insert into webhook_endpoints (id, org_id, url, description, event_types, enabled,
          disabled_reason, created_by)
        values (${id}, ${orgId}, ${input.url}, ${input.description ?? ""}, ${textArray(types)}, ${enabled},
          ${enabled ? null : "manual"}, ${principal.userId})`),
      ctx.db.execute(sql`insert into webhook_secrets (endpoint_id, ciphertext) values (${id}, ${sealed})`),
    )
    .one(
      "endpoint",
      ctx.db.execute<EndpointRow>(sql`select ${endpointColumns} from webhook_endpoints w where w.id = ${id}`),
      (result) => result.rows[0],
      notFound,
    )
    .commit();
  return { ...endpointView(endpoint), secret };
}

/** The organisation's endpoints (owners and admins). One round trip. */
export async function listEndpoints(ctx: ServiceContext, principal: UserPrincipal, orgId: string) {
  const { rows } = await ctx.db.execute<{ role: string | null; endpoints: EndpointRow[] | null }>(sql`
    select ${memberRoleSql(orgId, principal.userId)} as role,
      (select json_agg(e order by e.created_at desc) from (
        select ${endpointColumns} from webhook_endpoints w where w.org_id = ${orgId}) e) as endpoints`);
  assertRole(rows[0]?.role, "webhooks:manage", "manage webhooks");
  return (rows[0]?.endpoints ?? []).map(endpointView);
}

/** One endpoint with its delivery figures of the last 24 hours (owners and admins). One round trip. */
export async function getEndpoint(ctx: ServiceContext, principal: UserPrincipal, orgId: string, id: string) {
  const { rows } = await ctx.db.execute<{ role: string | null; endpoint: EndpointRow | null }>(sql`
    select ${memberRoleSql(orgId, principal.userId)} as role,
      (select row_to_json(e) from (select ${endpointColumns} from webhook_endpoints w
        where w.id = ${id} and w.org_id = ${orgId}) e) as endpoint`);
  const row = rows[0];
  assertRole(row?.role, "webhooks:manage", "manage webhooks");
  if (!row?.endpoint) throw new ApiError("not_found", notFound);
  return endpointView(row.endpoint);
}

/**
 * Changes an endpoint (owners and admins). Enabling one clears its failure streak; disabling records
 * `manual`. `ifVersion`, when given, must be the current version (412 otherwise). One round trip.
 */
export async function updateEndpoint(
  ctx: ServiceContext,
  config: Config,
  principal: UserPrincipal,
  orgId: string,
  id: string,
  input: { url?: string; description?: string; eventTypes?: EventType[]; enabled?: boolean },
  ifVersion?: number,
) {
  if (input.url !== undefined) checkUrl(config, input.url);
  const types = input.eventTypes ? uniqueTypes(input.eventTypes) : null;
  const { endpoint } = await write(ctx.db, "manage webhooks", {
    version: () => new ApiError("precondition_failed", "The endpoint changed since you read it; reload it."),
  })
    .add(
      principalGuard(ctx.db, principal, new Date(ctx.now)),
      orgRoleGuard(ctx.db, orgId, principal.userId, "webhooks:manage"),
      guard(
        ctx.db,
        "version",
        sql`${ifVersion ?? null}::int is null or not exists (select 1 from webhook_endpoints
          where id = ${id} and org_id = ${orgId} and version <> ${ifVersion ?? null}::int)`,
      ),
      ctx.db.execute(sql`update webhook_endpoints set
          url = coalesce(${input.url ?? null}, url),
          description = coalesce(${input.description ?? null}, description),
          event_types = coalesce(${types ? textArray(types) : sql`null::text[]`}, event_types),
          enabled = coalesce(${input.enabled ?? null}::boolean, enabled),
          disabled_reason = case when ${input.enabled ?? null}::boolean is null then disabled_reason
            when ${input.enabled ?? null}::boolean then null else 'manual' end,
          consecutive_failures = case when ${input.enabled ?? null}::boolean and not enabled then 0 else consecutive_failures end,
          failing_since = case when ${input.enabled ?? null}::boolean and not enabled then null else failing_since end,
          version = version + 1, updated_at = now()
        where id = ${id} and org_id = ${orgId}`),
    )
    .one(
      "endpoint",
      ctx.db.execute<EndpointRow>(
        sql`select ${endpointColumns} from webhook_endpoints w where w.id = ${id} and w.org_id = ${orgId}`,
      ),
      (result) => result.rows[0],
      notFound,
    )
    .commit();
  return endpointView(endpoint);
}

/** Deletes an endpoint with its secrets and delivery log (owners and admins). One round trip. */
export async function deleteEndpoint(
  ctx: ServiceContext,
  principal: UserPrincipal,
  orgId: string,
  id: string,
) {
  await write(ctx.db, "manage webhooks")
    .add(
      principalGuard(ctx.db, principal, new Date(ctx.now)),
      orgRoleGuard(ctx.db, orgId, principal.userId, "webhooks:manage"),
    )
    .one(
      "deleted",
      ctx.db.execute<{ id: string }>(
        sql`delete from webhook_endpoints where id = ${id} and org_id = ${orgId} returning id`,
      ),
      (result) => result.rows[0],
      notFound,
    )
    .commit();
}

/**
 * A new signing secret (shown once). The secrets in use keep signing for `overlapHours` (0: stop now), so
 * a receiver can switch without missing a delivery: meanwhile every delivery carries a signature by each
 * (at most {@link MAX_LIVE_SECRETS}). Secrets already past their overlap are deleted. One round trip; an
 * endpoint of another organisation aborts it whole.
 */
export async function rotateSecret(
  ctx: ServiceContext,
  config: Config,
  principal: UserPrincipal,
  orgId: string,
  id: string,
  overlapHours: number,
) {
  const secret = newSigningSecret();
  const sealed = await sealSecret(config.WEBHOOK_SECRETS_KEY, id, secret);
  const until = new Date(ctx.now + overlapHours * 3_600_000);
  const { endpoint } = await write(ctx.db, "manage webhooks", {
    endpoint_missing: () => new ApiError("not_found", notFound),
  })
    .add(
      principalGuard(ctx.db, principal, new Date(ctx.now)),
      orgRoleGuard(ctx.db, orgId, principal.userId, "webhooks:manage"),
      ctx.db.execute(sql`select id from webhook_endpoints where id = ${id} and org_id = ${orgId} for update`),
      guard(
        ctx.db,
        "endpoint_missing",
        sql`exists (select 1 from webhook_endpoints where id = ${id} and org_id = ${orgId})`,
      ),
      ctx.db.execute(sql`delete from webhook_secrets where endpoint_id = ${id} and (expires_at <= now()
          or id not in (select id from webhook_secrets where endpoint_id = ${id}
            and (expires_at is null or expires_at > now())
            order by created_at desc, id desc limit ${MAX_LIVE_SECRETS - 1}))`),
      ctx.db.execute(sql`update webhook_secrets set expires_at = least(coalesce(expires_at, ${until}), ${until})
        where endpoint_id = ${id}`),
      ctx.db.execute(sql`insert into webhook_secrets (endpoint_id, ciphertext)
        select id, ${sealed} from webhook_endpoints where id = ${id} and org_id = ${orgId}`),
      ctx.db.execute(
        sql`update webhook_endpoints set version = version + 1, updated_at = now() where id = ${id} and org_id = ${orgId}`,
      ),
    )
    .one(
      "endpoint",
      ctx.db.execute<EndpointRow>(
        sql`select ${endpointColumns} from webhook_endpoints w where w.id = ${id} and w.org_id = ${orgId}`,
      ),
      (result) => result.rows[0],
      notFound,
    )
    .commit();
  return { ...endpointView(endpoint), secret };
}

export interface DeliveryView {
  id: string;
  eventId: string;
  eventType: string;
  status: "pending" | "delivered" | "failed" | "dead";
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  lastDurationMs: number | null;
  nextAttemptAt: string | null;
  deliveredAt: string | null;
  createdAt: string;
}

type DeliveryRow = {
  id: string;
  event_id: string;
  event_type: string;
  status: DeliveryView["status"];
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  last_duration_ms: number | null;
  next_attempt_at: string | null;
  delivered_at: string | null;
  created_at: string;
  key: string;
};

function deliveryView(row: DeliveryRow): DeliveryView {
  return {
    id: row.id,
    eventId: row.event_id,
    eventType: row.event_type,
    status: row.status,
    attempts: row.attempts,
    lastStatusCode: row.last_status_code,
    lastError: row.last_error,
    lastDurationMs: row.last_duration_ms,
    nextAttemptAt: iso(row.next_attempt_at),
    deliveredAt: iso(row.delivered_at),
    createdAt: new Date(row.created_at).toISOString(),
  };
}

const deliveryColumns = sql`d.id, d.event_id, ev.type as event_type, d.status, d.attempts, d.last_status_code,
  d.last_error, d.last_duration_ms, d.next_attempt_at, d.delivered_at, d.created_at, d.created_at::text as key`;

/**
 * The endpoint's delivery log, newest first, 50 a page (keyset cursor), optionally one status. One round
 * trip; the role, the endpoint's organisation and the page are read together.
 */
export async function listDeliveries(
  ctx: ServiceContext & CursorContext,
  principal: UserPrincipal,
  orgId: string,
  endpointId: string,
  query: { status?: DeliveryView["status"]; cursor?: string; limit: number },
) {
  const scope = ["webhook-deliveries", endpointId, query.status ?? null];
  const after = query.cursor ? await decodeCursor(ctx, query.cursor, scope, cursorKeys.timeAndId) : null;
  const { rows } = await ctx.db.execute<{
    role: string | null;
    found: boolean;
    deliveries: DeliveryRow[] | null;
  }>(sql`
    select ${memberRoleSql(orgId, principal.userId)} as role,
      exists (select 1 from webhook_endpoints where id = ${endpointId} and org_id = ${orgId}) as found,
      (select json_agg(x order by x.created_at desc, x.id desc) from (
        select ${deliveryColumns} from webhook_deliveries d join events ev on ev.id = d.event_id
        join webhook_endpoints w on w.id = d.endpoint_id and w.org_id = ${orgId}
        where d.endpoint_id = ${endpointId}
          ${query.status ? sql`and d.status = ${query.status}` : sql``}
          ${after ? sql`and (d.created_at, d.id) < (${after[0]}::timestamptz, ${after[1]}::uuid)` : sql``}
        order by d.created_at desc, d.id desc limit ${query.limit + 1}) x) as deliveries`);
  const row = rows[0];
  assertRole(row?.role, "webhooks:manage", "manage webhooks");
  if (!row?.found) throw new ApiError("not_found", notFound);
  const page = (row.deliveries ?? []).slice(0, query.limit);
  const last = page.at(-1);
  const more = (row.deliveries ?? []).length > query.limit;
  return {
    deliveries: page.map(deliveryView),
    nextCursor: more && last ? await encodeCursor(ctx, scope, [last.key, last.id]) : null,
  };
}

/** One delivery with every attempt (owners and admins). One round trip. */
export async function getDelivery(
  ctx: ServiceContext,
  principal: UserPrincipal,
  orgId: string,
  endpointId: string,
  deliveryId: string,
) {
  const { rows } = await ctx.db.execute<{
    role: string | null;
    delivery: (DeliveryRow & { payload: unknown }) | null;
    attempts:
      | {
          attempt: number;
          startedAt: string;
          durationMs: number;
          statusCode: number | null;
          error: string | null;
          ok: boolean;
        }[]
      | null;
  }>(sql`
    select ${memberRoleSql(orgId, principal.userId)} as role,
      (select row_to_json(x) from (select ${deliveryColumns}, ev.payload from webhook_deliveries d
        join events ev on ev.id = d.event_id join webhook_endpoints w on w.id = d.endpoint_id
        where d.id = ${deliveryId} and d.endpoint_id = ${endpointId} and w.org_id = ${orgId}) x) as delivery,
      (select json_agg(json_build_object('attempt', a.attempt, 'startedAt', a.started_at,
          'durationMs', a.duration_ms, 'statusCode', a.status_code, 'error', a.error, 'ok', a.ok) order by a.id)
        from webhook_attempts a join webhook_deliveries d on d.id = a.delivery_id
        join webhook_endpoints w on w.id = d.endpoint_id
        where a.delivery_id = ${deliveryId} and d.endpoint_id = ${endpointId} and w.org_id = ${orgId}) as attempts`);
  const row = rows[0];
  assertRole(row?.role, "webhooks:manage", "manage webhooks");
  if (!row?.delivery) throw new ApiError("not_found", "Delivery not found.");
  return {
    ...deliveryView(row.delivery),
    /** The event's flat payload (src/contracts/events.ts: scalars only). */
    payload: row.delivery.payload as Record<string, string | number | boolean | null>,
    attemptLog: (row.attempts ?? []).map((attempt) => ({
      ...attempt,
      startedAt: new Date(attempt.startedAt).toISOString(),
    })),
  };
}

/**
 * A write that sends to one endpoint (owners and admins): the caller's session and role, and the endpoint
 * not disabled (409: "enable it before `doing`"); a missing endpoint is the caller's own 404.
 */
function enabledEndpointWrite(
  ctx: ServiceContext,
  principal: UserPrincipal,
  orgId: string,
  endpointId: string,
  doing: string,
) {
  return write(ctx.db, "manage webhooks", {
    endpoint_disabled: () => new ApiError("conflict", `The endpoint is disabled; enable it before ${doing}.`),
  }).add(
    principalGuard(ctx.db, principal, new Date(ctx.now)),
    orgRoleGuard(ctx.db, orgId, principal.userId, "webhooks:manage"),
    guard(
      ctx.db,
      "endpoint_disabled",
      sql`not exists (select 1 from webhook_endpoints where id = ${endpointId} and org_id = ${orgId} and not enabled)`,
    ),
  );
}

/**
 * Sends a delivery again, whatever its state (owners and admins), with a fresh retry schedule: it becomes
 * pending and goes on the queue. Refused while the endpoint is disabled (enable it first). One round trip
 * and one enqueue.
 */
export async function redeliver(
  ctx: ServiceContext,
  queue: DeliveryQueue,
  principal: UserPrincipal,
  orgId: string,
  endpointId: string,
  deliveryId: string,
) {
  const { delivery } = await enabledEndpointWrite(ctx, principal, orgId, endpointId, "redelivering")
    .one(
      "delivery",
      ctx.db.execute<{ id: string }>(sql`
        update webhook_deliveries d set status = 'pending', next_attempt_at = now(), updated_at = now()
        from webhook_endpoints w
        where d.id = ${deliveryId} and d.endpoint_id = ${endpointId} and w.id = d.endpoint_id and w.org_id = ${orgId}
        returning d.id`),
      (result) => result.rows[0],
      "Delivery not found.",
    )
    .commit();
  try {
    await enqueue(queue, [{ kind: "webhook", id: delivery.id }]);
  } catch {
    throw new ApiError("service_unavailable", "The delivery could not be queued; try again.", {
      headers: { "Retry-After": "5" },
    });
  }
}

/**
 * A test delivery to one endpoint (owners and admins): a `webhook.ping` event and its delivery, written
 * together (the event already marked enqueued: it is not fanned out to the organisation's other
 * endpoints), then the delivery is queued. One round trip. Should the enqueue fail, the delivery is
 * pending and the minute sweep sends it.
 */
export async function pingEndpoint(
  ctx: ServiceContext,
  queue: DeliveryQueue,
  principal: UserPrincipal,
  orgId: string,
  endpointId: string,
): Promise<{ deliveryId: string; eventId: string }> {
  const { version, entity } = eventCatalogue["webhook.ping"];
  const { ping } = await enabledEndpointWrite(ctx, principal, orgId, endpointId, "pinging it")
    .one(
      "ping",
      ctx.db.execute<{ delivery_id: string; event_id: string }>(sql`
        with ev as (
          insert into events (type, version, org_id, entity_type, entity_id, payload, created_at, enqueued_at)
          select 'webhook.ping', ${version}, w.org_id, ${entity}, w.id,
            jsonb_build_object('endpointId', w.id, 'requestedBy', ${principal.userId}::uuid), now(), now()
          from webhook_endpoints w where w.id = ${endpointId} and w.org_id = ${orgId}
          returning id, entity_id)
        insert into webhook_deliveries (endpoint_id, event_id)
        select entity_id, id from ev
        returning id as delivery_id, event_id`),
      (result) => result.rows[0],
      notFound,
    )
    .commit();
  try {
    await enqueue(queue, [{ kind: "webhook", id: ping.delivery_id }]);
  } catch {
    // Pending and never attempted: the minute sweep enqueues it (services/delivery/relay.ts).
  }
  return { deliveryId: ping.delivery_id, eventId: ping.event_id };
}
