import { beforeAll, describe, expect, it } from "vitest";
import { problem, roundTrips } from "../support/app.ts";
import {
  createListing,
  type ListingBody,
  newAdmin,
  newSeller,
  publishListing,
  type Seller,
  validListing,
} from "../support/catalog.ts";
import { addMember, api, createOrg, json, signUp, type TestUser } from "../support/identity.ts";

let seller: Seller;
let admin: TestUser;
beforeAll(async () => {
  seller = await newSeller();
  admin = await newAdmin();
});

const path = (s: Seller, id = "") => `/v1/orgs/${s.orgId}/listings${id ? `/${id}` : ""}`;

describe("creating listings", () => {
  it("creates a draft with variants and tiers in one round trip, with an ETag", async () => {
    const res = await api(path(seller), { token: seller.owner.token, body: validListing() });
    expect(res.status).toBe(201);
    expect(roundTrips(res)).toBe(1);
    const listing = await json<ListingBody & { variants: unknown[]; minUnitPriceMinor: number }>(res);
    expect(listing).toMatchObject({ status: "draft", version: 1, minUnitPriceMinor: 35 });
    expect(listing.variants).toHaveLength(1);
    expect(res.headers.get("etag")).toBe('"1"');
    expect(res.headers.get("location")).toBe(`${path(seller, listing.id)}`);
  });

  it.each([
    [
      "tiers out of order",
      {
        priceTiers: [
          { minQuantity: 100, unitPriceMinor: 42 },
          { minQuantity: 50, unitPriceMinor: 40 },
        ],
      },
      "body.priceTiers.1.minQuantity",
    ],
    [
      "a price rising with quantity",
      {
        priceTiers: [
          { minQuantity: 100, unitPriceMinor: 42 },
          { minQuantity: 500, unitPriceMinor: 45 },
        ],
      },
      "body.priceTiers.1.unitPriceMinor",
    ],
    ["a first tier that is not the MOQ", { minOrderQuantity: 50 }, "body.priceTiers.0.minQuantity"],
    ["a zero MOQ", { minOrderQuantity: 0 }, "body.minOrderQuantity"],
    ["a zero increment", { orderIncrement: 0 }, "body.orderIncrement"],
    [
      "a fractional price",
      { priceTiers: [{ minQuantity: 100, unitPriceMinor: 4.2 }] },
      "body.priceTiers.0.unitPriceMinor",
    ],
    [
      "a negative price",
      { priceTiers: [{ minQuantity: 100, unitPriceMinor: -1 }] },
      "body.priceTiers.0.unitPriceMinor",
    ],
    ["no tiers", { priceTiers: [] }, "body.priceTiers"],
    ["a lower-case currency", { currency: "eur" }, "body.currency"],
    ["no variants", { variants: [] }, "body.variants"],
    [
      "duplicate SKUs",
      {
        variants: [
          { sku: "A", stock: 1 },
          { sku: "a", stock: 1 },
        ],
      },
      "body.variants.1.sku",
    ],
    ["negative stock", { variants: [{ sku: "A", stock: -1 }] }, "body.variants.0.stock"],
    ["a huge title", { title: "t".repeat(201) }, "body.title"],
    ["an extra field", { status: "published" }, "body"],
  ])("refuses %s with 400", async (_, overrides, field) => {
    const res = await api(path(seller), { token: seller.owner.token, body: validListing(overrides) });
    expect(res.status).toBe(400);
    expect((await problem(res)).errors?.map((e) => e.field)).toContain(field);
  });

  it.each([
    ["a NUL in the title", { title: "Hex bolt\u0000M8" }, "body.title"],
    ["a NUL in the description", { description: "A4 steel\u0000" }, "body.description"],
    ["a NUL in an attribute value", { attributes: { thread: "M8\u0000" } }, "body.attributes.thread"],
    [
      "a NUL in a variant attribute value",
      { variants: [{ sku: "NUL-1", stock: 1, attributes: { thread: "\u0000" } }] },
      "body.variants.0.attributes.thread",
    ],
    ["a lone surrogate in the title", { title: "Hex bolt \ud800" }, "body.title"],
    ["a lone surrogate in the description", { description: "\udfff steel" }, "body.description"],
    ["a control character in the title", { title: "Hex\u001bbolt" }, "body.title"],
    ["a line break in the title", { title: "Hex\nbolt" }, "body.title"],
    ["a control character in the description", { description: "bell\u0007" }, "body.description"],
    [
      "a C1 control character in an attribute value",
      { attributes: { thread: "M8\u0085" } },
      "body.attributes.thread",
    ],
    [
      "a unit price above 10^10 minor units",
      { priceTiers: [{ minQuantity: 100, unitPriceMinor: 10_000_000_001 }] },
      "body.priceTiers.0.unitPriceMinor",
    ],
    [
      "a tier whose minimum quantity times its price passes 2^53 - 1",
      {
        minOrderQuantity: 1_000_000,
        priceTiers: [{ minQuantity: 1_000_000, unitPriceMinor: 10_000_000_000 }],
      },
      "body.priceTiers.0",
    ],
  ])("refuses %s with 400 problem, writing nothing", async (_, overrides, field) => {
    const title = `Refused ${crypto.randomUUID()}`;
    const res = await api(path(seller), {
      token: seller.owner.token,
      body: validListing({ title, ...overrides }),
    });
    expect(res.status).toBe(400);
    const body = await problem(res);
    expect(body.type).toBe("urn:problem:validation_failed");
    expect(body.errors?.map((e) => e.field)).toContain(field);
    const own = await json<{ items: { title: string }[] }>(
      await api(`${path(seller)}?limit=100`, { token: seller.owner.token }),
    );
    expect(own.items.map((item) => item.title)).not.toContain(title);
  });

  it("keeps tabs and line breaks in descriptions, and refuses a NUL in an edit", async () => {
    const listing = await createListing(seller, { description: "Line one\n\tLine two\r\nEnd" });
    expect(listing).toMatchObject({ description: "Line one\n\tLine two\r\nEnd" });
    const edit = await api(path(seller, listing.id), {
      method: "PATCH",
      token: seller.owner.token,
      headers: { "if-match": `"${listing.version}"` },
      body: { title: "Renamed\u0000" },
    });
    expect(edit.status).toBe(400);
    expect((await problem(edit)).errors?.map((e) => e.field)).toContain("body.title");
    const reject = await api(`/v1/admin/listings/${listing.id}/reject`, {
      token: admin.token,
      body: { reason: "Bad\u0000reason" },
    });
    expect(reject.status).toBe(400);
  });

  it("checks attributes against the category's typed definitions, in the same round trip", async () => {
    const res = await api(path(seller), {
      token: seller.owner.token,
      body: validListing({ attributes: { material: "titanium", length_mm: "forty", colour: "red" } }),
    });
    expect(res.status).toBe(400);
    expect(roundTrips(res)).toBe(1);
    expect((await problem(res)).errors?.map((e) => e.field).sort()).toEqual([
      "attributes.colour",
      "attributes.length_mm",
      "attributes.material",
    ]);
    const unknownCategory = await api(path(seller), {
      token: seller.owner.token,
      body: validListing({ category: "spaceships" }),
    });
    expect(unknownCategory.status).toBe(400);
    expect((await problem(unknownCategory)).errors).toEqual([
      { field: "body.category", message: "no such category" },
    ]);
  });

  it("keeps unicode titles and descriptions intact", async () => {
    const listing = await createListing(seller, {
      title: "Schraube M8 – Edelstahl ✓",
      description: "Größe: 8 mm; 螺丝",
    });
    expect(listing).toMatchObject({ title: "Schraube M8 – Edelstahl ✓", description: "Größe: 8 mm; 螺丝" });
  });

  it("refuses buyer organisations and buyers of seller organisations", async () => {
    const buyerOwner = await signUp();
    const buyerOrg = await createOrg(buyerOwner, "buyer", "Only Buys Ltd");
    const res = await api(`/v1/orgs/${buyerOrg.id}/listings`, {
      token: buyerOwner.token,
      body: validListing(),
    });
    expect(res.status).toBe(403);
    const buyer = await addMember(seller.owner, seller.orgId, "buyer");
    expect((await api(path(seller), { token: buyer.token, body: validListing() })).status).toBe(403);
    expect((await api(path(seller), { token: buyer.token })).status).toBe(403);
    const sellerMember = await addMember(seller.owner, seller.orgId, "seller");
    expect((await api(path(seller), { token: sellerMember.token, body: validListing() })).status).toBe(201);
  });
});

