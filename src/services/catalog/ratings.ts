import { type SQL, sql } from "drizzle-orm";

/**
 * A seller's rating as shown and sorted: the mean of its visible reviews to one decimal (null before the
 * first), read from `seller_ratings`, which a trigger on `reviews` keeps current (migration 0011): nothing
 * here aggregates reviews. `r` is the seller's `seller_ratings` row (left-joined: null when never rated).
 */
export const ratingAverage = (r: SQL) =>
  sql`round(${r}.rating_sum::numeric / nullif(${r}.rating_count, 0), 1)`;
export const ratingCount = (r: SQL) => sql`coalesce(${r}.rating_count, 0)`;

/** `{ average, count }` (the SellerRating contract) of the seller `orgId` names, as a JSON SQL expression. */
export function sellerRatingJson(orgId: SQL): SQL {
  return sql`(select json_build_object('average', ${ratingAverage(sql`sr`)}, 'count', ${ratingCount(sql`sr`)})
    from (select ${orgId} as seller_org_id) s left join seller_ratings sr on sr.seller_org_id = s.seller_org_id)`;
}
