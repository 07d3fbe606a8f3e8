import { createRouter } from "../../http/router.ts";
import * as handlers from "./messages.handlers.ts";
import * as routes from "./messages.routes.ts";

export const messagesRouter = createRouter()
  .openapi(routes.startThread, handlers.startThreadHandler)
  .openapi(routes.listThreads, handlers.listThreadsHandler)
  .openapi(routes.listMessages, handlers.listMessagesHandler)
  .openapi(routes.postMessage, handlers.postMessageHandler)
  .openapi(routes.markThreadRead, handlers.markThreadReadHandler)
  .openapi(routes.attachmentUrlRoute, handlers.attachmentUrlHandler)
  .openapi(routes.hideMessage, handlers.hideMessageHandler);
