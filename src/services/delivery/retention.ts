import { sql } from "drizzle-orm";
import type { Db } from "../../db/client.ts";

/** How long delivery records are kept: the delivery log shows 30 days. */
export const DELIVERY_LOG_DAYS = 30;

/**
 * Forgets what no one needs any more, in one statement (hourly cron): webhook deliveries (with their
 * attempts) finished and sent or dead emails older than {@link DELIVERY_LOG_DAYS} days, account tokens a
 * day past their expiry or use, email-throttle entries older than a day, and the dev mailbox's week-old
 * mail. At most 5,000 rows of each a run. (Events stay: they are the organisations' history.)
 */
export async function forgetOldDeliveryRecords(db: Db): Promise<Record<string, number>> {
  const cutoff = sql`now() - make_interval(days => ${DELIVERY_LOG_DAYS})`;
  const result = await db.execute<Record<string, number>>(sql`
    with deliveries as (
      delete from webhook_deliveries where id in (select id from webhook_deliveries
        where created_at < ${cutoff} and status in ('delivered', 'dead') limit 5000) returning 1),
    emails as (
      delete from email_outbox where id in (select id from email_outbox
        where created_at < ${cutoff} and status in ('sent', 'dead') limit 5000) returning 1),
    tokens as (
      delete from account_tokens where id in (select id from account_tokens
        where coalesce(used_at, expires_at) < now() - interval '1 day' limit 5000) returning 1),
    throttle as (
      delete from email_requests where ctid in (select ctid from email_requests
        where requested_at < now() - interval '1 day' limit 5000) returning 1),
    mailbox as (
      delete from dev_mailbox where id in (select id from dev_mailbox
        where created_at < now() - interval '7 days' limit 5000) returning 1)
    select (select count(*) from deliveries)::int as "webhookDeliveries",
      (select count(*) from emails)::int as "emails", (select count(*) from tokens)::int as "accountTokens",
      (select count(*) from throttle)::int as "emailThrottle", (select count(*) from mailbox)::int as "devMailbox"`);
  return result.rows[0] ?? {};
}