describe("lifecycle and moderation", () => {
  it("goes draft → pending review → published, and only published listings are public", async () => {
    const listing = await createListing(seller);
    expect((await api(`/v1/listings/${listing.id}`)).status).toBe(404);
    const submit = await api(`${path(seller, listing.id)}/submit`, {
      method: "POST",
      token: seller.owner.token,
    });
    expect(await json(submit)).toMatchObject({ status: "pending_review", version: 2 });
    const queue = await json<{ items: { id: string }[] }>(
      await api("/v1/admin/listings?status=pending_review", { token: admin.token }),
    );
    expect(queue.items.map((i) => i.id)).toContain(listing.id);
    const approve = await api(`/v1/admin/listings/${listing.id}/approve`, {
      method: "POST",
      token: admin.token,
    });
    expect(approve.status).toBe(200);
    expect(roundTrips(approve)).toBe(1);
    expect(await json(approve)).toMatchObject({ status: "published", version: 3 });
    expect((await api(`/v1/listings/${listing.id}`)).status).toBe(200);
  });

  it("rejects with a reason; the seller can fix and resubmit", async () => {
    const listing = await createListing(seller);
    await api(`${path(seller, listing.id)}/submit`, { method: "POST", token: seller.owner.token });
    const reject = await api(`/v1/admin/listings/${listing.id}/reject`, {
      token: admin.token,
      body: { reason: "Photos missing" },
    });
    expect(await json(reject)).toMatchObject({ status: "rejected", rejectionReason: "Photos missing" });
    const again = await api(`${path(seller, listing.id)}/submit`, {
      method: "POST",
      token: seller.owner.token,
    });
    expect(await json(again)).toMatchObject({ status: "pending_review", rejectionReason: null });
  });

  it("answers an illegal transition with 409 naming the state and the allowed actions", async () => {
    const listing = await createListing(seller);
    const approve = await api(`/v1/admin/listings/${listing.id}/approve`, {
      method: "POST",
      token: admin.token,
    });
    expect(approve.status).toBe(409);
    const body = await problem(approve);
    expect(body).toMatchObject({ currentStatus: "draft", allowedActions: [] });
    await api(`${path(seller, listing.id)}/archive`, { method: "POST", token: seller.owner.token });
    const submit = await api(`${path(seller, listing.id)}/submit`, {
      method: "POST",
      token: seller.owner.token,
    });
    expect(submit.status).toBe(409);
    expect(await problem(submit)).toMatchObject({ currentStatus: "archived", allowedActions: [] });
  });

  it("keeps moderation to platform admins", async () => {
    const listing = await createListing(seller);
    await api(`${path(seller, listing.id)}/submit`, { method: "POST", token: seller.owner.token });
    expect(
      (await api(`/v1/admin/listings/${listing.id}/approve`, { method: "POST", token: seller.owner.token }))
        .status,
    ).toBe(403);
    expect((await api("/v1/admin/listings", { token: seller.owner.token })).status).toBe(403);
    expect((await api(`/v1/admin/listings/${listing.id}/approve`, { method: "POST" })).status).toBe(401);
    const bad = await api(`/v1/admin/listings/${listing.id}/reject`, {
      token: admin.token,
      body: { reason: "" },
    });
    expect(bad.status).toBe(400);
  });

  it("keeps a published listing live while the seller edits it", async () => {
    const listing = await publishListing(seller, admin);
    const edit = await api(path(seller, listing.id), {
      method: "PATCH",
      token: seller.owner.token,
      headers: { "if-match": `"${listing.version}"` },
      body: { title: "Stainless hex bolt M8 x 40 (A4-80)" },
    });
    expect(edit.status).toBe(200);
    expect(await json(edit)).toMatchObject({ status: "published", version: listing.version + 1 });
    const pub = await json<{ title: string }>(await api(`/v1/listings/${listing.id}`));
    expect(pub.title).toBe("Stainless hex bolt M8 x 40 (A4-80)");
  });
});

