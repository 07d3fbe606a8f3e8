import { createRoute, z } from "@hono/zod-openapi";
import { attachmentUrl } from "../../contracts/messages.ts";
import { quotePage, quoteWithVersions, rfqPage, rfqWithQuotes } from "../../contracts/negotiation.ts";
import { orderGroup } from "../../contracts/orders.ts";
import { quoteStatus, rfqStatus } from "../../db/schema/negotiation.ts";
import { problemResponses } from "../../http/problem.ts";
import { usableText } from "../../lib/text.ts";
import { requireAuth } from "../../middleware/auth.ts";
import { MAX_UNIT_PRICE_MINOR } from "../../services/catalog/schemas.ts";
import { NEGOTIATION_LIMITS, userRfqActions } from "../../services/negotiation/machine.ts";
import { MAX_LINE_QUANTITY } from "../../services/orders/cart.ts";
import { fileSchema, presignedUpload, uploadBody } from "../media/media.routes.ts";
import { checkoutBody } from "../orders/orders.routes.ts";
import {
  authenticated,
  cursorParam,
  jsonBody,
  jsonResponse,
  limitParam,
  text,
  uuidParam,
} from "../schemas.ts";

const tags = ["Negotiation"];
const common = { tags, security: authenticated, middleware: requireAuth() };
const orgParams = z.object({ orgId: uuidParam("orgId") });
const rfqParams = orgParams.extend({ rfqId: uuidParam("rfqId") });
const quoteParams = orgParams.extend({ quoteId: uuidParam("quoteId") });

const notes = usableText(z.string().trim().min(1).max(NEGOTIATION_LIMITS.text), "multi");
const quantity = z.number().int().min(1).max(MAX_LINE_QUANTITY);
const price = z
  .number()
  .int()
  .min(0)
  .max(MAX_UNIT_PRICE_MINOR)
  .openapi({ description: "Minor units of the RFQ's currency" });

/** A variant on two lines would be priced twice but reserved once: each variant appears once. */
const eachVariantOnce = (lines: { variantId?: string }[]) => {
  const variants = lines.flatMap((line) => (line.variantId ? [line.variantId] : []));
  return new Set(variants).size === variants.length;
};

export const rfqBody = z
  .strictObject({
    title: text(1, 200),
    sellerOrgId: z.uuid().optional().openapi({ description: "Ask one seller" }),
    listingId: z.uuid().optional().openapi({ description: "Ask the seller of this listing about it" }),
    categoryId: z.uuid().optional().openapi({ description: "Ask every seller of this category" }),
    currency: z.string().regex(/^[A-Z]{3}$/, "must be an ISO 4217 code in capitals"),
    deliveryCountry: z.string().regex(/^[A-Z]{2}$/, "must be an ISO 3166-1 alpha-2 code in capitals"),
    neededBy: z.iso.date(),
    respondBy: z.iso
      .datetime({ offset: true })
      .optional()
      .openapi({ description: "Sellers quote until then (default: in 14 days; at most 90 days)" }),
    notes: notes.optional().openapi({ description: "For the sellers" }),
    internalNotes: notes
      .optional()
      .openapi({ description: "Your organisation's own: never shown to sellers" }),
    items: z
      .array(
        z.strictObject({
          variantId: z.uuid().optional().openapi({ description: "A variant of the addressed seller" }),
          description: text(1, 500),
          quantity,
          targetUnitPriceMinor: price.optional(),
        }),
      )
      .min(1)
      .max(NEGOTIATION_LIMITS.items)
      .refine(eachVariantOnce, { message: "name each variant on one item (sum the quantities)" }),
    attachmentIds: z
      .array(z.uuid())
      .max(10)
      .refine((ids) => new Set(ids).size === ids.length, "each attachment once")
      .optional()
      .openapi({ description: "Completed uploads from POST …/negotiation-files (drawings, specifications)" }),
  })
  .refine((body) => Boolean(body.sellerOrgId || body.listingId) !== Boolean(body.categoryId), {
    message: "address it to a seller (sellerOrgId or listingId) or to a category (categoryId), not both",
    path: ["categoryId"],
  });

const versionBody = z.strictObject({
  lines: z
    .array(
      z
        .strictObject({
          variantId: z
            .uuid()
            .optional()
            .openapi({ description: "One of the seller's variants; omit for a free-text item" }),
          title: text(1, 200).optional().openapi({ description: "Required for a free-text item" }),
          quantity,
          unitPriceMinor: price,
        })
        .refine((line) => line.variantId || line.title, {
          message: "a line names a variant or a title",
          path: ["title"],
        }),
    )
    .min(1)
    .max(NEGOTIATION_LIMITS.lines)
    .refine(eachVariantOnce, { message: "name each variant on one line (sum the quantities)" }),
  validUntil: z.iso.datetime({ offset: true }).openapi({ description: "At most 180 days ahead" }),
  leadTimeDays: z.number().int().min(0).max(NEGOTIATION_LIMITS.leadTimeMaxDays),
  paymentTerms: z.enum(["prepaid", "net30", "net60"]),
  notes: notes.optional(),
});
export const quoteBody = versionBody;
export const newVersionBody = versionBody.extend({
  basedOnVersion: z
    .number()
    .int()
    .min(1)
    .max(NEGOTIATION_LIMITS.versions)
    .openapi({ description: "The version you answer: it must be the latest" }),
});

