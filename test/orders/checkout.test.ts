import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, problem, roundTrips } from "../support/app.ts";
import type { Seller } from "../support/catalog.ts";
import { one, sql } from "../support/db.ts";
import { addMember, api, json, logIn } from "../support/identity.ts";
import { kvWithDelayedDeletes } from "../support/kv.ts";
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
} from "../support/orders.ts";

const stockOfVariant = async (variantId: string) =>
  (await one<{ stock: number }>("select stock from listing_variants where id = $1", [variantId])).stock;

describe("cart", () => {
  it("prices lines by tier, groups them by seller and checks MOQ and increments", async () => {
    const buyer = await newBuyer();
    const seller = await newSeller("Bolt Co");
    const { variantId } = await product(seller, { price: 500, moq: 10, increment: 5 });
    const small = await putLine(buyer, variantId, 15);
    expect(small.status).toBe(200);
    expect(roundTrips(small)).toBe(1);
    let cart = await json<{
      totalMinor: number;
      sellers: { lines: { unitPriceMinor: number; tierMinQuantity: number }[] }[];
    }>(small);
    expect(cart.totalMinor).toBe(15 * 500);
    const big = await json<typeof cart>(await putLine(buyer, variantId, 100));
    expect(big.sellers[0]?.lines[0]).toMatchObject({ unitPriceMinor: 450, tierMinQuantity: 100 });
    expect(big.totalMinor).toBe(100 * 450);
    const belowMoq = await putLine(buyer, variantId, 5);
    expect(belowMoq.status).toBe(422);
    expect(await problem(belowMoq)).toMatchObject({ minOrderQuantity: 10, orderIncrement: 5 });
    expect((await putLine(buyer, variantId, 12)).status).toBe(422);
    cart = await json(await api(`/v1/orgs/${buyer.orgId}/cart`, { token: buyer.owner.token }));
    expect(cart.totalMinor).toBe(100 * 450);
  });

  it("keeps one currency per cart (422) and refuses unknown or own variants", async () => {
    const buyer = await newBuyer();
    const seller = await newSeller();
    const eur = await product(seller, { currency: "EUR" });
    const usd = await product(seller, { currency: "USD" });
    expect((await putLine(buyer, eur.variantId, 10)).status).toBe(200);
    const mixed = await putLine(buyer, usd.variantId, 10);
    expect(mixed.status).toBe(422);
    expect((await problem(mixed)).detail).toContain("One currency per cart");
    expect((await putLine(buyer, crypto.randomUUID(), 10)).status).toBe(404);
    const sellerAsBuyer = { owner: seller.owner, orgId: seller.orgId };
    expect((await putLine(sellerAsBuyer, eur.variantId, 10)).status).toBe(404);
  });

  it.each([
    ["zero", { quantity: 0 }],
    ["fractional", { quantity: 1.5 }],
    ["missing", {}],
    ["a string", { quantity: "10" }],
    ["extra fields", { quantity: 10, price: 1 }],
    ["too large", { quantity: 10_000_001 }],
  ])("answers a %s quantity with 400", async (_, body) => {
    const buyer = await newBuyer();
    const res = await api(`/v1/orgs/${buyer.orgId}/cart/lines/${crypto.randomUUID()}`, {
      method: "PUT",
      token: buyer.owner.token,
      body,
    });
    expect(res.status).toBe(400);
  });
});

