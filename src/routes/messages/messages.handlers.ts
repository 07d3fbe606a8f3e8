import type { Context } from "hono";
import { ifNoneMatchHits, replayed } from "../../http/edge-cache.ts";
import { principalOf } from "../../middleware/auth.ts";
import * as reads from "../../services/messages/reads.ts";
import * as writes from "../../services/messages/writes.ts";
import type { AppEnv, AppRouteHandler, RouteResult } from "../../types.ts";
import { serviceContext } from "../context.ts";
import type * as routes from "./messages.routes.ts";

/** 304 when the caller's If-None-Match names the page's current ETag: polling costs no body. */
function notModified(c: Context<AppEnv>, etag: string) {
  if (!ifNoneMatchHits(c.req.header("if-none-match"), etag)) return undefined;
  return c.body(null, 304, { ETag: etag });
}

export const startThreadHandler: AppRouteHandler<typeof routes.startThread> = async (c) => {
  const { orgId } = c.req.valid("param");
  const { attachmentIds, ...input } = c.req.valid("json");
  const posted = await writes.startThread(serviceContext(c), principalOf(c), orgId, {
    ...input,
    attachmentIds: attachmentIds ?? [],
  });
  return c.json(posted, 201);
};

export const listThreadsHandler: AppRouteHandler<typeof routes.listThreads> = async (c) => {
  const query = c.req.valid("query");
  const { body, etag } = await reads.listThreads(
    serviceContext(c),
    principalOf(c),
    c.req.valid("param").orgId,
    {
      subjectType: query.subjectType,
      subjectId: query.subjectId,
      unread: query.unread === "true",
      cursor: query.cursor,
      limit: query.limit ?? 20,
    },
  );
  const unchanged = notModified(c, etag);
  if (unchanged) return replayed<RouteResult<typeof routes.listThreads>>(unchanged);
  c.header("ETag", etag);
  return c.json(body, 200);
};

export const listMessagesHandler: AppRouteHandler<typeof routes.listMessages> = async (c) => {
  const { orgId, threadId } = c.req.valid("param");
  const query = c.req.valid("query");
  const { body, etag } = await reads.listMessages(serviceContext(c), principalOf(c), orgId, threadId, {
    cursor: query.cursor,
    limit: query.limit ?? 20,
  });
  const unchanged = notModified(c, etag);
  if (unchanged) return replayed<RouteResult<typeof routes.listMessages>>(unchanged);
  c.header("ETag", etag);
  return c.json(body, 200);
};

export const postMessageHandler: AppRouteHandler<typeof routes.postMessage> = async (c) => {
  const { orgId, threadId } = c.req.valid("param");
  const { body, attachmentIds } = c.req.valid("json");
  const posted = await writes.postMessage(serviceContext(c), principalOf(c), orgId, threadId, {
    body,
    attachmentIds: attachmentIds ?? [],
  });
  return c.json(posted, 201);
};

export const markThreadReadHandler: AppRouteHandler<typeof routes.markThreadRead> = async (c) => {
  const { orgId, threadId } = c.req.valid("param");
  const upTo = (c.req.valid("json") as { upTo?: string } | undefined)?.upTo;
  await writes.markThreadRead(serviceContext(c), principalOf(c), orgId, threadId, upTo);
  return c.body(null, 204);
};

export const hideMessageHandler: AppRouteHandler<typeof routes.hideMessage> = async (c) => {
  const { messageId } = c.req.valid("param");
  const hidden = await writes.hideMessage(
    serviceContext(c),
    principalOf(c),
    messageId,
    c.req.valid("json").reason,
  );
  return c.json(hidden, 200);
};

export const attachmentUrlHandler: AppRouteHandler<typeof routes.attachmentUrlRoute> = async (c) => {
  const { orgId, threadId, fileId } = c.req.valid("param");
  const ctx = serviceContext(c);
  return c.json(await reads.attachmentUrl(ctx, c.var.config, principalOf(c), orgId, threadId, fileId), 200);
};
