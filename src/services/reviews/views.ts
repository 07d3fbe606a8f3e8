import { sql } from "drizzle-orm";
import { isoTime } from "../../db/json.ts";

/** A review as its parties see it (the Review contract), built in Postgres. `r` must be in scope. */
export const reviewJson = sql`json_build_object(
  'id', r.id, 'orderId', r.order_id, 'buyerOrgId', r.buyer_org_id, 'sellerOrgId', r.seller_org_id,
  'rating', r.rating, 'body', r.body, 'editableUntil', ${isoTime(sql`r.editable_until`)},
  'reply', case when r.reply is not null then json_build_object('body', r.reply, 'repliedAt', ${isoTime(sql`r.replied_at`)}) end,
  'hidden', case when r.hidden_at is not null then json_build_object('at', ${isoTime(sql`r.hidden_at`)}, 'reason', r.hidden_reason) end,
  'createdAt', ${isoTime(sql`r.created_at`)}, 'updatedAt', ${isoTime(sql`r.updated_at`)})`;

/**
 * How a buying organisation signs its public reviews: the first word of its name and the initials of the
 * rest ("Northwind Procurement" → "Northwind P."). Between companies, who buys from whom is commercially
 * sensitive, so the full name is not published; the first word still tells a reader a real company wrote
 * it. The author's personal name and email are never part of a public review.
 */
export function reviewerName(orgName: string): string {
  const [first = "", ...rest] = orgName.trim().split(/\s+/u);
  const initials = rest
    .map((word) => word.match(/[\p{L}\p{N}]/u)?.[0])
    .filter(Boolean)
    .map((letter) => `${letter?.toUpperCase()}.`);
  return [first, ...initials].join(" ");
}
