import { createRouter } from "../../http/router.ts";
import * as handlers from "./negotiation.handlers.ts";
import * as routes from "./negotiation.routes.ts";

export const negotiationRouter = createRouter()
  .openapi(routes.createRfq, handlers.createRfqHandler)
  .openapi(routes.listRfqs, handlers.listRfqsHandler)
  .openapi(routes.getRfq, handlers.getRfqHandler)
  .openapi(routes.transitionRfq, handlers.transitionRfqHandler)
  .openapi(routes.createQuote, handlers.createQuoteHandler)
  .openapi(routes.listQuotes, handlers.listQuotesHandler)
  .openapi(routes.getQuote, handlers.getQuoteHandler)
  .openapi(routes.reviseQuote, handlers.reviseQuoteHandler)
  .openapi(routes.counterQuote, handlers.counterQuoteHandler)
  .openapi(routes.declineQuote, handlers.declineQuoteHandler)
  .openapi(routes.withdrawQuote, handlers.withdrawQuoteHandler)
  .openapi(routes.acceptQuote, handlers.acceptQuoteHandler)
  .openapi(routes.createNegotiationUpload, handlers.createNegotiationUploadHandler)
  .openapi(routes.completeNegotiationUpload, handlers.completeNegotiationUploadHandler)
  .openapi(routes.rfqAttachmentUrl, handlers.rfqAttachmentUrlHandler);
