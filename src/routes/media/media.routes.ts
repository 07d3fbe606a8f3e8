import { createRoute, z } from "@hono/zod-openapi";
import { problemResponses } from "../../http/problem.ts";
import { usableText } from "../../lib/text.ts";
import { requireAuth } from "../../middleware/auth.ts";
import { authenticated, jsonBody, jsonResponse, publicAccess, text, uuidParam } from "../schemas.ts";

const tags = ["Media"];

export const fileSchema = z
  .object({
    id: z.uuid(),
    purpose: z.enum(["image", "document", "rfq-attachment"]),
    contentType: z.string(),
    contentLength: z.number().int(),
    filename: z.string(),
    status: z.enum(["pending", "ready"]),
    url: z.string().nullable().openapi({ description: "Public URL for ready images" }),
  })
  .openapi("File");

export const uploadBody = z.strictObject({
  purpose: z.enum(["image", "document"]),
  contentType: usableText(z.string().max(100)),
  contentLength: z
    .number()
    .int()
    .min(1)
    .max(1024 * 1024 * 1024),
  filename: text(1, 255),
});

export const presignedUpload = z
  .object({
    uploadId: z.uuid(),
    method: z.literal("PUT"),
    url: z.string(),
    headers: z.record(z.string(), z.string()),
    expiresAt: z.iso.datetime(),
  })
  .openapi("PresignedUpload");

export const createUpload = createRoute({
  operationId: "createUpload",
  "x-capability": "listings:write",
  method: "post",
  path: "/v1/orgs/{orgId}/uploads",
  tags,
  security: authenticated,
  summary: "Start an upload: a presigned PUT straight to R2 (seller roles; API keys with listings:write)",
  description:
    "PUT the bytes to `url` with exactly the returned `headers` before `expiresAt`, then call " +
    "`/complete`. Images: JPEG, PNG, WebP or AVIF up to MAX_IMAGE_BYTES; documents: PDF up to MAX_DOCUMENT_BYTES.",
  middleware: requireAuth(),
  request: {
    params: z.object({ orgId: uuidParam("orgId") }),
    body: jsonBody(uploadBody),
  },
  responses: {
    201: jsonResponse(presignedUpload, "Presigned PUT"),
    ...problemResponses(400, 401, 403, 404, 413, 415, 500, 503),
  },
});

export const completeUpload = createRoute({
  operationId: "completeUpload",
  "x-capability": "listings:write",
  method: "post",
  path: "/v1/orgs/{orgId}/uploads/{uploadId}/complete",
  tags,
  security: authenticated,
  summary: "Verify an uploaded file (size, type, magic bytes); only then can it be attached",
  middleware: requireAuth(),
  request: { params: z.object({ orgId: uuidParam("orgId"), uploadId: uuidParam("uploadId") }) },
  responses: {
    200: jsonResponse(fileSchema, "Ready"),
    ...problemResponses(400, 401, 403, 404, 409, 422, 503),
  },
});

export const documentUrl = createRoute({
  operationId: "documentUrl",
  "x-capability": "files:read",
  method: "get",
  path: "/v1/orgs/{orgId}/files/{fileId}/url",
  tags,
  security: authenticated,
  summary: "A 5-minute presigned GET for one of the organisation's files (members)",
  middleware: requireAuth(),
  request: { params: z.object({ orgId: uuidParam("orgId"), fileId: uuidParam("fileId") }) },
  responses: {
    200: jsonResponse(
      z.object({ url: z.string(), expiresAt: z.iso.datetime() }).openapi("FileUrl"),
      "Presigned GET",
    ),
    ...problemResponses(400, 401, 403, 404, 500, 503),
  },
});

export const getFile = createRoute({
  operationId: "getFile",
  security: publicAccess,
  method: "get",
  path: "/v1/files/{fileId}",
  tags,
  summary: "A public listing image (immutable: cached for a year, ETag, 304)",
  request: { params: z.object({ fileId: uuidParam("fileId") }) },
  responses: {
    200: {
      description: "The image bytes",
      content: { "image/*": { schema: z.string().openapi({ format: "binary" }) } },
    },
    304: { description: "Not modified" },
    ...problemResponses(400, 404),
  },
});
