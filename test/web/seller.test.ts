import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { Invoice } from "../../src/contracts/orders.ts";
import { createListing, newSeller, type Seller } from "../support/catalog.ts";
import { addMember, api, json, signUp, type TestUser } from "../support/identity.ts";
import { newBuyer, placeOrder } from "../support/orders.ts";
import { webPage } from "../support/web.ts";

/** A page request as a browser sends it: the session cookie, and for forms the Origin and form body. */
function web(path: string, user?: TestUser, form?: Record<string, string | string[]>) {
  return webPage(path, { cookies: [user?.cookie], form });
}

interface ListingJson {
  id: string;
  version: number;
  status: string;
  title: string;
  priceTiers: { minQuantity: number; unitPriceMinor: number }[];
  variants: { sku: string; stock: number; weightGrams: number | null; attributes: Record<string, unknown> }[];
  images: { id: string; url: string }[];
}

async function readListing(seller: Seller, id: string): Promise<ListingJson> {
  const res = await api(`/v1/orgs/${seller.orgId}/listings/${id}`, { token: seller.owner.token });
  expect(res.status).toBe(200);
  return json<ListingJson>(res);
}

async function listingCount(seller: Seller): Promise<number> {
  const res = await api(`/v1/orgs/${seller.orgId}/listings`, { token: seller.owner.token });
  return (await json<{ items: unknown[] }>(res)).items.length;
}

/** The new-listing form as a seller fills it: two variants, three tiers, blank rows left blank. */
function listingForm(overrides: Record<string, string> = {}): Record<string, string | string[]> {
  return {
    intent: "save",
    title: "Hex bolt M8 × 40, A4 stainless",
    category: "fasteners",
    description: "A4 stainless hex bolts, DIN 933, for marine and food-processing use.",
    currency: "EUR",
    minOrderQuantity: "100",
    orderIncrement: "100",
    leadTimeDays: "3",
    "attr.material": "stainless-steel",
    "attr.thread": "M8",
    axis: ["length_mm", ""],
    "variants.0.sku": "HB-M8-40-A4",
    "variants.0.attr.length_mm": "40",
    "variants.0.stock": "50000",
    "variants.0.weightGrams": "21",
    "variants.1.sku": "HB-M8-50-A4",
    "variants.1.attr.length_mm": "50",
    "variants.1.stock": "20000",
    "variants.1.weightGrams": "",
    "variants.2.sku": "",
    "variants.2.attr.length_mm": "",
    "variants.2.stock": "",
    "variants.2.weightGrams": "",
    "priceTiers.0.minQuantity": "100",
    "priceTiers.0.unitPrice": "0.42",
    "priceTiers.1.minQuantity": "1000",
    "priceTiers.1.unitPrice": "0,39",
    "priceTiers.2.minQuantity": "10000",
    "priceTiers.2.unitPrice": "0.35",
    "priceTiers.3.minQuantity": "",
    "priceTiers.3.unitPrice": "",
    ...overrides,
  };
}

const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 73, 72, 68, 82]);

/** A verified image of the organisation (the browser's PUT stood in for by the R2 binding). */
async function readyImage(seller: Seller): Promise<string> {
  const start = await api(`/v1/orgs/${seller.orgId}/uploads`, {
    token: seller.owner.token,
    body: { purpose: "image", contentType: "image/png", contentLength: PNG.length, filename: "bolt.png" },
  });
  const { uploadId } = await json<{ uploadId: string }>(start);
  await env.FILES.put(`orgs/${seller.orgId}/images/${uploadId}`, PNG, {
    httpMetadata: { contentType: "image/png" },
  });
  const done = await api(`/v1/orgs/${seller.orgId}/uploads/${uploadId}/complete`, {
    method: "POST",
    token: seller.owner.token,
  });
  expect(done.status).toBe(200);
  return uploadId;
}

let seller: Seller;
beforeAll(async () => {
  seller = await newSeller("Baltic Fasteners");
});

