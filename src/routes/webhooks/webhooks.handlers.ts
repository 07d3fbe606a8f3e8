import { ApiError } from "../../lib/problem.ts";
import { userOf } from "../../middleware/auth.ts";
import { versionFromIfMatch } from "../../services/catalog/views.ts";
import * as webhooks from "../../services/webhooks/endpoints.ts";
import type { AppRouteHandler } from "../../types.ts";
import { serviceContext } from "../context.ts";
import type * as routes from "./webhooks.routes.ts";

export const createWebhookHandler: AppRouteHandler<typeof routes.createWebhook> = async (c) => {
  const created = await webhooks.createEndpoint(
    serviceContext(c),
    c.var.config,
    userOf(c),
    c.req.valid("param").orgId,
    c.req.valid("json"),
  );
  c.header("Cache-Control", "no-store");
  return c.json(created, 201);
};

export const listWebhooksHandler: AppRouteHandler<typeof routes.listWebhooks> = async (c) =>
  c.json(
    { endpoints: await webhooks.listEndpoints(serviceContext(c), userOf(c), c.req.valid("param").orgId) },
    200,
  );

export const getWebhookHandler: AppRouteHandler<typeof routes.getWebhook> = async (c) => {
  const { orgId, endpointId } = c.req.valid("param");
  return c.json(await webhooks.getEndpoint(serviceContext(c), userOf(c), orgId, endpointId), 200);
};

export const updateWebhookHandler: AppRouteHandler<typeof routes.updateWebhook> = async (c) => {
  const { orgId, endpointId } = c.req.valid("param");
  const header = c.req.valid("header")["if-match"];
  const version = header === undefined ? undefined : versionFromIfMatch(header);
  if (header !== undefined && version === undefined)
    throw new ApiError("precondition_failed", "If-Match does not name a version of this endpoint.");
  const endpoint = await webhooks.updateEndpoint(
    serviceContext(c),
    c.var.config,
    userOf(c),
    orgId,
    endpointId,
    c.req.valid("json"),
    version,
  );
  return c.json(endpoint, 200);
};

export const deleteWebhookHandler: AppRouteHandler<typeof routes.deleteWebhook> = async (c) => {
  const { orgId, endpointId } = c.req.valid("param");
  await webhooks.deleteEndpoint(serviceContext(c), userOf(c), orgId, endpointId);
  return c.body(null, 204);
};

export const rotateWebhookSecretHandler: AppRouteHandler<typeof routes.rotateWebhookSecret> = async (c) => {
  const { orgId, endpointId } = c.req.valid("param");
  const rotated = await webhooks.rotateSecret(
    serviceContext(c),
    c.var.config,
    userOf(c),
    orgId,
    endpointId,
    c.req.valid("json").overlapHours,
  );
  c.header("Cache-Control", "no-store");
  return c.json(rotated, 201);
};

export const listWebhookDeliveriesHandler: AppRouteHandler<typeof routes.listWebhookDeliveries> = async (
  c,
) => {
  const { orgId, endpointId } = c.req.valid("param");
  const page = await webhooks.listDeliveries(serviceContext(c), userOf(c), orgId, endpointId, {
    ...c.req.valid("query"),
    limit: c.req.valid("query").limit ?? 20,
  });
  return c.json(page, 200);
};

export const getWebhookDeliveryHandler: AppRouteHandler<typeof routes.getWebhookDelivery> = async (c) => {
  const { orgId, endpointId, deliveryId } = c.req.valid("param");
  return c.json(await webhooks.getDelivery(serviceContext(c), userOf(c), orgId, endpointId, deliveryId), 200);
};

export const redeliverWebhookHandler: AppRouteHandler<typeof routes.redeliverWebhook> = async (c) => {
  const { orgId, endpointId, deliveryId } = c.req.valid("param");
  await webhooks.redeliver(serviceContext(c), c.env.DELIVERY, userOf(c), orgId, endpointId, deliveryId);
  return c.body(null, 202);
};

export const pingWebhookHandler: AppRouteHandler<typeof routes.pingWebhook> = async (c) => {
  const { orgId, endpointId } = c.req.valid("param");
  const ping = await webhooks.pingEndpoint(serviceContext(c), c.env.DELIVERY, userOf(c), orgId, endpointId);
  return c.json(ping, 202);
};
