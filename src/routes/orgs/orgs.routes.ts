import { createRoute, z } from "@hono/zod-openapi";
import { problemResponses } from "../../http/problem.ts";
import { usableText } from "../../lib/text.ts";
import { requireAuth, requireUser } from "../../middleware/auth.ts";
import { authenticated, jsonBody, jsonResponse, role, text, uuidParam } from "../schemas.ts";

const orgFields = {
  name: text(1, 120),
  kind: z.enum(["buyer", "seller", "both"]),
  legalName: text(1, 200).nullable().optional(),
  taxId: text(1, 50).nullable().optional(),
  country: z
    .string()
    .regex(/^[A-Z]{2}$/, "must be an ISO 3166-1 alpha-2 code in capitals")
    .nullable()
    .optional(),
  website: usableText(z.url({ protocol: /^https?$/ }).max(300))
    .nullable()
    .optional(),
};

export const orgSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    kind: z.enum(["buyer", "seller", "both"]),
    legalName: z.string().nullable(),
    taxId: z.string().nullable(),
    country: z.string().nullable(),
    website: z.string().nullable(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    role: role.nullable().openapi({ description: "Your role; null when called with an API key" }),
  })
  .openapi("Organization");

const memberSchema = z
  .object({ userId: z.uuid(), name: z.string(), email: z.string(), role, joinedAt: z.iso.datetime() })
  .openapi("Member");

const orgParams = z.object({ orgId: uuidParam("orgId") });
const memberParams = z.object({ orgId: uuidParam("orgId"), userId: uuidParam("userId") });
const tags = ["Organizations"];

export const createOrg = createRoute({
  operationId: "createOrg",
  method: "post",
  path: "/v1/orgs",
  tags,
  security: authenticated,
  summary: "Create an organisation (you become its owner)",
  middleware: requireUser(),
  request: { body: jsonBody(z.strictObject(orgFields)) },
  responses: {
    201: jsonResponse(orgSchema, "Created"),
    ...problemResponses(400, 401, 403, 409, 413, 415, 503),
  },
});

export const getOrg = createRoute({
  operationId: "getOrg",
  "x-capability": "org:read",
  method: "get",
  path: "/v1/orgs/{orgId}",
  tags,
  security: authenticated,
  summary: "An organisation (members; API keys with org:read)",
  middleware: requireAuth(),
  request: { params: orgParams },
  responses: {
    200: jsonResponse(orgSchema, "The organisation"),
    ...problemResponses(400, 401, 403, 404, 503),
  },
});

export const updateOrg = createRoute({
  operationId: "updateOrg",
  "x-capability": "org:manage",
  method: "patch",
  path: "/v1/orgs/{orgId}",
  tags,
  security: authenticated,
  summary: "Edit an organisation (owners, admins; API keys with org:write)",
  middleware: requireAuth(),
  request: {
    params: orgParams,
    body: jsonBody(
      z
        .strictObject(orgFields)
        .partial()
        .refine((body) => Object.keys(body).length > 0, "must change at least one field"),
    ),
  },
  responses: {
    200: jsonResponse(orgSchema, "Updated"),
    ...problemResponses(400, 401, 403, 404, 413, 415, 503),
  },
});

export const listMembers = createRoute({
  operationId: "listMembers",
  "x-capability": "members:read",
  method: "get",
  path: "/v1/orgs/{orgId}/members",
  tags,
  security: authenticated,
  summary: "Members and roles (members; API keys with members:read)",
  middleware: requireAuth(),
  request: { params: orgParams },
  responses: {
    200: jsonResponse(z.object({ members: z.array(memberSchema) }).openapi("MemberList"), "Members"),
    ...problemResponses(400, 401, 403, 404, 503),
  },
});

export const updateMember = createRoute({
  operationId: "updateMember",
  "x-capability": "members:manage",
  method: "patch",
  path: "/v1/orgs/{orgId}/members/{userId}",
  tags,
  security: authenticated,
  summary: "Change a member's role (owners, admins; only owners touch the owner role)",
  middleware: requireUser(),
  request: { params: memberParams, body: jsonBody(z.strictObject({ role })) },
  responses: {
    200: jsonResponse(memberSchema, "Updated"),
    ...problemResponses(400, 401, 403, 404, 409, 413, 415, 503),
  },
});

export const removeMember = createRoute({
  operationId: "removeMember",
  "x-capability": "members:manage",
  method: "delete",
  path: "/v1/orgs/{orgId}/members/{userId}",
  tags,
  security: authenticated,
  summary: "Remove a member, or leave (your own id); the last owner cannot leave",
  middleware: requireUser(),
  request: { params: memberParams },
  responses: { 204: { description: "Removed" }, ...problemResponses(400, 401, 403, 404, 409, 503) },
});
