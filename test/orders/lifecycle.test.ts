import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../src/index.ts";
import { orderMachine } from "../../src/services/orders/machine.ts";
import { problem, roundTrips } from "../support/app.ts";
import { one, sql } from "../support/db.ts";
import { addMember, api, json } from "../support/identity.ts";
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

const stockOf = async (variantId: string) =>
  (await one<{ stock: number }>("select stock from listing_variants where id = $1", [variantId])).stock;

describe("the order state machine", () => {
  it("runs placed → accepted → shipped → delivered → completed, recording every step", async () => {
    const buyer = await newBuyer();
    const seller = await newSeller();
    const { order } = await placeOrder(buyer, seller);
    const s = seller.owner.token;
    const accept = await move(seller.orgId, order.id, s, { action: "accept" });
    expect(accept.status).toBe(200);
    expect(roundTrips(accept)).toBe(1);
    expect((await json(accept)).status).toBe("accepted");
    expect(
      (await move(seller.orgId, order.id, s, { action: "ship", carrier: "DHL", trackingNumber: "JD0146" }))
        .status,
    ).toBe(200);
    expect((await move(buyer.orgId, order.id, buyer.owner.token, { action: "deliver" })).status).toBe(200);
    const done = await move(buyer.orgId, order.id, buyer.owner.token, { action: "complete" });
    expect(await json(done)).toMatchObject({ status: "completed", carrier: "DHL", trackingNumber: "JD0146" });
    const detail = await json<{
      transitions: { action: string; from: string; to: string; actorUserId: string }[];
    }>(await api(`/v1/orgs/${buyer.orgId}/orders/${order.id}`, { token: buyer.owner.token }));
    expect(detail.transitions.map((t) => `${t.from}>${t.to}`)).toEqual([
      "placed>accepted",
      "accepted>shipped",
      "shipped>delivered",
      "delivered>completed",
    ]);
    expect(detail.transitions[0]?.actorUserId).toBe(seller.owner.id);
  });

  it("is idempotent: repeating an action that happened changes and records nothing", async () => {
    const buyer = await newBuyer();
    const seller = await newSeller();
    const { order } = await placeOrder(buyer, seller);
    await move(seller.orgId, order.id, seller.owner.token, { action: "accept" });
    const again = await move(seller.orgId, order.id, seller.owner.token, { action: "accept" });
    expect(again.status).toBe(200);
    const rows = await sql().query("select 1 from order_transitions where order_id = $1", [order.id]);
    expect(rows).toHaveLength(1);
  });

  // Every action from every state, by every side: allowed exactly when the machine says so.
  const sides = ["buyer", "seller"] as const;
  const cases = (Object.keys(orderMachine) as (keyof typeof orderMachine)[])
    .filter((action) => action !== "expire")
    .flatMap((action) => sides.map((side) => ({ action, side })));
  it.each(cases.map((c) => [c.action, c.side, c] as const))(
    "%s by the %s from 'placed'",
    async (action, side) => {
      const buyer = await newBuyer();
      const seller = await newSeller();
      const { order, variantId } = await placeOrder(buyer, seller, 20, 100);
      const transition = orderMachine[action];
      const allowed =
        (transition.by as readonly string[]).includes(side) &&
        (transition.from as readonly string[]).includes("placed");
      const actor = side === "buyer" ? buyer : seller;
      const res = await move(actor.orgId, order.id, actor.owner.token, {
        action,
        carrier: "UPS",
        trackingNumber: "1Z",
        reason: "Out of stock",
      });
      if (allowed) {
        expect(res.status).toBe(200);
        expect((await json(res)).status).toBe(transition.to);
        if ("releasesStock" in transition) expect(await stockOf(variantId)).toBe(100);
      } else {
        expect(res.status).toBe(409);
        const body = await problem(res);
        expect(body.currentStatus).toBe("placed");
        expect(body.allowedActions).toEqual(side === "buyer" ? ["cancel"] : ["accept", "reject"]);
        expect(await stockOf(variantId)).toBe(80);
      }
    },
  );

  it("refuses illegal moves later in the life of an order with the allowed actions", async () => {
    const buyer = await newBuyer();
    const seller = await newSeller();
    const { order } = await placeOrder(buyer, seller);
    await move(seller.orgId, order.id, seller.owner.token, { action: "accept" });
    const cancel = await move(buyer.orgId, order.id, buyer.owner.token, { action: "cancel" });
    expect(cancel.status).toBe(409);
    expect(await problem(cancel)).toMatchObject({ currentStatus: "accepted", allowedActions: [] });
    const noTracking = await move(seller.orgId, order.id, seller.owner.token, {
      action: "ship",
      carrier: "DHL",
    });
    expect(noTracking.status).toBe(400);
    const bogus = await move(seller.orgId, order.id, seller.owner.token, { action: "teleport" });
    expect(bogus.status).toBe(400);
    expect((await move(seller.orgId, order.id, seller.owner.token, { action: "expire" })).status).toBe(400);
  });

  it("releases stock when the seller rejects or the buyer cancels", async () => {
    const buyer = await newBuyer();
    const seller = await newSeller();
    const rejected = await placeOrder(buyer, seller, 30, 100);
    expect(await stockOf(rejected.variantId)).toBe(70);
    expect(
      (await move(seller.orgId, rejected.order.id, seller.owner.token, { action: "reject" })).status,
    ).toBe(400);
    await move(seller.orgId, rejected.order.id, seller.owner.token, {
      action: "reject",
      reason: "Discontinued",
    });
    expect(await stockOf(rejected.variantId)).toBe(100);
    const cancelled = await placeOrder(buyer, seller, 30, 100);
    await move(buyer.orgId, cancelled.order.id, buyer.owner.token, { action: "cancel" });
    await move(buyer.orgId, cancelled.order.id, buyer.owner.token, { action: "cancel" });
    expect(await stockOf(cancelled.variantId)).toBe(100);
  });

  it("expires orders the seller never accepted (cron), releasing stock", async () => {
    const buyer = await newBuyer();
    const seller = await newSeller();
    const { order, variantId } = await placeOrder(buyer, seller, 40, 100);
    await sql().query("update orders set created_at = now() - interval '73 hours' where id = $1", [order.id]);
    await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: "17 * * * *" }), env);
    const after = await json<{ status: string }>(
      await api(`/v1/orgs/${buyer.orgId}/orders/${order.id}`, { token: buyer.owner.token }),
    );
    expect(after.status).toBe("expired");
    expect(await stockOf(variantId)).toBe(100);
  });

  it("forgets checkout responses after the 24-hour replay window (cron)", async () => {
    const buyer = await newBuyer();
    const seller = await newSeller();
    const { variantId } = await product(seller);
    await putLine(buyer, variantId, 10);
    const key = crypto.randomUUID();
    expect((await checkout(buyer, undefined, key)).status).toBe(201);
    await sql().query(
      "update idempotency_keys set created_at = now() - interval '25 hours' where org_id = $1",
      [buyer.orgId],
    );
    await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: "17 * * * *" }), env);
    expect(await sql().query("select 1 from idempotency_keys where org_id = $1", [buyer.orgId])).toHaveLength(
      0,
    );
  });
});

