import { createRouter } from "../../http/router.ts";
import * as handlers from "./reviews.handlers.ts";
import * as routes from "./reviews.routes.ts";

export const reviewsRouter = createRouter()
  .openapi(routes.putReview, handlers.putReviewHandler)
  .openapi(routes.getReview, handlers.getReviewHandler)
  .openapi(routes.replyToReview, handlers.replyToReviewHandler)
  .openapi(routes.sellerReviews, handlers.sellerReviewsHandler)
  .openapi(routes.hideReview, handlers.hideReviewHandler)
  .openapi(routes.unhideReview, handlers.unhideReviewHandler);
