/**
 * Attack tests for the issue 8 order fixes (spending limits, approval holds, cart ETag + If-Match,
 * mark-paid). Each test states the secure behaviour; the ones that were confirmed breaks (once marked
 * `it.fails`) say what was seen before the fix.
 */
import { describe, expect, it } from "vitest";
import { webSocketClient } from "../../src/db/client.ts";
import { problem } from "../support/app.ts";
import { one, sql } from "../support/db.ts";
import { testConfig } from "../support/env.ts";
import { addMember, api, json } from "../support/identity.ts";
import {
  type Buyer,
  cartEtag,
  checkout,
  checkoutBody,
  type GroupBody,
  newBuyer,
  newSeller,
  product,
  putLine,
  setMemberLimits,
} from "../support/orders.ts";

const stockOf = async (variantId: string) =>
  (await one<{ stock: number }>("select stock from listing_variants where id = $1", [variantId])).stock;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const move = (orgId: string, orderId: string, token: string, body: Record<string, unknown>) =>
  api(`/v1/orgs/${orgId}/orders/${orderId}/transitions`, { token, body });

const decide = (buyer: Buyer, groupId: string, decision: "approve" | "decline", token: string) =>
  api(`/v1/orgs/${buyer.orgId}/order-groups/${groupId}/${decision}`, { method: "POST", token });

async function apiKeyBy(orgId: string, token: string) {
  const res = await api(`/v1/orgs/${orgId}/api-keys`, {
    token,
    body: { name: "ERP", scopes: ["orders:read", "orders:write"] },
  });
  if (res.status !== 201) throw new Error(`api key: ${res.status} ${await res.text()}`);
  return (await json<{ key: string }>(res)).key;
}

/** Holds a row lock from a separate connection (an interactive transaction) until release(). */
async function holdLock(query: string, params: unknown[]) {
  const client = webSocketClient(testConfig(), "attack-lock");
  await client.connect();
  await client.query("begin");
  await client.query(query, params);
  return {
    async release() {
      await client.query("commit");
      await client.end();
    },
  };
}

