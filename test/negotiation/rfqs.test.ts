/**
 * Requests for quotes and quotes, end to end through the API against Postgres: the negotiation, the
 * acceptance through checkout's placement (prices snapshotted, stock reserved, approval rules), the 409s
 * of what cannot be accepted, visibility (buyers, sellers in and outside the category, other tenants),
 * races, expiry, and bad input on every route.
 */
import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { type EventType, eventCatalogue, eventTypes } from "../../src/contracts/events.ts";
import type { QuoteWithVersions, RfqWithQuotes } from "../../src/contracts/negotiation.ts";
import type { OrderGroup } from "../../src/contracts/orders.ts";
import worker from "../../src/index.ts";
import { problem, roundTrips } from "../support/app.ts";
import { sql } from "../support/db.ts";
import { addMember, api, json } from "../support/identity.ts";
import {
  accept,
  categoryWithSeller,
  createRfq,
  eventsOf,
  inDays,
  quoteBody,
  rfqBody,
  sendQuote,
  stockOf,
} from "../support/negotiation.ts";
import { type Buyer, limitedPurchaser, newBuyer, newSeller, product } from "../support/orders.ts";

async function quoteOf(org: { orgId: string; owner: { token: string } }, quoteId: string) {
  return json<QuoteWithVersions>(
    await api(`/v1/orgs/${org.orgId}/quotes/${quoteId}`, { token: org.owner.token }),
  );
}

/** A buyer's RFQ to one seller about its listing, and the seller's first quote on it (50 units at 450). */
async function negotiation(options: { stock?: number; price?: number } = {}) {
  const buyer = await newBuyer();
  const seller = await newSeller();
  const { listingId, variantId } = await product(seller, { stock: options.stock ?? 1000, price: 500 });
  const rfq = await createRfq(
    buyer,
    rfqBody({ listingId }, { items: [{ variantId, description: "As listed", quantity: 50 }] }),
  );
  const quote = await sendQuote(
    seller,
    rfq.id,
    quoteBody([{ variantId, quantity: 50, unitPriceMinor: options.price ?? 450 }]),
  );
  return { buyer, seller, listingId, variantId, rfq, quote };
}

function newVersion(
  party: { orgId: string; owner: { token: string } },
  quoteId: string,
  kind: "revisions" | "counters",
  body: Record<string, unknown>,
) {
  return api(`/v1/orgs/${party.orgId}/quotes/${quoteId}/${kind}`, { token: party.owner.token, body });
}

describe("negotiating a quote", () => {
  it("RFQ → quote → counter → revision → accept: one order at the revised prices, stock reserved, RFQ awarded", async () => {
    const { buyer, seller, variantId, rfq, quote } = await negotiation();
    expect(rfq.status).toBe("open");
    expect(quote).toMatchObject({ status: "sent", currentVersion: 1, rfqId: rfq.id });
    expect(quote.latest.totalMinor).toBe(50 * 450);

    const counter = await newVersion(buyer, quote.id, "counters", {
      ...quoteBody([{ variantId, quantity: 50, unitPriceMinor: 400 }]),
      basedOnVersion: 1,
    });
    expect(counter.status).toBe(201);
    expect(roundTrips(counter)).toBe(1);
    expect(await json<QuoteWithVersions>(counter)).toMatchObject({ status: "countered", currentVersion: 2 });

    const revision = await newVersion(seller, quote.id, "revisions", {
      ...quoteBody([
        { variantId, quantity: 50, unitPriceMinor: 420 },
        { title: "Pallet and wrapping", quantity: 1, unitPriceMinor: 2500 },
      ]),
      basedOnVersion: 2,
    });
    expect(revision.status).toBe(201);
    const revised = await json<QuoteWithVersions>(revision);
    expect(revised).toMatchObject({ status: "sent", currentVersion: 3 });
    // Every version is kept as it was sent.
    expect(revised.versions.map((v) => [v.version, v.side, v.totalMinor])).toEqual([
      [1, "seller", 50 * 450],
      [2, "buyer", 50 * 400],
      [3, "seller", 50 * 420 + 2500],
    ]);

    const res = await accept(buyer, quote.id, 3);
    expect(res.status).toBe(201);
    expect(roundTrips(res)).toBe(1);
    const group = await json<OrderGroup>(res);
    expect(group.status).toBe("placed");
    expect(group.paymentTerms).toBe("net30");
    expect(group.totalMinor).toBe(50 * 420 + 2500);
    const order = group.orders[0];
    expect(order?.seller.id).toBe(seller.orgId);
    expect(order?.lines.map((line) => [line.variantId, line.quantity, line.unitPriceMinor]).sort()).toEqual(
      [
        [null, 1, 2500],
        [variantId, 50, 420],
      ].sort(),
    );
    expect(await stockOf(variantId)).toBe(950);

    const after = await quoteOf(buyer, quote.id);
    expect(after).toMatchObject({ status: "accepted", orderGroupId: group.id });
    const awarded = await json<RfqWithQuotes>(
      await api(`/v1/orgs/${buyer.orgId}/rfqs/${rfq.id}`, { token: buyer.owner.token }),
    );
    expect(awarded).toMatchObject({ status: "awarded", awardedQuoteId: quote.id });

    const events = (await eventsOf(quote.id)).map(
      (e) => `${e.type}@${e.org_id === buyer.orgId ? "buyer" : "seller"}`,
    );
    expect(events.sort()).toEqual(
      [
        "quote.sent@buyer",
        "quote.countered@seller",
        "quote.sent@buyer",
        "quote.accepted@buyer",
        "quote.accepted@seller",
      ].sort(),
    );
    expect((await eventsOf(rfq.id)).map((e) => e.type).sort()).toEqual([
      "rfq.awarded",
      "rfq.created",
      "rfq.created",
    ]);

    // The seller sees the order like any other, at the snapshotted prices.
    const sellerOrder = await api(`/v1/orgs/${seller.orgId}/orders/${order?.id}`, {
      token: seller.owner.token,
    });
    expect(sellerOrder.status).toBe(200);
  });
});

