import { principalOf, userOf } from "../../middleware/auth.ts";
import * as members from "../../services/identity/members.ts";
import * as orgs from "../../services/identity/orgs.ts";
import type { AppRouteHandler } from "../../types.ts";
import { serviceContext } from "../context.ts";
import type * as routes from "./orgs.routes.ts";

export const createOrgHandler: AppRouteHandler<typeof routes.createOrg> = async (c) =>
  c.json(await orgs.createOrg(serviceContext(c), userOf(c), c.req.valid("json")), 201);

export const getOrgHandler: AppRouteHandler<typeof routes.getOrg> = async (c) =>
  c.json(await orgs.getOrg(serviceContext(c), principalOf(c), c.req.valid("param").orgId), 200);

export const updateOrgHandler: AppRouteHandler<typeof routes.updateOrg> = async (c) => {
  const { orgId } = c.req.valid("param");
  return c.json(await orgs.updateOrg(serviceContext(c), principalOf(c), orgId, c.req.valid("json")), 200);
};

export const listMembersHandler: AppRouteHandler<typeof routes.listMembers> = async (c) =>
  c.json(
    { members: await members.listMembers(serviceContext(c), principalOf(c), c.req.valid("param").orgId) },
    200,
  );

export const updateMemberHandler: AppRouteHandler<typeof routes.updateMember> = async (c) => {
  const { orgId, userId } = c.req.valid("param");
  return c.json(
    await members.changeMemberRole(serviceContext(c), userOf(c), orgId, userId, c.req.valid("json").role),
    200,
  );
};

export const removeMemberHandler: AppRouteHandler<typeof routes.removeMember> = async (c) => {
  const { orgId, userId } = c.req.valid("param");
  await members.removeMember(serviceContext(c), userOf(c), orgId, userId);
  return c.body(null, 204);
};