describe("cart lock and If-Match: path spelling", () => {
  it("a checkout addressed with the org id in capitals orders exactly what If-Match named, and reserves what it orders", async () => {
    // Was: lockCart()/lockLimits() keyed the advisory lock on the path's orgId text, so
    // /v1/orgs/<UPPER>/checkout and /v1/orgs/<lower>/cart/lines/... took different locks. Now every uuid
    // input is canonicalised to lower case at validation and the lock keys are built from uuid::text.
    const buyer = await newBuyer();
    const seller = await newSeller();
    const { variantId } = await product(seller, { price: 500, moq: 10, increment: 5, stock: 1000 });
    expect((await putLine(buyer, variantId, 10)).status).toBe(200);
    const etag = await cartEtag(buyer);
    expect(etag).toBeTruthy();

    // Stall the checkout batch after its If-Match guard and its stock reservation: the order_groups
    // insert needs a KEY SHARE lock on the buyer's users row (placed_by FK), which we hold for a moment.
    const lock = await holdLock("select id from users where id = $1 for update", [buyer.owner.id]);
    const pending = api(`/v1/orgs/${buyer.orgId.toUpperCase()}/checkout`, {
      token: buyer.owner.token,
      body: checkoutBody,
      headers: { "idempotency-key": crypto.randomUUID(), "if-match": etag ?? "" },
    });
    await sleep(1500);
    // Meanwhile the same buyer raises the line (lower-case path: the ordinary client spelling). With the
    // cart lock held by the checkout this would wait until the checkout finished.
    const raise = putLine(buyer, variantId, 500);
    const raced = await Promise.race([raise.then((r) => r.status), sleep(2000).then(() => "waiting")]);
    await lock.release();
    const res = await pending;
    await (await raise).body?.cancel();
    expect(res.status).toBe(201);
    const group = await json<GroupBody>(res);
    const ordered = group.orders.flatMap((o) => o.lines).reduce((n, l) => n + l.quantity, 0);
    const stock = await stockOf(variantId);
    // Before the fix: raced === 200 (the PUT never waited), ordered === 500, stock === 990.
    expect({ raced, ordered, reservedMatchesOrdered: 1000 - stock === ordered }).toEqual({
      raced: "waiting",
      ordered: 10,
      reservedMatchesOrdered: true,
    });
  });

  it("a cancelled order never gives back more stock than it reserved (stock minting via the race above)", async () => {
    const buyer = await newBuyer();
    const seller = await newSeller();
    const { variantId } = await product(seller, { price: 500, moq: 10, increment: 5, stock: 1000 });
    await putLine(buyer, variantId, 10);
    const etag = await cartEtag(buyer);
    const lock = await holdLock("select id from users where id = $1 for update", [buyer.owner.id]);
    const pending = api(`/v1/orgs/${buyer.orgId.toUpperCase()}/checkout`, {
      token: buyer.owner.token,
      body: checkoutBody,
      headers: { "idempotency-key": crypto.randomUUID(), "if-match": etag ?? "" },
    });
    await sleep(1500);
    const raise = putLine(buyer, variantId, 900);
    await Promise.race([raise, sleep(2000)]);
    await lock.release();
    const group = await json<GroupBody>(await pending);
    await (await raise).body?.cancel();
    const orderId = group.orders[0]?.id ?? "";
    const cancel = await move(buyer.orgId, orderId, buyer.owner.token, { action: "cancel" });
    expect(cancel.status).toBe(200);
    // Stock must be back to what the seller listed, never more.
    expect(await stockOf(variantId)).toBe(1000);
  });

  it("a cart edit addressed in capitals waits behind a checkout addressed in lower case (the other way round)", async () => {
    const buyer = await newBuyer();
    const seller = await newSeller();
    const { variantId } = await product(seller, { price: 500, moq: 10, increment: 5, stock: 1000 });
    await putLine(buyer, variantId, 10);
    const etag = await cartEtag(buyer);
    const lock = await holdLock("select id from users where id = $1 for update", [buyer.owner.id]);
    const pending = api(`/v1/orgs/${buyer.orgId}/checkout`, {
      token: buyer.owner.token,
      body: checkoutBody,
      headers: { "idempotency-key": crypto.randomUUID(), "if-match": etag ?? "" },
    });
    await sleep(1500);
    const raise = api(`/v1/orgs/${buyer.orgId.toUpperCase()}/cart/lines/${variantId.toUpperCase()}`, {
      method: "PUT",
      token: buyer.owner.token,
      body: { quantity: 500 },
    });
    const raced = await Promise.race([raise.then((r) => r.status), sleep(2000).then(() => "waiting")]);
    await lock.release();
    const group = await json<GroupBody>(await pending);
    const raised = await raise;
    expect(raised.status).toBe(200);
    expect(raced).toBe("waiting");
    expect(group.orders[0]?.lines[0]?.quantity).toBe(10);
    expect(await stockOf(variantId)).toBe(990);
    // The line was stored under the one canonical spelling of both ids: one line, not two.
    const cart = await json<{ sellers: { lines: { variantId: string; quantity: number }[] }[] }>(raised);
    expect(cart.sellers.flatMap((s) => s.lines)).toEqual([
      expect.objectContaining({ variantId, quantity: 500 }),
    ]);
  });

  it("the ordinary spelling serialises a cart edit behind a running checkout (control)", async () => {
    const buyer = await newBuyer();
    const seller = await newSeller();
    const { variantId } = await product(seller, { price: 500, moq: 10, increment: 5, stock: 1000 });
    await putLine(buyer, variantId, 10);
    const etag = await cartEtag(buyer);
    const lock = await holdLock("select id from users where id = $1 for update", [buyer.owner.id]);
    const pending = api(`/v1/orgs/${buyer.orgId}/checkout`, {
      token: buyer.owner.token,
      body: checkoutBody,
      headers: { "idempotency-key": crypto.randomUUID(), "if-match": etag ?? "" },
    });
    await sleep(1500);
    const raise = putLine(buyer, variantId, 500);
    const raced = await Promise.race([raise.then((r) => r.status), sleep(2000).then(() => "waiting")]);
    await lock.release();
    const group = await json<GroupBody>(await pending);
    expect((await raise).status).toBe(200);
    expect(raced).toBe("waiting");
    expect(group.orders[0]?.lines[0]?.quantity).toBe(10);
    expect(await stockOf(variantId)).toBe(990);
  });
});