describe("what cannot be accepted (409, naming the reason; nothing ordered)", () => {
  it("a superseded version", async () => {
    const { buyer, seller, variantId, quote } = await negotiation();
    const revision = await newVersion(seller, quote.id, "revisions", {
      ...quoteBody([{ variantId, quantity: 50, unitPriceMinor: 440 }]),
      basedOnVersion: 1,
    });
    expect(revision.status).toBe(201);
    const res = await accept(buyer, quote.id, 1);
    expect(res.status).toBe(409);
    expect(await problem(res)).toMatchObject({ reason: "superseded", currentVersion: 2 });
    expect(await stockOf(variantId)).toBe(1000);
  });

  it("an expired quote", async () => {
    const { buyer, variantId, quote } = await negotiation();
    await sql().query(
      "update quote_versions set valid_until = now() - interval '1 minute' where quote_id = $1",
      [quote.id],
    );
    const res = await accept(buyer, quote.id, 1);
    expect(res.status).toBe(409);
    expect(await problem(res)).toMatchObject({ reason: "expired" });
    expect(await stockOf(variantId)).toBe(1000);
  });

  it("a withdrawn, a declined and a countered quote", async () => {
    const withdrawn = await negotiation();
    const w = await api(`/v1/orgs/${withdrawn.seller.orgId}/quotes/${withdrawn.quote.id}/withdraw`, {
      method: "POST",
      token: withdrawn.seller.owner.token,
    });
    expect(w.status).toBe(200);
    expect((await problem(await accept(withdrawn.buyer, withdrawn.quote.id, 1))).reason).toBe("withdrawn");

    const declined = await negotiation();
    const d = await api(`/v1/orgs/${declined.buyer.orgId}/quotes/${declined.quote.id}/decline`, {
      method: "POST",
      token: declined.buyer.owner.token,
    });
    expect(d.status).toBe(200);
    expect((await problem(await accept(declined.buyer, declined.quote.id, 1))).reason).toBe("declined");

    const countered = await negotiation();
    const c = await newVersion(countered.buyer, countered.quote.id, "counters", {
      ...quoteBody([{ variantId: countered.variantId, quantity: 50, unitPriceMinor: 300 }]),
      basedOnVersion: 1,
    });
    expect(c.status).toBe(201);
    // Neither the seller's old version nor the buyer's own counter can be accepted.
    for (const version of [1, 2]) {
      const res = await accept(countered.buyer, countered.quote.id, version);
      expect(res.status).toBe(409);
      expect((await problem(res)).reason).toBe("countered");
    }
    for (const n of [withdrawn, declined, countered]) expect(await stockOf(n.variantId)).toBe(1000);
  });

  it("a quote beyond the stock: 409 insufficient stock, the quote stays acceptable", async () => {
    const { buyer, variantId, quote } = await negotiation({ stock: 20 });
    const res = await accept(buyer, quote.id, 1);
    expect(res.status).toBe(409);
    expect(await stockOf(variantId)).toBe(20);
    expect((await quoteOf(buyer, quote.id)).status).toBe("sent");
  });

  it("a quote on a listing archived since: 422 naming the line", async () => {
    const { buyer, seller, listingId, quote } = await negotiation();
    const archive = await api(`/v1/orgs/${seller.orgId}/listings/${listingId}/archive`, {
      method: "POST",
      token: seller.owner.token,
    });
    expect(archive.status).toBe(200);
    const res = await accept(buyer, quote.id, 1);
    expect(res.status).toBe(422);
    expect((await quoteOf(buyer, quote.id)).status).toBe("sent");
  });
});

