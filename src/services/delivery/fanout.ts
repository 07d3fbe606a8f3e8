import { type SQL, sql } from "drizzle-orm";
import { textArray, uuidArray } from "../../db/atomic.ts";
import type { Db } from "../../db/client.ts";
import { isoTime } from "../../db/json.ts";
import { appendEmails } from "../email/outbox.ts";
import type { DeliveryMessage } from "./messages.ts";

/** Order statuses whose event tells the buyer by email (the buyer's own moves do not). */
const BUYER_NOTIFIED = ["order.accepted", "order.rejected", "order.shipped", "order.expired"];

/**
 * Fans events out, in one batch (one round trip): a webhook delivery for every enabled endpoint of the
 * event's organisation subscribed to its type (unique per endpoint and event, so a second consumption
 * adds nothing), and the notification emails its type calls for (unique by `dedupeKey`). Returns what to
 * enqueue next: the deliveries and emails this call created. (A consumer that dies after the inserts but
 * before enqueueing leaves them unenqueued: the cron sweep takes emails without `enqueued_at` and
 * deliveries never attempted after ten minutes.)
 */
export async function fanOutEvents(
  db: Db,
  eventIds: string[],
  publicUrl: string,
): Promise<DeliveryMessage[]> {
  if (eventIds.length === 0) return [];
  const ids = uuidArray(eventIds);
  const key = (template: string, user: SQL) => sql`'event:' || ev.id || ':${sql.raw(template)}:' || ${user}`;
  const results = await db.batch([
    db.execute(sql`
      insert into webhook_deliveries (endpoint_id, event_id)
      select w.id, ev.id from events ev
        join webhook_endpoints w on w.org_id = ev.org_id and w.enabled and ev.type = any(w.event_types)
      where ev.id = any(${ids})
      on conflict (endpoint_id, event_id) do nothing
      returning id`),
    // A buyer's order reached this seller: its order handlers hear of it.
    db.execute(
      appendEmails(
        {
          template: "order_placed",
          to: sql`u.email_normalized`,
          data: sql`jsonb_build_object('orderId', o.id, 'buyerName', b.name, 'sellerName', s.name,
          'amountMinor', o.subtotal_minor, 'currency', o.currency,
          'lineCount', (select count(*) from order_lines l where l.order_id = o.id),
          'url', ${publicUrl}::text || '/org/open?org=' || o.seller_org_id || '&next=/seller/orders/' || o.id)`,
          from: sql`events ev join orders o on o.id = ev.entity_id and o.seller_org_id = ev.org_id
          join organizations b on b.id = o.buyer_org_id join organizations s on s.id = o.seller_org_id
          join memberships m on m.org_id = ev.org_id and m.role in ('owner', 'admin', 'seller')
          join users u on u.id = m.user_id
          where ev.id = any(${ids}) and ev.type = 'order.placed'`,
          dedupeKey: key("order_placed", sql`u.id`),
        },
        true,
      ),
    ),
    // The seller (or the clock) moved a buyer's order: whoever placed it hears of it.
    db.execute(
      appendEmails(
        {
          template: "order_status",
          to: sql`u.email_normalized`,
          data: sql`jsonb_build_object('orderId', o.id, 'sellerName', s.name, 'status', o.status::text,
          'url', ${publicUrl}::text || '/org/open?org=' || o.buyer_org_id || '&next=/orders/' || o.id)`,
          from: sql`events ev join orders o on o.id = ev.entity_id and o.buyer_org_id = ev.org_id
          join order_groups g on g.id = o.group_id join organizations s on s.id = o.seller_org_id
          join users u on u.id = g.placed_by
          join memberships m on m.org_id = ev.org_id and m.user_id = u.id
          where ev.id = any(${ids}) and ev.type = any(${textArray(BUYER_NOTIFIED)})`,
          dedupeKey: key("order_status", sql`u.id`),
        },
        true,
      ),
    ),
    // A checkout above a limit waits: the buyer organisation's approvers (not the purchaser) hear of it.
    db.execute(
      appendEmails(
        {
          template: "approval_needed",
          to: sql`u.email_normalized`,
          data: sql`jsonb_build_object('groupId', g.id, 'purchaserName', coalesce(p.name, 'An API key'),
          'orgName', org.name, 'amountMinor', g.total_minor, 'currency', g.currency,
          'holdUntil', ${isoTime(sql`g.approval_expires_at`)},
          'url', ${publicUrl}::text || '/org/open?org=' || g.buyer_org_id || '&next=/approvals')`,
          from: sql`events ev join order_groups g on g.id = ev.entity_id and g.buyer_org_id = ev.org_id
          join organizations org on org.id = g.buyer_org_id left join users p on p.id = g.placed_by
          join memberships m on m.org_id = ev.org_id and m.role in ('owner', 'admin', 'approver')
          join users u on u.id = m.user_id
          where ev.id = any(${ids}) and ev.type = 'order_group.pending_approval'
            and u.id is distinct from g.placed_by`,
          dedupeKey: key("approval_needed", sql`u.id`),
        },
        true,
      ),
    ),
  ]);
  const [deliveries, ...emails] = results.map((result) =>
    (result.rows as { id: string }[]).map((row) => row.id),
  );
  return [
    ...(deliveries ?? []).map((id) => ({ kind: "webhook" as const, id })),
    ...emails.flat().map((id) => ({ kind: "email" as const, id })),
  ];
}

/** Marks the emails a fan-out enqueued, so the sweep leaves them alone. */
export async function markEmailsEnqueued(db: Db, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await db.execute(sql`update email_outbox set enqueued_at = now(), relay_lease_until = null
    where id = any(${uuidArray(ids)})`);
}
