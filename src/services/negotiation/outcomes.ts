import { type SQL, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "../../db/client.ts";
import { appendEvents } from "../events.ts";
import { applyRfqTransition, logTransition, rfqLockSql } from "./rfqs.ts";
import { quoteEvent } from "./views.ts";

/**
 * What the buyer's approver deciding a held checkout means for the quote it accepted (if the checkout came
 * from one), as statements for the decision's batch. Approved: the RFQ is awarded to the quote and its other
 * quotes close. Declined, or the hold ran out: the quote is declined (or expired) and the RFQ, never
 * awarded, stays open to its other quotes. No quote behind the group: nothing happens.
 */
export function quoteApprovalOutcome(
  db: Db,
  groupIds: SQL,
  outcome: "approved" | "declined" | "expired",
  actor: { userId: string | null; orgId: string | null },
  at: SQL,
): BatchItem<"pg">[] {
  const accepted = sql`(select id from quotes where order_group_id in (${groupIds}) and status = 'accepted')`;
  const lock = db.execute(sql`select ${rfqLockSql(sql`q.rfq_id`)} from quotes q
    where q.order_group_id in (${groupIds}) and q.status = 'accepted' order by q.rfq_id`);
  if (outcome === "approved") {
    return [
      lock,
      applyRfqTransition(db, sql`(select rfq_id from quotes where id = ${accepted})`, "award", actor, at, {
        awardedQuoteId: accepted,
      }),
    ];
  }
  const to = outcome === "declined" ? "declined" : "expired";
  return [
    lock,
    db.execute(sql`with m as (update quotes q set status = ${to}::quote_status, updated_at = ${at}
        where q.order_group_id in (${groupIds}) and q.status = 'accepted'
        returning q.id, 'accepted'::text as from_status, q.status::text as to_status, q.rfq_id, q.buyer_org_id,
          q.seller_org_id, q.current_version),
      logged as (${logTransition("quote", sql`m`, `approval_${outcome}`, actor, at)})
      ${appendEvents(
        [
          // Declined: the seller learns it (the buyer's own approver decided); expired: both sides.
          quoteEvent(
            outcome === "declined" ? "quote.declined" : "quote.expired",
            `approval_${outcome}`,
            sql`m`,
            outcome === "declined" ? "seller" : "both",
          ),
        ],
        at,
      )}`),
  ];
}