describe("invoices for net terms", () => {
  it("are issued at delivery, due after the term, and marked paid by the seller", async () => {
    const buyer = await newBuyer();
    const seller = await newSeller();
    const { order } = await placeOrder(buyer, seller);
    for (const action of ["accept", "ship", "deliver"]) {
      await move(seller.orgId, order.id, seller.owner.token, {
        action,
        carrier: "DHL",
        trackingNumber: "X1",
      });
    }
    const { items } = await json<{
      items: { id: string; amountMinor: number; dueAt: string; issuedAt: string; status: string }[];
    }>(await api(`/v1/orgs/${buyer.orgId}/invoices`, { token: buyer.owner.token }));
    expect(items).toHaveLength(1);
    const invoice = items[0];
    expect(invoice?.amountMinor).toBe(order.subtotalMinor);
    expect((Date.parse(invoice?.dueAt ?? "") - Date.parse(invoice?.issuedAt ?? "")) / 86_400_000).toBeCloseTo(
      30,
      5,
    );
    expect(
      (
        await api(`/v1/orgs/${buyer.orgId}/invoices/${invoice?.id}/mark-paid`, {
          method: "POST",
          token: buyer.owner.token,
        })
      ).status,
    ).toBe(404);
    const paid = await api(`/v1/orgs/${seller.orgId}/invoices/${invoice?.id}/mark-paid`, {
      method: "POST",
      token: seller.owner.token,
    });
    expect(await json(paid)).toMatchObject({ status: "paid" });
  });

  it("treats a repeated mark-paid as a no-op: same answer, no new event, even when concurrent", async () => {
    const buyer = await newBuyer();
    const seller = await newSeller();
    const { order } = await placeOrder(buyer, seller);
    for (const action of ["accept", "ship", "deliver"]) {
      await move(seller.orgId, order.id, seller.owner.token, {
        action,
        carrier: "DHL",
        trackingNumber: "X1",
      });
    }
    const invoice = await one<{ id: string }>("select id from invoices where order_id = $1", [order.id]);
    const markPaid = () =>
      api(`/v1/orgs/${seller.orgId}/invoices/${invoice.id}/mark-paid`, {
        method: "POST",
        token: seller.owner.token,
      });
    const first = await markPaid();
    expect(first.status).toBe(200);
    const firstBody = await json(first);
    const repeats = await Promise.all([markPaid(), markPaid(), markPaid()]);
    for (const res of repeats) {
      expect(res.status).toBe(200);
      expect(await json(res)).toEqual(firstBody);
    }
    const events = await sql().query(
      "select org_id from events where entity_id = $1 and type = 'invoice.paid' order by org_id",
      [invoice.id],
    );
    expect(events.map((e) => (e as { org_id: string }).org_id)).toEqual([buyer.orgId, seller.orgId].sort());
  });
});

