import { createRoute, z } from "@hono/zod-openapi";
import { etag } from "hono/etag";
import { category, categoryTree } from "../../contracts/catalog.ts";
import { problemResponses } from "../../http/problem.ts";
import { usableText } from "../../lib/text.ts";
import { uuidInput } from "../../lib/uuid.ts";
import { requireAuth } from "../../middleware/auth.ts";
import { MAX_UNIT_PRICE_MINOR } from "../../services/catalog/schemas.ts";
import {
  authenticated,
  cursorParam,
  jsonBody,
  jsonResponse,
  limitParam,
  publicAccess,
  text,
  uuidParam,
} from "../schemas.ts";
import { listingSchema, searchResultSchema } from "./listing.schemas.ts";

const tags = ["Catalog"];

export const listCategories = createRoute({
  operationId: "listCategories",
  security: publicAccess,
  method: "get",
  path: "/v1/categories",
  tags,
  summary: "The category tree, with each category's typed attributes",
  middleware: etag(),
  responses: {
    200: jsonResponse(categoryTree, "Categories"),
    ...problemResponses(500),
  },
});

export const createCategory = createRoute({
  operationId: "createCategory",
  method: "post",
  path: "/v1/admin/categories",
  tags: ["Moderation"],
  security: authenticated,
  summary: "Add a category or sub-category with typed attributes (platform admins)",
  middleware: requireAuth(),
  request: {
    body: jsonBody(
      z
        .strictObject({
          slug: z.string().regex(/^[a-z0-9][a-z0-9-]{0,59}$/, "lower-case letters, digits and dashes"),
          name: text(2, 80),
          parent: z
            .string()
            .regex(/^[a-z0-9-]{1,60}$/)
            .optional(),
          attributes: z
            .array(
              z.strictObject({
                key: z.string().regex(/^[a-z][a-z0-9_]{0,39}$/),
                label: text(1, 60),
                type: z.enum(["text", "number", "boolean", "enum"]),
                unit: text(1, 20).optional(),
                options: z.array(text(1, 60)).min(1).max(100).optional(),
                facet: z.boolean().optional(),
              }),
            )
            .max(30)
            .default([]),
        })
        .superRefine((value, ctx) => {
          value.attributes.forEach((attribute, i) => {
            if ((attribute.type === "enum") !== Boolean(attribute.options)) {
              ctx.addIssue({
                code: "custom",
                path: ["attributes", i, "options"],
                message: "enum attributes (only) list options",
              });
            }
          });
          const keys = value.attributes.map((a) => a.key);
          if (new Set(keys).size !== keys.length)
            ctx.addIssue({ code: "custom", path: ["attributes"], message: "duplicate key" });
        }),
    ),
  },
  responses: {
    201: jsonResponse(category, "Created"),
    ...problemResponses(400, 401, 403, 409, 413, 415, 503),
  },
});

/** The search query (attribute filters `attr.<key>` ride beside it: see public.handlers.ts). */
export const searchListingsQuery = z.looseObject({
  q: usableText(z.string().max(200)).optional(),
  category: z
    .string()
    .regex(/^[a-z0-9-]{1,60}$/, "is a category slug")
    .optional(),
  minPrice: z.coerce.number().int().min(0).max(MAX_UNIT_PRICE_MINOR).optional(),
  maxPrice: z.coerce.number().int().min(0).max(MAX_UNIT_PRICE_MINOR).optional(),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, "is an ISO 4217 code")
    .optional(),
  seller: uuidInput().optional(),
  minRating: z.coerce.number().min(1).max(5).optional().openapi({
    description: "Only sellers rated at least this (1–5, against the average as shown, one decimal)",
  }),
  sort: z.enum(["relevance", "price", "newest", "rating"]).optional().openapi({
    description:
      "`rating`: the seller's average rating, then its number of reviews, highest first (unrated sellers last)",
  }),
  cursor: cursorParam,
  limit: limitParam,
});

export const searchListings = createRoute({
  operationId: "searchListings",
  security: publicAccess,
  method: "get",
  path: "/v1/listings",
  tags,
  summary: "Search published listings: text, filters, facets, keyset pages",
  description:
    "Attribute filters are `attr.<key>=<value>` (e.g. `attr.material=brass`). One database round trip " +
    "for hits, total and facets. Cacheable: short max-age with stale-while-revalidate, ETag, 304.",
  middleware: etag(),
  request: {
    query: searchListingsQuery,
  },
  responses: {
    200: jsonResponse(searchResultSchema, "Hits and facets"),
    304: { description: "Not modified (If-None-Match)" },
    ...problemResponses(400, 500),
  },
});

export const getListing = createRoute({
  operationId: "getListing",
  security: publicAccess,
  method: "get",
  path: "/v1/listings/{listingId}",
  tags,
  summary: "A published listing (served from the edge cache when warm: no database round trip)",
  request: { params: z.object({ listingId: uuidParam("listingId") }) },
  responses: {
    200: jsonResponse(listingSchema, "The listing"),
    304: { description: "Not modified (If-None-Match)" },
    ...problemResponses(400, 404, 500),
  },
});
