import type { Context } from "hono";
import { edgeCache, ifNoneMatchHits, putInEdgeCache } from "../../lib/edge-cache.ts";
import { ApiError } from "../../lib/problem.ts";
import { isUsableText, UNUSABLE_TEXT_MESSAGE } from "../../lib/text.ts";
import { principalOf } from "../../middleware/auth.ts";
import { categoryTree, createCategory } from "../../services/catalog/categories.ts";
import { getPublishedListing, searchListings } from "../../services/catalog/search.ts";
import { listingEtag } from "../../services/catalog/views.ts";
import type { AppEnv, AppRouteHandler } from "../../types.ts";
import { serviceContext } from "../context.ts";
import type * as routes from "./public.routes.ts";

/**
 * Search responses: fresh for 30 s, then stale for at most 30 s more while a cache revalidates, so no
 * cache that honours the header serves one older than 60 s.
 */
export const PUBLIC_CACHE = "public, max-age=30, stale-while-revalidate=30";
/** How long a listing's detail lives in a location's edge cache: the staleness bound the README states. */
export const DETAIL_CACHE_SECONDS = 60;
/** Browsers and shared caches revalidate a detail every time (a 304 from the edge copy costs no round trip). */
const DETAIL_CLIENT_CACHE = "public, no-cache";

const KNOWN_PARAMS = new Set([
  "q",
  "category",
  "minPrice",
  "maxPrice",
  "currency",
  "seller",
  "sort",
  "cursor",
  "limit",
]);

/** `attr.<key>=<value>` filters; any other unknown parameter is a mistake worth reporting. */
function attributeFilters(c: Context<AppEnv>): Record<string, string> {
  const filters: Record<string, string> = {};
  const errors: { field: string; message: string }[] = [];
  for (const [name, values] of Object.entries(c.req.queries())) {
    if (KNOWN_PARAMS.has(name)) continue;
    const match = /^attr\.([a-z][a-z0-9_]{0,39})$/.exec(name);
    const value = values[0] ?? "";
    if (!match?.[1]) errors.push({ field: `query.${name}`, message: "unknown parameter" });
    else if (value.length < 1 || value.length > 200)
      errors.push({ field: `query.${name}`, message: "must be 1–200 characters" });
    else if (!isUsableText(value)) errors.push({ field: `query.${name}`, message: UNUSABLE_TEXT_MESSAGE });
    else filters[match[1]] = value;
  }
  if (Object.keys(filters).length > 10)
    errors.push({ field: "query", message: "at most 10 attribute filters" });
  if (errors.length)
    throw new ApiError("validation_failed", "The request query has invalid fields.", { errors });
  return filters;
}

export const listCategoriesHandler: AppRouteHandler<typeof routes.listCategories> = async (c) => {
  c.header("Cache-Control", "public, max-age=300, stale-while-revalidate=3600");
  return c.json({ categories: await categoryTree(serviceContext(c)) }, 200);
};

export const createCategoryHandler: AppRouteHandler<typeof routes.createCategory> = async (c) =>
  c.json(await createCategory(serviceContext(c), principalOf(c), c.req.valid("json")), 201);

export const searchListingsHandler: AppRouteHandler<typeof routes.searchListings> = async (c) => {
  const query = c.req.valid("query");
  if (query.minPrice !== undefined && query.maxPrice !== undefined && query.minPrice > query.maxPrice) {
    throw new ApiError("validation_failed", "minPrice is above maxPrice.", {
      errors: [{ field: "query.minPrice", message: "must not exceed maxPrice" }],
    });
  }
  const result = await searchListings(serviceContext(c), {
    q: query.q,
    category: query.category,
    minPrice: query.minPrice,
    maxPrice: query.maxPrice,
    currency: query.currency,
    seller: query.seller,
    sort: query.sort,
    cursor: query.cursor,
    limit: query.limit ?? 20,
    attributes: attributeFilters(c),
  });
  c.header("Cache-Control", PUBLIC_CACHE);
  return c.json(result, 200);
};

/** Where a listing's public view is kept in the Workers Cache API (per location). */
export function listingCacheKey(listingId: string): Request {
  // Ids reach here canonical (uuidParam); lower-casing again keeps one key per listing whatever the caller.
  return new Request(`https://listing-cache.internal/v1/listings/${listingId.toLowerCase()}`);
}

export const getListingHandler: AppRouteHandler<typeof routes.getListing> = async (c) => {
  const { listingId } = c.req.valid("param");
  const key = listingCacheKey(listingId);
  let cached = await edgeCache().match(key);
  if (!cached) {
    const listing = await getPublishedListing(serviceContext(c), listingId);
    cached = new Response(JSON.stringify(listing), {
      headers: { "content-type": "application/json", etag: listingEtag(listing.version) },
    });
    putInEdgeCache(c, key, cached, DETAIL_CACHE_SECONDS);
  }
  const tag = cached.headers.get("etag");
  if (tag && ifNoneMatchHits(c.req.header("if-none-match"), tag)) {
    return c.body(null, 304, { ETag: tag, "Cache-Control": DETAIL_CLIENT_CACHE }) as never;
  }
  const headers = new Headers(cached.headers);
  headers.set("cache-control", DETAIL_CLIENT_CACHE);
  return new Response(cached.body, { status: 200, headers }) as never;
};