describe("spending limits", () => {
  it("an admin held to a spending limit cannot get a checkout above it placed without a second person (API key + self-approval)", async () => {
    const buyer = await newBuyer();
    const admin = await addMember(buyer.owner, buyer.orgId, "admin");
    expect(
      (
        await setMemberLimits(buyer, admin.id, [
          { currency: "EUR", perOrderMinor: 1_000, perMonthMinor: 1_000 },
        ])
      ).status,
    ).toBe(200);
    const seller = await newSeller();
    const { variantId } = await product(seller, { price: 10_000, moq: 10, increment: 5 });

    // As themself: held for approval, and they may not approve it (four eyes).
    await putLine(buyer, variantId, 10, admin.token);
    const own = await json<GroupBody>(await checkout(buyer, checkoutBody, crypto.randomUUID(), admin.token));
    expect(own.status).toBe("pending_approval");
    expect((await decide(buyer, own.id, "approve", admin.token)).status).toBe(403);
    expect((await decide(buyer, own.id, "decline", buyer.owner.token)).status).toBe(200);

    // Through an API key the admin created themself (admins can create keys): held too, but then
    // "approved" by the same admin, since an API key's checkout has placed_by null.
    const key = await apiKeyBy(buyer.orgId, admin.token);
    const other = await product(seller, { price: 10_000, moq: 10, increment: 5 });
    await putLine(buyer, other.variantId, 10, key);
    const viaKey = await json<GroupBody>(await checkout(buyer, checkoutBody, crypto.randomUUID(), key));
    expect(viaKey.status).toBe("pending_approval");
    const selfApprove = await decide(buyer, viaKey.id, "approve", admin.token);
    // Secure: the person behind the key (its creator) is not a second pair of eyes, either way.
    // Before the fix: 200 (four eyes compared placed_by only, null for a key's checkout).
    expect(selfApprove.status).toBe(403);
    expect((await decide(buyer, viaKey.id, "decline", admin.token)).status).toBe(403);
    // Anyone else who may approve still can.
    expect((await decide(buyer, viaKey.id, "approve", buyer.owner.token)).status).toBe(200);
  });

  it("a limited member's self-edit is refused on every spelling of their id", async () => {
    const buyer = await newBuyer();
    const admin = await addMember(buyer.owner, buyer.orgId, "admin");
    expect((await setMemberLimits(buyer, admin.id, [{ currency: "EUR", perOrderMinor: 1_000 }])).status).toBe(
      200,
    );
    for (const spelling of [admin.id, admin.id.toUpperCase()]) {
      const res = await api(`/v1/orgs/${buyer.orgId}/members/${spelling}/spending-limits`, {
        method: "PUT",
        token: admin.token,
        body: { limits: [] },
      });
      expect(res.status).toBe(403);
    }
    const key = await apiKeyBy(buyer.orgId, buyer.owner.token);
    const byKey = await api(`/v1/orgs/${buyer.orgId}/members/${admin.id}/spending-limits`, {
      method: "PUT",
      token: key,
      body: { limits: [] },
    });
    expect(byKey.status).toBe(403);
    const now = await json<{ limits: unknown[] }>(
      await api(`/v1/orgs/${buyer.orgId}/members/${admin.id}/spending-limits`, { token: buyer.owner.token }),
    );
    expect(now.limits).toHaveLength(1);
  });

  it("refuses limit amounts past 2^53 - 1, negative or fractional (400, never 500)", async () => {
    const buyer = await newBuyer();
    const member = await addMember(buyer.owner, buyer.orgId, "buyer");
    for (const amount of [2 ** 53, -1, 1.5, 1e300, "100"]) {
      const res = await setMemberLimits(buyer, member.id, [
        { currency: "EUR", perOrderMinor: amount as number },
      ]);
      expect(res.status).toBe(400);
    }
    const dup = await setMemberLimits(buyer, member.id, [
      { currency: "EUR", perOrderMinor: 1 },
      { currency: "EUR", perMonthMinor: 1 },
    ]);
    expect(dup.status).toBe(400);
  });

  it("counts a member's pending and placed orders of the month against their monthly limit; cancelled ones stop counting", async () => {
    const buyer = await newBuyer();
    const member = await addMember(buyer.owner, buyer.orgId, "buyer");
    await setMemberLimits(buyer, member.id, [{ currency: "EUR", perMonthMinor: 10_000 }]);
    const seller = await newSeller();
    const buy = async () => {
      const { variantId } = await product(seller, { price: 400, moq: 10, increment: 5 });
      await putLine(buyer, variantId, 10, member.token);
      return json<GroupBody>(await checkout(buyer, checkoutBody, crypto.randomUUID(), member.token));
    };
    const a = await buy(); // 4,000
    const b = await buy(); // 8,000
    const c = await buy(); // 12,000 > 10,000
    expect([a.status, b.status, c.status]).toEqual(["placed", "placed", "pending_approval"]);
    // Cancelling b frees 4,000 of the month: the next 4,000 fits again (pending c counts: 4,000 + 4,000 + 4,000).
    expect((await move(buyer.orgId, b.orders[0]?.id ?? "", member.token, { action: "cancel" })).status).toBe(
      200,
    );
    const d = await buy();
    expect(d.status).toBe("pending_approval");
  });
});

