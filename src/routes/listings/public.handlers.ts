import type { z } from "zod";
import { edgeCache, ifNoneMatchHits, putInEdgeCache, replayed } from "../../http/edge-cache.ts";
import { ApiError } from "../../lib/problem.ts";
import { isUsableText, UNUSABLE_TEXT_MESSAGE } from "../../lib/text.ts";
import { principalOf } from "../../middleware/auth.ts";
import { categoryTree, createCategory } from "../../services/catalog/categories.ts";
import { getPublishedListing, type SearchQuery, searchListings } from "../../services/catalog/search.ts";
import { publishedListingEtag } from "../../services/catalog/views.ts";
import type { AppRouteHandler, RouteResult } from "../../types.ts";
import { dropCategories } from "../../web/cache.ts";
import { serviceContext } from "../context.ts";
import type * as routes from "./public.routes.ts";
import type { searchListingsQuery } from "./public.routes.ts";

/**
 * How long a search response lives in a location's edge cache (it is the same for every caller). Clients
 * get what is left of that as max-age plus 30 s of stale-while-revalidate, so no cache that honours the
 * headers serves a search response older than 60 s.
 */
export const SEARCH_EDGE_SECONDS = 30;
const SEARCH_CLIENT_STALE_SECONDS = 30;
/** When the edge copy was stored (ms since epoch), so what a client may add to its age stays bounded. */
const STORED_AT = "x-edge-stored-at";
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
  "minRating",
  "sort",
  "cursor",
  "limit",
]);

/**
 * `attr.<key>=<value>` filters; any other unknown parameter is a mistake worth reporting (`otherParams`
 * names those a caller reads itself, e.g. the storefront's `view`).
 */
function attributeFilters(
  queries: Record<string, string[]>,
  otherParams: ReadonlySet<string>,
): Record<string, string> {
  const filters: Record<string, string> = {};
  const errors: { field: string; message: string }[] = [];
  for (const [name, values] of Object.entries(queries)) {
    if (KNOWN_PARAMS.has(name) || otherParams.has(name)) continue;
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

export const createCategoryHandler: AppRouteHandler<typeof routes.createCategory> = async (c) => {
  const category = await createCategory(serviceContext(c), principalOf(c), c.req.valid("json"));
  dropCategories(c);
  return c.json(category, 201);
};

/**
 * Where a search response is kept in the Workers Cache API (per location): the query parameters in a
 * canonical order, so the same search spelled differently shares one entry. Only validated queries get
 * here, so junk never takes cache space.
 */
export function searchCacheKey(requestUrl: string): Request {
  const params = [...new URL(requestUrl).searchParams].sort(([a, av], [b, bv]) =>
    a === b ? (av < bv ? -1 : av > bv ? 1 : 0) : a < b ? -1 : 1,
  );
  return new Request(`https://search-cache.internal/v1/listings?${new URLSearchParams(params)}`);
}

/**
 * A client's Cache-Control for an edge copy stored `ageSeconds` ago: its freshness is what the edge copy
 * has left, so edge age + client max-age + stale allowance never exceeds SEARCH_EDGE_SECONDS + 30 = 60 s.
 */
function searchClientCache(ageSeconds: number): string {
  const fresh = Math.max(0, SEARCH_EDGE_SECONDS - Math.ceil(ageSeconds));
  return `public, max-age=${fresh}, stale-while-revalidate=${SEARCH_CLIENT_STALE_SECONDS}`;
}

/**
 * The search service's input from a validated query and the request's raw parameters (for `attr.<key>`):
 * the API's search and the storefront's search page read a query the same way.
 */
export function searchInput(
  query: z.infer<typeof searchListingsQuery>,
  queries: Record<string, string[]>,
  options: { limit?: number; otherParams?: ReadonlySet<string> } = {},
): SearchQuery {
  if (query.minPrice !== undefined && query.maxPrice !== undefined && query.minPrice > query.maxPrice) {
    throw new ApiError("validation_failed", "minPrice is above maxPrice.", {
      errors: [{ field: "query.minPrice", message: "must not exceed maxPrice" }],
    });
  }
  return {
    q: query.q,
    category: query.category,
    minPrice: query.minPrice,
    maxPrice: query.maxPrice,
    currency: query.currency,
    seller: query.seller,
    minRating: query.minRating,
    sort: query.sort,
    cursor: query.cursor,
    limit: options.limit ?? query.limit ?? 20,
    attributes: attributeFilters(queries, options.otherParams ?? new Set()),
  };
}

export const searchListingsHandler: AppRouteHandler<typeof routes.searchListings> = async (c) => {
  const query = c.req.valid("query");
  const key = searchCacheKey(c.req.url);
  const cached = await edgeCache().match(key);
  if (cached) {
    const age = (Date.now() - Number(cached.headers.get(STORED_AT) ?? 0)) / 1000;
    return replayed<RouteResult<typeof routes.searchListings>>(
      new Response(cached.body, {
        status: 200,
        headers: { "content-type": "application/json", "cache-control": searchClientCache(age) },
      }),
    );
  }
  const result = await searchListings(serviceContext(c), searchInput(query, c.req.queries()));
  const stored = new Response(JSON.stringify(result), {
    headers: { "content-type": "application/json", [STORED_AT]: String(Date.now()) },
  });
  putInEdgeCache(c, key, stored, SEARCH_EDGE_SECONDS);
  c.header("Cache-Control", searchClientCache(0));
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
      headers: { "content-type": "application/json", etag: publishedListingEtag(listing) },
    });
    putInEdgeCache(c, key, cached, DETAIL_CACHE_SECONDS);
  }
  const tag = cached.headers.get("etag");
  if (tag && ifNoneMatchHits(c.req.header("if-none-match"), tag)) {
    return replayed<RouteResult<typeof routes.getListing>>(
      c.body(null, 304, { ETag: tag, "Cache-Control": DETAIL_CLIENT_CACHE }),
    );
  }
  const headers = new Headers(cached.headers);
  headers.set("cache-control", DETAIL_CLIENT_CACHE);
  return replayed<RouteResult<typeof routes.getListing>>(new Response(cached.body, { status: 200, headers }));
};
