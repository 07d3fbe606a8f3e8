import { sql } from "drizzle-orm";
import type { SellerRating } from "../../contracts/catalog.ts";
import { isoTime } from "../../db/json.ts";
import { ApiError } from "../../lib/problem.ts";
import type { ServiceContext } from "../context.ts";
import { sellerRatingJson } from "./ratings.ts";

/** What anyone may see of a selling organisation: no members, tax id or legal details. */
export interface PublicSeller {
  id: string;
  name: string;
  /** ISO 3166-1 alpha-2, when the seller gave one. */
  country: string | null;
  website: string | null;
  memberSince: string;
  /** From seller_ratings (kept by the reviews trigger): nothing is aggregated per request. */
  rating: SellerRating;
}

/**
 * A selling organisation's public profile (the storefront's seller page): one round trip. Buyer-only
 * organisations have no public profile (404, as for an unknown id).
 */
export async function getPublicSeller(ctx: ServiceContext, orgId: string): Promise<PublicSeller> {
  const { rows } = await ctx.db.execute<{ seller: PublicSeller }>(sql`
    select json_build_object('id', o.id, 'name', o.name, 'country', o.country, 'website', o.website,
      'memberSince', ${isoTime(sql`o.created_at`)}, 'rating', ${sellerRatingJson(sql`o.id`)}) as seller
    from organizations o where o.id = ${orgId} and o.kind in ('seller', 'both')`);
  const row = rows[0];
  if (!row) throw new ApiError("not_found", "Seller not found.");
  return row.seller;
}
