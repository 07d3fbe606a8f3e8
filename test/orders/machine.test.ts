/**
 * The whole state × action × side product of the order machine, checked against its own table:
 * allowed moves land in the target state (and an immediate repeat is a no-op); every other move is a 409
 * naming the current state and exactly the actions the machine allows that side.
 */
import { describe, expect, it } from "vitest";
import {
  allowedActions,
  type OrderStatus,
  orderMachine,
  userOrderActions,
} from "../../src/services/orders/machine.ts";
import { problem } from "../support/app.ts";
import { api, json, type TestUser } from "../support/identity.ts";
import { type Buyer, limitedPurchaser, newBuyer, newSeller, placeOrder } from "../support/orders.ts";

type Seller = Awaited<ReturnType<typeof newSeller>>;
const details = { carrier: "DHL", trackingNumber: "JD01", reason: "Not available" };

/**
 * Paths through the machine to each reachable state: from `pending_approval` (a checkout above the
 * purchaser's spending limit) or from `placed`.
 */
const routes: Record<string, { action: string; side: "buyer" | "seller" }[]> = {
  pending_approval: [],
  placed: [],
  accepted: [{ action: "accept", side: "seller" }],
  rejected: [{ action: "reject", side: "seller" }],
  cancelled: [{ action: "cancel", side: "buyer" }],
  shipped: [
    { action: "accept", side: "seller" },
    { action: "ship", side: "seller" },
  ],
  delivered: [
    { action: "accept", side: "seller" },
    { action: "ship", side: "seller" },
    { action: "deliver", side: "seller" },
  ],
  completed: [
    { action: "accept", side: "seller" },
    { action: "ship", side: "seller" },
    { action: "deliver", side: "seller" },
    { action: "complete", side: "buyer" },
  ],
};

async function orderIn(state: string, buyer: Buyer, seller: Seller, limited: () => Promise<TestUser>) {
  const { order } =
    state === "pending_approval"
      ? await placeOrder(buyer, seller, 20, 1000, (await limited()).token)
      : await placeOrder(buyer, seller);
  if (order.status !== (state === "pending_approval" ? "pending_approval" : "placed"))
    throw new Error(`placed an order in ${order.status}`);
  for (const step of routes[state] ?? []) {
    const actor = step.side === "buyer" ? buyer : seller;
    const res = await api(`/v1/orgs/${actor.orgId}/orders/${order.id}/transitions`, {
      token: actor.owner.token,
      body: { action: step.action, ...details },
    });
    if (res.status !== 200)
      throw new Error(`driving to ${state}: ${step.action} → ${res.status} ${await res.text()}`);
  }
  return order.id;
}

const userActions = userOrderActions;

describe("every action, by every side, from every state", () => {
  it.each(Object.keys(routes))("from %s", async (state) => {
    const buyer = await newBuyer();
    const seller = await newSeller();
    let purchaser: Promise<TestUser> | undefined;
    const limited = () => {
      purchaser ??= limitedPurchaser(buyer, 0);
      return purchaser;
    };
    const parked = await orderIn(state, buyer, seller, limited);
    for (const side of ["buyer", "seller"] as const) {
      const actor = side === "buyer" ? buyer : seller;
      for (const action of userActions) {
        const transition = orderMachine[action];
        const target = transition.to as OrderStatus;
        const allowed = allowedActions(state, side).includes(action);
        const repeat = (transition.by as readonly string[]).includes(side) && target === state;
        if (allowed) {
          const fresh = await orderIn(state, buyer, seller, limited);
          const path = `/v1/orgs/${actor.orgId}/orders/${fresh}/transitions`;
          const res = await api(path, { token: actor.owner.token, body: { action, ...details } });
          expect(res.status, `${side} ${action} from ${state}`).toBe(200);
          expect((await json<{ status: string }>(res)).status).toBe(target);
          const again = await api(path, { token: actor.owner.token, body: { action, ...details } });
          expect(again.status, `repeat ${side} ${action}`).toBe(200);
        } else {
          const res = await api(`/v1/orgs/${actor.orgId}/orders/${parked}/transitions`, {
            token: actor.owner.token,
            body: { action, ...details },
          });
          if (repeat) {
            expect(res.status, `${side} ${action} on a ${state} order is a no-op`).toBe(200);
            continue;
          }
          expect(res.status, `${side} ${action} from ${state}`).toBe(409);
          const body = await problem(res);
          expect(body.currentStatus).toBe(state);
          expect(body.allowedActions).toEqual(allowedActions(state, side));
        }
      }
    }
    const final = await json<{ status: string }>(
      await api(`/v1/orgs/${buyer.orgId}/orders/${parked}`, { token: buyer.owner.token }),
    );
    expect(final.status).toBe(state);
  });
});
