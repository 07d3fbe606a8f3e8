/**
 * Reviews of sellers by the buyers of completed orders, the seller's one reply, moderation, and the
 * seller rating shown across the catalogue.
 */
import { z } from "zod";
import { sellerRating } from "./catalog.ts";
import { timestamp } from "./common.ts";

/** The most characters a review or a reply holds. */
export const REVIEW_BODY_MAX = 4000;
/** How long after it was first posted a review may be edited. */
export const REVIEW_EDIT_DAYS = 30;

export const reviewReply = z
  .object({ body: z.string(), repliedAt: timestamp })
  .meta({ id: "ReviewReply", description: "The seller's one reply" });

/** A review as its two parties (and platform admins) see it. */
export const review = z
  .object({
    id: z.uuid(),
    orderId: z.uuid(),
    buyerOrgId: z.uuid(),
    sellerOrgId: z.uuid(),
    rating: z.number().int().min(1).max(5),
    body: z.string(),
    editableUntil: timestamp.meta({ description: "The buyer may edit the review until then (30 days)" }),
    reply: reviewReply.nullable(),
    hidden: z.object({ at: timestamp, reason: z.string() }).nullable().meta({
      description: "Set while a platform admin hides the review: it is then neither public nor counted",
    }),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: "Review" });
export type Review = z.infer<typeof review>;

/** A review as anyone sees it on the seller's page: no author, no moderation details. */
export const publicReview = z
  .object({
    id: z.uuid(),
    rating: z.number().int().min(1).max(5),
    body: z.string(),
    reviewer: z.string().meta({
      description:
        "The buying organisation's name, shortened to its first word and initials (e.g. `Northwind P.`): " +
        "who buys from whom is commercially sensitive between companies",
    }),
    reply: reviewReply.nullable(),
    createdAt: timestamp,
    edited: z.boolean().meta({ description: "The buyer edited the review after posting it" }),
  })
  .meta({ id: "PublicReview" });
export type PublicReview = z.infer<typeof publicReview>;

export const sellerReviewPage = z
  .object({
    seller: z.object({ id: z.uuid(), name: z.string(), rating: sellerRating }),
    items: z.array(publicReview),
    nextCursor: z.string().nullable(),
  })
  .meta({ id: "SellerReviewPage" });
export type SellerReviewPage = z.infer<typeof sellerReviewPage>;
