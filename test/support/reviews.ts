import type { Seller } from "./catalog.ts";
import { api } from "./identity.ts";
import { type Buyer, placeOrder } from "./orders.ts";

/** An order placed and moved along to completed (the buyer confirmed it): the only kind a buyer reviews. */
export async function completedOrder(buyer: Buyer, seller: Seller) {
  const placed = await placeOrder(buyer, seller);
  const steps = [
    [seller.orgId, seller.owner.token, { action: "accept" }],
    [seller.orgId, seller.owner.token, { action: "ship", carrier: "DHL", trackingNumber: "JD0146" }],
    [buyer.orgId, buyer.owner.token, { action: "deliver" }],
    [buyer.orgId, buyer.owner.token, { action: "complete" }],
  ] as const;
  for (const [orgId, token, body] of steps) {
    const res = await api(`/v1/orgs/${orgId}/orders/${placed.order.id}/transitions`, { token, body });
    if (res.status !== 200) throw new Error(`${body.action}: ${res.status} ${await res.text()}`);
  }
  return placed;
}
