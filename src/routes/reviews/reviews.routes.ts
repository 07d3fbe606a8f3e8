import { createRoute, z } from "@hono/zod-openapi";
import { REVIEW_BODY_MAX, review, sellerReviewPage } from "../../contracts/reviews.ts";
import { problemResponses } from "../../http/problem.ts";
import { usableText } from "../../lib/text.ts";
import { requireAuth } from "../../middleware/auth.ts";
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

const tags = ["Reviews"];
const common = { tags, security: authenticated, middleware: requireAuth() };
const orderParams = z.object({ orgId: uuidParam("orgId"), orderId: uuidParam("orderId") });
/** A review's or a reply's text: trimmed, 1–4000 characters, line breaks allowed. */
const reviewText = usableText(z.string().trim().min(1).max(REVIEW_BODY_MAX), "multi");

export const putReview = createRoute({
  operationId: "putReview",
  "x-capability": "reviews:write",
  ...common,
  method: "put",
  path: "/v1/orgs/{orgId}/orders/{orderId}/review",
  summary: "Review the order's seller (buyer organisation, completed orders only), or edit the review",
  description:
    "Only verified purchases are reviewed: the order must be completed (else 403), and only its buyer " +
    "organisation reviews it. One review per order: the first PUT creates it (201), later ones edit it " +
    "(200) for 30 days after it was posted; after that, or once a platform admin hid it, 409.",
  request: {
    params: orderParams,
    body: jsonBody(z.strictObject({ rating: z.number().int().min(1).max(5), body: reviewText })),
  },
  responses: {
    200: jsonResponse(review, "Edited"),
    201: jsonResponse(review, "Posted"),
    ...problemResponses(400, 401, 403, 404, 409, 413, 415, 503),
  },
});

export const getReview = createRoute({
  operationId: "getReview",
  "x-capability": "orders:read",
  ...common,
  method: "get",
  path: "/v1/orgs/{orgId}/orders/{orderId}/review",
  summary: "The order's review, for its buyer or its seller (404 when there is none yet)",
  request: { params: orderParams },
  responses: {
    200: jsonResponse(review, "The review"),
    ...problemResponses(400, 401, 403, 404, 503),
  },
});

export const replyToReview = createRoute({
  operationId: "replyToReview",
  "x-capability": "reviews:reply",
  ...common,
  method: "post",
  path: "/v1/orgs/{orgId}/reviews/{reviewId}/reply",
  summary: "Reply to a review of the organisation as a seller, once (a second reply is 409)",
  request: {
    params: z.object({ orgId: uuidParam("orgId"), reviewId: uuidParam("reviewId") }),
    body: jsonBody(z.strictObject({ body: reviewText })),
  },
  responses: {
    200: jsonResponse(review, "The review with its reply"),
    ...problemResponses(400, 401, 403, 404, 409, 413, 415, 503),
  },
});

export const sellerReviews = createRoute({
  operationId: "sellerReviews",
  security: publicAccess,
  method: "get",
  path: "/v1/sellers/{sellerId}/reviews",
  tags,
  summary: "A seller's reviews (hidden ones left out), newest first, with its rating; for anyone",
  request: {
    params: z.object({ sellerId: uuidParam("sellerId") }),
    query: z.object({
      rating: z.coerce
        .number()
        .int()
        .min(1)
        .max(5)
        .optional()
        .openapi({ description: "Only this many stars" }),
      cursor: cursorParam,
      limit: limitParam,
    }),
  },
  responses: {
    200: jsonResponse(sellerReviewPage, "A page of reviews and the seller's rating"),
    ...problemResponses(400, 404, 503),
  },
});

const moderation = {
  method: "post" as const,
  tags: ["Reviews", "Moderation"],
  security: authenticated,
  middleware: requireAuth(),
  responses: {
    200: jsonResponse(review, "The review as it is now"),
    ...problemResponses(400, 401, 403, 404, 409, 413, 415, 503),
  },
};
const reviewParams = z.object({ reviewId: uuidParam("reviewId") });

export const hideReview = createRoute({
  ...moderation,
  operationId: "hideReview",
  path: "/v1/admin/reviews/{reviewId}/hide",
  summary: "Hide an abusive review, with a reason (platform admins): it leaves the seller's page and rating",
  request: { params: reviewParams, body: jsonBody(z.strictObject({ reason: text(1, 500) })) },
});

export const unhideReview = createRoute({
  ...moderation,
  operationId: "unhideReview",
  path: "/v1/admin/reviews/{reviewId}/unhide",
  summary: "Show a hidden review again (platform admins); it counts in the seller's rating again",
  request: { params: reviewParams },
});
