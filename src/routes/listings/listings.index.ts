import { createRouter } from "../../http/router.ts";
import * as publicHandlers from "./public.handlers.ts";
import * as publicRoutes from "./public.routes.ts";
import * as sellerHandlers from "./seller.handlers.ts";
import * as sellerRoutes from "./seller.routes.ts";

export const catalogRouter = createRouter()
  .openapi(publicRoutes.listCategories, publicHandlers.listCategoriesHandler)
  .openapi(publicRoutes.createCategory, publicHandlers.createCategoryHandler)
  .openapi(publicRoutes.searchListings, publicHandlers.searchListingsHandler)
  .openapi(publicRoutes.getListing, publicHandlers.getListingHandler);

export const sellerListingsRouter = createRouter()
  .openapi(sellerRoutes.createListing, sellerHandlers.createListingHandler)
  .openapi(sellerRoutes.listListings, sellerHandlers.listListingsHandler)
  .openapi(sellerRoutes.getListing, sellerHandlers.getListingHandler)
  .openapi(sellerRoutes.updateListing, sellerHandlers.updateListingHandler)
  .openapi(sellerRoutes.submitListing, sellerHandlers.submitListingHandler)
  .openapi(sellerRoutes.archiveListing, sellerHandlers.archiveListingHandler)
  .openapi(sellerRoutes.pendingListings, sellerHandlers.pendingListingsHandler)
  .openapi(sellerRoutes.approveListing, sellerHandlers.approveListingHandler)
  .openapi(sellerRoutes.rejectListing, sellerHandlers.rejectListingHandler);
