import { createRoute, z } from "@hono/zod-openapi";
import { problemResponses } from "../../http/problem.ts";
import { requireUser } from "../../middleware/auth.ts";
import { authenticated, jsonBody, jsonResponse, scope, text, uuidParam } from "../schemas.ts";

const tags = ["API keys"];

const apiKeySchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    prefix: z.string().openapi({ description: "The public part of the key, for recognising it" }),
    scopes: z.array(scope),
    createdAt: z.iso.datetime(),
    expiresAt: z.iso.datetime().nullable(),
    lastUsedAt: z.iso.datetime().nullable().openapi({ description: "Recorded at most every 10 minutes" }),
    revokedAt: z.iso.datetime().nullable(),
  })
  .openapi("ApiKey");

const orgParams = z.object({ orgId: uuidParam("orgId") });

export const createApiKey = createRoute({
  operationId: "createApiKey",
  "x-capability": "api-keys:manage",
  method: "post",
  path: "/v1/orgs/{orgId}/api-keys",
  tags,
  security: authenticated,
  summary: "Create an API key (owners, admins); the secret is shown once",
  middleware: requireUser(),
  request: {
    params: orgParams,
    body: jsonBody(
      z.strictObject({
        name: text(1, 100),
        scopes: z.array(scope).min(1).max(20),
        expiresInDays: z.number().int().min(1).max(730).optional(),
      }),
    ),
  },
  responses: {
    201: jsonResponse(
      apiKeySchema.extend({ key: z.string() }).openapi("NewApiKey"),
      "Created; `key` is shown only now",
    ),
    ...problemResponses(400, 401, 403, 404, 409, 413, 415, 503),
  },
});

export const listApiKeys = createRoute({
  operationId: "listApiKeys",
  "x-capability": "api-keys:manage",
  method: "get",
  path: "/v1/orgs/{orgId}/api-keys",
  tags,
  security: authenticated,
  summary: "The organisation's API keys, without secrets (owners, admins)",
  middleware: requireUser(),
  request: { params: orgParams },
  responses: {
    200: jsonResponse(
      z.object({ apiKeys: z.array(apiKeySchema) }).openapi("ApiKeyList"),
      "Keys, newest first",
    ),
    ...problemResponses(400, 401, 403, 404, 503),
  },
});

export const revokeApiKey = createRoute({
  operationId: "revokeApiKey",
  "x-capability": "api-keys:manage",
  method: "delete",
  path: "/v1/orgs/{orgId}/api-keys/{keyId}",
  tags,
  security: authenticated,
  summary: "Revoke an API key (owners, admins)",
  middleware: requireUser(),
  request: { params: z.object({ orgId: uuidParam("orgId"), keyId: uuidParam("keyId") }) },
  responses: { 204: { description: "Revoked" }, ...problemResponses(400, 401, 403, 404, 503) },
});