describe("accepting goes through checkout's rules", () => {
  it("replays the same Idempotency-Key; the key with another body is 422", async () => {
    const { buyer, variantId, quote } = await negotiation();
    const key = crypto.randomUUID();
    const first = await accept(buyer, quote.id, 1, key);
    expect(first.status).toBe(201);
    const again = await accept(buyer, quote.id, 1, key);
    expect(again.status).toBe(201);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect((await json<OrderGroup>(again)).id).toBe((await json<OrderGroup>(first)).id);
    expect(await stockOf(variantId)).toBe(950);
    const other = await accept(buyer, quote.id, 2, key);
    expect(other.status).toBe(422);
  });

  it("above the purchaser's spending limit the order waits for approval, its stock held", async () => {
    const { buyer, variantId, quote } = await negotiation();
    const purchaser = await limitedPurchaser(buyer, 1000);
    const res = await accept(buyer, quote.id, 1, crypto.randomUUID(), purchaser.token);
    expect(res.status).toBe(201);
    const group = await json<OrderGroup>(res);
    expect(group.status).toBe("pending_approval");
    expect(group.orders[0]?.status).toBe("pending_approval");
    expect(await stockOf(variantId)).toBe(950);
  });

  it("roles without purchase rights may not accept (403); viewers may read", async () => {
    const { buyer, quote } = await negotiation();
    const viewer = await addMember(buyer.owner, buyer.orgId, "viewer");
    const res = await accept(buyer, quote.id, 1, crypto.randomUUID(), viewer.token);
    expect(res.status).toBe(403);
    const read = await api(`/v1/orgs/${buyer.orgId}/quotes/${quote.id}`, { token: viewer.token });
    expect(read.status).toBe(200);
  });

  it("two quotes of one RFQ accepted at once: exactly one wins, the other is closed", async () => {
    const buyer = await newBuyer();
    const first = await newSeller();
    const second = await newSeller();
    const { categoryId } = await categoryWithSeller(first);
    await categoryWithSeller(second);
    // The second seller also sells in the first category.
    await sql().query("update listings set category_id = $1 where org_id = $2", [categoryId, second.orgId]);
    const rfq = await createRfq(buyer, rfqBody({ categoryId }));
    const a = await sendQuote(
      first,
      rfq.id,
      quoteBody([{ title: "Custom bracket", quantity: 100, unitPriceMinor: 900 }]),
    );
    const b = await sendQuote(
      second,
      rfq.id,
      quoteBody([{ title: "Custom bracket", quantity: 100, unitPriceMinor: 880 }]),
    );
    const [ra, rb] = await Promise.all([accept(buyer, a.id, 1), accept(buyer, b.id, 1)]);
    expect([ra.status, rb.status].sort()).toEqual([201, 409]);
    const loser = ra.status === 409 ? ra : rb;
    expect((await problem(loser)).reason).toMatch(/^(rfq_awarded|closed)$/);
    const statuses = [(await quoteOf(buyer, a.id)).status, (await quoteOf(buyer, b.id)).status].sort();
    expect(statuses).toEqual(["accepted", "closed"]);
    const groups = await sql().query("select count(*)::int as n from order_groups where buyer_org_id = $1", [
      buyer.orgId,
    ]);
    expect(groups[0]).toEqual({ n: 1 });
  });
});