describe("optimistic concurrency", () => {
  it("edits at the version read, refuses a stale version with 412 and the current ETag", async () => {
    const listing = await createListing(seller);
    const edit = (version: string, body: Record<string, unknown>) =>
      api(path(seller, listing.id), {
        method: "PATCH",
        token: seller.owner.token,
        headers: { "if-match": version },
        body,
      });
    const first = await edit('"1"', { leadTimeDays: 5 });
    expect(first.status).toBe(200);
    expect(roundTrips(first)).toBe(1);
    expect(first.headers.get("etag")).toBe('"2"');
    const stale = await edit('"1"', { leadTimeDays: 9 });
    expect(stale.status).toBe(412);
    expect(stale.headers.get("etag")).toBe('"2"');
    expect(await problem(stale)).toMatchObject({ currentVersion: 2 });
    const current = await json<{ leadTimeDays: number }>(
      await api(path(seller, listing.id), { token: seller.owner.token }),
    );
    expect(current.leadTimeDays).toBe(5);
  });

  it("requires If-Match (428) and refuses a malformed one (412)", async () => {
    const listing = await createListing(seller);
    const none = await api(path(seller, listing.id), {
      method: "PATCH",
      token: seller.owner.token,
      body: { leadTimeDays: 1 },
    });
    expect(none.status).toBe(428);
    const junk = await api(path(seller, listing.id), {
      method: "PATCH",
      token: seller.owner.token,
      headers: { "if-match": "*" },
      body: { leadTimeDays: 1 },
    });
    expect(junk.status).toBe(412);
  });

  it("lets exactly one of several concurrent edits of the same version win", async () => {
    const listing = await createListing(seller);
    const results = await Promise.all(
      [7, 8, 9, 10, 11].map((days) =>
        api(path(seller, listing.id), {
          method: "PATCH",
          token: seller.owner.token,
          headers: { "if-match": '"1"' },
          body: { leadTimeDays: days },
        }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 412, 412, 412, 412]);
  });

  it("checks tiers against the stored MOQ when only one of them changes", async () => {
    const listing = await createListing(seller);
    const res = await api(path(seller, listing.id), {
      method: "PATCH",
      token: seller.owner.token,
      headers: { "if-match": '"1"' },
      body: { minOrderQuantity: 50 },
    });
    expect(res.status).toBe(400);
    expect((await problem(res)).errors?.[0]?.field).toBe("body.priceTiers");
  });

  it("keeps variant ids stable by SKU and removes the ones left out", async () => {
    const listing = await createListing(seller, {
      variants: [
        { sku: "A", stock: 1 },
        { sku: "B", stock: 2 },
      ],
    });
    const before = (listing as unknown as { variants: { id: string; sku: string }[] }).variants;
    const res = await api(path(seller, listing.id), {
      method: "PATCH",
      token: seller.owner.token,
      headers: { "if-match": '"1"' },
      body: {
        variants: [
          { sku: "B", stock: 20 },
          { sku: "C", stock: 3 },
        ],
      },
    });
    const after = (await json<{ variants: { id: string; sku: string; stock: number }[] }>(res)).variants;
    expect(after.map((v) => v.sku)).toEqual(["B", "C"]);
    expect(after[0]?.id).toBe(before.find((v) => v.sku === "B")?.id);
    expect(after[0]?.stock).toBe(20);
  });
});

describe("tenancy", () => {
  it("hides another seller's drafts and refuses edits (404)", async () => {
    const other = await newSeller("Other Metals");
    const draft = await createListing(seller);
    expect((await api(path(seller, draft.id), { token: other.owner.token })).status).toBe(404);
    expect((await api(path(other, draft.id), { token: other.owner.token })).status).toBe(404);
    const edit = await api(path(other, draft.id), {
      method: "PATCH",
      token: other.owner.token,
      headers: { "if-match": '"1"' },
      body: { title: "Hijacked listing" },
    });
    expect(edit.status).toBe(404);
    expect(
      (await api(`${path(other, draft.id)}/submit`, { method: "POST", token: other.owner.token })).status,
    ).toBe(404);
    expect((await api(path(seller), { token: other.owner.token })).status).toBe(404);
  });

  it("lists only the organisation's own listings, filtered and paged", async () => {
    const own = await newSeller("Paging Co");
    for (let i = 0; i < 5; i++) await createListing(own, { title: `Paged listing ${i}` });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await api(`${path(own)}?limit=2${cursor ? `&cursor=${cursor}` : ""}`, {
        token: own.owner.token,
      });
      const page = await json<{ items: { id: string; orgId: string }[]; nextCursor: string | null }>(res);
      for (const item of page.items) expect(item.orgId).toBe(own.orgId);
      seen.push(...page.items.map((i) => i.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
    expect((await api(`${path(own)}?cursor=garbage`, { token: own.owner.token })).status).toBe(400);
  });

  it("lets an API key with listings scopes manage listings of its own organisation only", async () => {
    const keyRes = await api(`/v1/orgs/${seller.orgId}/api-keys`, {
      token: seller.owner.token,
      body: { name: "PIM", scopes: ["listings:read", "listings:write"] },
    });
    const { key } = await json<{ key: string }>(keyRes);
    expect((await api(path(seller), { token: key, body: validListing() })).status).toBe(201);
    const other = await newSeller("Key Target");
    expect((await api(path(other), { token: key, body: validListing() })).status).toBe(404);
    const readOnly = await json<{ key: string }>(
      await api(`/v1/orgs/${seller.orgId}/api-keys`, {
        token: seller.owner.token,
        body: { name: "RO", scopes: ["listings:read"] },
      }),
    );
    expect((await api(path(seller), { token: readOnly.key, body: validListing() })).status).toBe(403);
    expect((await api(path(seller), { token: readOnly.key })).status).toBe(200);
  });

  it("needs authentication for seller routes", async () => {
    expect((await api(path(seller))).status).toBe(401);
    expect((await api(path(seller), { body: validListing() })).status).toBe(401);
  });
});
