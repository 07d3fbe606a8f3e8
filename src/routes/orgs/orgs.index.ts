import { createRouter } from "../../http/router.ts";
import * as handlers from "./orgs.handlers.ts";
import * as routes from "./orgs.routes.ts";

export const orgsRouter = createRouter()
  .openapi(routes.createOrg, handlers.createOrgHandler)
  .openapi(routes.getOrg, handlers.getOrgHandler)
  .openapi(routes.updateOrg, handlers.updateOrgHandler)
  .openapi(routes.listMembers, handlers.listMembersHandler)
  .openapi(routes.updateMember, handlers.updateMemberHandler)
  .openapi(routes.removeMember, handlers.removeMemberHandler);
