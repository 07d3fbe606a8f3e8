/**
 * Edge caching of the public storefront for anonymous visitors (Workers Cache API, per location), like
 * the API's listing detail: one copy per page URL (path + canonical query) and formatting locale, so the
 * copies of a page are bounded by PAGE_LOCALES. Only requests without credentials (no session cookie, no
 * Authorization) read or fill it, and only 200 pages rendered for nobody are stored: a signed-in visitor
 * always gets a fresh page marked `private, no-store`. A seller's edit drops the listing's pages where it
 * was made (dropListingPages); elsewhere they age out within the TTL.
 */
import type { MiddlewareHandler } from "hono";
import type { Category } from "../contracts/catalog.ts";
import { createDb } from "../db/client.ts";
import { DbMeter } from "../db/meter.ts";
import { edgeCache, ifNoneMatchHits, putInEdgeCache } from "../http/edge-cache.ts";
import { serviceContext } from "../routes/context.ts";
import { DETAIL_CACHE_SECONDS, listingCacheKey } from "../routes/listings/public.handlers.ts";
import { categoryTree } from "../services/catalog/categories.ts";
import { getPublishedListing } from "../services/catalog/search.ts";
import { type ListingView, publishedListingEtag } from "../services/catalog/views.ts";
import type { AppEnv } from "../types.ts";
import { hasSessionCookie, type WebContext } from "./context.ts";
import { negotiateLocale, PAGE_LOCALES, type PageLocale } from "./format.ts";

/** When the edge copy was stored (ms since epoch): a browser may keep it only for what is left of the TTL. */
const STORED_AT = "x-edge-stored-at";
const PAGE_HOST = "https://page-cache.internal";
/** Responses differ by these request headers (session → fresh page; language → formats). */
const VARY = "Cookie, Accept-Language";

/** A query string in canonical order, so the same page spelled differently shares one entry. */
export function canonicalQuery(params: URLSearchParams): string {
  const sorted = [...params].sort(([a, av], [b, bv]) =>
    a === b ? (av < bv ? -1 : av > bv ? 1 : 0) : a < b ? -1 : 1,
  );
  return new URLSearchParams(sorted).toString();
}

/** Where an anonymous page is kept: the locale, the path and the canonical query. */
export function pageCacheKey(path: string, params: URLSearchParams, locale: PageLocale): Request {
  const query = canonicalQuery(params);
  return new Request(`${PAGE_HOST}/${locale}${path}${query ? `?${query}` : ""}`);
}

/** A listing page's path (ids are lower-cased, so one listing has one page whatever the spelling). */
export function listingPath(listingId: string): string {
  return `/listings/${listingId.toLowerCase()}`;
}

/**
 * Drops a listing's cached public views in this location: the API's detail and the storefront page in
 * every locale. Call it wherever a listing is changed (seller edits, lifecycle transitions); runs after
 * the response (waitUntil).
 *
 * @example dropListingPages(c, listing.id);
 */
export function dropListingPages(c: WebContext, listingId: string): void {
  const cache = edgeCache();
  const keys = [
    listingCacheKey(listingId),
    ...PAGE_LOCALES.map((locale) => pageCacheKey(listingPath(listingId), new URLSearchParams(), locale)),
  ];
  c.executionCtx.waitUntil(Promise.all(keys.map((key) => cache.delete(key).catch(() => false))));
}

async function contentTag(body: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(body));
  const hex = [...new Uint8Array(digest).slice(0, 12)].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `"${hex}"`;
}

/** What a browser gets from an edge copy: 304 when its ETag still matches, else the page. */
function fromCopy(c: WebContext, copy: Response, body: BodyInit | null, seconds: number): Response {
  const age = (Date.now() - Number(copy.headers.get(STORED_AT) ?? Date.now())) / 1000;
  const fresh = Math.max(0, seconds - Math.floor(age));
  const tag = copy.headers.get("etag");
  const headers = new Headers(copy.headers);
  headers.delete(STORED_AT);
  headers.set("x-request-id", c.var.requestId);
  headers.set("cache-control", `public, max-age=${fresh}`);
  headers.set("vary", VARY);
  if (tag && ifNoneMatchHits(c.req.header("if-none-match"), tag)) {
    return new Response(null, {
      status: 304,
      headers: { etag: tag, "cache-control": `public, max-age=${fresh}`, vary: VARY },
    });
  }
  return new Response(body, { status: 200, headers });
}

