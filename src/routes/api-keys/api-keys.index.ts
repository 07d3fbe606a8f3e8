import { createRouter } from "../../http/router.ts";
import * as handlers from "./api-keys.handlers.ts";
import * as routes from "./api-keys.routes.ts";

export const apiKeysRouter = createRouter()
  .openapi(routes.createApiKey, handlers.createApiKeyHandler)
  .openapi(routes.listApiKeys, handlers.listApiKeysHandler)
  .openapi(routes.revokeApiKey, handlers.revokeApiKeyHandler);
