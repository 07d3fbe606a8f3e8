import { createRouter } from "../../http/router.ts";
import * as handlers from "./webhooks.handlers.ts";
import * as routes from "./webhooks.routes.ts";

export const webhooksRouter = createRouter()
  .openapi(routes.createWebhook, handlers.createWebhookHandler)
  .openapi(routes.listWebhooks, handlers.listWebhooksHandler)
  .openapi(routes.getWebhook, handlers.getWebhookHandler)
  .openapi(routes.updateWebhook, handlers.updateWebhookHandler)
  .openapi(routes.deleteWebhook, handlers.deleteWebhookHandler)
  .openapi(routes.rotateWebhookSecret, handlers.rotateWebhookSecretHandler)
  .openapi(routes.listWebhookDeliveries, handlers.listWebhookDeliveriesHandler)
  .openapi(routes.getWebhookDelivery, handlers.getWebhookDeliveryHandler)
  .openapi(routes.redeliverWebhook, handlers.redeliverWebhookHandler)
  .openapi(routes.pingWebhook, handlers.pingWebhookHandler);