describe("approvals and spending limits", () => {
  async function limitedBuyer(limitMinor: number) {
    const buyer = await newBuyer();
    const purchaser = await addMember(buyer.owner, buyer.orgId, "buyer");
    const approver = await addMember(buyer.owner, buyer.orgId, "approver");
    const res = await setMemberLimits(buyer, purchaser.id, [{ currency: "EUR", perOrderMinor: limitMinor }]);
    expect(res.status).toBe(200);
    return { buyer, purchaser, approver };
  }

  it("places checkouts within the limit at once", async () => {
    const { buyer, purchaser } = await limitedBuyer(100_000);
    const seller = await newSeller();
    const { variantId } = await product(seller, { price: 500 });
    await putLine(buyer, variantId, 20, purchaser.token);
    const res = await checkout(buyer, undefined, undefined, purchaser.token);
    expect((await json<GroupBody>(res)).status).toBe("placed");
  });

  it("holds checkouts above the limit (stock reserved) until an approver approves", async () => {
    const { buyer, purchaser, approver } = await limitedBuyer(5_000);
    const seller = await newSeller();
    const { variantId } = await product(seller, { price: 500, stock: 100 });
    await putLine(buyer, variantId, 20, purchaser.token);
    const group = await json<GroupBody>(await checkout(buyer, undefined, undefined, purchaser.token));
    expect(group.status).toBe("pending_approval");
    expect(group.orders[0]?.status).toBe("pending_approval");
    expect(await stockOf(variantId)).toBe(80);
    const sellerView = await move(seller.orgId, group.orders[0]?.id ?? "", seller.owner.token, {
      action: "accept",
    });
    expect(sellerView.status).toBe(409);
    const self = await api(`/v1/orgs/${buyer.orgId}/order-groups/${group.id}/approve`, {
      method: "POST",
      token: purchaser.token,
    });
    expect(self.status).toBe(403);
    const approve = await api(`/v1/orgs/${buyer.orgId}/order-groups/${group.id}/approve`, {
      method: "POST",
      token: approver.token,
    });
    expect(approve.status).toBe(200);
    expect(await json(approve)).toMatchObject({
      status: "placed",
      orders: [expect.objectContaining({ status: "placed" })],
    });
    const twice = await api(`/v1/orgs/${buyer.orgId}/order-groups/${group.id}/decline`, {
      method: "POST",
      token: approver.token,
    });
    expect(twice.status).toBe(409);
  });

  it("releases the stock when an approver declines", async () => {
    const { buyer, purchaser, approver } = await limitedBuyer(5_000);
    const seller = await newSeller();
    const { variantId } = await product(seller, { price: 500, stock: 100 });
    await putLine(buyer, variantId, 20, purchaser.token);
    const group = await json<GroupBody>(await checkout(buyer, undefined, undefined, purchaser.token));
    const decline = await api(`/v1/orgs/${buyer.orgId}/order-groups/${group.id}/decline`, {
      method: "POST",
      token: approver.token,
    });
    expect(await json(decline)).toMatchObject({ status: "declined" });
    expect(await stockOf(variantId)).toBe(100);
  });

  it("lets the seller reject an order awaiting the buyer's approval, releasing its stock at once", async () => {
    const { buyer, purchaser, approver } = await limitedBuyer(5_000);
    const seller = await newSeller();
    const { variantId } = await product(seller, { price: 500, stock: 100 });
    await putLine(buyer, variantId, 100, purchaser.token);
    const group = await json<GroupBody>(await checkout(buyer, undefined, undefined, purchaser.token));
    expect(group.status).toBe("pending_approval");
    expect(await stockOf(variantId)).toBe(0);
    const orderId = group.orders[0]?.id ?? "";
    const rejected = await move(seller.orgId, orderId, seller.owner.token, {
      action: "reject",
      reason: "Stock is reserved for confirmed orders",
    });
    expect(rejected.status).toBe(200);
    expect(await json(rejected)).toMatchObject({ status: "rejected" });
    expect(await stockOf(variantId)).toBe(100);
    // The approver may still decide the group; the rejected order stays rejected, its stock is not released twice.
    const approve = await api(`/v1/orgs/${buyer.orgId}/order-groups/${group.id}/approve`, {
      method: "POST",
      token: approver.token,
    });
    expect(approve.status).toBe(200);
    expect((await json<GroupBody>(approve)).orders[0]?.status).toBe("rejected");
    expect(await stockOf(variantId)).toBe(100);
  });

  it("does not renew an approval hold: the same variant cannot be held again while held or for the hold time after", async () => {
    const { buyer, purchaser } = await limitedBuyer(5_000);
    const seller = await newSeller();
    const { variantId } = await product(seller, { price: 500, stock: 100 });
    const other = await product(seller, { price: 500, stock: 100 });
    await putLine(buyer, variantId, 100, purchaser.token);
    const held = await json<GroupBody>(await checkout(buyer, undefined, undefined, purchaser.token));
    expect(held.status).toBe("pending_approval");
    // While that hold lasts, a second hold of the same variant is refused (the first still holds 0 left).
    await sql().query("update listing_variants set stock = stock + 100 where id = $1", [variantId]);
    await putLine(buyer, variantId, 100, purchaser.token);
    const second = await checkout(buyer, undefined, undefined, purchaser.token);
    expect(second.status).toBe(409);
    expect((await problem(second)).lines).toEqual([expect.objectContaining({ variantId })]);
    expect(await stockOf(variantId)).toBe(100);
    // Cancel and check out again: still no new hold for the hold time after it ended.
    await move(buyer.orgId, held.orders[0]?.id ?? "", purchaser.token, { action: "cancel" });
    expect(await stockOf(variantId)).toBe(200);
    const renewed = await checkout(buyer, undefined, undefined, purchaser.token);
    expect(renewed.status).toBe(409);
    expect(await stockOf(variantId)).toBe(200);
    expect(
      await sql().query("select 1 from order_groups where buyer_org_id = $1", [buyer.orgId]),
    ).toHaveLength(1);
    // Other variants, and checkouts within the limit, are not affected.
    await api(`/v1/orgs/${buyer.orgId}/cart/lines/${variantId}`, {
      method: "DELETE",
      token: purchaser.token,
    });
    await putLine(buyer, other.variantId, 100, purchaser.token);
    expect((await json<GroupBody>(await checkout(buyer, undefined, undefined, purchaser.token))).status).toBe(
      "pending_approval",
    );
    await putLine(buyer, variantId, 10, purchaser.token);
    expect((await json<GroupBody>(await checkout(buyer, undefined, undefined, purchaser.token))).status).toBe(
      "placed",
    );
    // Once the hold time has passed since the hold ended, the variant may be held again.
    await sql().query(
      `update order_transitions set created_at = created_at - interval '48 hours'
       where order_id = $1`,
      [held.orders[0]?.id],
    );
    await sql().query(
      "update orders set created_at = created_at - interval '49 hours', updated_at = updated_at - interval '48 hours' where id = $1",
      [held.orders[0]?.id],
    );
    await putLine(buyer, variantId, 100, purchaser.token);
    expect((await json<GroupBody>(await checkout(buyer, undefined, undefined, purchaser.token))).status).toBe(
      "pending_approval",
    );
  });

  it("keeps approvals and limits to the right people", async () => {
    const { buyer, purchaser } = await limitedBuyer(5_000);
    const stranger = await newBuyer("Stranger");
    expect((await setMemberLimits(buyer, purchaser.id, [], purchaser.token)).status).toBe(403);
    expect((await setMemberLimits(buyer, purchaser.id, [], stranger.owner.token)).status).toBe(404);
    const bad = await setMemberLimits(buyer, purchaser.id, [{ currency: "eur", perOrderMinor: -1 }]);
    expect(bad.status).toBe(400);
  });
});

