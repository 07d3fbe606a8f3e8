import { createRouter } from "../../http/router.ts";
import * as handlers from "./orders.handlers.ts";
import * as routes from "./orders.routes.ts";

export const ordersRouter = createRouter()
  .openapi(routes.getCart, handlers.getCartHandler)
  .openapi(routes.setCartLine, handlers.setCartLineHandler)
  .openapi(routes.removeCartLine, handlers.removeCartLineHandler)
  .openapi(routes.checkout, handlers.checkoutHandler)
  .openapi(routes.listOrders, handlers.listOrdersHandler)
  .openapi(routes.getOrder, handlers.getOrderHandler)
  .openapi(routes.transitionOrder, handlers.transitionOrderHandler)
  .openapi(routes.getGroup, handlers.getGroupHandler)
  .openapi(routes.decideGroup, handlers.decideGroupHandler)
  .openapi(routes.getMemberSpendingLimits, handlers.getMemberSpendingLimitsHandler)
  .openapi(routes.setMemberSpendingLimits, handlers.setMemberSpendingLimitsHandler)
  .openapi(routes.getApiKeySpendingLimits, handlers.getApiKeySpendingLimitsHandler)
  .openapi(routes.setApiKeySpendingLimits, handlers.setApiKeySpendingLimitsHandler)
  .openapi(routes.listInvoices, handlers.listInvoicesHandler)
  .openapi(routes.markInvoicePaid, handlers.markInvoicePaidHandler);