describe("who sees what", () => {
  it("an open RFQ reaches sellers of its category, not other sellers or buyers; internal notes stay with the buyer", async () => {
    const buyer = await newBuyer();
    const inCategory = await newSeller();
    const outside = await newSeller();
    const otherBuyer = await newBuyer();
    const { categoryId } = await categoryWithSeller(inCategory);
    const rfq = await createRfq(buyer, rfqBody({ categoryId }));
    expect(rfq.internalNotes).toContain("Budget ceiling");

    const seen = await api(`/v1/orgs/${inCategory.orgId}/rfqs/${rfq.id}`, { token: inCategory.owner.token });
    expect(seen.status).toBe(200);
    const asSeller = await json<RfqWithQuotes>(seen);
    expect(asSeller.internalNotes).toBeNull();
    expect(asSeller.notes).toContain("dock 4");
    const listed = await json<{ items: { id: string; internalNotes: string | null }[] }>(
      await api(`/v1/orgs/${inCategory.orgId}/rfqs?side=seller`, { token: inCategory.owner.token }),
    );
    expect(listed.items.find((item) => item.id === rfq.id)?.internalNotes).toBeNull();

    for (const stranger of [outside, otherBuyer]) {
      const res = await api(`/v1/orgs/${stranger.orgId}/rfqs/${rfq.id}`, { token: stranger.owner.token });
      expect(res.status).toBe(404);
      const quote = await api(`/v1/orgs/${stranger.orgId}/rfqs/${rfq.id}/quotes`, {
        token: stranger.owner.token,
        body: quoteBody([{ title: "Bracket", quantity: 1, unitPriceMinor: 100 }]),
      });
      expect(quote.status).toBe(404);
      const list = await json<{ items: { id: string }[] }>(
        await api(`/v1/orgs/${stranger.orgId}/rfqs?side=seller`, { token: stranger.owner.token }),
      );
      expect(list.items.map((item) => item.id)).not.toContain(rfq.id);
    }
    // A member of the buyer asking through another organisation's id gets nothing either.
    expect(
      (await api(`/v1/orgs/${otherBuyer.orgId}/rfqs/${rfq.id}`, { token: buyer.owner.token })).status,
    ).toBe(404);
  });

  it("a seller sees only its own quote; the buyer sees all; other tenants get 404 on every quote route", async () => {
    const buyer = await newBuyer();
    const first = await newSeller();
    const second = await newSeller();
    const { categoryId } = await categoryWithSeller(first);
    await categoryWithSeller(second);
    await sql().query("update listings set category_id = $1 where org_id = $2", [categoryId, second.orgId]);
    const rfq = await createRfq(buyer, rfqBody({ categoryId }));
    const a = await sendQuote(
      first,
      rfq.id,
      quoteBody([{ title: "Bracket", quantity: 10, unitPriceMinor: 100 }]),
    );
    const b = await sendQuote(
      second,
      rfq.id,
      quoteBody([{ title: "Bracket", quantity: 10, unitPriceMinor: 90 }]),
    );
    const asFirst = await json<RfqWithQuotes>(
      await api(`/v1/orgs/${first.orgId}/rfqs/${rfq.id}`, { token: first.owner.token }),
    );
    expect(asFirst.quotes.map((q) => q.id)).toEqual([a.id]);
    const asBuyer = await json<RfqWithQuotes>(
      await api(`/v1/orgs/${buyer.orgId}/rfqs/${rfq.id}`, { token: buyer.owner.token }),
    );
    expect(asBuyer.quotes.map((q) => q.id).sort()).toEqual([a.id, b.id].sort());

    const stranger = await newBuyer();
    const routes: [string, string, Record<string, unknown>?][] = [
      ["GET", `/quotes/${a.id}`],
      ["POST", `/quotes/${a.id}/decline`],
      ["POST", `/quotes/${a.id}/withdraw`],
      [
        "POST",
        `/quotes/${a.id}/counters`,
        { ...quoteBody([{ title: "x", quantity: 1, unitPriceMinor: 1 }]), basedOnVersion: 1 },
      ],
      [
        "POST",
        `/quotes/${a.id}/revisions`,
        { ...quoteBody([{ title: "x", quantity: 1, unitPriceMinor: 1 }]), basedOnVersion: 1 },
      ],
      ["POST", `/rfqs/${rfq.id}/transitions`, { action: "close" }],
    ];
    for (const [method, path, body] of routes) {
      const res = await api(`/v1/orgs/${stranger.orgId}${path}`, {
        method,
        token: stranger.owner.token,
        body,
      });
      expect(res.status, `${method} ${path}`).toBe(404);
    }
    // The other seller cannot touch the first one's quote either.
    const cross = await api(`/v1/orgs/${second.orgId}/quotes/${a.id}/withdraw`, {
      method: "POST",
      token: second.owner.token,
    });
    expect(cross.status).toBe(404);
    expect((await accept(stranger as Buyer, a.id, 1)).status).toBe(404);
    // Anonymous callers: 401 everywhere.
    for (const [method, path, body] of routes) {
      const res = await api(`/v1/orgs/${buyer.orgId}${path}`, { method, body });
      expect(res.status, `${method} ${path}`).toBe(401);
    }
  });

  it("the wrong side of a quote gets 409 with the actions its side has", async () => {
    const { buyer, seller, quote } = await negotiation();
    const res = await api(`/v1/orgs/${buyer.orgId}/quotes/${quote.id}/withdraw`, {
      method: "POST",
      token: buyer.owner.token,
    });
    expect(res.status).toBe(409);
    expect((await problem(res)).allowedActions).toEqual(["counter", "accept", "decline"]);
    const sellerDecline = await api(`/v1/orgs/${seller.orgId}/quotes/${quote.id}/decline`, {
      method: "POST",
      token: seller.owner.token,
    });
    expect(sellerDecline.status).toBe(409);
  });
});

