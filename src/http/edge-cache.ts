import type { Context } from "hono";
import type { AppEnv } from "../types.ts";

/** The Workers Cache API of this location (`caches.default`; the DOM typings do not know it). */
export function edgeCache(): Cache {
  return (caches as unknown as { default: Cache }).default;
}

/**
 * Puts a copy of `response` in this location's cache, to be served for at most `seconds`. The stored copy
 * carries only `public, max-age=<seconds>`: the Cache API keeps an entry for max-age plus any
 * stale-while-revalidate, so no stale allowance may ride along. What browsers get is the caller's own
 * Cache-Control on the response it sends. Runs after the response (waitUntil).
 *
 * @example putInEdgeCache(c, listingCacheKey(id), response, 60);
 */
export function putInEdgeCache(c: Context<AppEnv>, key: Request, response: Response, seconds: number) {
  const stored = new Response(response.clone().body, { status: response.status, headers: response.headers });
  stored.headers.set("cache-control", `public, max-age=${seconds}`);
  c.executionCtx.waitUntil(edgeCache().put(key, stored));
}

/** Whether an If-None-Match header names `etag` (weak comparison, as RFC 9110 asks for GET). */
export function ifNoneMatchHits(header: string | undefined, etag: string | null): boolean {
  if (!header || !etag) return false;
  const strip = (tag: string) => tag.trim().replace(/^W\//, "");
  return header.split(",").some((candidate) => strip(candidate) === strip(etag));
}

/**
 * A response built outside Hono's typed helpers (a cached body replayed, a 304, a problem with extra
 * members) returned from a typed route handler. The body was produced by the same route under the same
 * schema (the response-contract check sees every fresh one in tests); TypeScript only cannot see it.
 */
export function replayed<T>(response: Response): T {
  return response as unknown as T;
}
