import { createRouter } from "../../http/router.ts";
import * as handlers from "./invitations.handlers.ts";
import * as routes from "./invitations.routes.ts";

export const invitationsRouter = createRouter()
  .openapi(routes.createInvitation, handlers.createInvitationHandler)
  .openapi(routes.listInvitations, handlers.listInvitationsHandler)
  .openapi(routes.revokeInvitation, handlers.revokeInvitationHandler)
  .openapi(routes.acceptInvitation, handlers.acceptInvitationHandler);
