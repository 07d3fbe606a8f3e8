/**
 * The event catalogue is the truth about `events`: every row the API appends has a catalogued type, the
 * catalogued version and entity, and a payload its schema accepts; and the flows below emit every
 * catalogued type but the cron's expiry.
 */
import { describe, expect, it } from "vitest";
import { type EventType, eventCatalogue, eventTypes } from "../../src/contracts/events.ts";
import { sql } from "../support/db.ts";
import { addMember, api } from "../support/identity.ts";
import {
  checkout,
  type GroupBody,
  newBuyer,
  newSeller,
  placeOrder,
  product,
  putLine,
  setMemberLimits,
} from "../support/orders.ts";

const move = (orgId: string, orderId: string, token: string, body: Record<string, unknown>) =>
  api(`/v1/orgs/${orgId}/orders/${orderId}/transitions`, { token, body });

describe("the event catalogue", () => {
  it("describes every event the order flows append", async () => {
    const buyer = await newBuyer();
    const seller = await newSeller();
    const s = seller.owner.token;
    const b = buyer.owner.token;

    // placed → accepted → shipped → delivered (invoice) → paid → completed
    const { order } = await placeOrder(buyer, seller);
    expect((await move(seller.orgId, order.id, s, { action: "accept" })).status).toBe(200);
    expect(
      (await move(seller.orgId, order.id, s, { action: "ship", carrier: "DHL", trackingNumber: "1Z" }))
        .status,
    ).toBe(200);
    expect((await move(buyer.orgId, order.id, b, { action: "deliver" })).status).toBe(200);
    const invoices = (await (
      await api(`/v1/orgs/${seller.orgId}/invoices?side=seller`, { token: s })
    ).json()) as { items: { id: string }[] };
    const invoiceId = invoices.items[0]?.id ?? "";
    const paid = await api(`/v1/orgs/${seller.orgId}/invoices/${invoiceId}/mark-paid`, {
      method: "POST",
      token: s,
    });
    expect(paid.status).toBe(200);
    expect((await move(buyer.orgId, order.id, b, { action: "complete" })).status).toBe(200);

    // rejected by the seller; cancelled by the buyer
    const rejected = await placeOrder(buyer, seller);
    expect((await move(seller.orgId, rejected.order.id, s, { action: "reject", reason: "no" })).status).toBe(
      200,
    );
    const cancelled = await placeOrder(buyer, seller);
    expect((await move(buyer.orgId, cancelled.order.id, b, { action: "cancel" })).status).toBe(200);

    // held for approval: one approved, one declined
    const purchaser = await addMember(buyer.owner, buyer.orgId, "buyer");
    const approver = await addMember(buyer.owner, buyer.orgId, "approver");
    expect((await setMemberLimits(buyer, purchaser.id, [{ currency: "EUR", perOrderMinor: 1 }])).status).toBe(
      200,
    );
    for (const decision of ["approve", "decline"]) {
      const { variantId } = await product(seller);
      expect((await putLine(buyer, variantId, 20, purchaser.token)).status).toBe(200);
      const held = (await (await checkout(buyer, undefined, undefined, purchaser.token)).json()) as GroupBody;
      expect(held.status).toBe("pending_approval");
      const decided = await api(`/v1/orgs/${buyer.orgId}/order-groups/${held.id}/${decision}`, {
        method: "POST",
        token: approver.token,
      });
      expect(decided.status).toBe(200);
    }

    const rows = (await sql().query(
      "select type, version, entity_type, payload from events where org_id = any($1::uuid[])",
      [[buyer.orgId, seller.orgId]],
    )) as { type: string; version: number; entity_type: string; payload: unknown }[];
    const seen = new Set<string>();
    for (const row of rows) {
      expect(eventTypes, `uncatalogued event ${row.type}`).toContain(row.type);
      const spec = eventCatalogue[row.type as EventType];
      expect({ type: row.type, version: row.version, entity: row.entity_type }).toEqual({
        type: row.type,
        version: spec.version,
        entity: spec.entity,
      });
      const parsed = spec.payload.safeParse(row.payload);
      expect(parsed.success, `${row.type} payload ${JSON.stringify(row.payload)}`).toBe(true);
      seen.add(row.type);
    }
    // Only the hourly cron expires orders (tested in lifecycle.test.ts); negotiation, messages and reviews
    // have their own tests of their events.
    const orderFlows = ["order_group", "order", "invoice"] as string[];
    expect([...seen].sort()).toEqual(
      eventTypes
        .filter((type) => orderFlows.includes(eventCatalogue[type].entity) && type !== "order.expired")
        .sort(),
    );
  });
});