describe("money bounds", () => {
  const MAX = Number.MAX_SAFE_INTEGER;

  it("refuses a line whose total would pass 2^53 − 1 (422), so every figure shown is exact", async () => {
    const buyer = await newBuyer();
    const seller = await newSeller();
    const { variantId } = await product(seller, { price: 10_000_000_000, stock: 1_000_000_000 });
    const res = await putLine(buyer, variantId, 10_000_000);
    expect(res.status).toBe(422);
    expect((await problem(res)).maxTotalMinor).toBe(MAX);
    expect(await sql().query("select 1 from cart_lines where org_id = $1", [buyer.orgId])).toHaveLength(0);
  });

  it("refuses a line that would take the cart total past 2^53 − 1, though each line fits", async () => {
    const buyer = await newBuyer();
    const seller = await newSeller();
    const a = await product(seller, { price: 10_000_000_000, stock: 1_000_000_000 });
    const b = await product(seller, { price: 10_000_000_000, stock: 1_000_000_000 });
    const first = await putLine(buyer, a.variantId, 600_000);
    expect(first.status).toBe(200);
    expect((await json<{ totalMinor: number }>(first)).totalMinor).toBe(600_000 * 9_000_000_000);
    const second = await putLine(buyer, b.variantId, 600_000);
    expect(second.status).toBe(422);
    const cart = await json<{ totalMinor: number }>(
      await api(`/v1/orgs/${buyer.orgId}/cart`, { token: buyer.owner.token }),
    );
    expect(cart.totalMinor).toBe(600_000 * 9_000_000_000);
  });

  it("shows a cart whose prices rose past the bound (flagged) and refuses to check it out (422), never a 500", async () => {
    const buyer = await newBuyer();
    const seller = await newSeller();
    const { listingId, variantId } = await product(seller, { price: 500, stock: 1_000_000 });
    expect((await putLine(buyer, variantId, 10_000)).status).toBe(200);
    await sql().query("update listings set price_tiers = $2::jsonb where id = $1", [
      listingId,
      JSON.stringify([{ minQuantity: 10, unitPriceMinor: 1_000_000_000_000_000 }]),
    ]);
    const cart = await api(`/v1/orgs/${buyer.orgId}/cart`, { token: buyer.owner.token });
    expect(cart.status).toBe(200);
    const body = await json<{ sellers: { lines: { problems: string[] }[] }[] }>(cart);
    expect(body.sellers[0]?.lines[0]?.problems).toEqual([expect.stringContaining("9007199254740991")]);
    const res = await checkout(buyer);
    expect(res.status).toBe(422);
    expect((await problem(res)).maxTotalMinor).toBe(MAX);
    expect(await stockOfVariant(variantId)).toBe(1_000_000);
    expect(
      await sql().query("select 1 from order_groups where buyer_org_id = $1", [buyer.orgId]),
    ).toHaveLength(0);
  });
});