describe("lifecycle of the RFQ", () => {
  it("withdraw before quotes; close after; a repeat is a no-op; quoting a closed RFQ is 409", async () => {
    const buyer = await newBuyer();
    const seller = await newSeller();
    const rfq = await createRfq(buyer, rfqBody({ sellerOrgId: seller.orgId }));
    const move = (id: string, action: string) =>
      api(`/v1/orgs/${buyer.orgId}/rfqs/${id}/transitions`, { token: buyer.owner.token, body: { action } });
    expect((await move(rfq.id, "close")).status).toBe(409);
    const withdrawn = await move(rfq.id, "withdraw");
    expect(withdrawn.status).toBe(200);
    expect((await json<RfqWithQuotes>(withdrawn)).status).toBe("withdrawn");
    expect((await move(rfq.id, "withdraw")).status).toBe(200);
    const late = await api(`/v1/orgs/${seller.orgId}/rfqs/${rfq.id}/quotes`, {
      token: seller.owner.token,
      body: quoteBody([{ title: "Bracket", quantity: 1, unitPriceMinor: 100 }]),
    });
    expect(late.status).toBe(409);

    const second = await createRfq(buyer, rfqBody({ sellerOrgId: seller.orgId }));
    const quote = await sendQuote(
      seller,
      second.id,
      quoteBody([{ title: "Bracket", quantity: 1, unitPriceMinor: 100 }]),
    );
    expect((await move(second.id, "withdraw")).status).toBe(409);
    const closed = await move(second.id, "close");
    expect(closed.status).toBe(200);
    expect((await quoteOf(buyer, quote.id)).status).toBe("closed");
    expect((await accept(buyer, quote.id, 1)).status).toBe(409);
  });

  it("one quote per seller and RFQ: a second is 409 naming the first", async () => {
    const { seller, rfq, quote } = await negotiation();
    const res = await api(`/v1/orgs/${seller.orgId}/rfqs/${rfq.id}/quotes`, {
      token: seller.owner.token,
      body: quoteBody([{ title: "Again", quantity: 1, unitPriceMinor: 100 }]),
    });
    expect(res.status).toBe(409);
    expect((await problem(res)).quoteId).toBe(quote.id);
  });

  it("two sellers answering the same version at once: one new version, the other 409", async () => {
    const { buyer, seller, variantId, quote } = await negotiation();
    const counter = (price: number) =>
      newVersion(buyer, quote.id, "counters", {
        ...quoteBody([{ variantId, quantity: 50, unitPriceMinor: price }]),
        basedOnVersion: 1,
      });
    const withdraw = api(`/v1/orgs/${seller.orgId}/quotes/${quote.id}/withdraw`, {
      method: "POST",
      token: seller.owner.token,
    });
    const [c1, c2, w] = await Promise.all([counter(400), counter(410), withdraw]);
    const statuses = [c1.status, c2.status, w.status];
    expect(statuses.filter((s) => s === 409).length).toBeGreaterThanOrEqual(1);
    const after = await quoteOf(buyer, quote.id);
    expect(after.versions.length).toBeLessThanOrEqual(2);
  });

  it("the cron expires quotes past their validity, then RFQs past their date with none live", async () => {
    const { buyer, rfq, quote } = await negotiation();
    await sql().query("update quotes set expires_at = now() - interval '1 minute' where id = $1", [quote.id]);
    await sql().query("update rfqs set respond_by = now() - interval '1 minute' where id = $1", [rfq.id]);
    await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: "17 * * * *" }), env);
    expect((await quoteOf(buyer, quote.id)).status).toBe("expired");
    const after = await json<RfqWithQuotes>(
      await api(`/v1/orgs/${buyer.orgId}/rfqs/${rfq.id}`, { token: buyer.owner.token }),
    );
    expect(after.status).toBe("expired");
    expect((await eventsOf(quote.id)).map((e) => e.type)).toContain("quote.expired");
  });
});

describe("lists", () => {
  it("pages the buyer's RFQs newest first with a signed cursor", async () => {
    const buyer = await newBuyer();
    const seller = await newSeller();
    const ids: string[] = [];
    for (let n = 0; n < 3; n++) ids.push((await createRfq(buyer, rfqBody({ sellerOrgId: seller.orgId }))).id);
    const first = await json<{ items: { id: string }[]; nextCursor: string }>(
      await api(`/v1/orgs/${buyer.orgId}/rfqs?limit=2`, { token: buyer.owner.token }),
    );
    expect(first.items.map((i) => i.id)).toEqual([ids[2], ids[1]]);
    const second = await json<{ items: { id: string }[]; nextCursor: string | null }>(
      await api(`/v1/orgs/${buyer.orgId}/rfqs?limit=2&cursor=${encodeURIComponent(first.nextCursor)}`, {
        token: buyer.owner.token,
      }),
    );
    expect(second.items.map((i) => i.id)).toEqual([ids[0]]);
    expect(second.nextCursor).toBeNull();
    const foreign = await api(
      `/v1/orgs/${buyer.orgId}/rfqs?side=seller&cursor=${encodeURIComponent(first.nextCursor)}`,
      {
        token: buyer.owner.token,
      },
    );
    expect(foreign.status).toBe(400);
    const sellerSide = await json<{ items: { id: string }[] }>(
      await api(`/v1/orgs/${seller.orgId}/rfqs?side=seller`, { token: seller.owner.token }),
    );
    expect(sellerSide.items.map((i) => i.id)).toEqual([...ids].reverse());
    const quotes = await api(`/v1/orgs/${seller.orgId}/quotes?side=seller&status=sent`, {
      token: seller.owner.token,
    });
    expect(quotes.status).toBe(200);
  });
});

