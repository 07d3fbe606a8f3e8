import { createRoute, z } from "@hono/zod-openapi";
import { problemResponses } from "../../http/problem.ts";
import { requireAuth } from "../../middleware/auth.ts";
import { createListingSchema, updateListingSchema } from "../../services/catalog/schemas.ts";
import {
  authenticated,
  cursorParam,
  jsonBody,
  jsonResponse,
  limitParam,
  text,
  uuidParam,
} from "../schemas.ts";
import { listingSchema, listingStatusSchema } from "./listing.schemas.ts";

const tags = ["Seller listings"];
const orgParams = z.object({ orgId: uuidParam("orgId") });
const listingParams = z.object({ orgId: uuidParam("orgId"), listingId: uuidParam("listingId") });
const ifMatch = z.object({
  "if-match": z
    .string()
    .max(100)
    .optional()
    .openapi({ description: 'The version being edited, e.g. "3" (the ETag)' }),
});
const common = { tags, security: authenticated, middleware: requireAuth() };

export const createListing = createRoute({
  operationId: "createListing",
  "x-capability": "listings:write",
  ...common,
  method: "post",
  path: "/v1/orgs/{orgId}/listings",
  summary: "Create a draft listing (owners, admins, sellers; API keys with listings:write)",
  request: { params: orgParams, body: jsonBody(createListingSchema) },
  responses: {
    201: jsonResponse(listingSchema, "Created as a draft; ETag is its version"),
    ...problemResponses(400, 401, 403, 404, 413, 415, 503),
  },
});

export const listListings = createRoute({
  operationId: "listListings",
  "x-capability": "listings:read",
  ...common,
  method: "get",
  path: "/v1/orgs/{orgId}/listings",
  summary: "The organisation's listings in every state, newest edit first",
  request: {
    params: orgParams,
    query: z.object({ status: listingStatusSchema.optional(), cursor: cursorParam, limit: limitParam }),
  },
  responses: {
    200: jsonResponse(
      z.object({ items: z.array(listingSchema), nextCursor: z.string().nullable() }).openapi("ListingPage"),
      "A page",
    ),
    ...problemResponses(400, 401, 403, 404, 503),
  },
});

export const getListing = createRoute({
  operationId: "getOwnListing",
  "x-capability": "listings:read",
  ...common,
  method: "get",
  path: "/v1/orgs/{orgId}/listings/{listingId}",
  summary: "One of the organisation's listings, in any state",
  request: { params: listingParams },
  responses: {
    200: jsonResponse(listingSchema, "The listing"),
    ...problemResponses(400, 401, 403, 404, 503),
  },
});

export const updateListing = createRoute({
  operationId: "updateListing",
  "x-capability": "listings:write",
  ...common,
  method: "patch",
  path: "/v1/orgs/{orgId}/listings/{listingId}",
  summary: "Edit a listing at the version you read (If-Match); a published listing stays live",
  request: { params: listingParams, headers: ifMatch, body: jsonBody(updateListingSchema) },
  responses: {
    200: jsonResponse(listingSchema, "Updated; the new ETag is the new version"),
    ...problemResponses(400, 401, 403, 404, 409, 412, 413, 415, 428, 503),
  },
});

const transitionRoute = (action: "submit" | "archive", summary: string) =>
  createRoute({
    ...common,
    operationId: `${action}Listing`,
    "x-capability": "listings:write",
    method: "post",
    path: `/v1/orgs/{orgId}/listings/{listingId}/${action}`,
    summary,
    request: { params: listingParams, headers: ifMatch },
    responses: {
      200: jsonResponse(listingSchema, "The listing in its new state"),
      ...problemResponses(400, 401, 403, 404, 409, 412, 503),
    },
  });

export const submitListing = transitionRoute("submit", "Submit a draft (or rejected) listing for review");
export const archiveListing = transitionRoute("archive", "Archive a listing (it leaves the catalogue)");

export const pendingListings = createRoute({
  operationId: "pendingListings",
  method: "get",
  path: "/v1/admin/listings",
  tags: ["Moderation"],
  security: authenticated,
  summary: "Moderation queue (platform admins)",
  middleware: requireAuth(),
  request: {
    query: z.object({ status: z.literal("pending_review").default("pending_review"), limit: limitParam }),
  },
  responses: {
    200: jsonResponse(z.object({ items: z.array(listingSchema) }).openapi("ModerationQueue"), "Oldest first"),
    ...problemResponses(400, 401, 403, 503),
  },
});

const adminParams = z.object({ listingId: uuidParam("listingId") });

export const approveListing = createRoute({
  operationId: "approveListing",
  method: "post",
  path: "/v1/admin/listings/{listingId}/approve",
  tags: ["Moderation"],
  security: authenticated,
  summary: "Publish a listing under review (platform admins)",
  middleware: requireAuth(),
  request: { params: adminParams },
  responses: {
    200: jsonResponse(listingSchema, "Published"),
    ...problemResponses(400, 401, 403, 404, 409, 503),
  },
});

export const rejectListing = createRoute({
  operationId: "rejectListing",
  method: "post",
  path: "/v1/admin/listings/{listingId}/reject",
  tags: ["Moderation"],
  security: authenticated,
  summary: "Reject a listing under review, with a reason (platform admins)",
  middleware: requireAuth(),
  request: { params: adminParams, body: jsonBody(z.strictObject({ reason: text(3, 1000) })) },
  responses: {
    200: jsonResponse(listingSchema, "Rejected"),
    ...problemResponses(400, 401, 403, 404, 409, 413, 415, 503),
  },
});
