import { principalOf } from "../../middleware/auth.ts";
import { sellerReviews } from "../../services/reviews/public.ts";
import * as reviews from "../../services/reviews/reviews.ts";
import type { AppRouteHandler } from "../../types.ts";
import { serviceContext } from "../context.ts";
import type * as routes from "./reviews.routes.ts";

export const putReviewHandler: AppRouteHandler<typeof routes.putReview> = async (c) => {
  const { orgId, orderId } = c.req.valid("param");
  const { review, created } = await reviews.putReview(
    serviceContext(c),
    principalOf(c),
    orgId,
    orderId,
    c.req.valid("json"),
  );
  return created ? c.json(review, 201) : c.json(review, 200);
};

export const getReviewHandler: AppRouteHandler<typeof routes.getReview> = async (c) => {
  const { orgId, orderId } = c.req.valid("param");
  return c.json(await reviews.getReview(serviceContext(c), principalOf(c), orgId, orderId), 200);
};

export const replyToReviewHandler: AppRouteHandler<typeof routes.replyToReview> = async (c) => {
  const { orgId, reviewId } = c.req.valid("param");
  const body = c.req.valid("json").body;
  return c.json(await reviews.replyToReview(serviceContext(c), principalOf(c), orgId, reviewId, body), 200);
};

export const sellerReviewsHandler: AppRouteHandler<typeof routes.sellerReviews> = async (c) => {
  const query = c.req.valid("query");
  const page = await sellerReviews(serviceContext(c), c.req.valid("param").sellerId, {
    rating: query.rating,
    cursor: query.cursor,
    limit: query.limit ?? 20,
  });
  return c.json(page, 200);
};

export const hideReviewHandler: AppRouteHandler<typeof routes.hideReview> = async (c) => {
  const { reviewId } = c.req.valid("param");
  const hide = c.req.valid("json").reason;
  return c.json(await reviews.moderateReview(serviceContext(c), principalOf(c), reviewId, { hide }), 200);
};

export const unhideReviewHandler: AppRouteHandler<typeof routes.unhideReview> = async (c) => {
  const { reviewId } = c.req.valid("param");
  return c.json(await reviews.moderateReview(serviceContext(c), principalOf(c), reviewId, "unhide"), 200);
};
