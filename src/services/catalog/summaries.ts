import { sql } from "drizzle-orm";
import type { PriceTier } from "../../db/schema/index.ts";
import type { ServiceContext } from "../context.ts";

/** What a buyer needs beside a cart line: the listing's tiers, ordering rules and first image. */
export interface ListingSummary {
  id: string;
  title: string;
  currency: string;
  priceTiers: PriceTier[];
  minOrderQuantity: number;
  orderIncrement: number;
  image: string | null;
}

/** The most listings one call reads (a cart page's lines). */
export const MAX_SUMMARIES = 200;

/**
 * Published listings' buying facts for a set of ids (unknown, unpublished or malformed ids are left
 * out): public catalogue data, so no principal. One round trip.
 */
export async function publishedListingSummaries(
  ctx: ServiceContext,
  ids: readonly string[],
): Promise<Map<string, ListingSummary>> {
  const wanted = [...new Set(ids)]
    .filter((id) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id))
    .slice(0, MAX_SUMMARIES);
  if (wanted.length === 0) return new Map();
  const { rows } = await ctx.db.execute<{ summary: ListingSummary }>(sql`
    select json_build_object('id', l.id, 'title', l.title, 'currency', l.currency, 'priceTiers', l.price_tiers,
      'minOrderQuantity', l.min_order_quantity, 'orderIncrement', l.order_increment,
      'image', (select '/v1/files/' || i.file_id from listing_images i where i.listing_id = l.id order by i.position limit 1)
    ) as summary
    from listings l
    where l.id in (${sql.join(
      wanted.map((id) => sql`${id}::uuid`),
      sql`, `,
    )}) and l.status = 'published'`);
  return new Map(rows.map(({ summary }) => [summary.id, summary]));
}
