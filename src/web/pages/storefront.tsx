/**
 * The storefront: home, search, listing and seller pages. Public, and cached at the edge for anonymous
 * visitors (web/cache.ts): a listing page like the API's listing detail, browse pages like its search.
 */
import { Hono } from "hono";
import { DETAIL_CACHE_SECONDS, SEARCH_EDGE_SECONDS } from "../../routes/listings/public.handlers.ts";
import type { AppEnv } from "../../types.ts";
import { edgePage } from "../cache.ts";
import { homePage } from "./storefront/home.tsx";
import { listingPage } from "./storefront/listing.tsx";
import { searchPage } from "./storefront/search.tsx";
import { sellerPage } from "./storefront/seller.tsx";

/** A path spelled one way only (lower case, nothing percent-encoded): other spellings render, uncached. */
const canonicalPath = (url: URL) =>
  url.pathname === url.pathname.toLowerCase() && !url.pathname.includes("%");
/** Only a query-less URL is kept: a seller's edit then drops every copy of the page by name. */
const withoutQuery = (url: URL) => url.search === "" && canonicalPath(url);
/** Only URLs made of parameters the page reads are kept, so junk parameters never take cache space. */
const onlyParams =
  (allowed: ReadonlySet<string>, prefix?: string) =>
  (url: URL): boolean =>
    canonicalPath(url) &&
    [...url.searchParams.keys()].every(
      (name) => allowed.has(name) || (prefix !== undefined && name.startsWith(prefix)),
    );
const searchParams = new Set([
  "q",
  "category",
  "minPrice",
  "maxPrice",
  "currency",
  "seller",
  "minRating",
  "sort",
  "cursor",
  "view",
]);
const sellerParams = new Set(["cursor", "view", "reviews"]);

export const storefrontPages = new Hono<AppEnv>()
  .get("/", edgePage(SEARCH_EDGE_SECONDS, withoutQuery), homePage)
  .get("/search", edgePage(SEARCH_EDGE_SECONDS, onlyParams(searchParams, "attr.")), searchPage)
  .get("/listings/:id", edgePage(DETAIL_CACHE_SECONDS, withoutQuery), listingPage)
  .get("/sellers/:orgId", edgePage(SEARCH_EDGE_SECONDS, onlyParams(sellerParams)), sellerPage);
