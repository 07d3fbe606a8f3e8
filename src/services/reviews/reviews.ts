/**
 * Reviews: the buyer organisation of a completed order reviews its seller once (editable for 30 days),
 * the seller replies once, platform admins hide abusive reviews. Each request is one round trip; the
 * seller's rating (seller_ratings) follows every change through the trigger on `reviews`.
 */
import { type SQL, sql } from "drizzle-orm";
import { REVIEW_EDIT_DAYS, type Review } from "../../contracts/reviews.ts";
import { check, guard } from "../../db/atomic.ts";
import { ApiError } from "../../lib/problem.ts";
import { adminGuard } from "../catalog/lifecycle.ts";
import type { ServiceContext } from "../context.ts";
import { appendEvents } from "../events.ts";
import { assertRole, memberRoleSql, orgWriteAccess } from "../identity/org-access.ts";
import { type Principal, principalGuard } from "../identity/principal.ts";
import { readAccess } from "../orders/access.ts";
import { write } from "../write.ts";
import { reviewJson } from "./views.ts";

const DAY_MS = 86_400_000;
const orderNotFound = () => new ApiError("not_found", "Order not found.");
const reviewNotFound = () => new ApiError("not_found", "Review not found.");

const userOf = (principal: Principal) => (principal.kind === "user" ? principal.userId : null);
const timeOf = (ms: number) => sql`${new Date(ms).toISOString()}::timestamptz`;

/**
 * The buyer organisation posts its review of the order's seller (`created`), or edits it while its window
 * is open. Only a completed order may be reviewed; one review per order, also under concurrent requests
 * (the second insert becomes an edit). One round trip.
 */
export async function putReview(
  ctx: ServiceContext,
  principal: Principal,
  orgId: string,
  orderId: string,
  input: { rating: number; body: string },
): Promise<{ review: Review; created: boolean }> {
  const db = ctx.db;
  const at = timeOf(ctx.now);
  const status = sql`(select status::text from orders where id = ${orderId})`;
  const { result } = await write(db, "review orders", {
    order_visible: orderNotFound,
    order_not_buyers: () =>
      new ApiError(
        "forbidden",
        "Only the buying organisation reviews an order; as its seller you may reply to the buyer's review.",
      ),
    order_not_completed: (detail) =>
      new ApiError(
        "forbidden",
        `Only verified purchases may be reviewed: this order is ${String(detail?.status ?? "not completed")}, and a review is possible once it is completed.`,
        { extra: { orderStatus: detail?.status ?? null } },
      ),
    review_locked: (detail) =>
      detail?.hidden
        ? new ApiError("conflict", "A platform admin hid this review: it can no longer be edited.")
        : new ApiError(
            "conflict",
            `A review may be edited for ${REVIEW_EDIT_DAYS} days after it was posted; this one's window closed at ${String(detail?.editableUntil)}.`,
            { extra: { editableUntil: detail?.editableUntil ?? null } },
          ),
  })
    .add(
      ...orgWriteAccess(ctx, principal, orgId, "reviews:write"),
      db.execute(sql`select
        ${check("order_visible", sql`exists (select 1 from orders where id = ${orderId} and ${orgId} in (buyer_org_id, seller_org_id))`)},
        ${check("order_not_buyers", sql`exists (select 1 from orders where id = ${orderId} and buyer_org_id = ${orgId})`)},
        ${check("order_not_completed", sql`${status} = 'completed'`, sql`jsonb_build_object('status', ${status})`)}`),
    )
    .one(
      "result",
      // The unique order_id decides between concurrent first posts: the one that loses the insert edits
      // the row the other wrote, under the same window and moderation rule as any edit.
      db.execute<{ result: { review: Review; created: boolean } }>(sql`
        with up as (
          insert into reviews as r (order_id, buyer_org_id, seller_org_id, author_user_id, rating, body,
            editable_until, created_at, updated_at)
          select o.id, o.buyer_org_id, o.seller_org_id, ${userOf(principal)}::uuid, ${input.rating}, ${input.body},
            ${timeOf(ctx.now + REVIEW_EDIT_DAYS * DAY_MS)}, ${at}, ${at}
          from orders o where o.id = ${orderId} and o.buyer_org_id = ${orgId} and o.status = 'completed'
          on conflict (order_id) do update set rating = excluded.rating, body = excluded.body, updated_at = excluded.updated_at
            where r.editable_until > ${at} and r.hidden_at is null
          returning r.*, (r.xmax = 0) as created
        ),
        events as (${appendEvents(
          [
            {
              type: "review.posted",
              orgId: sql`r.seller_org_id`,
              entityId: sql`r.id`,
              payload: sql`jsonb_build_object('orderId', r.order_id, 'rating', r.rating)`,
              from: sql`up r`,
            },
          ],
          at,
        )})
        select ${check(
          "review_locked",
          sql`exists (select 1 from up)`,
          sql`(select jsonb_build_object('hidden', r.hidden_at is not null, 'editableUntil', r.editable_until)
            from reviews r where r.order_id = ${orderId})`,
        )},
          (select json_build_object('review', ${reviewJson}, 'created', r.created) from up r) as result`),
      (res) => res.rows[0]?.result,
      orderNotFound,
    )
    .commit();
  return result;
}