describe("the prices the buyer saw", () => {
  const reprice = async (seller: Seller, listingId: string, unitPriceMinor: number) => {
    const { version } = await one<{ version: number }>("select version from listings where id = $1", [
      listingId,
    ]);
    const res = await api(`/v1/orgs/${seller.orgId}/listings/${listingId}`, {
      method: "PATCH",
      token: seller.owner.token,
      headers: { "if-match": `"${version}"` },
      body: { priceTiers: [{ minQuantity: 10, unitPriceMinor }] },
    });
    if (res.status !== 200) throw new Error(`reprice: ${res.status} ${await res.text()}`);
  };

  it("versions the cart with an ETag on GET, PUT and DELETE that follows lines, quantities and prices", async () => {
    const buyer = await newBuyer();
    const seller = await newSeller();
    const a = await product(seller, { price: 500 });
    const b = await product(seller, { price: 700 });
    const empty = await cartEtag(buyer);
    expect(empty).toMatch(/^"[0-9a-f]{32}"$/);
    const put = await putLine(buyer, a.variantId, 20);
    const afterPut = put.headers.get("etag");
    expect(afterPut).toMatch(/^"[0-9a-f]{32}"$/);
    expect(afterPut).not.toBe(empty);
    expect(await cartEtag(buyer)).toBe(afterPut);
    // The same figures give the same version; stock moving does not change what the buyer sees.
    expect((await putLine(buyer, a.variantId, 20)).headers.get("etag")).toBe(afterPut);
    await sql().query("update listing_variants set stock = stock - 1 where id = $1", [a.variantId]);
    expect(await cartEtag(buyer)).toBe(afterPut);
    const more = (await putLine(buyer, a.variantId, 25)).headers.get("etag");
    expect(more).not.toBe(afterPut);
    await reprice(seller, a.listingId, 510);
    const repriced = await cartEtag(buyer);
    expect(repriced).not.toBe(more);
    const withB = (await putLine(buyer, b.variantId, 10)).headers.get("etag");
    const removed = await api(`/v1/orgs/${buyer.orgId}/cart/lines/${b.variantId}`, {
      method: "DELETE",
      token: buyer.owner.token,
    });
    expect(removed.status).toBe(200);
    expect(removed.headers.get("etag")).toBe(repriced);
    expect(withB).not.toBe(repriced);
  });

  it("requires If-Match (428) and refuses a cart that changed since (412 with the new figures)", async () => {
    const buyer = await newBuyer();
    const seller = await newSeller();
    const { listingId, variantId } = await product(seller, { price: 5_000, stock: 100 });
    await putLine(buyer, variantId, 10);
    const seen = await cartEtag(buyer);
    const missing = await checkout(buyer, checkoutBody, crypto.randomUUID(), buyer.owner.token, null);
    expect(missing.status).toBe(428);
    expect((await problem(missing)).type).toBe("urn:problem:precondition_required");
    await reprice(seller, listingId, 500_000);
    const key = crypto.randomUUID();
    const stale = await checkout(buyer, checkoutBody, key, buyer.owner.token, seen);
    expect(stale.status).toBe(412);
    const now = await cartEtag(buyer);
    expect(stale.headers.get("etag")).toBe(now);
    const body = await problem(stale);
    expect(body.cart).toMatchObject({
      totalMinor: 5_000_000,
      sellers: [expect.objectContaining({ lines: [expect.objectContaining({ unitPriceMinor: 500_000 })] })],
    });
    expect(await stockOfVariant(variantId)).toBe(100);
    expect(
      await sql().query("select 1 from order_groups where buyer_org_id = $1", [buyer.orgId]),
    ).toHaveLength(0);
    // Nothing was stored under the key: the buyer may agree to the new figures with the same key.
    const agreed = await checkout(buyer, checkoutBody, key, buyer.owner.token, now);
    expect(agreed.status).toBe(201);
    expect((await json<GroupBody>(agreed)).totalMinor).toBe(5_000_000);
    // A replay of that request (same key, body and If-Match) still replays, though the cart is now empty.
    const replay = await checkout(buyer, checkoutBody, key, buyer.owner.token, now);
    expect(replay.status).toBe(201);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
  });

  it.skipIf(env.DATABASE_KIND !== "postgres")(
    "never places a price the buyer did not see, when a price change races the checkout",
    async () => {
      for (let round = 0; round < 4; round++) {
        const buyer = await newBuyer();
        const seller = await newSeller();
        const { listingId, variantId } = await product(seller, { price: 5_000, stock: 100 });
        await putLine(buyer, variantId, 10);
        const seen = await cartEtag(buyer);
        const [res] = await Promise.all([
          checkout(buyer, checkoutBody, crypto.randomUUID(), buyer.owner.token, seen),
          reprice(seller, listingId, 9_000),
        ]);
        // 503 (retry): the price changed between the checkout's snapshot and its listing lock.
        expect([201, 412, 503]).toContain(res.status);
        const lines = await sql().query("select unit_price_minor from order_lines where variant_id = $1", [
          variantId,
        ]);
        expect(lines.map((l) => Number((l as { unit_price_minor: string }).unit_price_minor))).toEqual(
          res.status === 201 ? [5_000] : [],
        );
      }
    },
  );
});