describe("approval holds are not renewable", () => {
  it("an org cannot renew a hold by approving it itself and cancelling the placed order", async () => {
    // A buyer org with an API key (no API-key limits, so every key checkout needs approval) and an
    // approver (the key's creator may not approve its checkouts: four eyes). Before the fix the
    // approve-then-cancel hold was not counted (recentHolds skipped transitions to placed): 201.
    const buyer = await newBuyer();
    const approver = await addMember(buyer.owner, buyer.orgId, "approver");
    const key = await apiKeyBy(buyer.orgId, buyer.owner.token);
    const seller = await newSeller();
    const { variantId } = await product(seller, { price: 500, moq: 10, increment: 5, stock: 100 });

    await putLine(buyer, variantId, 100, key);
    const first = await json<GroupBody>(await checkout(buyer, checkoutBody, crypto.randomUUID(), key));
    expect(first.status).toBe("pending_approval");
    expect(await stockOf(variantId)).toBe(0);
    // Direct renewal is refused (the documented case) ...
    expect((await move(buyer.orgId, first.orders[0]?.id ?? "", key, { action: "cancel" })).status).toBe(200);
    await putLine(buyer, variantId, 100, key);
    const renew = await checkout(buyer, checkoutBody, crypto.randomUUID(), key);
    expect(renew.status).toBe(409);
    await api(`/v1/orgs/${buyer.orgId}/cart/lines/${variantId}`, { method: "DELETE", token: key });

    // ... on a second variant: hold, approve, cancel, and hold again at once.
    const other = await product(seller, { price: 500, moq: 10, increment: 5, stock: 100 });
    await putLine(buyer, other.variantId, 100, key);
    const held = await json<GroupBody>(await checkout(buyer, checkoutBody, crypto.randomUUID(), key));
    expect(held.status).toBe("pending_approval");
    expect((await decide(buyer, held.id, "approve", approver.token)).status).toBe(200);
    expect((await move(buyer.orgId, held.orders[0]?.id ?? "", key, { action: "cancel" })).status).toBe(200);
    await putLine(buyer, other.variantId, 100, key);
    const again = await checkout(buyer, checkoutBody, crypto.randomUUID(), key);
    // README: refused while a hold of it ended without a sale within the last APPROVAL_HOLD_HOURS.
    expect(again.status).toBe(409);
    expect(await stockOf(other.variantId)).toBe(100);
    // The seller rejecting an approved order ends the hold without a sale too.
    await api(`/v1/orgs/${buyer.orgId}/cart/lines/${other.variantId}`, { method: "DELETE", token: key });
    const third = await product(seller, { price: 500, moq: 10, increment: 5, stock: 100 });
    await putLine(buyer, third.variantId, 100, key);
    const approved = await json<GroupBody>(await checkout(buyer, checkoutBody, crypto.randomUUID(), key));
    expect((await decide(buyer, approved.id, "approve", approver.token)).status).toBe(200);
    const reject = await move(seller.orgId, approved.orders[0]?.id ?? "", seller.owner.token, {
      action: "reject",
      reason: "hostage",
    });
    expect(reject.status).toBe(200);
    await putLine(buyer, third.variantId, 100, key);
    expect((await checkout(buyer, checkoutBody, crypto.randomUUID(), key)).status).toBe(409);
  });

  it("an approved hold that became a sale, or is still placed, does not block re-ordering the variant", async () => {
    const buyer = await newBuyer();
    const approver = await addMember(buyer.owner, buyer.orgId, "approver");
    const key = await apiKeyBy(buyer.orgId, buyer.owner.token);
    const seller = await newSeller();
    const { variantId } = await product(seller, { price: 500, moq: 10, increment: 5, stock: 100 });
    await putLine(buyer, variantId, 20, key);
    const sold = await json<GroupBody>(await checkout(buyer, checkoutBody, crypto.randomUUID(), key));
    expect(sold.status).toBe("pending_approval");
    expect((await decide(buyer, sold.id, "approve", approver.token)).status).toBe(200);
    // Still placed (the seller has not answered yet): a new held checkout of the variant is allowed.
    await putLine(buyer, variantId, 20, key);
    const placedMeanwhile = await json<GroupBody>(
      await checkout(buyer, checkoutBody, crypto.randomUUID(), key),
    );
    expect(placedMeanwhile.status).toBe("pending_approval");
    expect((await decide(buyer, placedMeanwhile.id, "approve", approver.token)).status).toBe(200);
    // Accepted by the seller (a sale): still allowed.
    expect(
      (await move(seller.orgId, sold.orders[0]?.id ?? "", seller.owner.token, { action: "accept" })).status,
    ).toBe(200);
    await putLine(buyer, variantId, 20, key);
    const reorder = await checkout(buyer, checkoutBody, crypto.randomUUID(), key);
    expect(reorder.status).toBe(201);
    expect((await json<GroupBody>(reorder)).status).toBe("pending_approval");
  });

  it("the seller can reject a pending order and its hold cannot then be renewed by the same org", async () => {
    const buyer = await newBuyer();
    const key = await apiKeyBy(buyer.orgId, buyer.owner.token);
    const seller = await newSeller();
    const { variantId } = await product(seller, { price: 500, moq: 10, increment: 5, stock: 100 });
    await putLine(buyer, variantId, 100, key);
    const held = await json<GroupBody>(await checkout(buyer, checkoutBody, crypto.randomUUID(), key));
    const reject = await move(seller.orgId, held.orders[0]?.id ?? "", seller.owner.token, {
      action: "reject",
      reason: "hostage",
    });
    expect(reject.status).toBe(200);
    expect(await stockOf(variantId)).toBe(100);
    await putLine(buyer, variantId, 100, key);
    expect((await checkout(buyer, checkoutBody, crypto.randomUUID(), key)).status).toBe(409);
    expect(await stockOf(variantId)).toBe(100);
  });
});