/**
 * Caches a public page for anonymous visitors for `seconds` (ETag, If-None-Match → 304). `cacheable`
 * says which URLs of the route may be kept at all (a listing page only without a query, so an edit can
 * drop every copy by name). Everyone else passes through and gets the page's own headers.
 *
 * @example storefrontPages.get("/listings/:id", edgePage(60, (url) => !url.search), listingPage);
 */
export function edgePage(
  seconds: number,
  cacheable: (url: URL) => boolean = (url) => !url.searchParams.has("notice"),
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const url = new URL(c.req.url);
    const anonymous = !hasSessionCookie(c) && !c.req.header("authorization");
    if (c.req.method !== "GET" || !anonymous || !cacheable(url)) {
      await next();
      c.res.headers.set("vary", VARY);
      return;
    }
    const key = pageCacheKey(
      url.pathname,
      url.searchParams,
      negotiateLocale(c.req.header("accept-language")),
    );
    const cache = edgeCache();
    const copy = await cache.match(key);
    if (copy) return fromCopy(c, copy, copy.body, seconds);
    await next();
    const res = c.res;
    const renderedForNobody = !c.var.principal && !res.headers.has("set-cookie");
    if (
      res.status !== 200 ||
      !renderedForNobody ||
      !res.headers.get("content-type")?.startsWith("text/html")
    ) {
      res.headers.set("vary", VARY);
      return;
    }
    const body = await res.text();
    const headers = new Headers(res.headers);
    headers.delete("x-request-id"); // the filling request's own id: never replayed to others
    headers.set("etag", await contentTag(body));
    headers.set(STORED_AT, String(Date.now()));
    const stored = new Response(body, { status: 200, headers });
    putInEdgeCache(c, key, stored, seconds);
    // Unset first: Hono would otherwise copy the old response's headers over the new one.
    c.res = undefined;
    c.res = fromCopy(c, stored, body, seconds);
  };
}

/**
 * A published listing from the API's edge copy (0 round trips when warm), else read (one round trip) and
 * kept there exactly as the API's detail keeps it, so both share one copy and one drop.
 */
export async function publishedListingCached(c: WebContext, listingId: string): Promise<ListingView> {
  const key = listingCacheKey(listingId);
  const copy = await edgeCache().match(key);
  if (copy) return (await copy.json()) as ListingView;
  const listing = await getPublishedListing(serviceContext(c), listingId);
  const stored = new Response(JSON.stringify(listing), {
    headers: { "content-type": "application/json", etag: publishedListingEtag(listing) },
  });
  putInEdgeCache(c, key, stored, DETAIL_CACHE_SECONDS);
  return listing;
}

const CATEGORY_KEY = `${PAGE_HOST}/_categories`;
/** The category tree is reference data: kept for five minutes, like the API's /v1/categories max-age. */
const CATEGORY_SECONDS = 300;

async function loadCategories(c: WebContext, meter: DbMeter): Promise<Category[]> {
  const categories = await categoryTree({ ...serviceContext(c), db: createDb(c.var.config, meter) });
  const stored = new Response(JSON.stringify(categories), {
    headers: { "content-type": "application/json" },
  });
  putInEdgeCache(c, new Request(CATEGORY_KEY), stored, CATEGORY_SECONDS);
  return categories;
}

/** The category tree from this location's cache, or read (one round trip) and kept for next time. */
export async function categoriesCached(c: WebContext): Promise<Category[]> {
  const copy = await edgeCache().match(new Request(CATEGORY_KEY));
  if (copy) return (await copy.json()) as Category[];
  return loadCategories(c, c.var.dbMeter);
}

/**
 * The category tree when this location's cache has it; otherwise undefined, and the tree is read after
 * the response (waitUntil, not charged to this page), so a page that only wants labels never pays a
 * second round trip for them.
 */
export async function categoriesIfCached(c: WebContext): Promise<Category[] | undefined> {
  const copy = await edgeCache().match(new Request(CATEGORY_KEY));
  if (copy) return (await copy.json()) as Category[];
  c.executionCtx.waitUntil(loadCategories(c, new DbMeter()).catch(() => undefined));
  return undefined;
}

/** Drops the cached category tree here (after an admin adds a category); elsewhere it ages out. */
export function dropCategories(c: WebContext): void {
  c.executionCtx.waitUntil(
    edgeCache()
      .delete(new Request(CATEGORY_KEY))
      .catch(() => false),
  );
}
