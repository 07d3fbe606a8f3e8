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

/** Only a query-less URL is kept: a seller's edit then drops every copy of the page by name. */
const withoutQuery = (url: URL) => url.search === "";

export const storefrontPages = new Hono<AppEnv>()
  .get("/", edgePage(SEARCH_EDGE_SECONDS, withoutQuery), homePage)
  .get("/search", edgePage(SEARCH_EDGE_SECONDS), searchPage)
  .get("/listings/:id", edgePage(DETAIL_CACHE_SECONDS, withoutQuery), listingPage)
  .get("/sellers/:orgId", edgePage(SEARCH_EDGE_SECONDS), sellerPage);
