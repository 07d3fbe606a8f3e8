/**
 * The RFQ and quote pages: asking for a quote from a listing or a category (forms re-rendered with their
 * errors), the pages of each side (other tenants 404, internal notes never shown to sellers), a quote sent
 * from the seller console, a counter-offer, a revision, an acceptance that places the order, and the 409
 * of a superseded version shown on the page.
 */
import { describe, expect, it } from "vitest";
import type { QuoteWithVersions, RfqWithQuotes } from "../../src/contracts/negotiation.ts";
import { api, json, type TestUser } from "../support/identity.ts";
import {
  categoryWithSeller,
  createRfq,
  inDays,
  quoteBody,
  rfqBody,
  sendQuote,
  stockOf,
} from "../support/negotiation.ts";
import { newBuyer, newSeller, product } from "../support/orders.ts";
import { escaped, orgCookie, webPage } from "../support/web.ts";

function browse(path: string, user: TestUser, orgId: string, form?: Record<string, string>) {
  return webPage(path, { cookies: [user.cookie, orgCookie(orgId)], form });
}

const INTERNAL = "Budget ceiling 4.10 per unit; current supplier quoted 4.30.";

const address = {
  "shippingAddress.name": "Goods In, Northwind",
  "shippingAddress.line1": "Dock 4, Hafenstraße 1",
  "shippingAddress.city": "Hamburg",
  "shippingAddress.postalCode": "20457",
  "shippingAddress.country": "DE",
};

/** A seller's listing and a buyer's RFQ about it (50 units), made through the API. */
async function askedAbout() {
  const [buyer, seller] = await Promise.all([newBuyer(), newSeller("Hanse Fasteners")]);
  const { listingId, variantId } = await product(seller, { stock: 1000, price: 500 });
  const rfq = await createRfq(
    buyer,
    rfqBody({ listingId }, { items: [{ variantId, description: "As listed", quantity: 50 }] }),
  );
  return { buyer, seller, listingId, variantId, rfq };
}

/** A version form's fields for one variant line. */
function versionFields(variantId: string, price: string, extra: Record<string, string> = {}) {
  return {
    currency: "EUR",
    "lines.0.variantId": variantId,
    "lines.0.title": "As listed",
    "lines.0.quantity": "50",
    "lines.0.unitPriceMinor": price,
    "lines.1.title": "",
    "lines.1.quantity": "",
    "lines.1.unitPriceMinor": "",
    validUntil: inDays(10).slice(0, 10),
    leadTimeDays: "14",
    paymentTerms: "net30",
    notes: "",
    ...extra,
  };
}

async function quoteOf(org: { orgId: string; owner: TestUser }, quoteId: string) {
  return json<QuoteWithVersions>(
    await api(`/v1/orgs/${org.orgId}/quotes/${quoteId}`, { token: org.owner.token }),
  );
}

function acceptKey(html: string) {
  const key = /name="idempotencyKey" value="([^"]+)"/.exec(html)?.[1];
  if (!key) throw new Error("no accept form");
  return key;
}

