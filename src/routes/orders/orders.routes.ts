import { createRoute, z } from "@hono/zod-openapi";
import {
  invoice,
  invoiceList,
  order,
  orderGroup,
  orderPage,
  orderWithHistory,
} from "../../contracts/orders.ts";
import { orderStatus } from "../../db/schema/index.ts";
import { problemResponses } from "../../http/problem.ts";
import { requireAuth } from "../../middleware/auth.ts";
import { MAX_AMOUNT_MINOR, MAX_LINE_QUANTITY } from "../../services/orders/cart.ts";
import { userOrderActions } from "../../services/orders/machine.ts";

import {
  authenticated,
  cursorParam,
  jsonBody,
  jsonResponse,
  limitParam,
  text,
  uuidParam,
} from "../schemas.ts";

const tags = ["Orders"];
const common = { tags, security: authenticated, middleware: requireAuth() };
const orgParams = z.object({ orgId: uuidParam("orgId") });

// A cart shows what checkout would order, even a line whose prices rose past the bounds (flagged in its
// `problems`, and refused at checkout): so its sums are not bounded like an order's.
const cartAmount = z.number().openapi({ description: "Minor units; past 2^53 − 1 only on a flagged line" });

const cartSchema = z
  .object({
    currency: z.string().nullable(),
    totalMinor: cartAmount,
    sellers: z.array(
      z.object({
        sellerId: z.uuid(),
        sellerName: z.string(),
        subtotalMinor: cartAmount,
        lines: z.array(
          z.object({
            variantId: z.uuid(),
            listingId: z.uuid(),
            sku: z.string(),
            title: z.string(),
            quantity: z.number().int(),
            unitPriceMinor: z.number().int(),
            tierMinQuantity: z.number().int(),
            lineTotalMinor: cartAmount,
            currency: z.string(),
            problems: z.array(z.string()),
          }),
        ),
      }),
    ),
  })
  .openapi("Cart");

export const getCart = createRoute({
  operationId: "getCart",
  "x-capability": "cart:read",
  ...common,
  method: "get",
  path: "/v1/orgs/{orgId}/cart",
  summary: "The buyer organisation's cart, grouped by seller, with tier prices; ETag is its version",
  request: { params: orgParams },
  responses: { 200: jsonResponse(cartSchema, "The cart"), ...problemResponses(400, 401, 403, 404, 503) },
});

export const setCartLine = createRoute({
  operationId: "setCartLine",
  "x-capability": "orders:purchase",
  ...common,
  method: "put",
  path: "/v1/orgs/{orgId}/cart/lines/{variantId}",
  summary: "Set a line's quantity (adds it if new); MOQ, increment and one currency per cart",
  request: {
    params: z.object({ orgId: uuidParam("orgId"), variantId: uuidParam("variantId") }),
    body: jsonBody(z.strictObject({ quantity: z.number().int().min(1).max(MAX_LINE_QUANTITY) })),
  },
  responses: {
    200: jsonResponse(cartSchema, "The cart"),
    ...problemResponses(400, 401, 403, 404, 413, 415, 422, 503),
  },
});

export const removeCartLine = createRoute({
  operationId: "removeCartLine",
  "x-capability": "orders:purchase",
  ...common,
  method: "delete",
  path: "/v1/orgs/{orgId}/cart/lines/{variantId}",
  summary: "Remove a line",
  request: { params: z.object({ orgId: uuidParam("orgId"), variantId: uuidParam("variantId") }) },
  responses: { 200: jsonResponse(cartSchema, "The cart"), ...problemResponses(400, 401, 403, 404, 503) },
});

export const checkoutBody = z.strictObject({
  poNumber: text(1, 64).optional(),
  paymentTerms: z.enum(["prepaid", "net30", "net60"]),
  shippingAddress: z.strictObject({
    name: text(1, 120),
    line1: text(1, 200),
    line2: text(1, 200).optional(),
    city: text(1, 100),
    postalCode: text(1, 20),
    region: text(1, 100).optional(),
    country: z.string().regex(/^[A-Z]{2}$/, "must be an ISO 3166-1 alpha-2 code in capitals"),
  }),
  notes: text(1, 2000).optional(),
});