describe("approvals racing the seller", () => {
  it.each(["decline", "approve"] as const)(
    "an approver's %s racing the seller's reject records no transition that never happened",
    async (decision) => {
      // Was: decideGroup() inserted order_transitions from a SELECT of the group's pending orders taken
      // before it waited (FK lock) on an order the seller was rejecting; after the reject committed the
      // insert still recorded "decline pending_approval → declined" for an order that was rejected. Now
      // decideGroup locks the group's orders first, so its later statements see the reject.
      const buyer = await newBuyer();
      const approver = await addMember(buyer.owner, buyer.orgId, "approver");
      const key = await apiKeyBy(buyer.orgId, buyer.owner.token);
      const seller = await newSeller();
      const { variantId } = await product(seller, { price: 500, moq: 10, increment: 5, stock: 100 });
      await putLine(buyer, variantId, 100, key);
      const held = await json<GroupBody>(await checkout(buyer, checkoutBody, crypto.randomUUID(), key));
      expect(held.status).toBe("pending_approval");
      const orderId = held.orders[0]?.id ?? "";
      // Pause the seller's reject after it changed the order (its transition row's FK on the acting user).
      const lock = await holdLock("select id from users where id = $1 for update", [seller.owner.id]);
      const reject = move(seller.orgId, orderId, seller.owner.token, { action: "reject", reason: "no" });
      await sleep(800);
      const decline = decide(buyer, held.id, decision, approver.token);
      await sleep(800);
      await lock.release();
      expect((await reject).status).toBe(200);
      expect((await decline).status).toBe(200);
      // Stock comes back once (held).
      expect(await stockOf(variantId)).toBe(100);
      const order = await one<{ status: string }>("select status::text from orders where id = $1", [orderId]);
      const transitions = await sql().query(
        "select action, from_status::text as from, to_status::text as to from order_transitions where order_id = $1 order by created_at",
        [orderId],
      );
      expect(order.status).toBe("rejected");
      // Before the fix: [reject pending_approval→rejected, decline pending_approval→declined].
      expect(transitions.map((t) => (t as { action: string }).action)).toEqual(["reject"]);
    },
  );
});