export const acceptBody = checkoutBody.omit({ paymentTerms: true }).extend({
  version: z
    .number()
    .int()
    .min(1)
    .max(NEGOTIATION_LIMITS.versions)
    .openapi({ description: "The version you accept: it must be the latest" }),
});

const listQuery = (statuses: readonly [string, ...string[]]) =>
  z.object({
    side: z.enum(["buyer", "seller"]).default("buyer"),
    status: z.enum(statuses).optional(),
    cursor: cursorParam,
    limit: limitParam,
  });

export const createRfq = createRoute({
  operationId: "createRfq",
  "x-capability": "rfqs:write",
  ...common,
  method: "post",
  path: "/v1/orgs/{orgId}/rfqs",
  summary: "Ask for quotes: from one seller (or a listing's seller) or from every seller of a category",
  request: { params: orgParams, body: jsonBody(rfqBody) },
  responses: {
    201: jsonResponse(rfqWithQuotes, "Open"),
    ...problemResponses(400, 401, 403, 404, 413, 415, 422, 503),
  },
});

export const listRfqs = createRoute({
  operationId: "listRfqs",
  "x-capability": "rfqs:read",
  ...common,
  method: "get",
  path: "/v1/orgs/{orgId}/rfqs",
  summary: "RFQs the organisation asked (side=buyer) or may answer (side=seller), newest first",
  description:
    "As seller: RFQs addressed to the organisation, open RFQs of categories it sells in, and any it quoted on.",
  request: { params: orgParams, query: listQuery(rfqStatus.enumValues) },
  responses: { 200: jsonResponse(rfqPage, "A page"), ...problemResponses(400, 401, 403, 404, 503) },
});

export const getRfq = createRoute({
  operationId: "getRfq",
  "x-capability": "rfqs:read",
  ...common,
  method: "get",
  path: "/v1/orgs/{orgId}/rfqs/{rfqId}",
  summary: "An RFQ with its quotes (the buyer sees all; a seller its own); internal notes only for the buyer",
  request: { params: rfqParams },
  responses: { 200: jsonResponse(rfqWithQuotes, "The RFQ"), ...problemResponses(400, 401, 403, 404, 503) },
});

export const transitionRfq = createRoute({
  operationId: "transitionRfq",
  "x-capability": "rfqs:write",
  ...common,
  method: "post",
  path: "/v1/orgs/{orgId}/rfqs/{rfqId}/transitions",
  summary: "Close (after quotes, without an award) or withdraw (before any quote) the RFQ",
  request: { params: rfqParams, body: jsonBody(z.strictObject({ action: z.enum(userRfqActions) })) },
  responses: {
    200: jsonResponse(rfqWithQuotes, "Moved (or already there)"),
    ...problemResponses(400, 401, 403, 404, 409, 413, 415, 503),
  },
});

export const createQuote = createRoute({
  operationId: "createQuote",
  "x-capability": "quotes:write",
  ...common,
  method: "post",
  path: "/v1/orgs/{orgId}/rfqs/{rfqId}/quotes",
  summary: "Answer an RFQ with a quote (version 1); later offers are revisions",
  request: { params: rfqParams, body: jsonBody(quoteBody) },
  responses: {
    201: jsonResponse(quoteWithVersions, "Sent"),
    ...problemResponses(400, 401, 403, 404, 409, 413, 415, 422, 503),
  },
});

export const listQuotes = createRoute({
  operationId: "listQuotes",
  "x-capability": "rfqs:read",
  ...common,
  method: "get",
  path: "/v1/orgs/{orgId}/quotes",
  summary: "Quotes received (side=buyer) or sent (side=seller), newest first",
  request: {
    params: orgParams,
    query: listQuery(quoteStatus.enumValues).extend({ rfqId: z.uuid().optional() }),
  },
  responses: { 200: jsonResponse(quotePage, "A page"), ...problemResponses(400, 401, 403, 404, 503) },
});

export const getQuote = createRoute({
  operationId: "getQuote",
  "x-capability": "rfqs:read",
  ...common,
  method: "get",
  path: "/v1/orgs/{orgId}/quotes/{quoteId}",
  summary: "A quote with every version, for its buyer or its seller",
  request: { params: quoteParams },
  responses: {
    200: jsonResponse(quoteWithVersions, "The quote"),
    ...problemResponses(400, 401, 403, 404, 503),
  },
});

