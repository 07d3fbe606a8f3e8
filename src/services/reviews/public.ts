import { sql } from "drizzle-orm";
import { z } from "zod";
import type { PublicReview, SellerReviewPage } from "../../contracts/reviews.ts";
import { isoTime } from "../../db/json.ts";
import { ApiError } from "../../lib/problem.ts";
import { cursorKeys, decodeCursor, encodeCursor } from "../catalog/cursor.ts";
import { sellerRatingJson } from "../catalog/ratings.ts";
import type { ServiceContext } from "../context.ts";
import { reviewerName } from "./views.ts";

type Row = Omit<PublicReview, "reviewer"> & { buyerName: string };

/**
 * A seller's visible reviews, newest first, for anyone, with its rating: one round trip. Pages follow
 * (created_at desc, id asc), the order of the reviews_seller_idx index, so a page reads only its rows.
 */
export async function sellerReviews(
  ctx: ServiceContext,
  sellerId: string,
  query: { rating?: number; cursor?: string; limit: number },
): Promise<SellerReviewPage> {
  const scope = ["seller-reviews", sellerId, query.rating ?? null];
  const after = query.cursor
    ? await decodeCursor(ctx, query.cursor, scope, z.tuple([cursorKeys.timestamp, cursorKeys.id]))
    : undefined;
  const { rows } = await ctx.db.execute<{
    seller: SellerReviewPage["seller"] | null;
    items: { item: Row; key: string }[] | null;
  }>(sql`
    select
      (select json_build_object('id', o.id, 'name', o.name, 'rating', ${sellerRatingJson(sql`o.id`)})
        from organizations o where o.id = ${sellerId} and o.kind in ('seller', 'both')) as seller,
      (select json_agg(json_build_object('item', x.item, 'key', x.key) order by x.created_at desc, x.id) from (
        select json_build_object('id', r.id, 'rating', r.rating, 'body', r.body, 'buyerName', b.name,
            'reply', case when r.reply is not null then json_build_object('body', r.reply, 'repliedAt', ${isoTime(sql`r.replied_at`)}) end,
            'createdAt', ${isoTime(sql`r.created_at`)}, 'edited', r.updated_at > r.created_at) as item,
          r.created_at::text as key, r.created_at, r.id
        from reviews r join organizations b on b.id = r.buyer_org_id
        where r.seller_org_id = ${sellerId} and r.hidden_at is null
          ${query.rating ? sql`and r.rating = ${query.rating}` : sql``}
          ${after ? sql`and (r.created_at < ${after[0]}::timestamptz or (r.created_at = ${after[0]}::timestamptz and r.id > ${after[1]}::uuid))` : sql``}
        order by r.created_at desc, r.id
        limit ${query.limit + 1}) x) as items`);
  const seller = rows[0]?.seller;
  if (!seller) throw new ApiError("not_found", "Seller not found.");
  const items = rows[0]?.items ?? [];
  const page = items.slice(0, query.limit);
  const last = page.at(-1);
  return {
    seller,
    items: page.map(({ item: { buyerName, ...review } }) => ({
      ...review,
      reviewer: reviewerName(buyerName),
    })),
    nextCursor:
      items.length > query.limit && last ? await encodeCursor(ctx, scope, [last.key, last.item.id]) : null,
  };
}