export const checkout = createRoute({
  operationId: "checkout",
  "x-capability": "orders:purchase",
  ...common,
  method: "post",
  path: "/v1/orgs/{orgId}/checkout",
  summary: "Check out the cart: one order per seller, stock reserved, in one round trip",
  description:
    "Requires `Idempotency-Key`: the same key and body replays the first response for 24 h; the same key " +
    "with another body is 422; while the first is still running, 409. Requires `If-Match` with the cart's " +
    "ETag (from GET, PUT or DELETE on the cart): without it 428; if the cart's lines, quantities or prices " +
    "changed since, 412 with the current cart and its ETag, and nothing is ordered.",
  request: {
    params: orgParams,
    headers: z.object({
      "idempotency-key": z
        .string()
        .regex(/^[\w.:-]{8,128}$/, "8–128 letters, digits, dot, colon, dash or underscore")
        .openapi({ description: "Unique per checkout attempt, e.g. a UUID" }),
      "if-match": z
        .string()
        .max(200)
        .optional()
        .openapi({ description: "The cart's ETag as the buyer saw it (required: 428 without)" }),
    }),
    body: jsonBody(checkoutBody),
  },
  responses: {
    201: jsonResponse(orderGroup, "Placed (or pending approval)"),
    ...problemResponses(400, 401, 403, 404, 409, 412, 413, 415, 422, 428, 503),
  },
});

export const listOrders = createRoute({
  operationId: "listOrders",
  "x-capability": "orders:read",
  ...common,
  method: "get",
  path: "/v1/orgs/{orgId}/orders",
  summary: "Orders placed (side=buyer) or received (side=seller), newest first",
  request: {
    params: orgParams,
    query: z.object({
      side: z.enum(["buyer", "seller"]).default("buyer"),
      status: z.enum(orderStatus.enumValues).optional(),
      cursor: cursorParam,
      limit: limitParam,
    }),
  },
  responses: {
    200: jsonResponse(orderPage, "A page"),
    ...problemResponses(400, 401, 403, 404, 503),
  },
});

export const getOrder = createRoute({
  operationId: "getOrder",
  "x-capability": "orders:read",
  ...common,
  method: "get",
  path: "/v1/orgs/{orgId}/orders/{orderId}",
  summary: "One order (its buyer or its seller), with its transitions",
  request: { params: z.object({ orgId: uuidParam("orgId"), orderId: uuidParam("orderId") }) },
  responses: {
    200: jsonResponse(orderWithHistory, "The order"),
    ...problemResponses(400, 401, 403, 404, 503),
  },
});

export const transitionOrder = createRoute({
  operationId: "transitionOrder",
  "x-capability": "orders:sell",
  ...common,
  method: "post",
  path: "/v1/orgs/{orgId}/orders/{orderId}/transitions",
  summary: "Move an order: accept, reject, ship, deliver, complete, cancel",
  request: {
    params: z.object({ orgId: uuidParam("orgId"), orderId: uuidParam("orderId") }),
    body: jsonBody(
      z.strictObject({
        action: z.enum(userOrderActions),
        carrier: text(1, 100).optional(),
        trackingNumber: text(1, 100).optional(),
        reason: text(1, 1000).optional(),
      }),
    ),
  },
  responses: {
    200: jsonResponse(order, "The order"),
    ...problemResponses(400, 401, 403, 404, 409, 413, 415, 503),
  },
});

export const getGroup = createRoute({
  operationId: "getGroup",
  "x-capability": "orders:read",
  ...common,
  method: "get",
  path: "/v1/orgs/{orgId}/order-groups/{groupId}",
  summary: "A checkout's group (buyer)",
  request: { params: z.object({ orgId: uuidParam("orgId"), groupId: uuidParam("groupId") }) },
  responses: { 200: jsonResponse(orderGroup, "The group"), ...problemResponses(400, 401, 403, 404, 503) },
});

export const decideGroup = createRoute({
  operationId: "decideGroup",
  "x-capability": "orders:approve",
  ...common,
  method: "post",
  path: "/v1/orgs/{orgId}/order-groups/{groupId}/{decision}",
  summary: "Approve or decline a checkout held above a spending limit (owners, admins, approvers)",
  request: {
    params: z.object({
      orgId: uuidParam("orgId"),
      groupId: uuidParam("groupId"),
      decision: z.enum(["approve", "decline"]).openapi({ param: { name: "decision", in: "path" } }),
    }),
  },
  responses: {
    200: jsonResponse(orderGroup, "The group"),
    ...problemResponses(400, 401, 403, 404, 409, 503),
  },
});

const limitAmount = z.number().int().min(0).max(MAX_AMOUNT_MINOR).nullable();
const spendingLimitSchema = z
  .strictObject({
    currency: z.string().regex(/^[A-Z]{3}$/, "must be an ISO 4217 code in capitals"),
    perOrderMinor: limitAmount.optional().openapi({ description: "Most one checkout may total; null: none" }),
    perMonthMinor: limitAmount
      .optional()
      .openapi({ description: "Most this calendar month's (UTC) checkouts may total together; null: none" }),
  })
  .refine((limit) => limit.perOrderMinor != null || limit.perMonthMinor != null, {
    message: "set perOrderMinor, perMonthMinor or both",
  })
  .openapi("SpendingLimit");
