import { sql } from "drizzle-orm";
import { uuidArray } from "../../db/atomic.ts";
import type { Db } from "../../db/client.ts";
import type { DeliveryMessage, DeliveryQueue } from "./messages.ts";

/** The cron that sweeps the outbox every minute (wrangler.toml [triggers]); the other is the hourly housekeeping. */
export const SWEEP_CRON = "* * * * *";

/** How long a relay holds rows between reading and enqueueing them before another may take them. */
export const RELAY_LEASE_SECONDS = 60;
/** Rows per relay pass (a queue batch holds at most 100 messages). */
const PASS_ROWS = 100;

/**
 * The transactional outbox relay: enqueues events and emails that committed but are not yet on the
 * delivery queue. Three steps, none on a request's path (it runs in `waitUntil` after the response, and
 * from the cron sweep):
 * 1. lease up to 100 unenqueued rows (`for update skip locked`: concurrent relays take disjoint rows, so
 *    the normal case enqueues each row once);
 * 2. send them to the queue in one batch;
 * 3. mark them enqueued.
 * An isolate that vanishes between 1 and 3 leaves rows leased; after the lease the sweep takes them
 * again, so a row is enqueued at least once (maybe twice: consumers deduplicate by id).
 */
export async function relayOutbox(
  db: Db,
  queue: DeliveryQueue,
  options: { rows?: number } = {},
): Promise<number> {
  const limit = Math.min(options.rows ?? PASS_ROWS, PASS_ROWS);
  const lease = sql`now() + make_interval(secs => ${RELAY_LEASE_SECONDS})`;
  const claimed = await db.execute<{ kind: "event" | "email"; id: string }>(sql`
    with e as (
      update events set relay_lease_until = ${lease}
      where id in (select id from events
        where enqueued_at is null and (relay_lease_until is null or relay_lease_until < now())
        order by created_at limit ${limit} for update skip locked)
      returning id),
    m as (
      update email_outbox set relay_lease_until = ${lease}
      where id in (select id from email_outbox
        where enqueued_at is null and (relay_lease_until is null or relay_lease_until < now())
        order by created_at limit ${limit} for update skip locked)
      returning id)
    select 'event' as kind, id from e union all select 'email' as kind, id from m`);
  const rows = claimed.rows;
  if (rows.length === 0) return 0;
  await enqueue(
    queue,
    rows.map((row) => ({ kind: row.kind, id: row.id })),
  );
  const events = rows.filter((row) => row.kind === "event").map((row) => row.id);
  const emails = rows.filter((row) => row.kind === "email").map((row) => row.id);
  await db.execute(sql`
    with e as (update events set enqueued_at = now(), relay_lease_until = null
      where id = any(${uuidArray(events)}) returning 1),
    m as (update email_outbox set enqueued_at = now(), relay_lease_until = null
      where id = any(${uuidArray(emails)}) returning 1)
    select (select count(*) from e) + (select count(*) from m) as marked`);
  return rows.length;
}

/** The cron's slow path: relays until nothing is left (bounded: at most `passes` × 100 rows a run). */
export async function sweepOutbox(db: Db, queue: DeliveryQueue, passes = 20): Promise<number> {
  let total = 0;
  for (let pass = 0; pass < passes; pass++) {
    const relayed = await relayOutbox(db, queue);
    total += relayed;
    if (relayed < PASS_ROWS) break;
  }
  return total;
}

/** Sends messages in batches of at most 100 (the queue's batch limit). */
export async function enqueue(queue: DeliveryQueue, messages: DeliveryMessage[]): Promise<void> {
  for (let start = 0; start < messages.length; start += 100) {
    await queue.sendBatch(messages.slice(start, start + 100).map((body) => ({ body, contentType: "json" })));
  }
}

/**
 * Deliveries created by a fan-out whose consumer vanished before enqueueing them: never attempted after
 * ten minutes. Enqueued again (and stamped, so the next sweep waits another ten minutes).
 */
export async function sweepStrandedDeliveries(db: Db, queue: DeliveryQueue): Promise<number> {
  const stranded = await db.execute<{ id: string }>(sql`
    update webhook_deliveries set next_attempt_at = now(), updated_at = now()
    where id in (select id from webhook_deliveries
      where status = 'pending' and attempts = 0 and created_at < now() - interval '10 minutes'
        and (next_attempt_at is null or next_attempt_at < now() - interval '10 minutes')
      limit 500 for update skip locked)
    returning id`);
  await enqueue(
    queue,
    stranded.rows.map((row) => ({ kind: "webhook", id: row.id })),
  );
  return stranded.rows.length;
}
