import { createRoute, z } from "@hono/zod-openapi";
import { problemResponses } from "../../http/problem.ts";
import { requireUser } from "../../middleware/auth.ts";
import { authenticated, email, jsonBody, jsonResponse, role, uuidParam } from "../schemas.ts";

const tags = ["Invitations"];

const invitationSchema = z
  .object({ id: z.uuid(), orgId: z.uuid(), email: z.string(), role, expiresAt: z.iso.datetime() })
  .openapi("Invitation");

export const createInvitation = createRoute({
  operationId: "createInvitation",
  "x-capability": "invitations:manage",
  method: "post",
  path: "/v1/orgs/{orgId}/invitations",
  tags,
  security: authenticated,
  summary: "Invite someone by email (owners, admins; only owners invite owners)",
  description:
    "The single-use token (valid 7 days) is sent only by email (the outbox). Only a person whose own " +
    "address is verified may send one (403 `urn:problem:email_unverified`).",
  middleware: requireUser(),
  request: {
    params: z.object({ orgId: uuidParam("orgId") }),
    body: jsonBody(z.strictObject({ email, role })),
  },
  responses: {
    201: jsonResponse(invitationSchema, "Invitation sent"),
    ...problemResponses(400, 401, 403, 404, 409, 413, 415, 503),
  },
});

const pendingInvitationSchema = invitationSchema
  .extend({
    invitedBy: z.uuid().openapi({ description: "The user who sent it" }),
    createdAt: z.iso.datetime(),
  })
  .openapi("PendingInvitation");

export const listInvitations = createRoute({
  operationId: "listInvitations",
  "x-capability": "invitations:manage",
  method: "get",
  path: "/v1/orgs/{orgId}/invitations",
  tags,
  security: authenticated,
  summary: "Pending invitations: neither accepted, revoked nor expired (owners, admins)",
  description: "Newest first. Tokens are never shown: they exist only in the emails.",
  middleware: requireUser(),
  request: { params: z.object({ orgId: uuidParam("orgId") }) },
  responses: {
    200: jsonResponse(
      z.object({ invitations: z.array(pendingInvitationSchema) }).openapi("InvitationList"),
      "Pending invitations",
    ),
    ...problemResponses(400, 401, 403, 404, 503),
  },
});

export const revokeInvitation = createRoute({
  operationId: "revokeInvitation",
  "x-capability": "invitations:manage",
  method: "delete",
  path: "/v1/orgs/{orgId}/invitations/{invitationId}",
  tags,
  security: authenticated,
  summary: "Revoke a pending invitation (owners, admins; only owners revoke owner invitations)",
  description: "A revoked invitation can no longer be accepted. An accepted one is 409: remove the member.",
  middleware: requireUser(),
  request: { params: z.object({ orgId: uuidParam("orgId"), invitationId: uuidParam("invitationId") }) },
  responses: { 204: { description: "Revoked" }, ...problemResponses(400, 401, 403, 404, 409, 503) },
});

export const acceptInvitation = createRoute({
  operationId: "acceptInvitation",
  method: "post",
  path: "/v1/invitations/{token}/accept",
  tags,
  security: authenticated,
  summary: "Accept an invitation as the invited (signed-in) user",
  middleware: requireUser(),
  request: {
    params: z.object({
      token: z
        .string()
        .regex(/^[\w-]{43}$/, "is not an invitation token")
        .openapi({ param: { name: "token", in: "path" } }),
    }),
  },
  responses: {
    200: jsonResponse(z.object({ orgId: z.uuid(), role }).openapi("JoinedOrg"), "Joined"),
    ...problemResponses(400, 401, 403, 404, 409, 410, 503),
  },
});