const spendingLimitsBody = z.strictObject({
  limits: z
    .array(spendingLimitSchema)
    .max(50)
    .refine((limits) => new Set(limits.map((l) => l.currency)).size === limits.length, {
      message: "one limit per currency",
    }),
});
const spendingLimitView = z
  .object({
    currency: z.string(),
    perOrderMinor: z.number().int().nullable(),
    perMonthMinor: z.number().int().nullable(),
  })
  .openapi("SpendingLimitView");
const memberLimitsSchema = z
  .object({ userId: z.uuid(), limits: z.array(spendingLimitView) })
  .openapi("MemberSpendingLimits");
const apiKeyLimitsSchema = z.object({ limits: z.array(spendingLimitView) }).openapi("ApiKeySpendingLimits");
const memberParams = z.object({ orgId: uuidParam("orgId"), userId: uuidParam("userId") });

export const getMemberSpendingLimits = createRoute({
  operationId: "getMemberSpendingLimits",
  "x-capability": "limits:read",
  ...common,
  method: "get",
  path: "/v1/orgs/{orgId}/members/{userId}/spending-limits",
  summary: "A member's spending limits (owners, admins, the member)",
  request: { params: memberParams },
  responses: {
    200: jsonResponse(memberLimitsSchema, "The limits, one per currency"),
    ...problemResponses(400, 401, 403, 404, 503),
  },
});

export const setMemberSpendingLimits = createRoute({
  operationId: "setMemberSpendingLimits",
  "x-capability": "limits:manage",
  ...common,
  method: "put",
  path: "/v1/orgs/{orgId}/members/{userId}/spending-limits",
  summary: "Replace a member's spending limits (owners, admins; never their own)",
  description:
    "One limit per currency, per order and/or per calendar month (UTC). A member with limits needs approval " +
    "for a checkout above one, or in a currency without one; `limits: []` lifts every limit.",
  request: { params: memberParams, body: jsonBody(spendingLimitsBody) },
  responses: {
    200: jsonResponse(memberLimitsSchema, "The limits now"),
    ...problemResponses(400, 401, 403, 404, 413, 415, 503),
  },
});

export const getApiKeySpendingLimits = createRoute({
  operationId: "getApiKeySpendingLimits",
  "x-capability": "limits:read",
  ...common,
  method: "get",
  path: "/v1/orgs/{orgId}/spending-limits/api-keys",
  summary: "The limits on the organisation's API-key checkouts (owners, admins)",
  request: { params: orgParams },
  responses: {
    200: jsonResponse(apiKeyLimitsSchema, "The limits, one per currency"),
    ...problemResponses(400, 401, 403, 404, 503),
  },
});

export const setApiKeySpendingLimits = createRoute({
  operationId: "setApiKeySpendingLimits",
  "x-capability": "api-key-limits:manage",
  ...common,
  method: "put",
  path: "/v1/orgs/{orgId}/spending-limits/api-keys",
  summary: "Replace the limits on API-key checkouts (owners)",
  description:
    "All of the organisation's API keys together. An API-key checkout needs approval above a limit or in a " +
    "currency without one: with `limits: []` every API-key checkout waits for an approver.",
  request: { params: orgParams, body: jsonBody(spendingLimitsBody) },
  responses: {
    200: jsonResponse(apiKeyLimitsSchema, "The limits now"),
    ...problemResponses(400, 401, 403, 404, 413, 415, 503),
  },
});

export const listInvoices = createRoute({
  operationId: "listInvoices",
  "x-capability": "orders:read",
  ...common,
  method: "get",
  path: "/v1/orgs/{orgId}/invoices",
  summary: "Invoices owed (side=buyer) or issued (side=seller)",
  request: { params: orgParams, query: z.object({ side: z.enum(["buyer", "seller"]).default("buyer") }) },
  responses: {
    200: jsonResponse(invoiceList, "Invoices"),
    ...problemResponses(400, 401, 403, 404, 503),
  },
});

export const markInvoicePaid = createRoute({
  operationId: "markInvoicePaid",
  "x-capability": "orders:sell",
  ...common,
  method: "post",
  path: "/v1/orgs/{orgId}/invoices/{invoiceId}/mark-paid",
  summary: "Mark an invoice paid (seller)",
  request: { params: z.object({ orgId: uuidParam("orgId"), invoiceId: uuidParam("invoiceId") }) },
  responses: { 200: jsonResponse(invoice, "The invoice"), ...problemResponses(400, 401, 403, 404, 503) },
});