describe("bad input on every route: a problem+json 4xx, never a 500", () => {
  it("refuses malformed RFQs, quotes, versions and acceptances", async () => {
    const { buyer, seller, variantId, rfq, quote } = await negotiation();
    const otherSeller = await newSeller();
    const foreign = await product(otherSeller);
    const rfqCases: Record<string, unknown>[] = [
      {},
      rfqBody({}),
      rfqBody({ sellerOrgId: seller.orgId, categoryId: crypto.randomUUID() }),
      rfqBody({ sellerOrgId: seller.orgId }, { items: [] }),
      rfqBody({ sellerOrgId: seller.orgId }, { currency: "eur" }),
      rfqBody({ sellerOrgId: seller.orgId }, { deliveryCountry: "Germany" }),
      rfqBody({ sellerOrgId: seller.orgId }, { neededBy: "2020-01-01" }),
      rfqBody({ sellerOrgId: seller.orgId }, { respondBy: inDays(400) }),
      rfqBody({ sellerOrgId: seller.orgId }, { title: "a\u0000b" }),
      rfqBody({ sellerOrgId: seller.orgId }, { items: [{ description: "x", quantity: 0 }] }),
      rfqBody(
        { sellerOrgId: seller.orgId },
        { items: [{ variantId: foreign.variantId, description: "x", quantity: 1 }] },
      ),
      rfqBody({ sellerOrgId: crypto.randomUUID() }),
      rfqBody({ sellerOrgId: buyer.orgId }),
      rfqBody({ listingId: crypto.randomUUID() }),
      rfqBody({ categoryId: crypto.randomUUID() }),
      rfqBody({ sellerOrgId: seller.orgId }, { extra: true }),
    ];
    for (const body of rfqCases) {
      const res = await api(`/v1/orgs/${buyer.orgId}/rfqs`, { token: buyer.owner.token, body });
      expect([400, 422], JSON.stringify(body)).toContain(res.status);
      await problem(res);
    }
    const lineCases: Record<string, unknown>[] = [
      quoteBody([]),
      quoteBody([{ quantity: 1, unitPriceMinor: 1 }]),
      quoteBody([{ title: "x", quantity: 1, unitPriceMinor: -1 }]),
      quoteBody([{ variantId: foreign.variantId, quantity: 1, unitPriceMinor: 1 }]),
      quoteBody([{ title: "x", quantity: 1, unitPriceMinor: 1 }], { validUntil: inDays(-1) }),
      quoteBody([{ title: "x", quantity: 1, unitPriceMinor: 1 }], { validUntil: inDays(400) }),
      quoteBody([{ title: "x", quantity: 1, unitPriceMinor: 1 }], { paymentTerms: "net90" }),
      quoteBody([{ title: "x", quantity: 1, unitPriceMinor: 1 }], { leadTimeDays: -1 }),
    ];
    const second = await createRfq(buyer, rfqBody({ sellerOrgId: seller.orgId }));
    for (const body of lineCases) {
      const res = await api(`/v1/orgs/${seller.orgId}/rfqs/${second.id}/quotes`, {
        token: seller.owner.token,
        body,
      });
      expect([400, 422], JSON.stringify(body)).toContain(res.status);
      await problem(res);
      const version = await newVersion(seller, quote.id, "revisions", { ...body, basedOnVersion: 1 });
      expect([400, 422], JSON.stringify(body)).toContain(version.status);
    }
    const missingBase = await newVersion(
      seller,
      quote.id,
      "revisions",
      quoteBody([{ variantId, quantity: 1, unitPriceMinor: 1 }]),
    );
    expect(missingBase.status).toBe(400);
    const stale = await newVersion(seller, quote.id, "revisions", {
      ...quoteBody([{ variantId, quantity: 1, unitPriceMinor: 1 }]),
      basedOnVersion: 7,
    });
    expect(stale.status).toBe(409);
    expect((await problem(stale)).currentVersion).toBe(1);

    const noKey = await api(`/v1/orgs/${buyer.orgId}/quotes/${quote.id}/accept`, {
      token: buyer.owner.token,
      body: { version: 1 },
    });
    expect(noKey.status).toBe(400);
    const badAddress = await api(`/v1/orgs/${buyer.orgId}/quotes/${quote.id}/accept`, {
      token: buyer.owner.token,
      body: { version: 1, shippingAddress: { name: "x" } },
      headers: { "idempotency-key": crypto.randomUUID() },
    });
    expect(badAddress.status).toBe(400);
    expect((await accept(buyer, quote.id, 2)).status).toBe(409);
    expect((await accept(buyer, quote.id, 2 ** 31)).status).toBe(400);
    expect((await api(`/v1/orgs/${buyer.orgId}/rfqs/not-a-uuid`, { token: buyer.owner.token })).status).toBe(
      400,
    );
    const badAction = await api(`/v1/orgs/${buyer.orgId}/rfqs/${rfq.id}/transitions`, {
      token: buyer.owner.token,
      body: { action: "award" },
    });
    expect(badAction.status).toBe(400);
    const badQuery = await api(`/v1/orgs/${buyer.orgId}/rfqs?status=pending`, { token: buyer.owner.token });
    expect(badQuery.status).toBe(400);
  });
});

