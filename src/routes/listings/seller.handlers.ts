import type { Context } from "hono";
import { ApiError } from "../../lib/problem.ts";
import { principalOf } from "../../middleware/auth.ts";
import * as lifecycle from "../../services/catalog/lifecycle.ts";
import * as listings from "../../services/catalog/listings.ts";
import { pendingListings } from "../../services/catalog/search.ts";
import { type ListingView, listingEtag, versionFromIfMatch } from "../../services/catalog/views.ts";
import type { AppEnv, AppRouteHandler } from "../../types.ts";
import { dropListingPages } from "../../web/cache.ts";
import { serviceContext } from "../context.ts";
import type * as routes from "./seller.routes.ts";

/** The version an update names; If-Match is required for edits. */
function requiredVersion(c: Context<AppEnv>): number {
  const header = c.req.header("if-match");
  if (!header)
    throw new ApiError(
      "precondition_required",
      'Send If-Match with the version you are editing (its ETag, e.g. "3").',
    );
  const version = versionFromIfMatch(header);
  if (version === undefined)
    throw new ApiError("precondition_failed", "If-Match does not name a version of this listing.");
  return version;
}

function optionalVersion(c: Context<AppEnv>): number | undefined {
  return c.req.header("if-match") ? requiredVersion(c) : undefined;
}

/**
 * Responds with a listing and its ETag; drops the edge-cached public copies here, the API's detail and
 * the storefront's pages (elsewhere they age out).
 */
function respond<S extends 200 | 201>(c: Context<AppEnv>, listing: ListingView, status: S, changed = true) {
  if (changed) dropListingPages(c, listing.id);
  c.header("ETag", listingEtag(listing.version));
  c.header("Cache-Control", "private, no-cache");
  return c.json(listing, status);
}

export const createListingHandler: AppRouteHandler<typeof routes.createListing> = async (c) => {
  const { orgId } = c.req.valid("param");
  const listing = await listings.createListing(serviceContext(c), principalOf(c), orgId, c.req.valid("json"));
  c.header("Location", `/v1/orgs/${orgId}/listings/${listing.id}`);
  return respond(c, listing, 201, false);
};

export const listListingsHandler: AppRouteHandler<typeof routes.listListings> = async (c) => {
  const { orgId } = c.req.valid("param");
  const query = c.req.valid("query");
  const page = await listings.listOwnListings(serviceContext(c), principalOf(c), orgId, {
    status: query.status,
    cursor: query.cursor,
    limit: query.limit ?? 20,
  });
  c.header("Cache-Control", "private, no-cache");
  return c.json(page, 200);
};

export const getListingHandler: AppRouteHandler<typeof routes.getListing> = async (c) => {
  const { orgId, listingId } = c.req.valid("param");
  return respond(
    c,
    await listings.getOwnListing(serviceContext(c), principalOf(c), orgId, listingId),
    200,
    false,
  );
};

export const updateListingHandler: AppRouteHandler<typeof routes.updateListing> = async (c) => {
  const { orgId, listingId } = c.req.valid("param");
  const version = requiredVersion(c);
  const listing = await listings.updateListing(
    serviceContext(c),
    principalOf(c),
    orgId,
    listingId,
    version,
    c.req.valid("json"),
  );
  return respond(c, listing, 200);
};

const transition =
  (action: "submit" | "archive"): AppRouteHandler<typeof routes.submitListing> =>
  async (c) => {
    const { orgId, listingId } = c.req.valid("param");
    const listing = await lifecycle.transitionListing(
      serviceContext(c),
      principalOf(c),
      { orgId },
      listingId,
      action,
      {
        expectedVersion: optionalVersion(c),
      },
    );
    return respond(c, listing, 200);
  };
export const submitListingHandler = transition("submit");
export const archiveListingHandler = transition("archive");

function adminOf(c: Context<AppEnv>) {
  const principal = principalOf(c);
  if (principal.kind !== "user") throw new ApiError("forbidden", "Only platform admins moderate listings.");
  return principal;
}

export const pendingListingsHandler: AppRouteHandler<typeof routes.pendingListings> = async (c) =>
  c.json(
    { items: await pendingListings(serviceContext(c), adminOf(c).userId, c.req.valid("query").limit ?? 20) },
    200,
  );

export const approveListingHandler: AppRouteHandler<typeof routes.approveListing> = async (c) => {
  const listing = await lifecycle.transitionListing(
    serviceContext(c),
    adminOf(c),
    { admin: true },
    c.req.valid("param").listingId,
    "approve",
  );
  return respond(c, listing, 200);
};

export const rejectListingHandler: AppRouteHandler<typeof routes.rejectListing> = async (c) => {
  const listing = await lifecycle.transitionListing(
    serviceContext(c),
    adminOf(c),
    { admin: true },
    c.req.valid("param").listingId,
    "reject",
    {
      reason: c.req.valid("json").reason,
    },
  );
  return respond(c, listing, 200);
};