const versionRoute = (side: "seller" | "buyer") =>
  createRoute({
    operationId: side === "seller" ? "reviseQuote" : "counterQuote",
    "x-capability": side === "seller" ? "quotes:write" : "rfqs:write",
    ...common,
    method: "post",
    path: `/v1/orgs/{orgId}/quotes/{quoteId}/${side === "seller" ? "revisions" : "counters"}`,
    summary:
      side === "seller"
        ? "The seller sends a new version (a revision, or its answer to a counter-offer)"
        : "The buyer counters the seller's latest version with prices of its own",
    description:
      "Versions are immutable; `basedOnVersion` must be the latest (409 otherwise: someone answered first).",
    request: { params: quoteParams, body: jsonBody(newVersionBody) },
    responses: {
      201: jsonResponse(quoteWithVersions, "The quote with its new version"),
      ...problemResponses(400, 401, 403, 404, 409, 413, 415, 422, 503),
    },
  });
export const reviseQuote = versionRoute("seller");
export const counterQuote = versionRoute("buyer");

const endRoute = (action: "decline" | "withdraw") =>
  createRoute({
    operationId: action === "decline" ? "declineQuote" : "withdrawQuote",
    "x-capability": action === "decline" ? "rfqs:write" : "quotes:write",
    ...common,
    method: "post",
    path: `/v1/orgs/{orgId}/quotes/{quoteId}/${action}`,
    summary: action === "decline" ? "The buyer declines the quote" : "The seller withdraws its quote",
    request: { params: quoteParams },
    responses: {
      200: jsonResponse(quoteWithVersions, "Ended (or already)"),
      ...problemResponses(400, 401, 403, 404, 409, 503),
    },
  });
export const declineQuote = endRoute("decline");
export const withdrawQuote = endRoute("withdraw");

export const acceptQuote = createRoute({
  operationId: "acceptQuote",
  "x-capability": "orders:purchase",
  ...common,
  method: "post",
  path: "/v1/orgs/{orgId}/quotes/{quoteId}/accept",
  summary: "Accept the seller's latest version: the order is placed at the quoted prices, in one round trip",
  description:
    "Goes through checkout's own placement: `Idempotency-Key` rules (replay for 24 h; another body 422; " +
    "in progress 409), spending limits and approval, stock reserved for every line naming a variant. " +
    "409 when the version was superseded, the quote expired, was withdrawn, declined or countered, or the " +
    "RFQ is no longer open (`reason` names which). Accepting awards the RFQ and closes its other quotes.",
  request: {
    params: quoteParams,
    headers: z.object({
      "idempotency-key": z
        .string()
        .regex(/^[\w.:-]{8,128}$/, "8–128 letters, digits, dot, colon, dash or underscore")
        .openapi({ description: "Unique per acceptance attempt, e.g. a UUID" }),
    }),
    body: jsonBody(acceptBody),
  },
  responses: {
    201: jsonResponse(orderGroup, "Placed (or pending approval)"),
    ...problemResponses(400, 401, 403, 404, 409, 413, 415, 422, 503),
  },
});

export const createNegotiationUpload = createRoute({
  operationId: "createNegotiationUpload",
  "x-capability": "negotiation:files",
  ...common,
  method: "post",
  path: "/v1/orgs/{orgId}/negotiation-files",
  summary: "Start an upload of an RFQ attachment (PDF, PNG or JPEG): a presigned PUT straight to R2",
  description:
    "PUT the bytes to `url` with exactly the returned `headers`, then call `/complete`; attach the file by its " +
    "id when creating the RFQ. Only the organisation and the sellers who may see that RFQ can read it.",
  request: {
    params: orgParams,
    body: jsonBody(uploadBody.extend({ purpose: z.literal("rfq-attachment") })),
  },
  responses: {
    201: jsonResponse(presignedUpload, "Presigned PUT"),
    ...problemResponses(400, 401, 403, 404, 413, 415, 503),
  },
});

export const completeNegotiationUpload = createRoute({
  operationId: "completeNegotiationUpload",
  "x-capability": "negotiation:files",
  ...common,
  method: "post",
  path: "/v1/orgs/{orgId}/negotiation-files/{uploadId}/complete",
  summary: "Verify an uploaded RFQ attachment (size, type, magic bytes)",
  request: { params: orgParams.extend({ uploadId: uuidParam("uploadId") }) },
  responses: {
    200: jsonResponse(fileSchema, "Ready"),
    ...problemResponses(400, 401, 403, 404, 409, 422, 503),
  },
});

export const rfqAttachmentUrl = createRoute({
  operationId: "rfqAttachmentUrl",
  "x-capability": "rfqs:read",
  ...common,
  method: "get",
  path: "/v1/orgs/{orgId}/rfqs/{rfqId}/attachments/{fileId}/url",
  summary: "A 5-minute presigned download of an RFQ's attachment (its buyer and the sellers who may see it)",
  request: { params: rfqParams.extend({ fileId: uuidParam("fileId") }) },
  responses: {
    200: jsonResponse(attachmentUrl, "Presigned GET"),
    ...problemResponses(400, 401, 403, 404, 503),
  },
});