describe("events", () => {
  it("every negotiation event appended is catalogued, with its version, entity and payload", async () => {
    const { buyer, seller, variantId, rfq, quote } = await negotiation();
    await newVersion(buyer, quote.id, "counters", {
      ...quoteBody([{ variantId, quantity: 50, unitPriceMinor: 400 }]),
      basedOnVersion: 1,
    });
    await newVersion(seller, quote.id, "revisions", {
      ...quoteBody([{ variantId, quantity: 50, unitPriceMinor: 410 }]),
      basedOnVersion: 2,
    });
    expect((await accept(buyer, quote.id, 3)).status).toBe(201);
    const other = await createRfq(buyer, rfqBody({ sellerOrgId: seller.orgId }));
    const declined = await sendQuote(
      seller,
      other.id,
      quoteBody([{ title: "Bracket", quantity: 1, unitPriceMinor: 100 }]),
    );
    await api(`/v1/orgs/${buyer.orgId}/quotes/${declined.id}/decline`, {
      method: "POST",
      token: buyer.owner.token,
    });
    await api(`/v1/orgs/${buyer.orgId}/rfqs/${other.id}/transitions`, {
      token: buyer.owner.token,
      body: { action: "close" },
    });
    const third = await createRfq(buyer, rfqBody({ sellerOrgId: seller.orgId }));
    const withdrawn = await sendQuote(
      seller,
      third.id,
      quoteBody([{ title: "Bracket", quantity: 1, unitPriceMinor: 100 }]),
    );
    await api(`/v1/orgs/${seller.orgId}/quotes/${withdrawn.id}/withdraw`, {
      method: "POST",
      token: seller.owner.token,
    });
    const fourth = await createRfq(buyer, rfqBody({ sellerOrgId: seller.orgId }));
    await api(`/v1/orgs/${buyer.orgId}/rfqs/${fourth.id}/transitions`, {
      token: buyer.owner.token,
      body: { action: "withdraw" },
    });

    const fifth = await createRfq(buyer, rfqBody({ sellerOrgId: seller.orgId }));
    const closed = await sendQuote(
      seller,
      fifth.id,
      quoteBody([{ title: "Bracket", quantity: 1, unitPriceMinor: 100 }]),
    );
    await api(`/v1/orgs/${buyer.orgId}/rfqs/${fifth.id}/transitions`, {
      token: buyer.owner.token,
      body: { action: "close" },
    });

    const rows = (await sql().query(
      "select type, version, entity_type, payload from events where entity_id = any($1::uuid[])",
      [[rfq.id, quote.id, other.id, declined.id, third.id, withdrawn.id, fourth.id, fifth.id, closed.id]],
    )) as { type: string; version: number; entity_type: string; payload: unknown }[];
    const seen = new Set<string>();
    for (const row of rows) {
      expect(eventTypes).toContain(row.type);
      const spec = eventCatalogue[row.type as EventType];
      expect([row.version, row.entity_type]).toEqual([spec.version, spec.entity]);
      expect(spec.payload.safeParse(row.payload).success, `${row.type} ${JSON.stringify(row.payload)}`).toBe(
        true,
      );
      seen.add(row.type);
    }
    // Expiry is the cron's (tested above).
    expect([...seen].sort()).toEqual(
      eventTypes
        .filter(
          (type) => ["rfq", "quote"].includes(eventCatalogue[type].entity) && !type.endsWith(".expired"),
        )
        .sort(),
    );
  });
});

describe("RFQ attachments", () => {
  const PDF = new TextEncoder().encode("%PDF-1.7\n% drawing of a bracket\n");

  async function uploadAttachment(org: Buyer) {
    const start = await api(`/v1/orgs/${org.orgId}/negotiation-files`, {
      token: org.owner.token,
      body: {
        purpose: "rfq-attachment",
        contentType: "application/pdf",
        contentLength: PDF.length,
        filename: "bracket.pdf",
      },
    });
    expect(start.status).toBe(201);
    const { uploadId } = await json<{ uploadId: string }>(start);
    await env.FILES.put(`orgs/${org.orgId}/rfq-attachments/${uploadId}`, PDF, {
      httpMetadata: { contentType: "application/pdf" },
    });
    const done = await api(`/v1/orgs/${org.orgId}/negotiation-files/${uploadId}/complete`, {
      method: "POST",
      token: org.owner.token,
    });
    expect(done.status).toBe(200);
    return uploadId;
  }

  it("a buyer attaches a drawing; sellers who may see the RFQ download it, nobody else", async () => {
    const buyer = await newBuyer();
    const inCategory = await newSeller();
    const outside = await newSeller();
    const otherBuyer = await newBuyer();
    const { categoryId } = await categoryWithSeller(inCategory);
    const fileId = await uploadAttachment(buyer);
    const rfq = await createRfq(buyer, rfqBody({ categoryId }, { attachmentIds: [fileId] }));
    expect(rfq.attachments).toEqual([
      { id: fileId, filename: "bracket.pdf", contentType: "application/pdf", contentLength: PDF.length },
    ]);
    const path = (orgId: string) => `/v1/orgs/${orgId}/rfqs/${rfq.id}/attachments/${fileId}/url`;
    const seller = await api(path(inCategory.orgId), { token: inCategory.owner.token });
    expect(seller.status).toBe(200);
    expect(roundTrips(seller)).toBe(1);
    const { url } = await json<{ url: string }>(seller);
    expect(url).toContain("X-Amz-Signature");
    expect((await api(path(buyer.orgId), { token: buyer.owner.token })).status).toBe(200);
    for (const stranger of [outside, otherBuyer]) {
      expect((await api(path(stranger.orgId), { token: stranger.owner.token })).status).toBe(404);
    }
    // The buyer's own file, through a route that is not the RFQ's: still only its own organisation's.
    expect(
      (await api(`/v1/orgs/${inCategory.orgId}/files/${fileId}/url`, { token: inCategory.owner.token }))
        .status,
    ).toBe(404);
  });

  it("refuses files that are not the buyer's completed RFQ attachments", async () => {
    const buyer = await newBuyer();
    const other = await newBuyer();
    const seller = await newSeller();
    const foreign = await uploadAttachment(other);
    const pendingStart = await api(`/v1/orgs/${buyer.orgId}/negotiation-files`, {
      token: buyer.owner.token,
      body: {
        purpose: "rfq-attachment",
        contentType: "application/pdf",
        contentLength: 10,
        filename: "x.pdf",
      },
    });
    const pending = (await json<{ uploadId: string }>(pendingStart)).uploadId;
    for (const id of [foreign, pending, crypto.randomUUID()]) {
      const res = await api(`/v1/orgs/${buyer.orgId}/rfqs`, {
        token: buyer.owner.token,
        body: rfqBody({ sellerOrgId: seller.orgId }, { attachmentIds: [id] }),
      });
      expect(res.status).toBe(422);
      expect((await problem(res)).errors?.[0]?.field).toBe("body.attachmentIds");
    }
    const wrongType = await api(`/v1/orgs/${buyer.orgId}/negotiation-files`, {
      token: buyer.owner.token,
      body: { purpose: "rfq-attachment", contentType: "text/html", contentLength: 10, filename: "x.html" },
    });
    expect(wrongType.status).toBe(400);
    const viewer = await addMember(buyer.owner, buyer.orgId, "viewer");
    const asViewer = await api(`/v1/orgs/${buyer.orgId}/negotiation-files`, {
      token: viewer.token,
      body: {
        purpose: "rfq-attachment",
        contentType: "application/pdf",
        contentLength: 10,
        filename: "x.pdf",
      },
    });
    expect(asViewer.status).toBe(403);
  });
});

