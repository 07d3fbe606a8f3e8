/**
 * Attack tests for issue 12 (RFQs, quotes and their acceptance through checkout, messages, reviews and
 * ratings). Each test states the safe behaviour; a failing test is a finding (see the report of the
 * attack round), a passing one documents a defence that held.
 */
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { PostedMessage } from "../../src/contracts/messages.ts";
import type { QuoteWithVersions, RfqWithQuotes } from "../../src/contracts/negotiation.ts";
import type { OrderGroup } from "../../src/contracts/orders.ts";
import type { Review } from "../../src/contracts/reviews.ts";
import { webSocketClient } from "../../src/db/client.ts";
import { problem, roundTrips } from "../support/app.ts";
import { newAdmin } from "../support/catalog.ts";
import { one, sql } from "../support/db.ts";
import { testConfig } from "../support/env.ts";
import { addMember, api, createOrg, json } from "../support/identity.ts";
import {
  accept,
  categoryWithSeller,
  createRfq,
  quoteBody,
  rfqBody,
  sendQuote,
  stockOf,
} from "../support/negotiation.ts";
import {
  type Buyer,
  limitedPurchaser,
  newBuyer,
  newSeller,
  placeOrder,
  product,
  setMemberLimits,
} from "../support/orders.ts";
import { completedOrder } from "../support/reviews.ts";
import { orgCookie, webPage } from "../support/web.ts";

