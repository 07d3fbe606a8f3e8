import { userOf } from "../../middleware/auth.ts";
import * as invitations from "../../services/identity/invitations.ts";
import type { AppRouteHandler } from "../../types.ts";
import { serviceContext } from "../context.ts";
import type * as routes from "./invitations.routes.ts";

export const createInvitationHandler: AppRouteHandler<typeof routes.createInvitation> = async (c) => {
  const { orgId } = c.req.valid("param");
  const invitation = await invitations.createInvitation(serviceContext(c), userOf(c), orgId, {
    ...c.req.valid("json"),
    acceptBaseUrl: c.var.config.PUBLIC_URL,
  });
  return c.json(invitation, 201);
};

export const listInvitationsHandler: AppRouteHandler<typeof routes.listInvitations> = async (c) =>
  c.json(
    {
      invitations: await invitations.listInvitations(
        serviceContext(c),
        userOf(c),
        c.req.valid("param").orgId,
      ),
    },
    200,
  );

export const revokeInvitationHandler: AppRouteHandler<typeof routes.revokeInvitation> = async (c) => {
  const { orgId, invitationId } = c.req.valid("param");
  await invitations.revokeInvitation(serviceContext(c), userOf(c), orgId, invitationId);
  return c.body(null, 204);
};

export const acceptInvitationHandler: AppRouteHandler<typeof routes.acceptInvitation> = async (c) =>
  c.json(await invitations.acceptInvitation(serviceContext(c), userOf(c), c.req.valid("param").token), 200);