describe("RFQ and quote pages", () => {
  it("a buyer asks for a quote from the listing page; a bad form comes back with its errors, a good one opens the RFQ", async () => {
    const [buyer, seller] = await Promise.all([newBuyer(), newSeller("Hanse Fasteners")]);
    const { listingId, variantId } = await product(seller, { price: 500, title: "Hex bolt M8" });
    const listing = await (
      await browse(`/listings/${listingId}?quantity=200`, buyer.owner, buyer.orgId)
    ).text();
    expect(listing).toContain(`/rfqs/new?listingId=${listingId}&amp;quantity=200`);
    expect(listing).toContain("Request a quote");

    const form = await browse(`/rfqs/new?listingId=${listingId}&quantity=200`, buyer.owner, buyer.orgId);
    expect(form.status).toBe(200);
    const formHtml = await form.text();
    expect(formHtml).toContain("Quote for Hex bolt M8");
    expect(formHtml).toContain(`<option value="${variantId}" selected`);
    expect(formHtml).toContain('value="200"');
    expect(formHtml).toContain("Only your organisation sees this");

    const fields = {
      listingId,
      title: "Hex bolts for the Q3 line",
      "items.0.variantId": variantId,
      "items.0.quantity": "5000",
      "items.0.targetUnitPriceMinor": "4.oo",
      neededBy: "2001-01-01",
      deliveryCountry: "DE",
      notes: "Palletised, please.",
      internalNotes: INTERNAL,
    };
    const bad = await browse("/rfqs/new", buyer.owner, buyer.orgId, fields);
    expect(bad.status).toBe(422);
    const badHtml = await bad.text();
    expect(badHtml).toContain('id="f-items-0-targetUnitPriceMinor" name="items.0.targetUnitPriceMinor"');
    expect(badHtml).toContain("enter a price like 12.50");
    expect(badHtml).toContain('value="Hex bolts for the Q3 line"');

    const past = await browse("/rfqs/new", buyer.owner, buyer.orgId, {
      ...fields,
      "items.0.targetUnitPriceMinor": "4.00",
    });
    expect(past.status).toBe(422);
    const pastHtml = await past.text();
    expect(pastHtml).toMatch(/id="f-neededBy-error">must not be in the past/);

    const good = await browse("/rfqs/new", buyer.owner, buyer.orgId, {
      ...fields,
      "items.0.targetUnitPriceMinor": "4.00",
      neededBy: inDays(30).slice(0, 10),
    });
    expect(good.status).toBe(303);
    const location = good.headers.get("location") ?? "";
    expect(location).toMatch(/^\/rfqs\/[0-9a-f-]{36}\?notice=rfq-created$/);
    const rfqPage = await (await browse(location, buyer.owner, buyer.orgId)).text();
    expect(rfqPage).toContain("Request for quotes sent");
    expect(rfqPage).toContain("Hex bolts for the Q3 line");
    expect(rfqPage).toContain("Hanse Fasteners");
    expect(rfqPage).toContain("€4.00");
    expect(rfqPage).toContain(escaped(INTERNAL));
    expect(rfqPage).toContain("only your organisation sees this");
    expect(rfqPage).toContain("Withdraw request");
  });

  it("an RFQ open to a category takes free-text rows and ignores the blank ones", async () => {
    const [buyer, seller] = await Promise.all([newBuyer(), newSeller("Hanse Fasteners")]);
    const { categoryId } = await categoryWithSeller(seller);
    const form = await (await browse("/rfqs/new", buyer.owner, buyer.orgId)).text();
    expect(form).toContain(`<option value="${categoryId}"`);
    expect(form).toContain('name="items.2.description"');
    const rows = {
      "items.0.description": "Custom bracket, 3 mm steel",
      "items.0.quantity": "400",
      "items.0.targetUnitPriceMinor": "",
      "items.1.description": "",
      "items.1.quantity": "",
      "items.1.targetUnitPriceMinor": "",
      "items.2.description": "Powder coating RAL 7016",
      "items.2.quantity": "400",
      "items.2.targetUnitPriceMinor": "0.80",
    };
    const sent = await browse("/rfqs/new", buyer.owner, buyer.orgId, {
      title: "Brackets",
      categoryId,
      currency: "EUR",
      ...rows,
      neededBy: inDays(40).slice(0, 10),
      deliveryCountry: "DE",
      notes: "",
      internalNotes: "",
    });
    expect(sent.status).toBe(303);
    const id = /^\/rfqs\/([0-9a-f-]{36})/.exec(sent.headers.get("location") ?? "")?.[1];
    const rfq = await json<RfqWithQuotes>(
      await api(`/v1/orgs/${buyer.orgId}/rfqs/${id}`, { token: buyer.owner.token }),
    );
    expect(rfq.items.map((i) => [i.description, i.quantity, i.targetUnitPriceMinor])).toEqual([
      ["Custom bracket, 3 mm steel", 400, null],
      ["Powder coating RAL 7016", 400, 80],
    ]);
    // The seller of the category sees it in its console.
    const list = await (await browse("/seller/rfqs", seller.owner, seller.orgId)).text();
    expect(list).toContain(`href="/seller/rfqs/${id}"`);
  });

  it("each side sees its own pages: other buyers and sellers get 404, sellers never see internal notes", async () => {
    const { buyer, seller, rfq } = await askedAbout();
    const [otherBuyer, otherSeller] = await Promise.all([newBuyer(), newSeller()]);
    const buyerList = await (await browse("/rfqs", buyer.owner, buyer.orgId)).text();
    expect(buyerList).toContain(`href="/rfqs/${rfq.id}"`);
    expect((await browse(`/rfqs/${rfq.id}`, otherBuyer.owner, otherBuyer.orgId)).status).toBe(404);
    expect((await browse(`/seller/rfqs/${rfq.id}`, otherSeller.owner, otherSeller.orgId)).status).toBe(404);
    expect(await (await browse("/rfqs", otherBuyer.owner, otherBuyer.orgId)).text()).not.toContain(rfq.id);

    const sellerPage = await browse(`/seller/rfqs/${rfq.id}`, seller.owner, seller.orgId);
    expect(sellerPage.status).toBe(200);
    const html = await sellerPage.text();
    expect(html).toContain("Hex bolts for the Q3 line");
    expect(html).toContain("Palletised, please.");
    expect(html).not.toContain("Budget ceiling");
    expect(html).toContain(`action="/seller/rfqs/${rfq.id}/quotes"`);
    const sellerList = await (await browse("/seller/rfqs", seller.owner, seller.orgId)).text();
    expect(sellerList).toContain(`href="/seller/rfqs/${rfq.id}"`);
    expect(sellerList).toContain('href="/seller/rfqs" aria-current="page"');
  });

  it("seller quotes from the page, the buyer counters, the seller revises, the buyer accepts: an order at the revised prices", async () => {
    const { buyer, seller, variantId, rfq } = await askedAbout();
    const invalid = await browse(`/seller/rfqs/${rfq.id}/quotes`, seller.owner, seller.orgId, {
      ...versionFields(variantId, "four"),
    });
    expect(invalid.status).toBe(422);
    expect(await invalid.text()).toContain('id="f-lines-0-unitPriceMinor-error"');

    const sent = await browse(`/seller/rfqs/${rfq.id}/quotes`, seller.owner, seller.orgId, {
      ...versionFields(variantId, "4.50", {
        "lines.1.title": "Pallet and wrapping",
        "lines.1.quantity": "1",
        "lines.1.unitPriceMinor": "25",
      }),
    });
    expect(sent.status).toBe(303);
    expect(sent.headers.get("location")).toBe(`/seller/rfqs/${rfq.id}?notice=quote-sent`);
    const buyerRfq = await (await browse(`/rfqs/${rfq.id}`, buyer.owner, buyer.orgId)).text();
    expect(buyerRfq).toContain("€250.00"); // 50 × 4.50 + 25
    const quoteId = /href="\/quotes\/([0-9a-f-]{36})"/.exec(buyerRfq)?.[1] ?? "";
    expect(quoteId).not.toBe("");

    const quotePage = await (await browse(`/quotes/${quoteId}`, buyer.owner, buyer.orgId)).text();
    expect(quotePage).toContain('name="basedOnVersion" value="1"');
    const latest = (await quoteOf(buyer, quoteId)).latest;
    const counter = await browse(`/quotes/${quoteId}/counter`, buyer.owner, buyer.orgId, {
      ...versionFields(variantId, "4.00", {
        "lines.1.title": "Pallet and wrapping",
        "lines.1.quantity": "1",
        "lines.1.unitPriceMinor": "0",
        validUntil: latest.validUntil,
      }),
      basedOnVersion: "1",
    });
    expect(counter.status).toBe(303);
    expect(counter.headers.get("location")).toBe(`/quotes/${quoteId}?notice=quote-countered`);
    expect(await quoteOf(buyer, quoteId)).toMatchObject({ status: "countered", currentVersion: 2 });

    const sellerView = await (await browse(`/seller/rfqs/${rfq.id}`, seller.owner, seller.orgId)).text();
    expect(sellerView).toContain("The buyer countered");
    expect(sellerView).toContain("counter from Northwind Procurement");
    const revised = await browse(`/seller/quotes/${quoteId}/revise`, seller.owner, seller.orgId, {
      ...versionFields(variantId, "4.20"),
      basedOnVersion: "2",
    });
    expect(revised.status).toBe(303);
    expect(revised.headers.get("location")).toBe(`/seller/rfqs/${rfq.id}?notice=quote-revised`);

    const acceptPage = await (await browse(`/quotes/${quoteId}`, buyer.owner, buyer.orgId)).text();
    expect(acceptPage).toContain("Accept version 3");
    const accepted = await browse(`/quotes/${quoteId}/accept`, buyer.owner, buyer.orgId, {
      idempotencyKey: acceptKey(acceptPage),
      version: "3",
      poNumber: "PO-7781",
      ...address,
      notes: "",
    });
    expect(accepted.status).toBe(303);
    const location = accepted.headers.get("location") ?? "";
    expect(location).toMatch(/^\/orders\/groups\/[0-9a-f-]{36}\?notice=quote-accepted$/);
    expect(await stockOf(variantId)).toBe(950);
    const group = await (await browse(location, buyer.owner, buyer.orgId)).text();
    expect(group).toContain("Quote accepted");
    expect(group).toContain("€210.00");
    expect(await quoteOf(buyer, quoteId)).toMatchObject({ status: "accepted" });
  });

  it("accepting or countering a superseded version shows why on the page, keeping the form", async () => {
    const { buyer, seller, variantId, rfq } = await askedAbout();
    const quote = await sendQuote(
      seller,
      rfq.id,
      quoteBody([{ variantId, quantity: 50, unitPriceMinor: 450 }]),
    );
    const stale = await (await browse(`/quotes/${quote.id}`, buyer.owner, buyer.orgId)).text();
    // The seller revises meanwhile.
    const revision = await api(`/v1/orgs/${seller.orgId}/quotes/${quote.id}/revisions`, {
      token: seller.owner.token,
      body: { ...quoteBody([{ variantId, quantity: 50, unitPriceMinor: 440 }]), basedOnVersion: 1 },
    });
    expect(revision.status).toBe(201);

    const accepted = await browse(`/quotes/${quote.id}/accept`, buyer.owner, buyer.orgId, {
      idempotencyKey: acceptKey(stale),
      version: "1",
      ...address,
    });
    expect(accepted.status).toBe(409);
    const html = await accepted.text();
    expect(html).toContain("Version 1 was superseded by version 2");
    expect(html).toContain("Accept version 2");
    expect(html).toContain('value="Dock 4, Hafenstraße 1"');
    expect(await stockOf(variantId)).toBe(1000);

    const counter = await browse(`/quotes/${quote.id}/counter`, buyer.owner, buyer.orgId, {
      ...versionFields(variantId, "4.00", { validUntil: quote.latest.validUntil }),
      basedOnVersion: "1",
    });
    expect(counter.status).toBe(409);
    expect(await counter.text()).toContain("Version 2 is the quote&#39;s latest");
  });

  it("the buyer withdraws an RFQ without quotes and declines a quote; the seller withdraws its own; anonymous visitors sign in first", async () => {
    for (const path of ["/rfqs", "/rfqs/new", "/seller/rfqs"]) {
      const res = await webPage(path);
      expect(res.status).toBe(303);
      expect(res.headers.get("location")).toBe(`/signin?next=${encodeURIComponent(path)}`);
    }
    const first = await askedAbout();
    const withdrawn = await browse(
      `/rfqs/${first.rfq.id}/withdraw`,
      first.buyer.owner,
      first.buyer.orgId,
      {},
    );
    expect(withdrawn.status).toBe(303);
    expect(withdrawn.headers.get("location")).toBe(`/rfqs/${first.rfq.id}?notice=rfq-withdrawn`);
    const again = await browse(`/rfqs/${first.rfq.id}/close`, first.buyer.owner, first.buyer.orgId, {});
    expect(again.status).toBe(409);
    expect(await again.text()).toContain("The request for quotes is withdrawn");

    const { buyer, seller, variantId, rfq } = await askedAbout();
    const quote = await sendQuote(
      seller,
      rfq.id,
      quoteBody([{ variantId, quantity: 50, unitPriceMinor: 450 }]),
    );
    const declined = await browse(`/quotes/${quote.id}/decline`, buyer.owner, buyer.orgId, {});
    expect(declined.status).toBe(303);
    expect(declined.headers.get("location")).toBe(`/rfqs/${rfq.id}?notice=quote-declined`);
    expect(await quoteOf(buyer, quote.id)).toMatchObject({ status: "declined" });
    // Declined: the seller can no longer withdraw it, and the page says why.
    const late = await browse(`/seller/quotes/${quote.id}/withdraw`, seller.owner, seller.orgId, {});
    expect(late.status).toBe(409);
    expect(await late.text()).toContain("The quote is declined");

    const other = await askedAbout();
    const offer = await sendQuote(
      other.seller,
      other.rfq.id,
      quoteBody([{ variantId: other.variantId, quantity: 50, unitPriceMinor: 450 }]),
    );
    const pulled = await browse(
      `/seller/quotes/${offer.id}/withdraw`,
      other.seller.owner,
      other.seller.orgId,
      {},
    );
    expect(pulled.status).toBe(303);
    expect(pulled.headers.get("location")).toBe(`/seller/rfqs/${other.rfq.id}?notice=quote-withdrawn`);
    // Another buyer cannot act on it.
    const stranger = await newBuyer();
    expect((await browse(`/quotes/${offer.id}`, stranger.owner, stranger.orgId)).status).toBe(404);
    expect((await browse(`/quotes/${offer.id}/decline`, stranger.owner, stranger.orgId, {})).status).toBe(
      404,
    );
  });
});
