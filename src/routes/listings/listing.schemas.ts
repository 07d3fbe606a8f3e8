import { z } from "@hono/zod-openapi";
import { amountMinor, priceTierView, sellerRating } from "../../contracts/catalog.ts";

const attributes = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));

export const listingStatusSchema = z
  .enum(["draft", "pending_review", "published", "rejected", "archived"])
  .openapi("ListingStatus");

export const listingSchema = z
  .object({
    id: z.uuid(),
    orgId: z.uuid(),
    seller: z.object({
      id: z.uuid(),
      name: z.string(),
      country: z.string().nullable(),
      rating: sellerRating,
    }),
    category: z.object({ slug: z.string(), name: z.string() }),
    title: z.string(),
    description: z.string(),
    status: listingStatusSchema,
    rejectionReason: z.string().nullable(),
    currency: z.string(),
    priceTiers: z.array(priceTierView),
    minUnitPriceMinor: amountMinor,
    minOrderQuantity: z.number().int(),
    orderIncrement: z.number().int(),
    leadTimeDays: z.number().int(),
    attributes,
    version: z.number().int().openapi({ description: "Also the ETag; send it back in If-Match to edit" }),
    variants: z.array(
      z.object({
        id: z.uuid(),
        sku: z.string(),
        attributes,
        stock: z.number().int(),
        weightGrams: z.number().int().nullable(),
      }),
    ),
    images: z.array(z.object({ id: z.uuid(), url: z.string() })),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    publishedAt: z.iso.datetime().nullable(),
  })
  .openapi("Listing");

export const listingHitSchema = z
  .object({
    id: z.uuid(),
    title: z.string(),
    seller: z.object({ id: z.uuid(), name: z.string(), rating: sellerRating }),
    category: z.object({ slug: z.string(), name: z.string() }),
    currency: z.string(),
    minUnitPriceMinor: amountMinor,
    priceTiers: z.array(priceTierView),
    minOrderQuantity: z.number().int(),
    leadTimeDays: z.number().int(),
    image: z.string().nullable(),
    publishedAt: z.iso.datetime(),
  })
  .openapi("ListingHit");

export const searchResultSchema = z
  .object({
    total: z.number().int(),
    exact: z.boolean().openapi({
      description:
        "False when the matches were counted up to a bound (10,000; 1,000 with search text) and more match: " +
        "total and facets are then lower bounds, and relevance ordered the matches counted. Browse pages " +
        "(no text, no filter but a category) are always exact",
    }),
    hits: z.array(listingHitSchema),
    nextCursor: z.string().nullable(),
    facets: z.object({
      categories: z.array(z.object({ slug: z.string(), name: z.string(), count: z.number().int() })),
      priceBands: z.array(
        z.object({ min: z.number().int(), max: z.number().int().nullable(), count: z.number().int() }),
      ),
      attributes: z.record(z.string(), z.array(z.object({ value: z.string(), count: z.number().int() }))),
    }),
  })
  .openapi("SearchResult");

/** `limit`: out-of-range values are clamped to 1–100, not refused. */