describe("checkout", () => {
  it("splits a mixed-seller cart into one order per seller with snapshotted prices, in one round trip", async () => {
    const buyer = await newBuyer();
    const a = await newSeller("Alpha Fasteners");
    const b = await newSeller("Beta Packaging");
    const pa = await product(a, { price: 500, title: "Alpha bolt" });
    const pb = await product(b, { price: 1200, title: "Beta box" });
    await putLine(buyer, pa.variantId, 20);
    await putLine(buyer, pb.variantId, 100);
    const res = await checkout(buyer);
    expect(res.status).toBe(201);
    expect(roundTrips(res)).toBe(1);
    const group = await json<GroupBody>(res);
    expect(group).toMatchObject({ status: "placed", currency: "EUR", totalMinor: 20 * 500 + 100 * 1080 });
    expect(group.orders).toHaveLength(2);
    const bySeller = Object.fromEntries(group.orders.map((o) => [o.seller.id, o]));
    expect(bySeller[a.orgId]?.subtotalMinor).toBe(10_000);
    expect(bySeller[b.orgId]?.lines[0]).toMatchObject({
      quantity: 100,
      unitPriceMinor: 1080,
      lineTotalMinor: 108_000,
      title: "Beta box",
    });
    const cart = await json<{ sellers: unknown[] }>(
      await api(`/v1/orgs/${buyer.orgId}/cart`, { token: buyer.owner.token }),
    );
    expect(cart.sellers).toEqual([]);
    const stock = await one<{ stock: number }>("select stock from listing_variants where id = $1", [
      pa.variantId,
    ]);
    expect(stock.stock).toBe(980);
    // Snapshots survive later edits of the listing.
    await sql().query("update listings set title = 'Renamed', price_tiers = '[]' where id = $1", [
      pb.listingId,
    ]);
    const order = await json<{ lines: { title: string; unitPriceMinor: number }[] }>(
      await api(`/v1/orgs/${buyer.orgId}/orders/${bySeller[b.orgId]?.id}`, { token: buyer.owner.token }),
    );
    expect(order.lines[0]).toMatchObject({ title: "Beta box", unitPriceMinor: 1080 });
    const events = await sql().query("select type from events where entity_id = any($1::uuid[])", [
      [group.id, ...group.orders.map((o) => o.id)],
    ]);
    expect(events.map((e) => (e as { type: string }).type).sort()).toEqual([
      "order.placed",
      "order.placed",
      "order_group.placed",
    ]);
  });

  it("replays the same key and body, refuses the same key with another body, needs a key", async () => {
    const buyer = await newBuyer();
    const seller = await newSeller();
    const { variantId } = await product(seller);
    await putLine(buyer, variantId, 10);
    const key = crypto.randomUUID();
    const first = await checkout(buyer, checkoutBody, key);
    const firstBody = await json<GroupBody>(first);
    const again = await checkout(buyer, checkoutBody, key);
    expect(again.status).toBe(201);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(await json(again)).toEqual(firstBody);
    const other = await checkout(buyer, { ...checkoutBody, poNumber: "PO-2" }, key);
    expect(other.status).toBe(422);
    const none = await api(`/v1/orgs/${buyer.orgId}/checkout`, {
      token: buyer.owner.token,
      body: checkoutBody,
    });
    expect(none.status).toBe(400);
    const groups = await sql().query("select id from order_groups where buyer_org_id = $1", [buyer.orgId]);
    expect(groups).toHaveLength(1);
  });

  it("never creates two groups for concurrent requests with the same key", async () => {
    const buyer = await newBuyer();
    const seller = await newSeller();
    const { variantId } = await product(seller);
    await putLine(buyer, variantId, 10);
    const key = crypto.randomUUID();
    const results = await Promise.all([
      checkout(buyer, checkoutBody, key),
      checkout(buyer, checkoutBody, key),
      checkout(buyer, checkoutBody, key),
    ]);
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201).length).toBeGreaterThanOrEqual(1);
    for (const status of statuses) expect([201, 409]).toContain(status);
    const groups = await sql().query("select id from order_groups where buyer_org_id = $1", [buyer.orgId]);
    expect(groups).toHaveLength(1);
  });

  it.skipIf(env.DATABASE_KIND !== "postgres")(
    "sells exactly the available stock to many concurrent checkouts, and never goes negative",
    async () => {
      const seller = await newSeller("Scarce Co");
      const { variantId } = await product(seller, { stock: 50, moq: 10, increment: 10 });
      const buyers: Buyer[] = [];
      for (let i = 0; i < 8; i++) {
        const buyer = await newBuyer(`Buyer ${i}`);
        expect((await putLine(buyer, variantId, 10)).status).toBe(200);
        buyers.push(buyer);
      }
      const results = await Promise.all(buyers.map((buyer) => checkout(buyer)));
      const statuses = results.map((r) => r.status);
      expect(statuses.filter((s) => s === 201)).toHaveLength(5);
      expect(statuses.filter((s) => s === 409)).toHaveLength(3);
      const refused = await problem(results[statuses.indexOf(409)] as Response);
      expect(refused.lines).toEqual([expect.objectContaining({ variantId, requested: 10, available: 0 })]);
      expect(
        (await one<{ stock: number }>("select stock from listing_variants where id = $1", [variantId])).stock,
      ).toBe(0);
      const sold = await one<{ n: number }>(
        "select coalesce(sum(quantity), 0)::int as n from order_lines where variant_id = $1",
        [variantId],
      );
      expect(sold.n).toBe(50);
    },
  );

  it("changes nothing when a line falls short, and says which (409)", async () => {
    const buyer = await newBuyer();
    const seller = await newSeller();
    const plenty = await product(seller, { stock: 1000 });
    const scarce = await product(seller, { stock: 10 });
    await putLine(buyer, plenty.variantId, 20);
    await putLine(buyer, scarce.variantId, 15);
    const res = await checkout(buyer);
    expect(res.status).toBe(409);
    expect((await problem(res)).lines).toEqual([
      expect.objectContaining({ variantId: scarce.variantId, requested: 15, available: 10 }),
    ]);
    expect(
      (await one<{ stock: number }>("select stock from listing_variants where id = $1", [plenty.variantId]))
        .stock,
    ).toBe(1000);
    const cart = await json<{ sellers: { lines: unknown[] }[] }>(
      await api(`/v1/orgs/${buyer.orgId}/cart`, { token: buyer.owner.token }),
    );
    expect(cart.sellers[0]?.lines).toHaveLength(2);
  });

  it("refuses an empty cart, bad input, and a revoked session", async () => {
    const buyer = await newBuyer();
    expect((await checkout(buyer)).status).toBe(422);
    const bad = await checkout(buyer, { paymentTerms: "net90", shippingAddress: { name: "x" } });
    expect(bad.status).toBe(400);
    expect((await problem(bad)).errors?.map((e) => e.field)).toEqual(
      expect.arrayContaining(["body.paymentTerms", "body.shippingAddress.line1"]),
    );

    const seller = await newSeller();
    const { variantId } = await product(seller);
    await putLine(buyer, variantId, 10);
    const other = await logIn(buyer.owner);
    await api(`/v1/me/sessions/${buyer.owner.sessionId}`, { method: "DELETE", token: other.token });
    // Even where KV still knew the session, the checkout's own batch checks it: here KV already forgot it.
    expect((await checkout(buyer)).status).toBe(401);
    expect(
      await sql().query("select 1 from order_groups where buyer_org_id = $1", [buyer.orgId]),
    ).toHaveLength(0);
  });

  it("refuses a revoked session's checkout even while KV still returns the session", async () => {
    const buyer = await newBuyer();
    const seller = await newSeller();
    const { variantId } = await product(seller);
    await putLine(buyer, variantId, 10);
    const etag = (await cartEtag(buyer)) ?? "";
    const other = await logIn(buyer.owner);
    const staleKv = kvWithDelayedDeletes(env.SESSIONS);
    await call(
      `/v1/me/sessions/${buyer.owner.sessionId}`,
      { method: "DELETE", headers: { authorization: `Bearer ${other.token}` } },
      { env: { SESSIONS: staleKv } },
    );
    const res = await call(
      `/v1/orgs/${buyer.orgId}/checkout`,
      {
        method: "POST",
        headers: {
          authorization: `Bearer ${buyer.owner.token}`,
          "content-type": "application/json",
          "idempotency-key": crypto.randomUUID(),
          "if-match": etag,
        },
        body: JSON.stringify(checkoutBody),
      },
      { env: { SESSIONS: staleKv } },
    );
    expect(res.status).toBe(401);
    expect(await stockOfVariant(variantId)).toBe(1000);
    expect(
      await sql().query("select 1 from order_groups where buyer_org_id = $1", [buyer.orgId]),
    ).toHaveLength(0);
  });

  it("is for the organisation's purchasers only", async () => {
    const buyer = await newBuyer();
    const viewer = await addMember(buyer.owner, buyer.orgId, "viewer");
    const stranger = await newBuyer("Stranger");
    const seller = await newSeller();
    const { variantId } = await product(seller);
    expect((await putLine(buyer, variantId, 10, viewer.token)).status).toBe(403);
    expect((await putLine(buyer, variantId, 10, stranger.owner.token)).status).toBe(404);
    await putLine(buyer, variantId, 10);
    expect((await checkout(buyer, checkoutBody, crypto.randomUUID(), viewer.token)).status).toBe(403);
    expect((await checkout(buyer, checkoutBody, crypto.randomUUID(), stranger.owner.token)).status).toBe(404);
    expect((await api(`/v1/orgs/${buyer.orgId}/cart`, { token: stranger.owner.token })).status).toBe(404);
  });
});
