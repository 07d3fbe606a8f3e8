import { createRoute, z } from "@hono/zod-openapi";
import { subscribableEventTypes as eventTypes } from "../../contracts/events.ts";
import { problemResponses } from "../../http/problem.ts";
import { requireUser } from "../../middleware/auth.ts";
import { MAX_ENDPOINTS, MAX_ROTATION_OVERLAP_HOURS } from "../../services/webhooks/endpoints.ts";
import { authenticated, cursorParam, jsonBody, jsonResponse, limitParam, uuidParam } from "../schemas.ts";

const tags = ["Webhooks"];
const common = {
  tags,
  security: authenticated,
  middleware: requireUser(),
  "x-capability": "webhooks:manage",
} as const;

const eventType = z.enum(eventTypes).openapi("EventType");
const url = z.string().trim().min(1).max(2048).openapi({
  description: "https URL on a public host (no IP literals in private ranges; redirects are not followed)",
});

const endpointSchema = z
  .object({
    id: z.uuid(),
    url: z.string(),
    description: z.string(),
    eventTypes: z.array(eventType),
    enabled: z.boolean(),
    disabledReason: z
      .enum(["manual", "failing"])
      .nullable()
      .openapi({ description: "`failing`: disabled automatically after a day of failed deliveries" }),
    failingSince: z.iso.datetime().nullable(),
    consecutiveFailures: z.number().int(),
    secrets: z
      .array(z.object({ createdAt: z.iso.datetime(), expiresAt: z.iso.datetime().nullable() }))
      .openapi({
        description: "Secrets that sign deliveries now (two during a rotation's overlap); never their values",
      }),
    last24h: z
      .object({
        delivered: z.number().int(),
        failing: z.number().int().openapi({ description: "Pending or failed, to be retried" }),
        dead: z.number().int().openapi({ description: "Every attempt failed" }),
      })
      .openapi({ description: "Deliveries of the last 24 hours by outcome" }),
    version: z.number().int(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .openapi("WebhookEndpoint");

const withSecret = endpointSchema
  .extend({
    secret: z.string().openapi({
      description: "The signing secret (`whsec_…`, Standard Webhooks): shown only now",
    }),
  })
  .openapi("WebhookEndpointWithSecret");

const deliveryStatus = z.enum(["pending", "delivered", "failed", "dead"]);
const deliverySchema = z
  .object({
    id: z.uuid(),
    eventId: z.uuid().openapi({ description: "Also the `webhook-id` header: receivers deduplicate by it" }),
    eventType: z.string(),
    status: deliveryStatus,
    attempts: z.number().int(),
    lastStatusCode: z.number().int().nullable(),
    lastError: z.string().nullable(),
    lastDurationMs: z.number().int().nullable(),
    nextAttemptAt: z.iso.datetime().nullable(),
    deliveredAt: z.iso.datetime().nullable(),
    createdAt: z.iso.datetime(),
  })
  .openapi("WebhookDelivery");

const orgParams = z.object({ orgId: uuidParam("orgId") });
const endpointParams = z.object({ orgId: uuidParam("orgId"), endpointId: uuidParam("endpointId") });
const deliveryParams = endpointParams.extend({ deliveryId: uuidParam("deliveryId") });

export const createWebhook = createRoute({
  ...common,
  operationId: "createWebhook",
  method: "post",
  path: "/v1/orgs/{orgId}/webhooks",
  summary: `Add a webhook endpoint (owners, admins; at most ${MAX_ENDPOINTS}); its signing secret is shown once`,
  description:
    "Deliveries are POSTed as JSON (the event's envelope, as in this document's webhooks section) and signed per Standard Webhooks: headers `webhook-id` (the event id, the same on every retry), `webhook-timestamp` and `webhook-signature` (`v1,<base64 HMAC-SHA256 of id.timestamp.body>`). The organisation receives only events addressed to it. Failed deliveries are retried for about a day (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h); an endpoint that fails for a day is disabled and the owners are emailed.",
  request: {
    params: orgParams,
    body: jsonBody(
      z.strictObject({
        url,
        description: z.string().trim().max(200).optional(),
        eventTypes: z.array(eventType).min(1).max(eventTypes.length),
        enabled: z.boolean().optional(),
      }),
    ),
  },
  responses: {
    201: jsonResponse(withSecret, "Created; `secret` is shown only now"),
    ...problemResponses(400, 401, 403, 404, 409, 413, 415, 503),
  },
});

export const listWebhooks = createRoute({
  ...common,
  operationId: "listWebhooks",
  method: "get",
  path: "/v1/orgs/{orgId}/webhooks",
  summary: "The organisation's webhook endpoints (owners, admins)",
  request: { params: orgParams },
  responses: {
    200: jsonResponse(
      z.object({ endpoints: z.array(endpointSchema) }).openapi("WebhookEndpointList"),
      "Newest first",
    ),
    ...problemResponses(400, 401, 403, 404, 503),
  },
});

export const getWebhook = createRoute({
  ...common,
  operationId: "getWebhook",
  method: "get",
  path: "/v1/orgs/{orgId}/webhooks/{endpointId}",
  summary: "One webhook endpoint with its last 24 hours of deliveries in figures",
  request: { params: endpointParams },
  responses: {
    200: jsonResponse(endpointSchema, "The endpoint"),
    ...problemResponses(400, 401, 403, 404, 503),
  },
});

export const updateWebhook = createRoute({
  ...common,
  operationId: "updateWebhook",
  method: "patch",
  path: "/v1/orgs/{orgId}/webhooks/{endpointId}",
  summary: "Change an endpoint's URL, events or description; enable or disable it",
  description:
    "Enabling clears the failure streak. `If-Match` (the version) is optional; when sent, a stale version gets 412.",
  request: {
    params: endpointParams,
    headers: z.object({ "if-match": z.string().max(100).optional() }),
    body: jsonBody(
      z
        .strictObject({
          url: url.optional(),
          description: z.string().trim().max(200).optional(),
          eventTypes: z.array(eventType).min(1).max(eventTypes.length).optional(),
          enabled: z.boolean().optional(),
        })
        .refine((body) => Object.keys(body).length > 0, "name at least one field to change"),
    ),
  },
  responses: {
    200: jsonResponse(endpointSchema, "Changed"),
    ...problemResponses(400, 401, 403, 404, 412, 413, 415, 503),
  },
});

export const deleteWebhook = createRoute({
  ...common,
  operationId: "deleteWebhook",
  method: "delete",
  path: "/v1/orgs/{orgId}/webhooks/{endpointId}",
  summary: "Delete an endpoint with its secrets and delivery log",
  request: { params: endpointParams },
  responses: { 204: { description: "Deleted" }, ...problemResponses(400, 401, 403, 404, 503) },
});

export const rotateWebhookSecret = createRoute({
  ...common,
  operationId: "rotateWebhookSecret",
  method: "post",
  path: "/v1/orgs/{orgId}/webhooks/{endpointId}/secret-rotations",
  summary: "A new signing secret (shown once); the old one keeps signing during the overlap",
  request: {
    params: endpointParams,
    body: jsonBody(
      z.strictObject({
        overlapHours: z
          .number()
          .int()
          .min(0)
          .max(MAX_ROTATION_OVERLAP_HOURS)
          .default(24)
          .openapi({ description: "How long the current secret keeps signing too (0: stop now)" }),
      }),
    ),
  },
  responses: {
    201: jsonResponse(withSecret, "Rotated; `secret` is the new one, shown only now"),
    ...problemResponses(400, 401, 403, 404, 413, 415, 503),
  },
});

export const listWebhookDeliveries = createRoute({
  ...common,
  operationId: "listWebhookDeliveries",
  method: "get",
  path: "/v1/orgs/{orgId}/webhooks/{endpointId}/deliveries",
  summary: "The endpoint's delivery log, newest first",
  request: {
    params: endpointParams,
    query: z.object({ status: deliveryStatus.optional(), cursor: cursorParam, limit: limitParam }),
  },
  responses: {
    200: jsonResponse(
      z
        .object({ deliveries: z.array(deliverySchema), nextCursor: z.string().nullable() })
        .openapi("WebhookDeliveryPage"),
      "A page of deliveries",
    ),
    ...problemResponses(400, 401, 403, 404, 503),
  },
});

export const getWebhookDelivery = createRoute({
  ...common,
  operationId: "getWebhookDelivery",
  method: "get",
  path: "/v1/orgs/{orgId}/webhooks/{endpointId}/deliveries/{deliveryId}",
  summary: "One delivery with every attempt",
  request: { params: deliveryParams },
  responses: {
    200: jsonResponse(
      deliverySchema
        .extend({
          payload: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).openapi({
            description: "The event's payload, as its type's schema in the webhooks section describes it",
          }),
          attemptLog: z.array(
            z.object({
              attempt: z.number().int(),
              startedAt: z.iso.datetime(),
              durationMs: z.number().int(),
              statusCode: z.number().int().nullable(),
              error: z.string().nullable(),
              ok: z.boolean(),
            }),
          ),
        })
        .openapi("WebhookDeliveryDetail"),
      "The delivery",
    ),
    ...problemResponses(400, 401, 403, 404, 503),
  },
});

export const redeliverWebhook = createRoute({
  ...common,
  operationId: "redeliverWebhook",
  method: "post",
  path: "/v1/orgs/{orgId}/webhooks/{endpointId}/deliveries/{deliveryId}/redeliveries",
  summary: "Send a delivery again (any state), with a fresh retry schedule",
  request: { params: deliveryParams },
  responses: {
    202: { description: "Queued" },
    ...problemResponses(400, 401, 403, 404, 409, 503),
  },
});

export const pingWebhook = createRoute({
  ...common,
  operationId: "pingWebhook",
  method: "post",
  path: "/v1/orgs/{orgId}/webhooks/{endpointId}/pings",
  summary: "Send a test event (`webhook.ping`) to this endpoint only",
  description:
    "Checks a receiver end to end: the ping is signed and retried like any delivery and shows in the delivery log. Refused while the endpoint is disabled.",
  request: { params: endpointParams },
  responses: {
    202: jsonResponse(
      z.object({ deliveryId: z.uuid(), eventId: z.uuid() }).openapi("WebhookPing"),
      "Queued; follow it in the delivery log",
    ),
    ...problemResponses(400, 401, 403, 404, 409, 503),
  },
});
