/**
 * Stand-in written by the seller pages until the storefront's page cache lands (its version of this file,
 * same signature, replaces this one and also drops the cached storefront pages).
 */
import { edgeCache } from "../http/edge-cache.ts";
import { listingCacheKey } from "../routes/listings/public.handlers.ts";
import type { WebContext } from "./context.ts";

/** Drops a listing's cached public views in this location (today the API's detail), after the response. */
export function dropListingPages(c: WebContext, listingId: string): void {
  c.executionCtx.waitUntil(
    edgeCache()
      .delete(listingCacheKey(listingId))
      .catch(() => false),
  );
}
