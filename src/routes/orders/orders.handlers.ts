import type { Context } from "hono";
import { ApiError } from "../../lib/problem.ts";
import { principalOf } from "../../middleware/auth.ts";
import type { VersionedCart } from "../../services/orders/cart.ts";
import * as cart from "../../services/orders/cart.ts";
import { checkout as checkoutService } from "../../services/orders/checkout.ts";
import * as limits from "../../services/orders/limits.ts";
import * as orders from "../../services/orders/orders.ts";
import type { AppEnv, AppRouteHandler } from "../../types.ts";
import { serviceContext } from "../context.ts";
import type * as routes from "./orders.routes.ts";

/** Answers with the cart and its version (ETag), which checkout's If-Match must name. */
function respondCart(c: Context<AppEnv>, { cart, etag }: VersionedCart) {
  c.header("ETag", etag);
  return c.json(cart, 200);
}

export const getCartHandler: AppRouteHandler<typeof routes.getCart> = async (c) =>
  respondCart(c, await cart.getCart(serviceContext(c), principalOf(c), c.req.valid("param").orgId));

export const setCartLineHandler: AppRouteHandler<typeof routes.setCartLine> = async (c) => {
  const { orgId, variantId } = c.req.valid("param");
  return respondCart(
    c,
    await cart.setCartLine(serviceContext(c), principalOf(c), orgId, variantId, c.req.valid("json").quantity),
  );
};

export const removeCartLineHandler: AppRouteHandler<typeof routes.removeCartLine> = async (c) => {
  const { orgId, variantId } = c.req.valid("param");
  return respondCart(c, await cart.removeCartLine(serviceContext(c), principalOf(c), orgId, variantId));
};

export const checkoutHandler: AppRouteHandler<typeof routes.checkout> = async (c) => {
  const { orgId } = c.req.valid("param");
  const body = c.req.valid("json");
  const { "idempotency-key": key, "if-match": ifMatch } = c.req.valid("header");
  if (!ifMatch || ifMatch.trim() === "*") {
    throw new ApiError(
      "precondition_required",
      "Send If-Match with the cart's ETag (from GET, PUT or DELETE on the cart): checkout orders exactly the cart you saw.",
    );
  }
  const result = await checkoutService(
    serviceContext(c),
    principalOf(c),
    orgId,
    key,
    ifMatch.trim(),
    body,
    c.var.config.APPROVAL_HOLD_HOURS,
    c.var.config.ORDER_ACCEPT_HOURS,
  );
  if (result.replayed) c.header("Idempotent-Replayed", "true");
  c.header("Cache-Control", "no-store");
  return c.json(result.body, 201);
};

export const listOrdersHandler: AppRouteHandler<typeof routes.listOrders> = async (c) => {
  const query = c.req.valid("query");
  const page = await orders.listOrders(serviceContext(c), principalOf(c), c.req.valid("param").orgId, {
    side: query.side,
    status: query.status,
    cursor: query.cursor,
    limit: query.limit ?? 20,
  });
  return c.json(page, 200);
};

export const getOrderHandler: AppRouteHandler<typeof routes.getOrder> = async (c) => {
  const { orgId, orderId } = c.req.valid("param");
  return c.json(await orders.getOrder(serviceContext(c), principalOf(c), orgId, orderId), 200);
};

export const transitionOrderHandler: AppRouteHandler<typeof routes.transitionOrder> = async (c) => {
  const { orgId, orderId } = c.req.valid("param");
  const { action, ...details } = c.req.valid("json");
  const order = await orders.transitionOrder(
    serviceContext(c),
    principalOf(c),
    orgId,
    orderId,
    action,
    details,
  );
  return c.json(order, 200);
};

export const getGroupHandler: AppRouteHandler<typeof routes.getGroup> = async (c) => {
  const { orgId, groupId } = c.req.valid("param");
  return c.json(await orders.getGroup(serviceContext(c), principalOf(c), orgId, groupId), 200);
};

export const decideGroupHandler: AppRouteHandler<typeof routes.decideGroup> = async (c) => {
  const { orgId, groupId, decision } = c.req.valid("param");
  return c.json(await orders.decideGroup(serviceContext(c), principalOf(c), orgId, groupId, decision), 200);
};

export const getMemberSpendingLimitsHandler: AppRouteHandler<typeof routes.getMemberSpendingLimits> = async (
  c,
) => {
  const { orgId, userId } = c.req.valid("param");
  const subject = { kind: "member", userId } as const;
  const found = await limits.getSpendingLimits(serviceContext(c), principalOf(c), orgId, subject);
  return c.json({ userId, limits: found }, 200);
};

export const setMemberSpendingLimitsHandler: AppRouteHandler<typeof routes.setMemberSpendingLimits> = async (
  c,
) => {
  const { orgId, userId } = c.req.valid("param");
  const subject = { kind: "member", userId } as const;
  const now = await limits.replaceSpendingLimits(
    serviceContext(c),
    principalOf(c),
    orgId,
    subject,
    spendingLimits(c.req.valid("json").limits),
  );
  return c.json({ userId, limits: now }, 200);
};

export const getApiKeySpendingLimitsHandler: AppRouteHandler<typeof routes.getApiKeySpendingLimits> = async (
  c,
) => {
  const { orgId } = c.req.valid("param");
  const found = await limits.getSpendingLimits(serviceContext(c), principalOf(c), orgId, {
    kind: "api_keys",
  });
  return c.json({ limits: found }, 200);
};

export const setApiKeySpendingLimitsHandler: AppRouteHandler<typeof routes.setApiKeySpendingLimits> = async (
  c,
) => {
  const { orgId } = c.req.valid("param");
  const now = await limits.replaceSpendingLimits(
    serviceContext(c),
    principalOf(c),
    orgId,
    { kind: "api_keys" },
    spendingLimits(c.req.valid("json").limits),
  );
  return c.json({ limits: now }, 200);
};

/** Limits as the body gave them, an absent amount meaning none. */
function spendingLimits(
  given: { currency: string; perOrderMinor?: number | null; perMonthMinor?: number | null }[],
): limits.SpendingLimit[] {
  return given.map((limit) => ({
    currency: limit.currency,
    perOrderMinor: limit.perOrderMinor ?? null,
    perMonthMinor: limit.perMonthMinor ?? null,
  }));
}

export const listInvoicesHandler: AppRouteHandler<typeof routes.listInvoices> = async (c) =>
  c.json(
    {
      items: await orders.listInvoices(
        serviceContext(c),
        principalOf(c),
        c.req.valid("param").orgId,
        c.req.valid("query").side,
      ),
    },
    200,
  );

export const markInvoicePaidHandler: AppRouteHandler<typeof routes.markInvoicePaid> = async (c) => {
  const { orgId, invoiceId } = c.req.valid("param");
  return c.json(await orders.markInvoicePaid(serviceContext(c), principalOf(c), orgId, invoiceId), 200);
};