describe("acceptance held for approval", () => {
  it("awards the RFQ only when the approver approves; meanwhile other quotes wait (409)", async () => {
    const buyer = await newBuyer();
    const first = await newSeller();
    const second = await newSeller();
    const { categoryId } = await categoryWithSeller(first);
    await categoryWithSeller(second);
    await sql().query("update listings set category_id = $1 where org_id = $2", [categoryId, second.orgId]);
    const rfq = await createRfq(buyer, rfqBody({ categoryId }));
    const a = await sendQuote(
      first,
      rfq.id,
      quoteBody([{ title: "Bracket", quantity: 100, unitPriceMinor: 900 }]),
    );
    const b = await sendQuote(
      second,
      rfq.id,
      quoteBody([{ title: "Bracket", quantity: 100, unitPriceMinor: 950 }]),
    );
    const purchaser = await limitedPurchaser(buyer, 1000);
    const held = await accept(buyer, a.id, 1, crypto.randomUUID(), purchaser.token);
    expect(held.status).toBe(201);
    const group = await json<OrderGroup>(held);
    expect(group.status).toBe("pending_approval");
    const pending = await json<RfqWithQuotes>(
      await api(`/v1/orgs/${buyer.orgId}/rfqs/${rfq.id}`, { token: buyer.owner.token }),
    );
    expect(pending.status).toBe("quoted");
    expect((await quoteOf(buyer, b.id)).status).toBe("sent");
    const meanwhile = await accept(buyer, b.id, 1);
    expect(meanwhile.status).toBe(409);
    expect((await problem(meanwhile)).reason).toBe("awaiting_approval");
    // Neither the buyer nor the cron ends the RFQ under a held acceptance.
    const close = await api(`/v1/orgs/${buyer.orgId}/rfqs/${rfq.id}/transitions`, {
      token: buyer.owner.token,
      body: { action: "close" },
    });
    expect(close.status).toBe(409);
    expect((await problem(close)).reason).toBe("awaiting_approval");
    await sql().query("update rfqs set respond_by = now() - interval '1 minute' where id = $1", [rfq.id]);
    await sql().query("update quotes set expires_at = now() + interval '1 day' where id = $1", [b.id]);
    await sql().query("update quotes set status = 'withdrawn' where id = $1", [b.id]);
    await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: "17 * * * *" }), env);
    const stillQuoted = await json<RfqWithQuotes>(
      await api(`/v1/orgs/${buyer.orgId}/rfqs/${rfq.id}`, { token: buyer.owner.token }),
    );
    expect(stillQuoted.status).toBe("quoted");

    const approve = await api(`/v1/orgs/${buyer.orgId}/order-groups/${group.id}/approve`, {
      method: "POST",
      token: buyer.owner.token,
    });
    expect(approve.status).toBe(200);
    const awarded = await json<RfqWithQuotes>(
      await api(`/v1/orgs/${buyer.orgId}/rfqs/${rfq.id}`, { token: buyer.owner.token }),
    );
    expect(awarded).toMatchObject({ status: "awarded", awardedQuoteId: a.id });
    // b was withdrawn meanwhile (above), so only the award is left to see.
    expect((await quoteOf(buyer, b.id)).status).toBe("withdrawn");
  });
});