describe("seller listings", () => {
  it("creates a listing with two variants and three tiers from the form", async () => {
    const res = await web("/seller/listings/new", seller.owner, listingForm());
    expect(res.status).toBe(303);
    const location = res.headers.get("location") ?? "";
    const id = /^\/seller\/listings\/([0-9a-f-]{36})\?notice=listing-created$/.exec(location)?.[1];
    expect(id).toBeDefined();
    const listing = await readListing(seller, id ?? "");
    expect(listing.status).toBe("draft");
    expect(listing.priceTiers).toEqual([
      { minQuantity: 100, unitPriceMinor: 42 },
      { minQuantity: 1000, unitPriceMinor: 39 },
      { minQuantity: 10000, unitPriceMinor: 35 },
    ]);
    expect(listing.variants.map((v) => [v.sku, v.stock, v.weightGrams, v.attributes])).toEqual([
      ["HB-M8-40-A4", 50000, 21, { length_mm: 40 }],
      ["HB-M8-50-A4", 20000, null, { length_mm: 50 }],
    ]);

    const edit = await web(location, seller.owner);
    expect(edit.status).toBe(200);
    const html = await edit.text();
    expect(html).toContain("Listing created as a draft.");
    expect(html).toContain('value="HB-M8-50-A4"');
    expect(html).toContain('value="0.39"');

    const table = await (await web("/seller/listings", seller.owner)).text();
    expect(table).toContain("Hex bolt M8 × 40, A4 stainless");
    expect(table).toMatch(/70[,.\s\u202f]?000/);
  });

  it("shows a bad tier price next to its field and creates nothing", async () => {
    const other = await newSeller("Empty Shelf Ltd");
    const res = await web(
      "/seller/listings/new",
      other.owner,
      listingForm({ "priceTiers.1.unitPrice": "abc", "priceTiers.2.unitPrice": "0.50" }),
    );
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toMatch(/id="f-priceTiers-1-unitPrice"[^>]*aria-invalid="true"/);
    expect(html).toMatch(/id="f-priceTiers-1-unitPrice-error"[^>]*>Enter a price in EUR such as 12\.50/);
    // What was typed stays in the form.
    expect(html).toContain('value="abc"');
    expect(html).toContain('value="HB-M8-50-A4"');
    expect(await listingCount(other)).toBe(0);

    // The API's own rule (a larger quantity must not cost more), mapped to the row that broke it.
    const rising = await web(
      "/seller/listings/new",
      other.owner,
      listingForm({ "priceTiers.2.unitPrice": "0.50" }),
    );
    expect(rising.status).toBe(422);
    expect(await rising.text()).toMatch(
      /id="f-priceTiers-2-unitPrice-error"[^>]*>A larger quantity must not cost more per unit/,
    );
    expect(await listingCount(other)).toBe(0);
  });

  it("re-renders the category's fields on Update fields without saving", async () => {
    const res = await web(
      "/seller/listings/new",
      seller.owner,
      listingForm({ intent: "refresh", category: "safety-equipment" }),
    );
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('name="attr.size"');
    expect(html).not.toContain('name="attr.thread"');
    expect(html).toContain('value="Hex bolt M8 × 40, A4 stainless"');
  });

  it("shows a stale edit as a conflict and overwrites nothing", async () => {
    const listing = await createListing(seller, { title: "Washer M8 DIN 125" });
    const edit = (title: string) =>
      web(
        `/seller/listings/${listing.id}`,
        seller.owner,
        listingForm({ version: String(listing.version), title }),
      );
    const first = await edit("Washer M8 DIN 125, zinc plated");
    expect(first.status).toBe(303);
    expect(first.headers.get("location")).toBe(`/seller/listings/${listing.id}?notice=listing-saved`);

    const stale = await edit("Washer M8 (my stale edit)");
    expect(stale.status).toBe(409);
    const html = await stale.text();
    expect(html).toContain("Someone changed this listing since you opened it");
    expect(html).toContain('value="Washer M8 (my stale edit)"');
    expect(html).toContain("Saved now (version 2)");
    expect(html).toContain('name="version" value="2"');
    expect((await readListing(seller, listing.id)).title).toBe("Washer M8 DIN 125, zinc plated");
  });

  it("submits a draft for review", async () => {
    const listing = await createListing(seller);
    const res = await web(`/seller/listings/${listing.id}/submit`, seller.owner, {
      version: String(listing.version),
    });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`/seller/listings/${listing.id}?notice=listing-submitted`);
    expect((await readListing(seller, listing.id)).status).toBe("pending_review");
    const html = await (await web(`/seller/listings/${listing.id}`, seller.owner)).text();
    expect(html).toContain("Under review");
    expect(html).not.toContain(`/seller/listings/${listing.id}/submit`);
  });

  it("lists the images with the upload panel, and reorders them with the plain form", async () => {
    const [a, b] = [await readyImage(seller), await readyImage(seller)];
    const listing = await createListing(seller, { images: [a, b] });
    const html = await (await web(`/seller/listings/${listing.id}`, seller.owner)).text();
    expect(html.indexOf(`/v1/files/${a}`)).toBeGreaterThan(-1);
    expect(html.indexOf(`/v1/files/${a}`)).toBeLessThan(html.indexOf(`/v1/files/${b}`));
    expect(html).toContain(`data-org="${seller.orgId}"`);
    expect(html).toContain("Uploading images needs JavaScript");
    expect(html).toMatch(/<script src="\/assets\/upload\.[\w]+\.js"/);

    const moved = await web(`/seller/listings/${listing.id}/images`, seller.owner, {
      version: String(listing.version),
      order: [a, b],
      move: `${b}:-1`,
    });
    expect(moved.status).toBe(303);
    expect((await readListing(seller, listing.id)).images.map((i) => i.id)).toEqual([b, a]);

    const removed = await web(`/seller/listings/${listing.id}/images`, seller.owner, {
      version: String(listing.version + 1),
      order: [b, a],
      remove: b,
    });
    expect(removed.status).toBe(303);
    expect((await readListing(seller, listing.id)).images.map((i) => i.id)).toEqual([a]);
  });
});