type Party = { orgId: string; owner: { token: string } };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Holds a row lock from a separate connection (an interactive transaction) until release(). */
async function holdLock(query: string, params: unknown[]) {
  const client = webSocketClient(testConfig(), "attack-negotiation-lock");
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

async function apiKeyOf(party: Party, scopes = ["orders:read", "orders:write"]) {
  const res = await api(`/v1/orgs/${party.orgId}/api-keys`, {
    token: party.owner.token,
    body: { name: "ERP", scopes },
  });
  if (res.status !== 201) throw new Error(`api key: ${res.status} ${await res.text()}`);
  return (await json<{ key: string }>(res)).key;
}

async function quoteOf(party: Party, quoteId: string) {
  const res = await api(`/v1/orgs/${party.orgId}/quotes/${quoteId}`, { token: party.owner.token });
  if (res.status !== 200) throw new Error(`quote: ${res.status} ${await res.text()}`);
  return json<QuoteWithVersions>(res);
}

async function rfqOf(party: Party, rfqId: string) {
  const res = await api(`/v1/orgs/${party.orgId}/rfqs/${rfqId}`, { token: party.owner.token });
  if (res.status !== 200) throw new Error(`rfq: ${res.status} ${await res.text()}`);
  return json<RfqWithQuotes>(res);
}

/** A buyer's RFQ about one seller's listing and the seller's first quote (50 units at 450). */
async function negotiation(stock = 1000) {
  const buyer = await newBuyer();
  const seller = await newSeller();
  const { listingId, variantId } = await product(seller, { stock, price: 500 });
  const rfq = await createRfq(
    buyer,
    rfqBody({ listingId }, { items: [{ variantId, description: "As listed", quantity: 50 }] }),
  );
  const quote = await sendQuote(
    seller,
    rfq.id,
    quoteBody([{ variantId, quantity: 50, unitPriceMinor: 450 }]),
  );
  return { buyer, seller, listingId, variantId, rfq, quote };
}

/** A category RFQ with a quote from each of two sellers of that category. */
async function twoQuotes() {
  const buyer = await newBuyer();
  const first = await newSeller();
  const second = await newSeller();
  const { categoryId } = await categoryWithSeller(first);
  await categoryWithSeller(second);
  await sql().query("update listings set category_id = $1 where org_id = $2", [categoryId, second.orgId]);
  const rfq = await createRfq(buyer, rfqBody({ categoryId }));
  const line = (price: number) => [{ title: "Custom bracket", quantity: 100, unitPriceMinor: price }];
  const a = await sendQuote(first, rfq.id, quoteBody(line(900)));
  const b = await sendQuote(second, rfq.id, quoteBody(line(880)));
  return { buyer, first, second, categoryId, rfq, a, b };
}

const version = (
  party: Party,
  quoteId: string,
  kind: "revisions" | "counters",
  body: Record<string, unknown>,
) => api(`/v1/orgs/${party.orgId}/quotes/${quoteId}/${kind}`, { token: party.owner.token, body });

const ordersOf = async (buyerOrgId: string) =>
  (
    await one<{ n: number }>("select count(*)::int as n from order_groups where buyer_org_id = $1", [
      buyerOrgId,
    ])
  ).n;

describe("accepting quotes: races between a check and its write", () => {
  it("one quote accepted twice at once with different Idempotency-Keys places one order and reserves once", async () => {
    const { buyer, variantId, quote } = await negotiation();
    const results = await Promise.all([accept(buyer, quote.id, 1), accept(buyer, quote.id, 1)]);
    expect(results.map((res) => res.status).sort()).toEqual([201, 409]);
    expect(await ordersOf(buyer.orgId)).toBe(1);
    expect(await stockOf(variantId)).toBe(950);
  });

  it.each([
    ["a revision", "revisions"],
    ["a counter-offer", "counters"],
  ] as const)("an acceptance racing %s: never an order at a version that was superseded", async (_, kind) => {
    const { buyer, seller, variantId, quote } = await negotiation();
    const party = kind === "revisions" ? seller : buyer;
    const [accepted, moved] = await Promise.all([
      accept(buyer, quote.id, 1),
      version(party, quote.id, kind, {
        ...quoteBody([{ variantId, quantity: 50, unitPriceMinor: kind === "revisions" ? 470 : 300 }]),
        basedOnVersion: 1,
      }),
    ]);
    expect([accepted.status, moved.status].sort()).toEqual([201, 409]);
    const after = await quoteOf(buyer, quote.id);
    if (accepted.status === 201) {
      expect(after).toMatchObject({ status: "accepted", currentVersion: 1 });
      const group = await json<OrderGroup>(accepted);
      expect(group.totalMinor).toBe(50 * 450);
    } else {
      expect(after.currentVersion).toBe(2);
      expect(await ordersOf(buyer.orgId)).toBe(0);
      expect(await stockOf(variantId)).toBe(1000);
    }
  });

  it("an acceptance racing the seller's withdrawal: either the order stands or nothing was reserved", async () => {
    const { buyer, seller, variantId, quote } = await negotiation();
    const [accepted, withdrawn] = await Promise.all([
      accept(buyer, quote.id, 1),
      api(`/v1/orgs/${seller.orgId}/quotes/${quote.id}/withdraw`, {
        method: "POST",
        token: seller.owner.token,
      }),
    ]);
    // Exactly one of them happened: the order (201) and a refused withdrawal (409), or the withdrawal (200)
    // and a refused acceptance (409).
    expect([
      [201, 409],
      [409, 200],
    ]).toContainEqual([accepted.status, withdrawn.status]);
    const after = await quoteOf(buyer, quote.id);
    expect(after.status).toBe(accepted.status === 201 ? "accepted" : "withdrawn");
    expect(await stockOf(variantId)).toBe(accepted.status === 201 ? 950 : 1000);
    expect(await ordersOf(buyer.orgId)).toBe(accepted.status === 201 ? 1 : 0);
  });

  it("one seller sending its first quote twice at once gets one quote (201) and a 409", async () => {
    const buyer = await newBuyer();
    const seller = await newSeller();
    const { listingId } = await product(seller);
    const rfq = await createRfq(buyer, rfqBody({ listingId }));
    const body = quoteBody([{ title: "Bolts", quantity: 10, unitPriceMinor: 100 }]);
    const results = await Promise.all(
      [1, 2].map(() =>
        api(`/v1/orgs/${seller.orgId}/rfqs/${rfq.id}/quotes`, { token: seller.owner.token, body }),
      ),
    );
    expect(results.map((res) => res.status).sort()).toEqual([201, 409]);
  });

  it("an Idempotency-Key of one acceptance reused for another quote is refused (422), not replayed", async () => {
    const first = await negotiation();
    const key = crypto.randomUUID();
    expect((await accept(first.buyer, first.quote.id, 1, key)).status).toBe(201);
    const seller = await newSeller();
    const { listingId, variantId } = await product(seller);
    const rfq = await createRfq(first.buyer, rfqBody({ listingId }));
    const other = await sendQuote(
      seller,
      rfq.id,
      quoteBody([{ variantId, quantity: 20, unitPriceMinor: 1 }]),
    );
    const res = await accept(first.buyer, other.id, 1, key);
    expect(res.status).toBe(422);
    await problem(res);
    expect((await quoteOf(first.buyer, other.id)).status).toBe("sent");
  });
});

describe("accepting quotes: rules that must hold on this path as in checkout", () => {
  it("a purchaser's acceptance that waits for approval, once declined, leaves the buyer free to accept another quote", async () => {
    // The purchaser may not place this order without approval; the approver declines it. The award of
    // the RFQ (and the closing of every competing quote) must not outlive the declined order.
    const { buyer, a, b } = await twoQuotes();
    const purchaser = await limitedPurchaser(buyer, 1000);
    const held = await accept(buyer, a.id, 1, crypto.randomUUID(), purchaser.token);
    expect(held.status).toBe(201);
    const group = await json<OrderGroup>(held);
    expect(group.status).toBe("pending_approval");
    const declined = await api(`/v1/orgs/${buyer.orgId}/order-groups/${group.id}/decline`, {
      method: "POST",
      token: buyer.owner.token,
    });
    expect(declined.status).toBe(200);

    const res = await accept(buyer, b.id, 1);
    expect(res.status, await res.clone().text()).toBe(201);
  });

  it("a purchaser's acceptance that waits for approval does not close the other sellers' quotes", async () => {
    const { buyer, second, b, a } = await twoQuotes();
    const purchaser = await limitedPurchaser(buyer, 1000);
    const held = await accept(buyer, a.id, 1, crypto.randomUUID(), purchaser.token);
    expect((await json<OrderGroup>(held)).status).toBe("pending_approval");
    expect((await quoteOf(second, b.id)).status).toBe("sent");
  });

  it("a counter or a revision naming another seller's variant is refused (422)", async () => {
    const { buyer, seller, quote } = await negotiation();
    const stranger = await newSeller();
    const { variantId: foreign } = await product(stranger);
    for (const [party, kind] of [
      [buyer, "counters"],
      [seller, "revisions"],
    ] as const) {
      const res = await version(party, quote.id, kind, {
        ...quoteBody([{ variantId: foreign, quantity: 50, unitPriceMinor: 1 }]),
        basedOnVersion: 1,
      });
      expect(res.status).toBe(422);
      await problem(res);
    }
    expect((await quoteOf(buyer, quote.id)).currentVersion).toBe(1);
  });

  it("a first quote naming another seller's variant is refused (422)", async () => {
    const buyer = await newBuyer();
    const seller = await newSeller();
    const { listingId } = await product(seller);
    const stranger = await newSeller();
    const { variantId: foreign } = await product(stranger);
    const rfq = await createRfq(buyer, rfqBody({ listingId }));
    const res = await api(`/v1/orgs/${seller.orgId}/rfqs/${rfq.id}/quotes`, {
      token: seller.owner.token,
      body: quoteBody([{ variantId: foreign, quantity: 10, unitPriceMinor: 100 }]),
    });
    expect(res.status).toBe(422);
    await problem(res);
  });

  it("totals beyond 2^53 minor units are refused with a 4xx, never a 500", async () => {
    const { buyer, seller, quote } = await negotiation();
    const huge = { title: "Bulk", quantity: 10_000_000, unitPriceMinor: 10_000_000_000 };
    const second = await newSeller();
    const { listingId } = await product(second);
    const rfq2 = await createRfq(buyer, rfqBody({ listingId }));
    const attempts = [
      api(`/v1/orgs/${second.orgId}/rfqs/${rfq2.id}/quotes`, {
        token: second.owner.token,
        body: quoteBody([huge]),
      }),
      api(`/v1/orgs/${second.orgId}/rfqs/${rfq2.id}/quotes`, {
        token: second.owner.token,
        body: quoteBody(
          Array.from({ length: 50 }, () => ({ ...huge, quantity: 900_000, unitPriceMinor: 1e10 })),
        ),
      }),
      version(seller, quote.id, "revisions", {
        ...quoteBody([huge]),
        basedOnVersion: 1,
      }),
      api(`/v1/orgs/${second.orgId}/rfqs/${rfq2.id}/quotes`, {
        token: second.owner.token,
        body: quoteBody([{ title: "Negative", quantity: 1, unitPriceMinor: -1 }]),
      }),
      api(`/v1/orgs/${second.orgId}/rfqs/${rfq2.id}/quotes`, {
        token: second.owner.token,
        body: quoteBody([{ title: "Zero", quantity: 0, unitPriceMinor: 1 }]),
      }),
    ];
    for (const res of await Promise.all(attempts)) {
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      await problem(res);
    }
  });

  it("an order placed from a quote is in the quote's currency, even for a variant listed in another", async () => {
    const buyer = await newBuyer();
    const seller = await newSeller();
    const { listingId, variantId } = await product(seller, { currency: "USD" });
    const rfq = await createRfq(buyer, rfqBody({ listingId }, { currency: "EUR" }));
    const quote = await sendQuote(
      seller,
      rfq.id,
      quoteBody([{ variantId, quantity: 20, unitPriceMinor: 300 }]),
    );
    expect(quote.latest?.currency).toBe("EUR");
    const res = await accept(buyer, quote.id, 1);
    expect(res.status).toBe(201);
    const group = await json<OrderGroup>(res);
    expect(group.currency).toBe("EUR");
    expect(group.orders[0]?.currency).toBe("EUR");
    expect(group.totalMinor).toBe(6000);
  });

  it("a quote naming one variant on two lines is either refused or, accepted, reserves both lines", async () => {
    const buyer = await newBuyer();
    const seller = await newSeller();
    const { listingId, variantId } = await product(seller, { stock: 1000 });
    const rfq = await createRfq(buyer, rfqBody({ listingId }));
    const res = await api(`/v1/orgs/${seller.orgId}/rfqs/${rfq.id}/quotes`, {
      token: seller.owner.token,
      body: quoteBody([
        { variantId, quantity: 100, unitPriceMinor: 400 },
        { variantId, quantity: 100, unitPriceMinor: 380 },
      ]),
    });
    if (res.status === 400 || res.status === 422) {
      expect((await problem(res)).status).toBe(res.status);
      return; // refused up front: safe
    }
    expect(res.status).toBe(201);
    const quote = await json<QuoteWithVersions>(res);
    const accepted = await accept(buyer, quote.id, 1);
    expect({ status: accepted.status, body: accepted.status === 201 ? "" : await accepted.text() }).toEqual({
      status: 201,
      body: "",
    });
    expect(await stockOf(variantId)).toBe(800);
  });

  it("an order from a quote with a free-text line can be approved and then accepted by its seller", async () => {
    const buyer = await newBuyer();
    const seller = await newSeller();
    const { listingId, variantId } = await product(seller);
    const rfq = await createRfq(buyer, rfqBody({ listingId }));
    const quote = await sendQuote(
      seller,
      rfq.id,
      quoteBody([
        { variantId, quantity: 20, unitPriceMinor: 400 },
        { title: "Custom tooling", quantity: 1, unitPriceMinor: 25_000 },
      ]),
    );
    const purchaser = await limitedPurchaser(buyer, 1000);
    const held = await json<OrderGroup>(
      await accept(buyer, quote.id, 1, crypto.randomUUID(), purchaser.token),
    );
    expect(held.status).toBe("pending_approval");
    const approved = await api(`/v1/orgs/${buyer.orgId}/order-groups/${held.id}/approve`, {
      method: "POST",
      token: buyer.owner.token,
    });
    expect(approved.status, await approved.clone().text()).toBe(200);
    const orderId = held.orders[0]?.id ?? "";
    const moved = await api(`/v1/orgs/${seller.orgId}/orders/${orderId}/transitions`, {
      token: seller.owner.token,
      body: { action: "accept" },
    });
    expect(moved.status, await moved.clone().text()).toBe(200);
    expect(await stockOf(variantId)).toBe(980);
  });

  it("a purchaser limited in EUR cannot escape approval with an RFQ in another currency", async () => {
    const buyer = await newBuyer();
    const seller = await newSeller();
    const { listingId } = await product(seller);
    const purchaser = await limitedPurchaser(buyer, 100_000);
    const rfq = await createRfq(buyer, rfqBody({ listingId }, { currency: "XAU" }), purchaser.token);
    const quote = await sendQuote(
      seller,
      rfq.id,
      quoteBody([{ title: "Gold", quantity: 1, unitPriceMinor: 5 }]),
    );
    const res = await accept(buyer, quote.id, 1, crypto.randomUUID(), purchaser.token);
    expect(res.status).toBe(201);
    expect((await json<OrderGroup>(res)).status).toBe("pending_approval");
  });

  it("two acceptances at once cannot both fit under a purchaser's monthly limit", async () => {
    const buyer = await newBuyer();
    const seller = await newSeller();
    const { listingId } = await product(seller);
    const purchaser = await addMember(buyer.owner, buyer.orgId, "buyer");
    const limits = await setMemberLimits(buyer, purchaser.id, [{ currency: "EUR", perMonthMinor: 30_000 }]);
    expect(limits.status).toBe(200);
    const quotes = [];
    for (const _ of [1, 2]) {
      const rfq = await createRfq(buyer, rfqBody({ listingId }));
      quotes.push(
        await sendQuote(
          seller,
          rfq.id,
          quoteBody([{ title: "Tooling", quantity: 1, unitPriceMinor: 20_000 }]),
        ),
      );
    }
    const results = await Promise.all(
      quotes.map((quote) => accept(buyer, quote.id, 1, crypto.randomUUID(), purchaser.token)),
    );
    const statuses = [];
    for (const res of results) {
      expect(res.status).toBe(201);
      statuses.push((await json<OrderGroup>(res)).status);
    }
    expect(statuses.sort()).toEqual(["pending_approval", "placed"]);
  });

  it("the quote's seller cannot accept it, and another organisation's API key gets 404", async () => {
    const { buyer, seller, quote } = await negotiation();
    const asSeller = await api(`/v1/orgs/${seller.orgId}/quotes/${quote.id}/accept`, {
      token: seller.owner.token,
      body: { ...rest(), version: 1 },
      headers: { "idempotency-key": crypto.randomUUID() },
    });
    expect(asSeller.status).toBe(409);
    const stranger = await newBuyer();
    const key = await apiKeyOf(stranger);
    for (const orgId of [buyer.orgId, stranger.orgId]) {
      const res = await api(`/v1/orgs/${orgId}/quotes/${quote.id}/accept`, {
        token: key,
        body: { ...rest(), version: 1 },
        headers: { "idempotency-key": crypto.randomUUID() },
      });
      expect([403, 404]).toContain(res.status);
      await problem(res);
    }
    const sellerKey = await apiKeyOf(seller);
    const read = await api(`/v1/orgs/${buyer.orgId}/quotes/${quote.id}`, { token: sellerKey });
    expect([403, 404]).toContain(read.status);
    expect(await ordersOf(buyer.orgId)).toBe(0);
  });
});

function rest() {
  return {
    poNumber: "PO-1",
    shippingAddress: {
      name: "Goods In",
      line1: "Dock 4",
      city: "Hamburg",
      postalCode: "20457",
      country: "DE",
    },
  };
}

describe("RFQ audience and visibility", () => {
  it("an RFQ addressed to an organisation that only buys is refused (422)", async () => {
    const buyer = await newBuyer();
    const onlyBuys = await newBuyer("Another Buyer");
    const res = await api(`/v1/orgs/${buyer.orgId}/rfqs`, {
      token: buyer.owner.token,
      body: rfqBody({ sellerOrgId: onlyBuys.orgId }),
    });
    expect(res.status).toBe(422);
    await problem(res);
  });

  it("an open RFQ stays hidden from a seller whose only listing in the category is a draft or archived", async () => {
    const buyer = await newBuyer();
    const drafted = await newSeller();
    const archived = await newSeller();
    const { categoryId, listingId: draftListing } = await categoryWithSeller(drafted);
    const { listingId: archivedListing } = await categoryWithSeller(archived);
    await sql().query("update listings set category_id = $1, status = 'archived' where id = $2", [
      categoryId,
      archivedListing,
    ]);
    await sql().query("update listings set status = 'draft' where id = $1", [draftListing]);
    const rfq = await createRfq(buyer, rfqBody({ categoryId }));
    for (const seller of [drafted, archived]) {
      expect(
        (await api(`/v1/orgs/${seller.orgId}/rfqs/${rfq.id}`, { token: seller.owner.token })).status,
      ).toBe(404);
      const quote = await api(`/v1/orgs/${seller.orgId}/rfqs/${rfq.id}/quotes`, {
        token: seller.owner.token,
        body: quoteBody([{ title: "Bracket", quantity: 1, unitPriceMinor: 100 }]),
      });
      expect(quote.status).toBe(404);
      const thread = await api(`/v1/orgs/${seller.orgId}/threads`, {
        token: seller.owner.token,
        body: { subjectType: "rfq", subjectId: rfq.id, body: "Interested" },
      });
      expect(thread.status).toBe(404);
    }
  });

  it("internal notes reach no seller through the RFQ, its quotes, its thread or any event payload", async () => {
    const { buyer, first, rfq, a } = await twoQuotes();
    const started = await api(`/v1/orgs/${first.orgId}/threads`, {
      token: first.owner.token,
      body: { subjectType: "rfq", subjectId: rfq.id, body: "Question on tolerances" },
    });
    expect(started.status).toBe(201);
    const seen = [
      await api(`/v1/orgs/${first.orgId}/rfqs/${rfq.id}`, { token: first.owner.token }),
      await api(`/v1/orgs/${first.orgId}/rfqs?side=seller`, { token: first.owner.token }),
      await api(`/v1/orgs/${first.orgId}/quotes/${a.id}`, { token: first.owner.token }),
      await api(`/v1/orgs/${first.orgId}/quotes?side=seller`, { token: first.owner.token }),
      await api(`/v1/orgs/${first.orgId}/threads`, { token: first.owner.token }),
    ];
    for (const res of seen) expect(await res.text()).not.toContain("Budget ceiling");
    const events = await sql().query(
      "select count(*)::int as n from events where org_id <> $1 and payload::text like '%Budget ceiling%'",
      [buyer.orgId],
    );
    expect(events[0]).toEqual({ n: 0 });
  });

  it("a seller sees neither the other sellers' quotes nor their count on an open RFQ", async () => {
    const { first, rfq, b } = await twoQuotes();
    const detail = await rfqOf(first, rfq.id);
    expect(detail.quotes.map((q) => q.id)).not.toContain(b.id);
    expect(detail.quoteCount).toBe(1);
    expect((await api(`/v1/orgs/${first.orgId}/quotes/${b.id}`, { token: first.owner.token })).status).toBe(
      404,
    );
    const listed = await json<{ items: { id: string }[] }>(
      await api(`/v1/orgs/${first.orgId}/quotes?side=buyer&rfqId=${rfq.id}`, { token: first.owner.token }),
    );
    expect(listed.items).toEqual([]);
    const asBuyer = await api(`/v1/orgs/${first.orgId}/quotes/${b.id}/decline`, {
      method: "POST",
      token: first.owner.token,
    });
    expect(asBuyer.status).toBe(404);
  });
});

describe("messages", () => {
  it("a seller of the category cannot open a thread about an RFQ withdrawn before it quoted (404, as the RFQ itself)", async () => {
    const buyer = await newBuyer();
    const seller = await newSeller();
    const { categoryId } = await categoryWithSeller(seller);
    const rfq = await createRfq(buyer, rfqBody({ categoryId }));
    const withdrawn = await api(`/v1/orgs/${buyer.orgId}/rfqs/${rfq.id}/transitions`, {
      token: buyer.owner.token,
      body: { action: "withdraw" },
    });
    expect(withdrawn.status).toBe(200);
    expect((await api(`/v1/orgs/${seller.orgId}/rfqs/${rfq.id}`, { token: seller.owner.token })).status).toBe(
      404,
    );
    const res = await api(`/v1/orgs/${seller.orgId}/threads`, {
      token: seller.owner.token,
      body: { subjectType: "rfq", subjectId: rfq.id, body: "Still buying? Call me." },
    });
    expect(res.status, await res.clone().text()).toBe(404);
  });

  it("a seller of the category that did not quote cannot message the buyer of an RFQ awarded to another", async () => {
    const { buyer, a, rfq } = await twoQuotes();
    const late = await newSeller();
    const { categoryId } = await categoryWithSeller(late);
    await sql().query("update listings set category_id = $1 where org_id = $2", [rfq.categoryId, late.orgId]);
    expect(categoryId).toBeTruthy();
    expect((await accept(buyer, a.id, 1)).status).toBe(201);
    expect((await api(`/v1/orgs/${late.orgId}/rfqs/${rfq.id}`, { token: late.owner.token })).status).toBe(
      404,
    );
    const res = await api(`/v1/orgs/${late.orgId}/threads`, {
      token: late.owner.token,
      body: { subjectType: "rfq", subjectId: rfq.id, body: "I can beat that price." },
    });
    expect(res.status, await res.clone().text()).toBe(404);
  });

  it("a member of two organisations cannot post past 30 messages a minute by writing through both at once", async () => {
    const buyerA = await newBuyer();
    const user = buyerA.owner;
    const orgB = await createOrg(user, "buyer", "Second Buying Co");
    const buyerB: Buyer = { owner: user, orgId: orgB.id };
    const seller = await newSeller();
    const [{ order: orderA }, { order: orderB }] = await Promise.all([
      placeOrder(buyerA, seller),
      placeOrder(buyerB, seller),
    ]);
    const start = async (party: Buyer, orderId: string) => {
      const res = await api(`/v1/orgs/${party.orgId}/threads`, {
        token: user.token,
        body: { subjectType: "order", subjectId: orderId, body: "Hello" },
      });
      if (res.status !== 201) throw new Error(`thread: ${res.status} ${await res.text()}`);
      return (await json<PostedMessage>(res)).thread.id;
    };
    const threadA = await start(buyerA, orderA.id);
    const threadB = await start(buyerB, orderB.id);
    // 2 messages so far; 27 more make 29 in the last minute: exactly one more fits.
    await sql().query(
      `insert into messages (thread_id, sender_org_id, sender_user_id, body, created_at)
       select $1, $2, $3, 'filler', now() - interval '10 seconds' from generate_series(1, 27)`,
      [threadA, buyerA.orgId, user.id],
    );
    await sql().query("update threads set last_message_at = now() where id = $1", [threadA]);
    // Hold the user's row: both posts pass their rate check, then wait at their insert (the
    // sender_user_id foreign key's KEY SHARE lock) until the lock is released.
    const lock = await holdLock("select id from users where id = $1 for update", [user.id]);
    const posts = [
      api(`/v1/orgs/${buyerA.orgId}/threads/${threadA}/messages`, {
        token: user.token,
        body: { body: "via A" },
      }),
      api(`/v1/orgs/${buyerB.orgId}/threads/${threadB}/messages`, {
        token: user.token,
        body: { body: "via B" },
      }),
    ];
    await sleep(1500);
    await lock.release();
    const statuses = (await Promise.all(posts)).map((res) => res.status).sort();
    const sent = await one<{ n: number }>(
      "select count(*)::int as n from messages where sender_user_id = $1 and created_at > now() - interval '1 minute'",
      [user.id],
    );
    expect({ statuses, sent: sent.n }).toEqual({ statuses: [201, 429], sent: 30 });
  });

  it("another organisation's file cannot be attached nor fetched through one's own thread", async () => {
    const buyer = await newBuyer();
    const seller = await newSeller();
    const stranger = await newBuyer("Stranger");
    const { order } = await placeOrder(buyer, seller);
    const file = await one<{ id: string }>(
      `insert into files (org_id, purpose, key, content_type, content_length, filename, status)
       values ($1, 'document', $2, 'application/pdf', 1234, 'secret.pdf', 'ready') returning id`,
      [stranger.orgId, `test/${crypto.randomUUID()}`],
    );
    const res = await api(`/v1/orgs/${buyer.orgId}/threads`, {
      token: buyer.owner.token,
      body: { subjectType: "order", subjectId: order.id, body: "See attached", attachmentIds: [file.id] },
    });
    expect(res.status).toBe(422);
    const ok = await api(`/v1/orgs/${buyer.orgId}/threads`, {
      token: buyer.owner.token,
      body: { subjectType: "order", subjectId: order.id, body: "No file" },
    });
    const { thread } = await json<PostedMessage>(ok);
    // Smuggle the foreign id into a message row directly: the URL route still checks the file's owner.
    await sql().query(
      "insert into messages (thread_id, sender_org_id, sender_user_id, body, attachment_ids) values ($1, $2, $3, 'x', array[$4]::uuid[])",
      [thread.id, buyer.orgId, buyer.owner.id, file.id],
    );
    const url = await api(`/v1/orgs/${buyer.orgId}/threads/${thread.id}/attachments/${file.id}/url`, {
      token: buyer.owner.token,
    });
    expect(url.status).toBe(404);
    const asSeller = await api(`/v1/orgs/${seller.orgId}/threads/${thread.id}/attachments/${file.id}/url`, {
      token: seller.owner.token,
    });
    expect(asSeller.status).toBe(404);
  });

  it("markup in the other party's organisation name and RFQ title is shown as text on the message pages", async () => {
    const buyer = await newBuyer('<img src=x onerror=alert(1)>"Evil');
    const seller = await newSeller();
    const { listingId } = await product(seller);
    const rfq = await createRfq(buyer, rfqBody({ listingId }, { title: "<script>alert('rfq')</script>" }));
    const started = await api(`/v1/orgs/${buyer.orgId}/threads`, {
      token: buyer.owner.token,
      body: {
        subjectType: "rfq",
        subjectId: rfq.id,
        sellerOrgId: seller.orgId,
        body: "<svg onload=alert(2)> javascript:alert(3)",
      },
    });
    expect(started.status).toBe(201);
    const { thread } = await json<PostedMessage>(started);
    for (const path of ["/messages", `/messages/${thread.id}`]) {
      const page = await webPage(path, { cookies: [seller.owner.cookie, orgCookie(seller.orgId)] });
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).not.toContain("<img src=x");
      expect(html).not.toContain("<script>alert('rfq')");
      expect(html).not.toContain("<svg onload");
      expect(html).not.toMatch(/href="javascript:/i);
    }
  });

  it("unread counts in /v1/me never include another organisation's threads", async () => {
    const buyer = await newBuyer();
    const seller = await newSeller();
    const { order } = await placeOrder(buyer, seller);
    await api(`/v1/orgs/${buyer.orgId}/threads`, {
      token: buyer.owner.token,
      body: { subjectType: "order", subjectId: order.id, body: "Hello seller" },
    });
    const stranger = await newBuyer("Stranger");
    const me = await json<{ unreadMessages: number }>(await api("/v1/me", { token: stranger.owner.token }));
    expect(me.unreadMessages).toBe(0);
    const sellerMe = await json<{ unreadMessages: number }>(
      await api("/v1/me", { token: seller.owner.token }),
    );
    expect(sellerMe.unreadMessages).toBe(1);
  });
});

describe("reviews and ratings", () => {
  const putReview = (party: Party, orderId: string, body: unknown) =>
    api(`/v1/orgs/${party.orgId}/orders/${orderId}/review`, {
      method: "PUT",
      token: party.owner.token,
      body,
    });

  async function storedVsActual(sellerId: string) {
    return one<{ stored_sum: number; stored_count: number; sum: number; count: number }>(
      `select coalesce((select rating_sum from seller_ratings where seller_org_id = $1), 0)::int as stored_sum,
         coalesce((select rating_count from seller_ratings where seller_org_id = $1), 0)::int as stored_count,
         coalesce((select sum(rating) from reviews where seller_org_id = $1 and hidden_at is null), 0)::int as sum,
         (select count(*) from reviews where seller_org_id = $1 and hidden_at is null)::int as count`,
      [sellerId],
    );
  }

  it("concurrent edits, hides and unhides leave the seller's rating equal to its visible reviews", async () => {
    const buyer = await newBuyer();
    const seller = await newSeller();
    const admin = await newAdmin();
    // One after the other: both check out the same buyer's cart.
    const orders = [await completedOrder(buyer, seller), await completedOrder(buyer, seller)];
    const reviews: Review[] = [];
    for (const { order } of orders) {
      const res = await putReview(buyer, order.id, { rating: 5, body: "Great" });
      reviews.push(await json<Review>(res));
    }
    const [first, second] = orders.map((o) => o.order.id);
    await Promise.all([
      putReview(buyer, first ?? "", { rating: 1, body: "Bad" }),
      putReview(buyer, first ?? "", { rating: 3, body: "Meh" }),
      api(`/v1/admin/reviews/${reviews[0]?.id}/hide`, {
        method: "POST",
        token: admin.token,
        body: { reason: "Abusive" },
      }),
      putReview(buyer, second ?? "", { rating: 2, body: "Hm" }),
      putReview(buyer, second ?? "", { rating: 4, body: "Ok" }),
      api(`/v1/admin/reviews/${reviews[1]?.id}/hide`, {
        method: "POST",
        token: admin.token,
        body: { reason: "Abusive" },
      }),
    ]);
    await api(`/v1/admin/reviews/${reviews[1]?.id}/unhide`, { method: "POST", token: admin.token });
    const state = await storedVsActual(seller.orgId);
    expect([state.stored_sum, state.stored_count]).toEqual([state.sum, state.count]);
  });

  it("refuses reviews of an unfinished order (403), another organisation's order (404), ratings outside 1..5 (400)", async () => {
    const buyer = await newBuyer();
    const seller = await newSeller();
    const { order: placed } = await placeOrder(buyer, seller);
    const { order: done } = await completedOrder(buyer, seller);
    expect((await putReview(buyer, placed.id, { rating: 5, body: "Early" })).status).toBe(403);
    const stranger = await newBuyer("Stranger");
    expect((await putReview(stranger, done.id, { rating: 1, body: "Sabotage" })).status).toBe(404);
    // Naming the real buyer's organisation without membership.
    const res = await api(`/v1/orgs/${buyer.orgId}/orders/${done.id}/review`, {
      method: "PUT",
      token: stranger.owner.token,
      body: { rating: 1, body: "Sabotage" },
    });
    expect(res.status).toBe(404);
    for (const rating of [0, 6, -1, 2.5, "5", null, 1e308]) {
      const bad = await putReview(buyer, done.id, { rating, body: "x" });
      expect(bad.status).toBe(400);
      await problem(bad);
    }
    expect((await storedVsActual(seller.orgId)).stored_count).toBe(0);
  });

  it("an edit after the 30 days (409) or a second reply (409) changes nothing", async () => {
    const buyer = await newBuyer();
    const seller = await newSeller();
    const { order } = await completedOrder(buyer, seller);
    const posted = await json<Review>(await putReview(buyer, order.id, { rating: 4, body: "Good" }));
    const replies = await Promise.all(
      ["Thanks!", "Thank you!", "Cheers"].map((body) =>
        api(`/v1/orgs/${seller.orgId}/reviews/${posted.id}/reply`, {
          token: seller.owner.token,
          body: { body },
        }),
      ),
    );
    expect(replies.map((res) => res.status).sort()).toEqual([200, 409, 409].sort());
    await sql().query("update reviews set editable_until = now() - interval '1 second' where id = $1", [
      posted.id,
    ]);
    const late = await putReview(buyer, order.id, { rating: 1, body: "Changed my mind" });
    expect(late.status).toBe(409);
    const state = await storedVsActual(seller.orgId);
    expect(state).toMatchObject({ stored_sum: 4, stored_count: 1, sum: 4, count: 1 });
  });
});

describe("bad input and round trips", () => {
  it("answers malformed JSON, wrong types, huge bodies and foreign or forged cursors with a 4xx problem, never a 500", async () => {
    const { buyer, seller, quote, rfq } = await negotiation();
    const b = buyer.owner.token;
    const s = seller.owner.token;
    const raw = (
      path: string,
      token: string,
      body: string,
      method = "POST",
      headers: Record<string, string> = {},
    ) => fetchRaw(path, token, body, method, headers);
    const page = await json<{ nextCursor: string | null }>(
      await api(`/v1/orgs/${buyer.orgId}/rfqs?limit=1`, { token: b }),
    );
    const attempts: Promise<Response>[] = [
      raw(`/v1/orgs/${buyer.orgId}/rfqs`, b, "{"),
      raw(
        `/v1/orgs/${buyer.orgId}/rfqs`,
        b,
        JSON.stringify({ ...rfqBody({ listingId: rfq.listingId }), title: "x".repeat(3_000_000) }),
      ),
      raw(`/v1/orgs/${seller.orgId}/rfqs/${rfq.id}/quotes`, s, '{"lines": "all"}'),
      raw(`/v1/orgs/${buyer.orgId}/quotes/${quote.id}/accept`, b, "[]", "POST", {
        "idempotency-key": crypto.randomUUID(),
      }),
      raw(`/v1/orgs/${buyer.orgId}/quotes/${quote.id}/counters`, b, JSON.stringify({ basedOnVersion: "1" })),
      api(`/v1/orgs/${buyer.orgId}/rfqs`, {
        token: b,
        body: rfqBody({ listingId: rfq.listingId }, { title: "Bolts\u0000" }),
      }),
      api(`/v1/orgs/${buyer.orgId}/rfqs`, {
        token: b,
        body: rfqBody({ listingId: rfq.listingId }, { neededBy: "2027-02-30" }),
      }),
      api(`/v1/orgs/${buyer.orgId}/rfqs`, {
        token: b,
        body: rfqBody({ listingId: rfq.listingId }, { respondBy: "+275760-09-13T00:00:00.000Z" }),
      }),
      api(`/v1/orgs/${buyer.orgId}/rfqs?cursor=${encodeURIComponent("!!not-a-cursor!!")}`, { token: b }),
      api(`/v1/orgs/${buyer.orgId}/quotes?cursor=${encodeURIComponent(page.nextCursor ?? "x")}`, {
        token: b,
      }),
      api(`/v1/orgs/${buyer.orgId}/rfqs?side=seller&cursor=${encodeURIComponent(page.nextCursor ?? "x")}`, {
        token: b,
      }),
      api(`/v1/orgs/${buyer.orgId}/threads?cursor=${encodeURIComponent(page.nextCursor ?? "x")}`, {
        token: b,
      }),
      api(`/v1/orgs/${buyer.orgId}/quotes?rfqId=not-a-uuid`, { token: b }),
      api(`/v1/orgs/${buyer.orgId}/rfqs?side=admin`, { token: b }),
      api(`/v1/sellers/${seller.orgId}/reviews?cursor=${encodeURIComponent(page.nextCursor ?? "x")}`),
      api(`/v1/sellers/not-a-uuid/reviews`),
      api(`/v1/orgs/${buyer.orgId}/threads`, {
        token: b,
        body: { subjectType: "rfq", subjectId: rfq.id, sellerOrgId: seller.orgId, body: "x".repeat(4001) },
      }),
      api(`/v1/orgs/${buyer.orgId}/threads`, {
        token: b,
        body: { subjectType: "rfq", subjectId: rfq.id, sellerOrgId: seller.orgId, body: "hi\u0007" },
      }),
      api(`/v1/orgs/${buyer.orgId}/threads`, {
        token: b,
        body: { subjectType: "rfq", subjectId: rfq.id, sellerOrgId: seller.orgId, body: "\ud800" },
      }),
      api(`/v1/orgs/${buyer.orgId}/threads`, {
        token: b,
        body: { subjectType: "rfq", subjectId: rfq.id, body: "hi", attachmentIds: ["x"] },
      }),
    ];
    const results = await Promise.all(attempts);
    const bad = [];
    for (const [n, res] of results.entries()) {
      if (res.status < 400 || res.status >= 500) bad.push({ n, status: res.status, body: await res.text() });
      else await problem(res);
    }
    expect(bad).toEqual([]);
  });

  it("version numbers beyond Postgres' integer range are a 4xx, never a 500", async () => {
    const { buyer, seller, quote } = await negotiation();
    const line = [{ title: "A", quantity: 1, unitPriceMinor: 1 }];
    const attempts = [
      version(seller, quote.id, "revisions", { ...quoteBody(line), basedOnVersion: 2 ** 31 }),
      version(buyer, quote.id, "counters", { ...quoteBody(line), basedOnVersion: 2 ** 40 }),
      api(`/v1/orgs/${buyer.orgId}/quotes/${quote.id}/accept`, {
        token: buyer.owner.token,
        body: { ...rest(), version: 2 ** 31 },
        headers: { "idempotency-key": crypto.randomUUID() },
      }),
    ];
    const statuses = [];
    for (const res of await Promise.all(attempts)) statuses.push(res.status);
    expect(statuses.map((status) => (status >= 400 && status < 500 ? "4xx" : status))).toEqual([
      "4xx",
      "4xx",
      "4xx",
    ]);
  });

  it("limits out of range are clamped, not errors", async () => {
    const buyer = await newBuyer();
    for (const limit of ["0", "1000000", "abc"]) {
      expect(
        (await api(`/v1/orgs/${buyer.orgId}/rfqs?limit=${limit}`, { token: buyer.owner.token })).status,
      ).toBe(200);
    }
  });

  it("every negotiation, message and review request takes one database round trip", async () => {
    const { buyer, seller, rfq, quote, variantId } = await negotiation();
    const b = buyer.owner.token;
    const s = seller.owner.token;
    const counted: [string, Response][] = [];
    const take = async (name: string, res: Promise<Response>) => {
      const r = await res;
      counted.push([name, r]);
      return r;
    };
    await take("listRfqs buyer", api(`/v1/orgs/${buyer.orgId}/rfqs`, { token: b }));
    await take("listRfqs seller", api(`/v1/orgs/${seller.orgId}/rfqs?side=seller`, { token: s }));
    await take("getRfq", api(`/v1/orgs/${seller.orgId}/rfqs/${rfq.id}`, { token: s }));
    await take("listQuotes", api(`/v1/orgs/${buyer.orgId}/quotes`, { token: b }));
    await take("getQuote", api(`/v1/orgs/${buyer.orgId}/quotes/${quote.id}`, { token: b }));
    await take(
      "counter",
      version(buyer, quote.id, "counters", {
        ...quoteBody([{ variantId, quantity: 50, unitPriceMinor: 400 }]),
        basedOnVersion: 1,
      }),
    );
    await take(
      "revise",
      version(seller, quote.id, "revisions", {
        ...quoteBody([{ variantId, quantity: 50, unitPriceMinor: 420 }]),
        basedOnVersion: 2,
      }),
    );
    const thread = await take(
      "startThread",
      api(`/v1/orgs/${buyer.orgId}/threads`, {
        token: b,
        body: { subjectType: "rfq", subjectId: rfq.id, sellerOrgId: seller.orgId, body: "Hi" },
      }),
    );
    const threadId = (await json<PostedMessage>(thread.clone())).thread.id;
    await take(
      "postMessage",
      api(`/v1/orgs/${seller.orgId}/threads/${threadId}/messages`, { token: s, body: { body: "Hello" } }),
    );
    await take("listThreads", api(`/v1/orgs/${buyer.orgId}/threads`, { token: b }));
    await take("listMessages", api(`/v1/orgs/${buyer.orgId}/threads/${threadId}/messages`, { token: b }));
    await take(
      "markRead",
      api(`/v1/orgs/${buyer.orgId}/threads/${threadId}/read`, { method: "POST", token: b }),
    );
    await take("me", api("/v1/me", { token: b }));
    await take("accept", accept(buyer, quote.id, 3));
    const withdrawn = await createRfq(buyer, rfqBody({ listingId: rfq.listingId }));
    await take(
      "transitionRfq",
      api(`/v1/orgs/${buyer.orgId}/rfqs/${withdrawn.id}/transitions`, {
        token: b,
        body: { action: "withdraw" },
      }),
    );
    const { order } = await completedOrder(buyer, seller);
    const posted = await take(
      "putReview",
      api(`/v1/orgs/${buyer.orgId}/orders/${order.id}/review`, {
        method: "PUT",
        token: b,
        body: { rating: 5, body: "Fine" },
      }),
    );
    const reviewId = (await json<Review>(posted.clone())).id;
    await take("getReview", api(`/v1/orgs/${seller.orgId}/orders/${order.id}/review`, { token: s }));
    await take(
      "reply",
      api(`/v1/orgs/${seller.orgId}/reviews/${reviewId}/reply`, { token: s, body: { body: "Thanks" } }),
    );
    await take("sellerReviews", api(`/v1/sellers/${seller.orgId}/reviews`));
    const report = counted.map(([name, res]) => ({ name, status: res.status, trips: tripsOf(res) }));
    expect(report.filter((r) => r.status >= 300 || r.trips !== 1)).toEqual([]);
  });
});

function tripsOf(res: Response): number | string {
  try {
    return roundTrips(res);
  } catch {
    return res.headers.get("server-timing") ?? "none";
  }
}

/** A request with a raw (possibly malformed) body. */
function fetchRaw(
  path: string,
  token: string,
  body: string,
  method: string,
  headers: Record<string, string>,
) {
  return exports.default.fetch(`http://api.test${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...headers },
    body,
  });
}
