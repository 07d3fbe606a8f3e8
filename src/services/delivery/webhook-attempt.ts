import { sql } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { isoTime } from "../../db/json.ts";
import type { Config } from "../../env.ts";
import { appendEmails } from "../email/outbox.ts";
import { openSecret, signatureHeaders } from "../webhooks/signing.ts";
import { webhookUrlProblem } from "../webhooks/url-guard.ts";

/** The most of a receiver's answer read (and thrown away): a huge or endless body cannot hold the consumer. */
const RESPONSE_CAP_BYTES = 64 * 1024;
/** An endpoint failing without a single success for this long, when a delivery dies, is disabled. */
export const DISABLE_AFTER_FAILING_HOURS = 24;

export type AttemptOutcome =
  | { result: "delivered" }
  | { result: "skipped"; reason: string }
  /** `retry` false: no later attempt can succeed (the URL is refused). */
  | { result: "failed"; retry: boolean; error: string };

type DeliveryRow = {
  status: string;
  endpoint_id: string;
  url: string;
  enabled: boolean;
  secrets: string[];
  event_id: string;
  type: string;
  version: number;
  org_id: string;
  entity_type: string;
  entity_id: string;
  payload: unknown;
  created_at: string;
};

/** The JSON a webhook POSTs: the event's envelope as the OpenAPI document's `webhooks` section describes it. */
export function webhookBody(row: DeliveryRow): string {
  return JSON.stringify({
    id: row.event_id,
    type: row.type,
    version: row.version,
    orgId: row.org_id,
    entityType: row.entity_type,
    entityId: row.entity_id,
    payload: row.payload,
    createdAt: new Date(row.created_at).toISOString(),
  });
}

/**
 * One attempt at one delivery: reads it with its endpoint, current secrets and event (one round trip),
 * POSTs it signed (no redirects, a timeout, at most 64 KiB of the answer read), then records the attempt,
 * the delivery's state and the endpoint's failure streak (one round trip). A delivery already delivered,
 * or whose endpoint is gone or disabled, is not attempted. `nextRetrySeconds` is what the queue will wait
 * before the next attempt (null after the last), shown in the delivery log.
 */
export async function attemptWebhook(
  deps: { db: Db; config: Config; fetcher: typeof fetch; now: () => number },
  deliveryId: string,
  nextRetrySeconds: number | null,
): Promise<AttemptOutcome> {
  const { db, config } = deps;
  const found = await db.execute<DeliveryRow>(sql`
    select d.status, w.id as endpoint_id, w.url, w.enabled,
      array(select s.ciphertext from webhook_secrets s
        where s.endpoint_id = w.id and (s.expires_at is null or s.expires_at > now())
        order by s.created_at desc) as secrets,
      ev.id as event_id, ev.type, ev.version, ev.org_id, ev.entity_type, ev.entity_id, ev.payload,
      ev.created_at
    from webhook_deliveries d join webhook_endpoints w on w.id = d.endpoint_id join events ev on ev.id = d.event_id
    where d.id = ${deliveryId}`);
  const row = found.rows[0];
  if (!row) return { result: "skipped", reason: "delivery or endpoint deleted" };
  if (row.status === "delivered") return { result: "skipped", reason: "already delivered" };
  if (!row.enabled) {
    await db.execute(sql`update webhook_deliveries set status = 'dead', next_attempt_at = null,
        last_error = 'endpoint disabled', updated_at = now()
      where id = ${deliveryId} and status <> 'delivered'`);
    return { result: "skipped", reason: "endpoint disabled" };
  }

  const started = deps.now();
  let statusCode: number | null = null;
  let error: string | null = null;
  let retry = true;
  const refused = webhookUrlProblem(row.url, config.WEBHOOK_ALLOW_LOOPBACK === "on");
  if (refused) {
    error = `URL refused: ${refused}`;
    retry = false;
  } else {
    try {
      const secrets = await Promise.all(
        row.secrets.map((sealed) => openSecret(config.WEBHOOK_SECRETS_KEY, row.endpoint_id, sealed)),
      );
      const body = webhookBody(row);
      const headers = await signatureHeaders(row.event_id, Math.floor(deps.now() / 1000), body, secrets);
      const fetcher = deps.fetcher; // called unbound: workerd's fetch refuses another `this`
      const response = await fetcher(row.url, {
        method: "POST",
        headers: {
          ...headers,
          "content-type": "application/json",
          "user-agent": "edge-marketplace-webhooks/1",
        },
        body,
        redirect: "manual",
        signal: AbortSignal.timeout(config.WEBHOOK_TIMEOUT_MS),
      });
      statusCode = response.status;
      await drain(response);
      if (statusCode >= 300 && statusCode < 400) error = `redirect (${statusCode}) not followed`;
      else if (statusCode < 200 || statusCode >= 300) error = `receiver answered ${statusCode}`;
    } catch (cause) {
      error =
        cause instanceof Error && (cause.name === "TimeoutError" || cause.name === "AbortError")
          ? `no answer within ${config.WEBHOOK_TIMEOUT_MS} ms`
          : `could not connect: ${cause instanceof Error ? cause.message : String(cause)}`.slice(0, 300);
    }
  }
  const ok = error === null;
  const duration = Math.max(0, Math.round(deps.now() - started));
  const next =
    ok || !retry || nextRetrySeconds === null ? null : new Date(deps.now() + nextRetrySeconds * 1000);
  await db.execute(sql`
    with d as (
      update webhook_deliveries set attempts = attempts + 1,
        -- A duplicate message's attempt that fails after another delivered it does not undo the delivery.
        status = case when ${ok} or status = 'delivered' then 'delivered' when ${!retry} then 'dead' else 'failed' end,
        last_status_code = ${statusCode}, last_error = ${error}, last_duration_ms = ${duration},
        next_attempt_at = case when status = 'delivered' then null else ${next}::timestamptz end,
        delivered_at = case when ${ok} then now() else delivered_at end,
        updated_at = now()
      where id = ${deliveryId}
      returning id, attempts),
    a as (
      insert into webhook_attempts (delivery_id, attempt, started_at, duration_ms, status_code, error, ok)
      select d.id, d.attempts, ${new Date(started)}, ${duration}, ${statusCode}, ${error}, ${ok} from d
      returning 1)
    update webhook_endpoints set
      consecutive_failures = case when ${ok} then 0 else consecutive_failures + 1 end,
      failing_since = case when ${ok} then null else coalesce(failing_since, now()) end
    where id = ${row.endpoint_id} and (select count(*) from a) = 1`);
  if (ok) return { result: "delivered" };
  return { result: "failed", retry, error: error ?? "" };
}

