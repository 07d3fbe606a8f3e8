import { createRoute, z } from "@hono/zod-openapi";
import { problemResponses } from "../../http/problem.ts";
import { requireUser } from "../../middleware/auth.ts";
import { authenticated, issuedSessionSchema, jsonBody, jsonResponse, password } from "../schemas.ts";

const meSchema = z
  .object({
    id: z.uuid(),
    email: z.string(),
    name: z.string(),
    createdAt: z.iso.datetime(),
    emailVerified: z.boolean().openapi({
      description:
        "Whether the address is verified (the emailed link). Until it is, checkout, quote acceptance, " +
        "sending or accepting invitations, listing submission and API keys answer 403 " +
        "`urn:problem:email_unverified`.",
    }),
    platformAdmin: z.boolean().openapi({ description: "Moderates listings and manages categories." }),
    unreadMessages: z
      .number()
      .int()
      .openapi({ description: "Messages not yet read, in threads of any of your organisations" }),
    memberships: z.array(
      z.object({
        orgId: z.uuid(),
        orgName: z.string(),
        orgKind: z.string(),
        role: z.string(),
        unreadMessages: z
          .number()
          .int()
          .openapi({ description: "Unread messages in this organisation's threads" }),
      }),
    ),
  })
  .openapi("Me");

const sessionItem = z
  .object({
    id: z.string(),
    current: z.boolean(),
    createdAt: z.iso.datetime(),
    lastSeenAt: z.iso.datetime().nullable(),
    expiresAt: z.iso.datetime(),
    userAgent: z.string().nullable(),
  })
  .openapi("Session");

const common = { tags: ["Me"], security: authenticated, middleware: requireUser() };

export const getMe = createRoute({
  operationId: "getMe",
  ...common,
  method: "get",
  path: "/v1/me",
  summary: "The signed-in user, memberships and roles",
  responses: { 200: jsonResponse(meSchema, "The user"), ...problemResponses(401, 403, 503) },
});

export const listSessions = createRoute({
  operationId: "listSessions",
  ...common,
  method: "get",
  path: "/v1/me/sessions",
  summary: "Live sessions of the signed-in user",
  responses: {
    200: jsonResponse(
      z.object({ sessions: z.array(sessionItem) }).openapi("SessionList"),
      "Sessions, newest first",
    ),
    ...problemResponses(401, 403, 503),
  },
});

export const revokeSession = createRoute({
  operationId: "revokeSession",
  ...common,
  method: "delete",
  path: "/v1/me/sessions/{sessionId}",
  summary: "End one of your sessions",
  description:
    "Takes effect at once for writes; other locations may still accept it for reads for up to 60 s.",
  request: {
    params: z.object({
      sessionId: z
        .string()
        .regex(/^[\w-]{22}$/, "is not a session id")
        .openapi({ param: { name: "sessionId", in: "path" } }),
    }),
  },
  responses: { 204: { description: "Revoked" }, ...problemResponses(400, 401, 403, 404, 503) },
});

export const revokeOtherSessions = createRoute({
  operationId: "revokeOtherSessions",
  ...common,
  method: "delete",
  path: "/v1/me/sessions",
  summary: "End every session except this one",
  responses: {
    200: jsonResponse(
      z.object({ revoked: z.number().int() }).openapi("RevokedSessions"),
      "How many sessions ended",
    ),
    ...problemResponses(401, 403, 503),
  },
});

export const changePassword = createRoute({
  operationId: "changePassword",
  ...common,
  method: "post",
  path: "/v1/me/password",
  summary: "Change password: ends every session and starts a new one",
  description:
    "Wrong current passwords back off like sign-ins, on the same per-account counters (429 with Retry-After).",
  request: { body: jsonBody(z.strictObject({ currentPassword: password, newPassword: password })) },
  responses: {
    200: jsonResponse(
      z.object({ session: issuedSessionSchema }).openapi("PasswordChanged"),
      "Password changed; new session (cookie set)",
    ),
    ...problemResponses(400, 401, 403, 413, 415, 429, 503),
  },
});
