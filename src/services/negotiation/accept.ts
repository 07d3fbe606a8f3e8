import { sql } from "drizzle-orm";
import { check, guard } from "../../db/atomic.ts";
import { isoTime } from "../../db/json.ts";
import { ApiError } from "../../lib/problem.ts";
import type { ServiceContext } from "../context.ts";
import { appendEvents } from "../events.ts";
import type { Principal } from "../identity/principal.ts";
import { amountBoundError } from "../orders/cart.ts";
import { type CheckoutInput, type CheckoutResult, placeOrders } from "../orders/checkout.ts";
import { allowedQuoteActions } from "./machine.ts";
import { acceptanceHeld, applyRfqTransition, logTransition, rfqLockSql } from "./rfqs.ts";
import { quoteEvent } from "./views.ts";

/**
 * The buyer accepts version `version` of a quote: the order is placed through checkout's own placement
 * (same Idempotency-Key rules, spending limits and approval, stock reserved under the same locks and
 * guards, events, one round trip) at the quote's prices, snapshotted into the order lines. Only the
 * latest version of a quote still `sent` (the seller's offer), within its validity, on an RFQ still open
 * for quotes, is acceptable (409 naming the reason otherwise). Accepting awards the RFQ and closes its
 * other quotes; accepts of two quotes of one RFQ queue on the RFQ's lock, so exactly one wins.
 */