describe("cart ETag and If-Match", () => {
  async function cartWithLine() {
    const buyer = await newBuyer();
    const seller = await newSeller();
    const item = await product(seller, { price: 500, moq: 10, increment: 5 });
    await putLine(buyer, item.variantId, 10);
    return { buyer, seller, ...item };
  }

  it("refuses '*', weak and listed ETags (428 / 412), and stores nothing under the key", async () => {
    const { buyer } = await cartWithLine();
    const etag = (await cartEtag(buyer)) ?? "";
    const key = crypto.randomUUID();
    const send = (ifMatch: string) =>
      api(`/v1/orgs/${buyer.orgId}/checkout`, {
        token: buyer.owner.token,
        body: checkoutBody,
        headers: { "idempotency-key": key, "if-match": ifMatch },
      });
    expect((await send("*")).status).toBe(428);
    expect((await send(" * ")).status).toBe(428);
    expect((await send(`W/${etag}`)).status).toBe(412);
    expect((await send(`${etag}, "x"`)).status).toBe(412);
    expect((await send(etag.replaceAll('"', ""))).status).toBe(412);
    expect((await send("\u00ff\u0085")).status).toBe(412);
    const ok = await send(etag);
    expect(ok.status).toBe(201);
  });

  it("412 for a price raised between reading the cart and checking out, and for a tier the quantity now earns", async () => {
    const { buyer, seller, listingId, variantId } = await cartWithLine();
    const etag = (await cartEtag(buyer)) ?? "";
    const listing = await json<{ version: number }>(
      await api(`/v1/orgs/${seller.orgId}/listings/${listingId}`, { token: seller.owner.token }),
    );
    const edit = await api(`/v1/orgs/${seller.orgId}/listings/${listingId}`, {
      method: "PATCH",
      token: seller.owner.token,
      headers: { "if-match": `"${listing.version}"` },
      body: {
        priceTiers: [
          { minQuantity: 10, unitPriceMinor: 50_000 },
          { minQuantity: 100, unitPriceMinor: 45_000 },
        ],
      },
    });
    if (edit.status !== 200) {
      // The listing ETag format may differ: read it from the response header instead.
      const head = await api(`/v1/orgs/${seller.orgId}/listings/${listingId}`, { token: seller.owner.token });
      const again = await api(`/v1/orgs/${seller.orgId}/listings/${listingId}`, {
        method: "PATCH",
        token: seller.owner.token,
        headers: { "if-match": head.headers.get("etag") ?? "" },
        body: {
          priceTiers: [
            { minQuantity: 10, unitPriceMinor: 50_000 },
            { minQuantity: 100, unitPriceMinor: 45_000 },
          ],
        },
      });
      expect(again.status).toBe(200);
    }
    const stale = await checkout(buyer, checkoutBody, crypto.randomUUID(), buyer.owner.token, etag);
    expect(stale.status).toBe(412);
    const body = await problem(stale);
    expect((body.cart as { totalMinor: number }).totalMinor).toBe(500_000);
    expect(stale.headers.get("etag")).not.toBe(etag);
    // Another member adds to the quantity after the buyer read the cart: a new tier, a new ETag.
    const fresh = stale.headers.get("etag") ?? "";
    const colleague = await addMember(buyer.owner, buyer.orgId, "buyer");
    await putLine(buyer, variantId, 100, colleague.token);
    expect((await checkout(buyer, checkoutBody, crypto.randomUUID(), buyer.owner.token, fresh)).status).toBe(
      412,
    );
  });

  it("an archived listing in the cart is 422 at checkout, not ordered", async () => {
    const { buyer, seller, listingId } = await cartWithLine();
    const etag = (await cartEtag(buyer)) ?? "";
    const archive = await api(`/v1/orgs/${seller.orgId}/listings/${listingId}/archive`, {
      method: "POST",
      token: seller.owner.token,
    });
    expect(archive.status).toBe(200);
    const res = await checkout(buyer, checkoutBody, crypto.randomUUID(), buyer.owner.token, etag);
    expect([412, 422]).toContain(res.status);
    expect(
      await one<{ n: string }>("select count(*) as n from order_groups where buyer_org_id = $1", [
        buyer.orgId,
      ]),
    ).toEqual({
      n: "0",
    });
  });
});