describe("seller orders and invoices", () => {
  it("accepts, ships and delivers an incoming order, then marks its invoice paid", async () => {
    const buyer = await newBuyer("Harbour Works GmbH");
    const { order } = await placeOrder(buyer, seller);
    const list = await (await web("/seller/orders", seller.owner)).text();
    expect(list).toContain(`/seller/orders/${order.id}`);
    expect(list).toContain("Harbour Works GmbH");

    const accept = await web(`/seller/orders/${order.id}/accept`, seller.owner, {});
    expect(accept.status).toBe(303);
    expect(accept.headers.get("location")).toBe(`/seller/orders/${order.id}?notice=order-updated`);

    const noTracking = await web(`/seller/orders/${order.id}/ship`, seller.owner, { carrier: "DHL Freight" });
    expect(noTracking.status).toBe(422);
    const shipForm = await noTracking.text();
    expect(shipForm).toMatch(/id="f-trackingNumber-error"[^>]*>Required/);
    expect(shipForm).toContain('value="DHL Freight"');

    const ship = await web(`/seller/orders/${order.id}/ship`, seller.owner, {
      carrier: "DHL Freight",
      trackingNumber: "JD014600003SE",
    });
    expect(ship.status).toBe(303);
    const shipped = await (await web(`/seller/orders/${order.id}`, seller.owner)).text();
    expect(shipped).toContain("JD014600003SE");
    // The seller sees what it needs to ship and invoice: the buyer's PO and the ship-to address.
    expect(shipped).toContain("PO-1001");
    expect(shipped).toContain("Dock 4, Hafenstraße 1");
    expect(shipped).toContain("20457 Hamburg");
    expect(shipped).toContain("Mark delivered");

    expect((await web(`/seller/orders/${order.id}/deliver`, seller.owner, {})).status).toBe(303);
    const read = await api(`/v1/orgs/${seller.orgId}/orders/${order.id}`, { token: seller.owner.token });
    expect((await json<{ status: string }>(read)).status).toBe("delivered");

    const invoices = await api(`/v1/orgs/${seller.orgId}/invoices?side=seller`, {
      token: seller.owner.token,
    });
    const invoice = (await json<{ items: Invoice[] }>(invoices)).items.find((i) => i.orderId === order.id);
    expect(invoice?.status).toBe("open");
    const page = await (await web("/seller/invoices", seller.owner)).text();
    expect(page).toContain(`/seller/invoices/${invoice?.id}/mark-paid`);

    const paid = await web(`/seller/invoices/${invoice?.id}/mark-paid`, seller.owner, {});
    expect(paid.status).toBe(303);
    expect(paid.headers.get("location")).toBe("/seller/invoices?notice=invoice-paid");
    const after = await api(`/v1/orgs/${seller.orgId}/invoices?side=seller`, { token: seller.owner.token });
    expect((await json<{ items: Invoice[] }>(after)).items.find((i) => i.orderId === order.id)?.status).toBe(
      "paid",
    );
  });

  it("refuses an order action the order's state does not allow, in words", async () => {
    const buyer = await newBuyer();
    const { order } = await placeOrder(buyer, seller);
    const res = await web(`/seller/orders/${order.id}/deliver`, seller.owner, {});
    expect(res.status).toBe(409);
    expect(await res.text()).toContain("The order is placed: the seller cannot deliver it now.");
  });
});

describe("seller pages: access", () => {
  it("answers 404 for another seller's listing and order, 403 for a buyer-role member, sign-in for anonymous", async () => {
    const rival = await newSeller("Rival Supplies");
    const listing = await createListing(seller);
    const buyer = await newBuyer();
    const { order } = await placeOrder(buyer, seller);

    expect((await web(`/seller/listings/${listing.id}`, rival.owner)).status).toBe(404);
    expect((await web(`/seller/orders/${order.id}`, rival.owner)).status).toBe(404);
    const edit = await web(`/seller/listings/${listing.id}`, rival.owner, listingForm({ version: "1" }));
    expect(edit.status).toBe(404);
    expect((await readListing(seller, listing.id)).title).not.toBe("Hex bolt M8 × 40, A4 stainless (rival)");
    expect((await web(`/seller/orders/${order.id}/accept`, rival.owner, {})).status).toBe(404);

    const buyerMember = await addMember(seller.owner, seller.orgId, "buyer");
    const forbidden = await web("/seller/listings", buyerMember);
    expect(forbidden.status).toBe(403);
    expect(await forbidden.text()).toContain("You do not have access");
    expect((await web(`/seller/listings/${listing.id}/submit`, buyerMember, { version: "1" })).status).toBe(
      403,
    );

    const anonymous = await web("/seller/listings");
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get("location")).toBe(`/signin?next=${encodeURIComponent("/seller/listings")}`);
    expect((await web(`/seller/orders/${order.id}/accept`, undefined, {})).status).toBe(303);
  });

  it("explains how to start selling to someone without a seller organisation", async () => {
    const user = await signUp();
    const res = await web("/seller/orders", user);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("You are not a member of a seller organisation");
    expect(html).toContain('href="/org/new"');
  });
});