/** Reads at most {@link RESPONSE_CAP_BYTES} of an answer, then lets go of the rest. */
async function drain(response: Response): Promise<void> {
  const reader = response.body?.getReader();
  if (!reader) return;
  let read = 0;
  try {
    while (read < RESPONSE_CAP_BYTES) {
      const chunk = await reader.read();
      if (chunk.done) return;
      read += chunk.value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}

/**
 * A delivery that used its last attempt (from the dead-letter queue): dead. Its endpoint, if it has not
 * succeeded once in {@link DISABLE_AFTER_FAILING_HOURS} hours, is disabled and the organisation's owners
 * are emailed (same statement). Returns whether it disabled the endpoint.
 */
export async function buryDelivery(db: Db, deliveryId: string, publicUrl: string): Promise<boolean> {
  const result = await db.execute(sql`
    with d as (
      update webhook_deliveries set status = 'dead', next_attempt_at = null, updated_at = now()
      where id = ${deliveryId} and status <> 'delivered'
      returning endpoint_id),
    w as (
      update webhook_endpoints set enabled = false, disabled_reason = 'failing', updated_at = now(),
        version = version + 1
      where id = (select endpoint_id from d) and enabled
        and failing_since <= now() - make_interval(hours => ${DISABLE_AFTER_FAILING_HOURS})
      returning id, org_id, url, failing_since),
    mail as (${appendEmails({
      template: "webhook_disabled",
      to: sql`u.email_normalized`,
      data: sql`jsonb_build_object('orgName', o.name, 'endpointUrl', w.url,
        'failingSince', ${isoTime(sql`w.failing_since`)},
        'lastError', (select last_error from webhook_deliveries where id = ${deliveryId}),
        'url', ${publicUrl}::text || '/org/open?org=' || w.org_id || '&next=/org/webhooks/' || w.id)`,
      from: sql`w join organizations o on o.id = w.org_id
        join memberships m on m.org_id = w.org_id and m.role = 'owner' join users u on u.id = m.user_id`,
      dedupeKey: sql`'webhook-disabled:' || w.id || ':' || extract(epoch from w.failing_since)::bigint || ':' || u.id`,
    })} returning 1)
    select (select count(*) from w)::int as disabled, (select count(*) from mail)::int as emails`);
  return Number((result.rows[0] as { disabled: number } | undefined)?.disabled ?? 0) > 0;
}