describe("tenancy", () => {
  it("shows a buyer only its orders and a seller only the orders it received", async () => {
    const buyerA = await newBuyer("A");
    const buyerB = await newBuyer("B");
    const sellerX = await newSeller("X");
    const sellerY = await newSeller("Y");
    const px = await product(sellerX);
    const py = await product(sellerY);
    await putLine(buyerA, px.variantId, 10);
    await putLine(buyerA, py.variantId, 10);
    const group = await json<GroupBody>(await checkout(buyerA));
    const orderX = group.orders.find((o) => o.seller.id === sellerX.orgId);
    const orderY = group.orders.find((o) => o.seller.id === sellerY.orgId);

    const bList = await json<{ items: unknown[] }>(
      await api(`/v1/orgs/${buyerB.orgId}/orders`, { token: buyerB.owner.token }),
    );
    expect(bList.items).toEqual([]);
    expect(
      (await api(`/v1/orgs/${buyerB.orgId}/orders/${orderX?.id}`, { token: buyerB.owner.token })).status,
    ).toBe(404);
    expect(
      (await api(`/v1/orgs/${buyerA.orgId}/orders/${orderX?.id}`, { token: buyerB.owner.token })).status,
    ).toBe(404);
    expect(
      (await api(`/v1/orgs/${buyerB.orgId}/order-groups/${group.id}`, { token: buyerB.owner.token })).status,
    ).toBe(404);

    const xList = await json<{ items: { id: string; lines: { title: string }[] }[] }>(
      await api(`/v1/orgs/${sellerX.orgId}/orders?side=seller`, { token: sellerX.owner.token }),
    );
    expect(xList.items.map((o) => o.id)).toEqual([orderX?.id]);
    expect(
      (await api(`/v1/orgs/${sellerX.orgId}/orders/${orderY?.id}`, { token: sellerX.owner.token })).status,
    ).toBe(404);
    expect(
      (await move(sellerX.orgId, orderY?.id ?? "", sellerX.owner.token, { action: "accept" })).status,
    ).toBe(404);
    expect((await api(`/v1/orgs/${buyerA.orgId}/orders`)).status).toBe(401);
  });

  it("pages order lists with cursors", async () => {
    const buyer = await newBuyer();
    const seller = await newSeller();
    for (let i = 0; i < 3; i++) await placeOrder(buyer, seller);
    const first = await json<{ items: unknown[]; nextCursor: string }>(
      await api(`/v1/orgs/${buyer.orgId}/orders?limit=2`, { token: buyer.owner.token }),
    );
    expect(first.items).toHaveLength(2);
    const second = await json<{ items: unknown[]; nextCursor: string | null }>(
      await api(`/v1/orgs/${buyer.orgId}/orders?limit=2&cursor=${first.nextCursor}`, {
        token: buyer.owner.token,
      }),
    );
    expect(second.items).toHaveLength(1);
    expect(second.nextCursor).toBeNull();
    expect(
      (await api(`/v1/orgs/${buyer.orgId}/orders?status=shipping`, { token: buyer.owner.token })).status,
    ).toBe(400);
  });
});
