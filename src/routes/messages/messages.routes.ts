import { createRoute, z } from "@hono/zod-openapi";
import {
  attachmentUrl,
  messagePage,
  moderatedMessage,
  postedMessage,
  threadPage,
  threadSubjectType,
} from "../../contracts/messages.ts";
import { problemResponses } from "../../http/problem.ts";
import { usableText } from "../../lib/text.ts";
import { uuidInput } from "../../lib/uuid.ts";
import { requireAuth } from "../../middleware/auth.ts";
import { MAX_ATTACHMENTS, MAX_MESSAGE_CHARS } from "../../services/messages/writes.ts";
import {
  authenticated,
  cursorParam,
  jsonBody,
  jsonResponse,
  limitParam,
  text,
  uuidParam,
} from "../schemas.ts";

const tags = ["Messages"];
const common = { tags, security: authenticated, middleware: requireAuth() };
const orgParams = z.object({ orgId: uuidParam("orgId") });
const threadParams = z.object({ orgId: uuidParam("orgId"), threadId: uuidParam("threadId") });
const ifNoneMatch = z.object({
  "if-none-match": z
    .string()
    .max(512)
    .optional()
    .openapi({ description: "The ETag of the last answer: 304 while nothing it shows changed" }),
});
const notModified = { 304: { description: "Not modified (If-None-Match names the current ETag)" } };

/** Plain text: tabs and line breaks allowed, other control characters refused; trimmed, 1–4000 characters. */
export const messageBody = usableText(z.string().trim().min(1).max(MAX_MESSAGE_CHARS), "multi").openapi({
  description: "Plain text, never rendered as HTML; links stay text",
  example: "Can you deliver 2,000 units by 15 January?",
});

const attachmentIds = z
  .array(uuidInput())
  .max(MAX_ATTACHMENTS)
  .refine((ids) => new Set(ids).size === ids.length, "must not repeat an id")
  .optional()
  .openapi({ description: "Completed uploads (image or document) of your organisation" });

const messageInput = { body: messageBody, attachmentIds };

export const startThreadBody = z
  .strictObject({
    subjectType: threadSubjectType,
    subjectId: uuidInput(),
    sellerOrgId: uuidInput()
      .optional()
      .openapi({ description: "RFQ threads: the seller the buyer writes to (sellers omit it)" }),
    ...messageInput,
  })
  .refine((input) => input.subjectType === "rfq" || input.sellerOrgId === undefined, {
    path: ["sellerOrgId"],
    message: "applies only to RFQ threads (an order or listing names its seller)",
  });

export const startThread = createRoute({
  operationId: "startThread",
  "x-capability": "messages:write",
  ...common,
  method: "post",
  path: "/v1/orgs/{orgId}/threads",
  summary: "Message the other party about an order, a listing or an RFQ (starts or continues the thread)",
  description:
    "One thread per buyer, seller and subject: a second first message, even a concurrent one, lands in the " +
    "same thread. Order: its buyer or seller. Listing: an inquiry to a published listing's seller (the " +
    "acting organisation is the buyer). RFQ: its buyer naming a seller (`sellerOrgId`), or a seller the RFQ " +
    "is addressed to, or open to by category. Rate limits: 30 messages a minute per person, 500 an hour " +
    "per organisation (429 with Retry-After).",
  request: { params: orgParams, body: jsonBody(startThreadBody) },
  responses: {
    201: jsonResponse(postedMessage, "Posted"),
    ...problemResponses(400, 401, 403, 404, 413, 415, 422, 503),
  },
});

export const listThreads = createRoute({
  operationId: "listThreads",
  "x-capability": "messages:read",
  ...common,
  method: "get",
  path: "/v1/orgs/{orgId}/threads",
  summary: "The organisation's conversations, most recently active first, with unread counts (ETag, 304)",
  request: {
    params: orgParams,
    headers: ifNoneMatch,
    query: z.object({
      subjectType: threadSubjectType.optional(),
      subjectId: uuidInput().optional(),
      unread: z
        .enum(["true", "false"])
        .optional()
        .openapi({ description: "true: only threads with messages the caller has not read" }),
      cursor: cursorParam,
      limit: limitParam,
    }),
  },
  responses: {
    200: jsonResponse(threadPage, "A page"),
    ...notModified,
    ...problemResponses(400, 401, 403, 404, 503),
  },
});

export const listMessages = createRoute({
  operationId: "listMessages",
  "x-capability": "messages:read",
  ...common,
  method: "get",
  path: "/v1/orgs/{orgId}/threads/{threadId}/messages",
  summary: "A thread and its messages, newest first (ETag, 304); reading marks nothing read",
  request: {
    params: threadParams,
    headers: ifNoneMatch,
    query: z.object({ cursor: cursorParam, limit: limitParam }),
  },
  responses: {
    200: jsonResponse(messagePage, "A page"),
    ...notModified,
    ...problemResponses(400, 401, 403, 404, 503),
  },
});

export const postMessage = createRoute({
  operationId: "postMessage",
  "x-capability": "messages:write",
  ...common,
  method: "post",
  path: "/v1/orgs/{orgId}/threads/{threadId}/messages",
  summary: "Post a message in a thread (rate limited per sender)",
  request: { params: threadParams, body: jsonBody(z.strictObject(messageInput)) },
  responses: {
    201: jsonResponse(postedMessage, "Posted"),
    ...problemResponses(400, 401, 403, 404, 413, 415, 422, 503),
  },
});

export const markThreadRead = createRoute({
  operationId: "markThreadRead",
  "x-capability": "messages:read",
  ...common,
  method: "post",
  path: "/v1/orgs/{orgId}/threads/{threadId}/read",
  summary: "Mark the thread read for you, up to a time (default: its latest message); never backwards",
  request: {
    params: threadParams,
    body: {
      required: false,
      content: { "application/json": { schema: z.strictObject({ upTo: z.iso.datetime().optional() }) } },
    },
  },
  responses: {
    204: { description: "Marked" },
    ...problemResponses(400, 401, 403, 404, 413, 415, 422, 503),
  },
});

export const attachmentUrlRoute = createRoute({
  operationId: "messageAttachmentUrl",
  "x-capability": "messages:read",
  ...common,
  method: "get",
  path: "/v1/orgs/{orgId}/threads/{threadId}/attachments/{fileId}/url",
  summary: "A 5-minute presigned GET for a file attached to a message of the thread (either party's)",
  request: {
    params: z.object({
      orgId: uuidParam("orgId"),
      threadId: uuidParam("threadId"),
      fileId: uuidParam("fileId"),
    }),
  },
  responses: {
    200: jsonResponse(attachmentUrl, "Presigned GET"),
    ...problemResponses(400, 401, 403, 404, 500, 503),
  },
});

export const hideMessage = createRoute({
  operationId: "hideMessage",
  method: "post",
  path: "/v1/admin/messages/{messageId}/hide",
  tags: ["Messages", "Moderation"],
  security: authenticated,
  middleware: requireAuth(),
  summary: "Hide a message from both parties, with a reason (platform admins)",
  request: {
    params: z.object({ messageId: uuidParam("messageId") }),
    body: jsonBody(z.strictObject({ reason: text(3, 1000) })),
  },
  responses: {
    200: jsonResponse(moderatedMessage, "Hidden"),
    ...problemResponses(400, 401, 403, 404, 413, 415, 503),
  },
});