describe("mark-paid", () => {
  it("concurrent first mark-paids record exactly one invoice.paid per side", async () => {
    const buyer = await newBuyer();
    const seller = await newSeller();
    const { variantId } = await product(seller, { price: 500 });
    await putLine(buyer, variantId, 10);
    const group = await json<GroupBody>(await checkout(buyer));
    const orderId = group.orders[0]?.id ?? "";
    for (const action of ["accept", "ship", "deliver"]) {
      await move(seller.orgId, orderId, seller.owner.token, { action, carrier: "DHL", trackingNumber: "X1" });
    }
    const invoice = await one<{ id: string }>("select id from invoices where order_id = $1", [orderId]);
    const results = await Promise.all(
      Array.from({ length: 6 }, () =>
        api(`/v1/orgs/${seller.orgId}/invoices/${invoice.id}/mark-paid`, {
          method: "POST",
          token: seller.owner.token,
        }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(6).fill(200));
    const events = await sql().query(
      "select count(*) as n from events where entity_id = $1 and type = 'invoice.paid'",
      [invoice.id],
    );
    expect(events[0]).toEqual({ n: "2" });
    // The buyer may not mark it paid, by any spelling.
    const byBuyer = await api(`/v1/orgs/${buyer.orgId}/invoices/${invoice.id.toUpperCase()}/mark-paid`, {
      method: "POST",
      token: buyer.owner.token,
    });
    expect(byBuyer.status).toBe(404);
  });
});