/** The review of an order, for either party of the order (anyone else, or no review yet: 404). One round trip. */
export async function getReview(ctx: ServiceContext, principal: Principal, orgId: string, orderId: string) {
  const userId = readAccess(principal, orgId);
  const { rows } = await ctx.db.execute<{ role: string | null; review: Review | null }>(sql`
    select ${memberRoleSql(orgId, userId)} as role,
      (select ${reviewJson} from reviews r
        where r.order_id = ${orderId} and ${orgId} in (r.buyer_org_id, r.seller_org_id)) as review`);
  if (principal.kind === "user") assertRole(rows[0]?.role, "orders:read", "see reviews");
  const review = rows[0]?.review;
  if (!review) throw new ApiError("not_found", "This order has no review.");
  return review;
}

/** The reviewed seller replies, once: of concurrent replies exactly one is kept. One round trip. */
export async function replyToReview(
  ctx: ServiceContext,
  principal: Principal,
  orgId: string,
  reviewId: string,
  body: string,
): Promise<Review> {
  const db = ctx.db;
  const at = timeOf(ctx.now);
  const { review } = await write(db, "reply to reviews", {
    review_visible: reviewNotFound,
    review_not_sellers: () =>
      new ApiError(
        "forbidden",
        "Only the reviewed seller replies to a review; the buyer may edit it instead.",
      ),
    already_replied: () =>
      new ApiError("conflict", "This review already has the seller's reply; a review gets one."),
  })
    .add(
      ...orgWriteAccess(ctx, principal, orgId, "reviews:reply"),
      db.execute(sql`select
        ${check("review_visible", sql`exists (select 1 from reviews where id = ${reviewId} and ${orgId} in (buyer_org_id, seller_org_id))`)},
        ${check("review_not_sellers", sql`exists (select 1 from reviews where id = ${reviewId} and seller_org_id = ${orgId})`)}`),
    )
    .one(
      "review",
      // `reply is null` is evaluated again on the row a concurrent reply just wrote: the later one changes nothing.
      db.execute<{ review: Review }>(sql`
        with up as (
          update reviews r set reply = ${body}, replied_by = ${userOf(principal)}::uuid, replied_at = ${at}
          where r.id = ${reviewId} and r.seller_org_id = ${orgId} and r.reply is null
          returning r.*
        ),
        events as (${appendEvents(
          [
            {
              type: "review.replied",
              orgId: sql`r.buyer_org_id`,
              entityId: sql`r.id`,
              payload: sql`jsonb_build_object('orderId', r.order_id, 'rating', r.rating)`,
              from: sql`up r`,
            },
          ],
          at,
        )})
        select ${check("already_replied", sql`exists (select 1 from up)`)},
          (select ${reviewJson} from up r) as review`),
      (res) => res.rows[0]?.review,
      reviewNotFound,
    )
    .commit();
  return review;
}

/**
 * A platform admin hides a review (with the reason, who and when, recorded on the review) or shows it
 * again; a hidden review is neither public nor counted in the seller's rating. One round trip.
 */
export async function moderateReview(
  ctx: ServiceContext,
  principal: Principal,
  reviewId: string,
  action: { hide: string } | "unhide",
): Promise<Review> {
  const db = ctx.db;
  const at = timeOf(ctx.now);
  const change: SQL =
    action === "unhide"
      ? sql`set hidden_at = null, hidden_by = null, hidden_reason = null where r.id = ${reviewId} and r.hidden_at is not null`
      : sql`set hidden_at = ${at}, hidden_by = ${userOf(principal)}::uuid, hidden_reason = ${action.hide}
          where r.id = ${reviewId} and r.hidden_at is null`;
  const { review } = await write(db, "moderate reviews", {
    not_platform_admin: () => new ApiError("forbidden", "Only platform admins moderate reviews."),
    review_exists: reviewNotFound,
    review_unchanged: () =>
      new ApiError(
        "conflict",
        action === "unhide" ? "This review is not hidden." : "This review is already hidden.",
      ),
  })
    .add(
      principalGuard(db, principal, new Date(ctx.now)),
      adminGuard(db, principal),
      guard(db, "review_exists", sql`exists (select 1 from reviews where id = ${reviewId})`),
    )
    .one(
      "review",
      db.execute<{ review: Review }>(sql`
        with up as (update reviews r ${change} returning r.*)
        select ${check("review_unchanged", sql`exists (select 1 from up)`)}, (select ${reviewJson} from up r) as review`),
      (res) => res.rows[0]?.review,
      reviewNotFound,
    )
    .commit();
  return review;
}
