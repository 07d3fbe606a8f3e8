import { userOf } from "../../middleware/auth.ts";
import * as keys from "../../services/identity/api-keys.ts";
import type { AppRouteHandler } from "../../types.ts";
import { serviceContext } from "../context.ts";
import type * as routes from "./api-keys.routes.ts";

export const createApiKeyHandler: AppRouteHandler<typeof routes.createApiKey> = async (c) => {
  const created = await keys.createApiKey(
    serviceContext(c),
    userOf(c),
    c.req.valid("param").orgId,
    c.req.valid("json"),
  );
  c.header("Cache-Control", "no-store");
  return c.json(created, 201);
};

export const listApiKeysHandler: AppRouteHandler<typeof routes.listApiKeys> = async (c) =>
  c.json({ apiKeys: await keys.listApiKeys(serviceContext(c), userOf(c), c.req.valid("param").orgId) }, 200);

export const revokeApiKeyHandler: AppRouteHandler<typeof routes.revokeApiKey> = async (c) => {
  const { orgId, keyId } = c.req.valid("param");
  await keys.revokeApiKey(serviceContext(c), userOf(c), orgId, keyId);
  return c.body(null, 204);
};
