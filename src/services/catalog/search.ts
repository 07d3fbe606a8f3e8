import { type SQL, sql } from "drizzle-orm";
import { ApiError } from "../../lib/problem.ts";
import type { ServiceContext } from "../context.ts";
import { decodeCursor, encodeCursor, fingerprint } from "./cursor.ts";
import { type ListingView, listingJson, normaliseListing } from "./views.ts";

export type SearchSort = "relevance" | "price" | "newest";

export interface SearchQuery {
  q?: string;
  category?: string;
  minPrice?: number;
  maxPrice?: number;
  currency?: string;
  seller?: string;
  attributes: Record<string, string>;
  sort?: SearchSort;
  cursor?: string;
  limit: number;
}

export interface ListingHit {
  id: string;
  title: string;
  seller: { id: string; name: string };
  category: { slug: string; name: string };
  currency: string;
  minUnitPriceMinor: number;
  priceTiers: { minQuantity: number; unitPriceMinor: number }[];
  minOrderQuantity: number;
  leadTimeDays: number;
  image: string | null;
  publishedAt: string;
}

export interface SearchResult {
  total: number;
  hits: ListingHit[];
  nextCursor: string | null;
  facets: {
    categories: { slug: string; name: string; count: number }[];
    priceBands: { min: number; max: number | null; count: number }[];
    attributes: Record<string, { value: string; count: number }[]>;
  };
}

/** Price bands (minor units) for the price facet. */
export const PRICE_BANDS = [0, 1_000, 5_000, 20_000, 100_000] as const;

/**
 * Words of the query as a tsquery: every word must match; the last one as a prefix (as-you-type).
 * Only letters and digits reach Postgres, so no input can make the tsquery invalid.
 */
export function toTsQuery(q: string): string | undefined {
  const words =
    q
      .normalize("NFKC")
      .match(/[\p{L}\p{N}]+/gu)
      ?.slice(0, 12) ?? [];
  if (words.length === 0) return undefined;
  return words.map((word, i) => (i === words.length - 1 ? `${word}:*` : word)).join(" & ");
}

/** A query-string attribute value as the JSON type it most likely is (so the GIN index can answer). */
function typedValue(value: string): string | number | boolean {
  if (value === "true" || value === "false") return value === "true";
  if (/^-?\d{1,15}(\.\d{1,6})?$/.test(value)) return Number(value);
  return value;
}

/**
 * Full-text search with filters, facet counts and keyset pagination, all in one round trip: one SQL
 * statement computes the matching set once and derives the page, the total and every facet from it.
 * Facets describe the whole result, not just the page.
 */
