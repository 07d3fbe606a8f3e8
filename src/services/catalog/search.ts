import { type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import type { SellerRating } from "../../contracts/catalog.ts";
import { isoTime } from "../../db/json.ts";
import { ApiError } from "../../lib/problem.ts";
import type { ServiceContext } from "../context.ts";
import { cursorKeys, decodeCursor, encodeCursor } from "./cursor.ts";
import { ratingAverage, ratingCount, sellerRatingJson } from "./ratings.ts";
import { type ListingView, listingJson, normaliseListing } from "./views.ts";

export type SearchSort = "relevance" | "price" | "newest" | "rating";

export interface SearchQuery {
  q?: string;
  category?: string;
  minPrice?: number;
  maxPrice?: number;
  currency?: string;
  seller?: string;
  /** Only listings whose seller's rating, as shown (one decimal), is at least this. */
  minRating?: number;
  attributes: Record<string, string>;
  sort?: SearchSort;
  cursor?: string;
  limit: number;
}

export interface ListingHit {
  id: string;
  title: string;
  seller: { id: string; name: string; rating: SellerRating };
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
  /**
   * False when more than FACET_SCAN_LIMIT (with text TEXT_SCAN_LIMIT) listings match: counts are then lower
   * bounds. Always true for browse pages, whose counts are kept by triggers (listing_facet_counts).
   */
  exact: boolean;
  hits: ListingHit[];
  nextCursor: string | null;
  facets: {
    categories: { slug: string; name: string; count: number }[];
    priceBands: { min: number; max: number | null; count: number }[];
    attributes: Record<string, { value: string; count: number }[]>;
  };
}

/**
 * Totals and facets are counted exactly over at most this many matches. Past it, `exact` is false and
 * counts describe the first matches found: so one request's work stays bounded however large the
 * catalogue grows (a filter or search text narrows it back to exact counts).
 */
export const FACET_SCAN_LIMIT = 10_000;

/**
 * With search text, matches are counted and ranked over at most this many: a text match costs far more
 * than a filter match (the tsvector is read, and ranked), so a text search reads at most this many rows
 * for its counts and its relevance order whatever the catalogue's size. Past it `exact` is false: counts
 * are lower bounds, and relevance orders the matches counted (all of them below this bound: the first found,
 * or within one leaf category its newest): which are ranked then follows the scan's order,
 * so deep relevance pages of a broad text search may repeat or miss a listing.
 */
export const TEXT_SCAN_LIMIT = 1_000;

/**
 * What the first part of a cursor's sort key is, by sort order. By rating it is the seller's average as
 * shown and its review count, `4.5:12` (0 and 0 for sellers not rated yet).
 */
const sortKeys = {
  relevance: cursorKeys.rank,
  price: cursorKeys.amount,
  newest: cursorKeys.timestamp,
  rating: z.string().regex(/^[0-5](\.\d)?:\d{1,9}$/),
};

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
 * statement reads the matching set once (up to its bound) and derives the total and every facet from it,
 * and the relevance page too; a browse page reads its total and facets from the kept counts instead.
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
  const scope = [
    "search",
    tsquery ?? null,
    query.category ?? null,
    query.minPrice ?? null,
    query.maxPrice ?? null,
    query.currency ?? null,
    query.seller ?? null,
    query.minRating ?? null,
    query.attributes,
    sort,
  ];
  const after = query.cursor
    ? await decodeCursor(ctx, query.cursor, scope, z.tuple([sortKeys[sort], cursorKeys.id]))
    : undefined;

  const ratingAfter = sort === "rating" && after ? after[0].split(":") : undefined;
  // `sr`: the listing's seller's seller_ratings row, joined where the rating sort reads it.
  const rated = { average: sql`coalesce(${ratingAverage(sql`sr`)}, 0)`, count: ratingCount(sql`sr`) };
  const ratingJoin =
    sort === "rating" ? sql`left join seller_ratings sr on sr.seller_org_id = l.org_id` : sql``;

  const tsq = tsquery ? sql`to_tsquery('english', ${tsquery})` : sql`null::tsquery`;
  const filters: SQL[] = [sql`l.status = 'published'`];
  if (tsquery) filters.push(sql`l.search @@ ${tsq}`);
  if (query.minPrice !== undefined) filters.push(sql`l.min_unit_price_minor >= ${query.minPrice}`);
  if (query.maxPrice !== undefined) filters.push(sql`l.min_unit_price_minor <= ${query.maxPrice}`);
  if (query.currency) filters.push(sql`l.currency = ${query.currency}`);
  if (query.seller) filters.push(sql`l.org_id = ${query.seller}`);
  // The rated sellers are few beside their listings: their ids are found once (an InitPlan), not per listing.
  if (query.minRating !== undefined)
    filters.push(sql`l.org_id = any(array(select r.seller_org_id from seller_ratings r
      where ${ratingAverage(sql`r`)} >= ${query.minRating}))`);
  const attributeEntries = Object.entries(query.attributes);
  if (attributeEntries.length) {
    const containment = Object.fromEntries(attributeEntries.map(([key, value]) => [key, typedValue(value)]));
    filters.push(sql`l.attributes @> ${JSON.stringify(containment)}::jsonb`);
  }

  const categoryIds = sql`select c.id from categories c where c.slug = ${query.category}
      or c.parent_id = (select p.id from categories p where p.slug = ${query.category})`;

  const order = {
    price: {
      by: sql`l.min_unit_price_minor asc, l.id asc`,
      key: sql`l.min_unit_price_minor::text`,
      after: sql`(l.min_unit_price_minor, l.id) > (${after?.[0]}::bigint, ${after?.[1]}::uuid)`,
    },
    newest: {
      by: sql`l.published_at desc nulls last, l.id desc nulls last`,
      key: sql`l.published_at::text`,
      after: sql`(l.published_at, l.id) < (${after?.[0]}::timestamptz, ${after?.[1]}::uuid)`,
    },
    // The seller's rating as shown (unrated: 0), then its review count, then the listing id; all descending.
    rating: {
      by: sql`${rated.average} desc, ${rated.count} desc, l.id desc`,
      key: sql`${rated.average}::text || ':' || ${rated.count}::text`,
      after: sql`(${rated.average}, ${rated.count}, l.id) < (${ratingAfter?.[0]}::numeric, ${ratingAfter?.[1]}::int, ${after?.[1]}::uuid)`,
    },
  };
  // With text, counting and ranking read at most TEXT_SCAN_LIMIT matches (see there).
  const scanLimit = tsquery ? TEXT_SCAN_LIMIT : FACET_SCAN_LIMIT;
  // The category as an array rather than `in (subquery)`: the planner then estimates it as a share of the
  // rows, so it can walk the sort index instead of sorting a whole category.
  const where = sql.join(
    query.category ? [...filters, sql`l.category_id = any(array(${categoryIds}))`] : filters,
    sql` and `,
  );
  const scanColumns = sql`l.id, l.category_id, l.min_unit_price_minor as price,
        ${query.category ? sql`l.attributes` : sql`null::jsonb as attributes`},
        ${sort === "relevance" ? sql`l.search` : sql`null::tsvector as search`}`;
  // Text matches in one leaf category are read newest first with the category as a single id: the planner
  // then knows the category's share and either walks its (category, published_at) index keeping text
  // matches, stopping at the bound, or intersects the text index with it, whichever reads less; and the
  // matches counted are the category's newest. A category with sub-categories keeps the array form (one
  // scan: per sub-category scans would repeat the text index scan each time).
  const leaf = sql`(select c.id from categories c where c.slug = ${query.category})`;
  const hasChildren = sql`exists (select 1 from categories ch where ch.parent_id = ${leaf})`;
  const scan =
    tsquery && query.category
      ? sql`select x.* from (
          (select ${scanColumns} from listings l
           where not ${hasChildren} and l.category_id = ${leaf} and ${sql.join(filters, sql` and `)}
           order by l.published_at desc nulls last
           limit ${scanLimit + 1})
          union all
          (select ${scanColumns} from listings l where ${hasChildren} and ${where} limit ${scanLimit + 1})) x`
      : sql`select ${scanColumns} from listings l where ${where}`;
  const band = sql`case ${sql.join(
    PRICE_BANDS.map(
      (min, i) =>
        sql`when m.price >= ${min}${PRICE_BANDS[i + 1] !== undefined ? sql` and m.price < ${PRICE_BANDS[i + 1]}` : sql``} then ${min}::bigint`,
    ),
    sql` `,
  )} end`;
  // Attribute facets are the category's own "key attributes": they only mean something within one category.
  // Browse pages (no text, no filter but a category) read totals and facets from the counts the listing
  // triggers keep (migration 0009): exact at any catalogue size, and nothing is counted per request.
  const fromCounts =
    !tsquery &&
    query.minPrice === undefined &&
    query.maxPrice === undefined &&
    !query.currency &&
    !query.seller &&
    query.minRating === undefined &&
    attributeEntries.length === 0;
  const inCategory = (column: SQL) => (query.category ? sql`and ${column} in (${categoryIds})` : sql``);
  // (key, value, n) over the matches: the category's attribute values and how many matches carry each.
  const attributeCounts = fromCounts
    ? sql`select a.key, a.value, sum(a.listings) as n from listing_attribute_counts a
          where a.listings > 0 ${inCategory(sql`a.category_id`)} group by a.key, a.value`
    : sql`select a.key, a.value, count(*) as n from counted m, jsonb_each_text(m.attributes) a group by a.key, a.value`;
  // Attribute facets are the category's own "key attributes": they only mean something within one category.
  const attributeFacets = query.category
    ? sql`(select json_object_agg(f.key, f.vals) from (
        select v.key, json_agg(json_build_object('value', v.value, 'count', v.n) order by v.n desc, v.value) as vals
        from (
          select a.key, a.value, a.n, row_number() over (partition by a.key order by a.n desc, a.value) as place
          from (${attributeCounts}) a
          where a.key in (select d->>'key' from categories c, jsonb_array_elements(c.attributes) d
                          where (d->>'facet')::boolean and (c.slug = ${query.category}
                            or c.parent_id = (select p.id from categories p where p.slug = ${query.category})))
          ) v
        where v.place <= 10
        group by v.key) f)`
    : sql`null::json`;

  const { rows } = await ctx.db.execute<{
    total: string;
    hits: { listing: ListingHit; key: string }[] | null;
    categories: SearchResult["facets"]["categories"] | null;
    price_bands: { min: string; count: string }[] | null;
    attributes: SearchResult["facets"]["attributes"] | null;
  }>(sql`
    with ${
      fromCounts
        ? sql`banded as (
      select f.category_id, f.price_band as band, f.listings as n from listing_facet_counts f
      where f.listings > 0 ${inCategory(sql`f.category_id`)}
    ),`
        : // Ranked once the bound is applied: only the matches counted are ranked.
          sql`matched as materialized (
      select s.id, s.category_id, s.price, s.attributes,
        ${sort === "relevance" ? sql`round(ts_rank_cd(s.search, ${tsq})::numeric, 6)` : sql`null::numeric`} as rank
      from (${scan} limit ${scanLimit + 1}) s
    ),
    counted as materialized (select * from matched limit ${scanLimit}),
    banded as (select m.category_id, ${band} as band, 1 as n from counted m),`
    }
    page as (${
      sort === "relevance"
        ? // Relevance orders the counted matches: each is ranked once, never the whole match set.
          sql`select m.id, m.rank::text as key, m.rank from counted m
          ${after ? sql`where (m.rank, m.id) < (${after[0]}::numeric, ${after[1]}::uuid)` : sql``}
          order by m.rank desc, m.id desc
          limit ${query.limit + 1}`
        : sql`select l.id, ${order[sort].key} as key, null::numeric as rank${sort === "rating" ? sql`, ${rated.average} as average, ${rated.count} as reviews` : sql``}
          from listings l ${ratingJoin} where ${where} ${after ? sql`and ${order[sort].after}` : sql``}
          order by ${order[sort].by}
          limit ${query.limit + 1}`
    }),
    groups as (
      select category_id, band, sum(n) as n, grouping(category_id) as by_category, grouping(band) as by_band
      from banded
      group by grouping sets ((category_id), (band), ())
    )
    select
      ${fromCounts ? sql`(select n from groups where by_category = 1 and by_band = 1)` : sql`(select count(*) from matched)`} as total,
      (select json_agg(json_build_object('listing', ${hitJson}, 'key', p.key)
          order by ${sort === "relevance" ? sql`p.rank desc, p.id desc` : sort === "rating" ? sql`p.average desc, p.reviews desc, p.id desc` : order[sort].by})
        from page p join listings l on l.id = p.id) as hits,
      (select json_agg(json_build_object('slug', c.slug, 'name', c.name, 'count', g.n) order by g.n desc, c.slug)
        from groups g join categories c on c.id = g.category_id where g.by_category = 0) as categories,
      (select json_agg(json_build_object('min', g.band, 'count', g.n)) from groups g where g.by_band = 0) as price_bands,
      ${attributeFacets} as attributes`);
  const row = rows[0];
  const hits = row?.hits ?? [];
  const page = hits.slice(0, query.limit);
  const last = page.at(-1);
  const counted = Number(row?.total ?? 0);
  const bandCounts = new Map((row?.price_bands ?? []).map((b) => [Number(b.min), Number(b.count)]));
  return {
    total: fromCounts ? counted : Math.min(counted, scanLimit),
    exact: fromCounts || counted <= scanLimit,
    hits: page.map((hit) => ({
      ...hit.listing,
      minUnitPriceMinor: Number(hit.listing.minUnitPriceMinor),
    })),
    nextCursor:
      hits.length > query.limit && last ? await encodeCursor(ctx, scope, [last.key, last.listing.id]) : null,
    facets: {
      categories: (row?.categories ?? []).map((c) => ({ ...c, count: Number(c.count) })),
      priceBands: PRICE_BANDS.map((min, i) => ({
        min,
        max: PRICE_BANDS[i + 1] ?? null,
        count: bandCounts.get(min) ?? 0,
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

/** What a search hit shows, built in Postgres: only the fields a result list needs (no variants). */
const hitJson = sql`json_build_object(
  'id', l.id, 'title', l.title,
  'seller', (select json_build_object('id', o.id, 'name', o.name, 'rating', ${sellerRatingJson(sql`o.id`)})
    from organizations o where o.id = l.org_id),
  'category', (select json_build_object('slug', c.slug, 'name', c.name) from categories c where c.id = l.category_id),
  'currency', l.currency, 'minUnitPriceMinor', l.min_unit_price_minor, 'priceTiers', l.price_tiers,
  'minOrderQuantity', l.min_order_quantity, 'leadTimeDays', l.lead_time_days,
  'image', (select '/v1/files/' || i.file_id from listing_images i where i.listing_id = l.id order by i.position limit 1),
  'publishedAt', ${isoTime(sql`coalesce(l.published_at, l.created_at)`)})`;

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
