import { createRouter } from "../../http/router.ts";
import * as handlers from "./me.handlers.ts";
import * as routes from "./me.routes.ts";

export const meRouter = createRouter()
  .openapi(routes.getMe, handlers.getMeHandler)
  .openapi(routes.listSessions, handlers.listSessionsHandler)
  .openapi(routes.revokeSession, handlers.revokeSessionHandler)
  .openapi(routes.revokeOtherSessions, handlers.revokeOtherSessionsHandler)
  .openapi(routes.changePassword, handlers.changePasswordHandler);