export async function searchListings(ctx: ServiceContext, query: SearchQuery): Promise<SearchResult> {
  const tsquery = query.q ? toTsQuery(query.q) : undefined;
  const sort: SearchSort = query.sort ?? (tsquery ? "relevance" : "newest");
  if (sort === "relevance" && !tsquery) {
    throw new ApiError("validation_failed", "Sorting by relevance needs a search text.", {
      errors: [{ field: "query.sort", message: "relevance needs q" }],
    });
  }
  const print = await fingerprint([
    tsquery,
    query.category,
    query.minPrice,
    query.maxPrice,
    query.currency,
    query.seller,
    query.attributes,
    sort,
  ]);
  const after = query.cursor ? decodeCursor(query.cursor, print) : undefined;

  const tsq = tsquery ? sql`to_tsquery('english', ${tsquery})` : sql`null::tsquery`;
  const filters: SQL[] = [sql`l.status = 'published'`];
  if (tsquery) filters.push(sql`l.search @@ ${tsq}`);
  if (query.category) {
    filters.push(sql`l.category_id in (select c.id from categories c where c.slug = ${query.category}
      or c.parent_id = (select p.id from categories p where p.slug = ${query.category}))`);
  }
  if (query.minPrice !== undefined) filters.push(sql`l.min_unit_price_minor >= ${query.minPrice}`);
  if (query.maxPrice !== undefined) filters.push(sql`l.min_unit_price_minor <= ${query.maxPrice}`);
  if (query.currency) filters.push(sql`l.currency = ${query.currency}`);
  if (query.seller) filters.push(sql`l.org_id = ${query.seller}`);
  const attributeEntries = Object.entries(query.attributes);
  if (attributeEntries.length) {
    const containment = Object.fromEntries(attributeEntries.map(([key, value]) => [key, typedValue(value)]));
    filters.push(sql`l.attributes @> ${JSON.stringify(containment)}::jsonb`);
  }

  const rank = sql`round(ts_rank_cd(l.search, ${tsq})::numeric, 6)`;
  const order = {
    relevance: {
      by: sql`m.rank desc, m.id desc`,
      key: sql`m.rank::text`,
      after: sql`(m.rank, m.id) < (${after?.[0]}::numeric, ${after?.[1]}::uuid)`,
    },
    price: {
      by: sql`m.price asc, m.id asc`,
      key: sql`m.price::text`,
      after: sql`(m.price, m.id) > (${after?.[0]}::bigint, ${after?.[1]}::uuid)`,
    },
    newest: {
      by: sql`m.published_at desc, m.id desc`,
      key: sql`m.published_at::text`,
      after: sql`(m.published_at, m.id) < (${after?.[0]}::timestamptz, ${after?.[1]}::uuid)`,
    },
  }[sort];
  if (
    after &&
    (after.length !== 2 ||
      typeof after[1] !== "string" ||
      !/^[0-9a-f-]{36}$/.test(after[1]) ||
      !/^[\d.:+ T-]+$/.test(String(after[0])))
  ) {
    throw new ApiError("validation_failed", "The cursor is invalid.", {
      errors: [{ field: "query.cursor", message: "invalid cursor" }],
    });
  }

  const bands = PRICE_BANDS.map((min, i) => ({ min, max: PRICE_BANDS[i + 1] ?? null }));
  const { rows } = await ctx.db.execute<{
    total: string;
    hits: { listing: ListingView; key: string }[] | null;
    categories: SearchResult["facets"]["categories"] | null;
    price_bands: SearchResult["facets"]["priceBands"];
    attributes: SearchResult["facets"]["attributes"] | null;
  }>(sql`
    with matched as materialized (
      select l.id, l.category_id, l.min_unit_price_minor as price, l.attributes, l.published_at,
        ${tsquery ? rank : sql`0::numeric`} as rank
      from listings l
      where ${sql.join(filters, sql` and `)}
    ),
    page as (
      select m.id, ${order.key} as key, row_number() over (order by ${order.by}) as ord from matched m
      ${after ? sql`where ${order.after}` : sql``}
      order by ${order.by}
      limit ${query.limit + 1}
    ),
    facet_keys as (
      select distinct d->>'key' as key from categories c, jsonb_array_elements(c.attributes) d
      where (d->>'facet')::boolean
    )
    select
      (select count(*) from matched) as total,
      (select json_agg(json_build_object('listing', ${listingJson}, 'key', p.key) order by p.ord)
        from page p join listings l on l.id = p.id) as hits,
      (select json_agg(json_build_object('slug', c.slug, 'name', c.name, 'count', x.n) order by x.n desc, c.slug)
        from (select category_id, count(*) as n from matched group by category_id) x
        join categories c on c.id = x.category_id) as categories,
      (select json_agg(json_build_object('min', b.min, 'max', b.max, 'count',
          (select count(*) from matched m where m.price >= b.min and (b.max is null or m.price < b.max))) order by b.min)
        from jsonb_to_recordset(${JSON.stringify(bands)}::jsonb) as b(min bigint, max bigint)) as price_bands,
      (select json_object_agg(f.key, f.vals) from (
        select v.key, json_agg(json_build_object('value', v.value, 'count', v.n) order by v.n desc, v.value) as vals
        from (
          select a.key, a.value, count(*) as n,
            row_number() over (partition by a.key order by count(*) desc, a.value) as place
          from matched m, jsonb_each_text(m.attributes) a
          where a.key in (select key from facet_keys)
          group by a.key, a.value) v
        where v.place <= 10
        group by v.key) f) as attributes`);
  const row = rows[0];
  const hits = row?.hits ?? [];
  const page = hits.slice(0, query.limit);
  const last = page.at(-1);
  return {
    total: Number(row?.total ?? 0),
    hits: page.map((hit) => toHit(normaliseListing(hit.listing))),
    nextCursor: hits.length > query.limit && last ? encodeCursor(print, [last.key, last.listing.id]) : null,
    facets: {
      categories: (row?.categories ?? []).map((c) => ({ ...c, count: Number(c.count) })),
      priceBands: (row?.price_bands ?? []).map((b) => ({
        min: Number(b.min),
        max: b.max === null ? null : Number(b.max),
        count: Number(b.count),
      })),
      attributes: Object.fromEntries(
        Object.entries(row?.attributes ?? {}).map(([key, values]) => [
          key,
          values.map((v) => ({ value: String(v.value), count: Number(v.count) })),
        ]),
      ),
    },
  };
}

function toHit(listing: ListingView): ListingHit {
  return {
    id: listing.id,
    title: listing.title,
    seller: { id: listing.seller.id, name: listing.seller.name },
    category: listing.category,
    currency: listing.currency,
    minUnitPriceMinor: listing.minUnitPriceMinor,
    priceTiers: listing.priceTiers,
    minOrderQuantity: listing.minOrderQuantity,
    leadTimeDays: listing.leadTimeDays,
    image: listing.images[0]?.url ?? null,
    publishedAt: listing.publishedAt ?? listing.createdAt,
  };
}

/** A published listing, for anyone. One round trip (none when the edge cache has it). */
export async function getPublishedListing(ctx: ServiceContext, listingId: string): Promise<ListingView> {
  const { rows } = await ctx.db.execute<{ listing: ListingView }>(
    sql`select ${listingJson} as listing from listings l where l.id = ${listingId} and l.status = 'published'`,
  );
  const row = rows[0];
  if (!row) throw new ApiError("not_found", "Listing not found.");
  return normaliseListing(row.listing);
}

/** Platform admins' moderation queue: listings waiting for review, oldest first. One round trip. */
export async function pendingListings(ctx: ServiceContext, userId: string, limit: number) {
  const { rows } = await ctx.db.execute<{ admin: boolean; items: ListingView[] | null }>(sql`
    select coalesce((select platform_admin from users where id = ${userId}), false) as admin,
      (select json_agg(x.listing order by x.updated_at, x.id) from (
        select ${listingJson} as listing, l.updated_at, l.id from listings l
        where l.status = 'pending_review' order by l.updated_at, l.id limit ${limit}) x) as items`);
  if (!rows[0]?.admin) throw new ApiError("forbidden", "Only platform admins moderate listings.");
  return (rows[0].items ?? []).map(normaliseListing);
}