export async function acceptQuote(
  ctx: ServiceContext,
  principal: Principal,
  orgId: string,
  quoteId: string,
  version: number,
  idempotencyKey: string,
  input: Omit<CheckoutInput, "paymentTerms">,
  hours: { approvalHoldHours: number; orderAcceptHours: number },
): Promise<CheckoutResult> {
  const db = ctx.db;
  const at = sql`${new Date(ctx.now).toISOString()}::timestamptz`;
  const userId = principal.kind === "user" ? principal.userId : null;
  const rfqStatus = sql`(select r.status::text from rfqs r join quotes q on q.rfq_id = r.id where q.id = ${quoteId})`;
  return placeOrders(
    ctx,
    principal,
    orgId,
    // The key space is the organisation's, shared with checkout: the request names what was asked.
    { key: idempotencyKey, request: { acceptQuote: quoteId, version, ...input } },
    {
      action: "accept quotes",
      lock: [
        check(
          "quote_visible",
          sql`exists (select 1 from quotes where id = ${quoteId} and ${orgId} in (buyer_org_id, seller_org_id))`,
        ),
        check(
          "quote_side",
          sql`exists (select 1 from quotes where id = ${quoteId} and buyer_org_id = ${orgId})`,
          sql`jsonb_build_object('status', (select status from quotes where id = ${quoteId}))`,
        ),
        sql`(select ${rfqLockSql(sql`rfq_id`)} from quotes where id = ${quoteId})`,
      ],
      lines: sql`select ql.variant_id, ql.quantity, coalesce(ql.sku, 'custom-' || (ql.position + 1)) as sku, v.stock,
          ql.listing_id, ql.title, qv.currency, l.status, 1 as moq, 1 as increment, q.seller_org_id as seller_id,
          jsonb_build_object('minQuantity', ql.quantity, 'unitPriceMinor', ql.unit_price_minor) as tier,
          ql.unit_price_minor::numeric as unit_price, ql.unit_price_minor::numeric * ql.quantity as line_total
        from quotes q join quote_versions qv on qv.quote_id = q.id and qv.version = ${version}
          join quote_lines ql on ql.quote_id = q.id and ql.version = qv.version
          left join listing_variants v on v.id = ql.variant_id left join listings l on l.id = v.listing_id
        where q.id = ${quoteId} and q.buyer_org_id = ${orgId}`,
      checks: [
        check(
          "quote_status",
          sql`(select status::text from quotes where id = ${quoteId}) = 'sent'`,
          sql`jsonb_build_object('status', (select status from quotes where id = ${quoteId}))`,
        ),
        check(
          "quote_superseded",
          sql`(select current_version from quotes where id = ${quoteId}) = ${version}`,
          sql`jsonb_build_object('currentVersion', (select current_version from quotes where id = ${quoteId}))`,
        ),
        check(
          "quote_expired",
          sql`(select valid_until from quote_versions where quote_id = ${quoteId} and version = ${version}) > ${at}`,
          sql`jsonb_build_object('validUntil', (select ${isoTime(sql`valid_until`)} from quote_versions
            where quote_id = ${quoteId} and version = ${version}))`,
        ),
        check(
          "rfq_pending_approval",
          sql`not ${acceptanceHeld(sql`(select rfq_id from quotes where id = ${quoteId})`)}`,
        ),
        check(
          "rfq_closed",
          sql`${rfqStatus} in ('open', 'quoted')`,
          sql`jsonb_build_object('status', ${rfqStatus})`,
        ),
      ],
      // Quoted quantities and prices are what the parties agreed (no MOQ, increment or tier applies), but
      // a quoted variant must still be on sale: published, and not deleted since.
      invalid: sql`x.listing_id is not null and (x.variant_id is null or x.status is distinct from 'published')`,
      problem: sql`'listing is no longer available'`,
      paymentTerms: sql`(select payment_terms from quote_versions where quote_id = ${quoteId} and version = ${version})`,
      finish: sql`accepted as (update quotes set status = 'accepted', order_group_id = (select id from new_group),
          updated_at = ${at} where id = ${quoteId} and status = 'sent' and (select count(*) from reserved) >= 0 returning id)`,
      after: [
        // The quote was still `sent` when it was taken (a cron that expired it in between wins: nothing is ordered).
        guard(
          db,
          "quote_status",
          sql`exists (select 1 from quotes where id = ${quoteId} and status = 'accepted')`,
          sql`jsonb_build_object('status', (select status from quotes where id = ${quoteId}))`,
        ),
        db.execute(sql`with m as (select id, 'sent'::text as from_status, 'accepted'::text as to_status, rfq_id,
            buyer_org_id, seller_org_id, current_version from quotes where id = ${quoteId}),
          logged as (${logTransition("quote", sql`m`, "accept", { userId, orgId }, at)})
          ${appendEvents([quoteEvent("quote.accepted", "accept", sql`m`, "both")], at)}`),
        // Awarded now only when the order is placed; an order waiting for the buyer's approver awards the RFQ
        // when approved (see outcomes.ts) and leaves the other quotes live until then.
        applyRfqTransition(
          db,
          sql`(select rfq_id from quotes where id = ${quoteId})`,
          "award",
          { userId, orgId },
          at,
          {
            awardedQuoteId: sql`${quoteId}::uuid`,
            when: sql`exists (select 1 from quotes q join order_groups g on g.id = q.order_group_id
            where q.id = ${quoteId} and g.status = 'placed')`,
          },
        ),
      ],
      problems: {
        quote_visible: () => new ApiError("not_found", "Quote not found."),
        lines_invalid: (detail) =>
          new ApiError("unprocessable", "Some quoted items are no longer on sale: nothing was ordered.", {
            extra: { lines: detail },
          }),
        listing_changed: () =>
          new ApiError(
            "service_unavailable",
            "A quoted listing changed while accepting: nothing was ordered. Retry with the same Idempotency-Key.",
            { headers: { "Retry-After": "1" } },
          ),
        amount_bound: () => amountBoundError("This quote"),
        quote_side: (detail) => {
          const status = String(detail?.status);
          return new ApiError("conflict", `The quote is ${status}: only its buyer accepts it.`, {
            extra: { currentStatus: status, allowedActions: allowedQuoteActions(status, "seller") },
          });
        },
        quote_status: (detail) => {
          const status = String(detail?.status);
          return new ApiError(
            "conflict",
            status === "countered"
              ? "The quote waits for the seller's answer to your counter-offer: only a seller's version can be accepted."
              : `The quote is ${status}: it can no longer be accepted.`,
            {
              extra: {
                reason: status,
                currentStatus: status,
                allowedActions: allowedQuoteActions(status, "buyer"),
              },
            },
          );
        },
        quote_superseded: (detail) =>
          new ApiError(
            "conflict",
            `Version ${version} was superseded by version ${String(detail?.currentVersion)}: only the latest version can be accepted.`,
            { extra: { reason: "superseded", currentVersion: detail?.currentVersion } },
          ),
        quote_expired: (detail) =>
          new ApiError("conflict", `This version of the quote expired at ${String(detail?.validUntil)}.`, {
            extra: { reason: "expired", validUntil: detail?.validUntil },
          }),
        rfq_pending_approval: () =>
          new ApiError(
            "conflict",
            "Another quote of this request for quotes was accepted and waits for your approver: decide that one first.",
            { extra: { reason: "awaiting_approval" } },
          ),
        rfq_closed: (detail) =>
          new ApiError(
            "conflict",
            `The request for quotes is ${String(detail?.status)}: none of its quotes can be accepted now.`,
            { extra: { reason: `rfq_${String(detail?.status)}`, rfqStatus: detail?.status } },
          ),
      },
    },
    input,
    hours,
  );
}
