import { beforeAll, describe, expect, it } from "vitest";
import { PRICE_BANDS, type SearchResult } from "../../src/services/catalog/search.ts";
import { newAdmin, newSeller, publishListing, type Seller, validListing } from "../support/catalog.ts";
import { one, sql } from "../support/db.ts";
import { api, json, type TestUser } from "../support/identity.ts";

/**
 * Browse pages (no text, at most a category) read totals and facets from listing_facet_counts and
 * listing_attribute_counts, kept by statement triggers on listings (migration 0009). These tests change
 * listings every way the API can (and raw SQL the API never uses) and check the kept counts against a
 * recount and against the counting search of the same listings.
 */

/** A search response: the service's own type, not a copy of it. */
type Result = SearchResult;

let admin: TestUser;
beforeAll(async () => {
  admin = await newAdmin();
});

/** A fresh sub-category of its own, so listings of other test files never count in it. */
async function newCategory(): Promise<{ slug: string; id: string }> {
  const slug = `seals-${Math.random().toString(36).slice(2, 8)}`;
  const res = await api("/v1/admin/categories", {
    token: admin.token,
    body: {
      slug,
      name: "Seals",
      parent: "industrial-supplies",
      attributes: [
        { key: "material", label: "Material", type: "enum", options: ["epdm", "nbr", "viton"], facet: true },
        { key: "bore_mm", label: "Bore", type: "number", facet: true },
      ],
    },
  });
  if (res.status !== 201) throw new Error(`category: ${res.status} ${await res.text()}`);
  const { id } = await one<{ id: string }>("select id from categories where slug = $1", [slug]);
  return { slug, id };
}

const listing = (category: string, price: number, material: string, bore: number) => ({
  category,
  priceTiers: [{ minQuantity: 100, unitPriceMinor: price }],
  attributes: { material, bore_mm: bore },
});

let page = 0;
/** A search, never answered from the edge cache (each call asks for another page size). */
async function search(query: string): Promise<Result> {
  page = (page % 100) + 1;
  const res = await api(`/v1/listings?${query}&limit=${page}`);
  if (res.status !== 200) throw new Error(`search ${query}: ${res.status} ${await res.text()}`);
  return json<Result>(res);
}

/** The browse answer (kept counts) equals the counting answer (the seller filter makes the search count). */
async function expectCountsMatch(seller: Seller, category: string, total: number) {
  const kept = await search(`category=${category}`);
  const counted = await search(`category=${category}&seller=${seller.orgId}`);
  expect(kept.total).toBe(total);
  expect(kept.exact).toBe(true);
  expect(kept.facets).toEqual(counted.facets);
  expect(counted.total).toBe(total);
}

/** Rows of the kept counts that differ from a recount of the listings, in one snapshot. */
async function drift(categoryId?: string) {
  const scope = categoryId ? "and category_id = $1" : "";
  const params = categoryId ? [categoryId] : [];
  const bands = await sql().query(
    `with recount as (select category_id, listing_price_band(min_unit_price_minor) as band, count(*) as n
                      from listings where status = 'published' ${scope} group by 1, 2),
          kept as (select category_id, price_band as band, listings as n from listing_facet_counts
                   where listings <> 0 ${scope})
     (select 'recount' as side, * from recount except select 'recount', * from kept)
     union all (select 'kept', * from kept except select 'kept', * from recount)`,
    params,
  );
  const attributes = await sql().query(
    `with recount as (select l.category_id, e.key, e.value, count(*) as n
                      from listings l, jsonb_each_text(l.attributes) e
                      where l.status = 'published' ${scope.replace("category_id", "l.category_id")} group by 1, 2, 3),
          kept as (select category_id, key, value, listings as n from listing_attribute_counts
                   where listings <> 0 ${scope})
     (select 'recount' as side, * from recount except select 'recount', * from kept)
     union all (select 'kept', * from kept except select 'kept', * from recount)`,
    params,
  );
  return [...bands, ...attributes];
}

describe("kept browse counts", () => {
  it("stay exact through publish, draft, edit, archive and delete", async () => {
    const seller = await newSeller("Seal Supply");
    const { slug, id } = await newCategory();
    const published = [
      await publishListing(seller, admin, listing(slug, 500, "epdm", 10)),
      await publishListing(seller, admin, listing(slug, 1500, "epdm", 20)),
      await publishListing(seller, admin, listing(slug, 25_000, "nbr", 20)),
    ];
    // A draft and a listing waiting for review are not in the catalogue.
    const draft = await api(`/v1/orgs/${seller.orgId}/listings`, {
      token: seller.owner.token,
      body: validListing(listing(slug, 700, "viton", 30)),
    });
    expect(draft.status).toBe(201);
    await expectCountsMatch(seller, slug, 3);
    const first = await search(`category=${slug}`);
    expect(first.facets.priceBands.map((b) => b.count)).toEqual([1, 1, 0, 1, 0]);
    expect(first.facets.attributes.material).toEqual([
      { value: "epdm", count: 2 },
      { value: "nbr", count: 1 },
    ]);

    // Editing price and attributes of a live listing moves it between bands and values.
    const [cheap, middle, dear] = published as [
      (typeof published)[0],
      (typeof published)[0],
      (typeof published)[0],
    ];
    const edit = await api(`/v1/orgs/${seller.orgId}/listings/${cheap.id}`, {
      method: "PATCH",
      token: seller.owner.token,
      headers: { "if-match": `"${cheap.version}"` },
      body: {
        priceTiers: [{ minQuantity: 100, unitPriceMinor: 150_000 }],
        attributes: { material: "viton", bore_mm: 10 },
      },
    });
    expect(edit.status).toBe(200);
    // A title edit changes no count.
    const retitle = await api(`/v1/orgs/${seller.orgId}/listings/${middle.id}`, {
      method: "PATCH",
      token: seller.owner.token,
      headers: { "if-match": `"${middle.version}"` },
      body: { title: "Seal kit, renamed" },
    });
    expect(retitle.status).toBe(200);
    await expectCountsMatch(seller, slug, 3);
    expect((await search(`category=${slug}`)).facets.priceBands.map((b) => b.count)).toEqual([0, 1, 0, 1, 1]);

    // Archiving takes it out of the catalogue.
    const archive = await api(`/v1/orgs/${seller.orgId}/listings/${dear.id}/archive`, {
      method: "POST",
      token: seller.owner.token,
    });
    expect(archive.status).toBe(200);
    await expectCountsMatch(seller, slug, 2);

    // Deleting rows (no route does; an organisation's deletion cascades) and moving them between categories.
    await sql().query("delete from listings where id = $1", [middle.id]);
    await expectCountsMatch(seller, slug, 1);
    await sql().query(
      "update listings set category_id = (select id from categories where slug = 'fasteners') where id = $1",
      [cheap.id],
    );
    await expectCountsMatch(seller, slug, 0);
    expect(await drift(id)).toEqual([]);
  });

  it("stay exact under concurrent publishes, edits and archives in one category", async () => {
    const seller = await newSeller("Busy Seals");
    const { slug, id } = await newCategory();
    const listings = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        publishListing(seller, admin, listing(slug, 800 + i * 1000, i % 2 ? "nbr" : "epdm", 10 + i)),
      ),
    );
    await Promise.all(
      listings.map((l, i) =>
        i % 3 === 0
          ? api(`/v1/orgs/${seller.orgId}/listings/${l.id}/archive`, {
              method: "POST",
              token: seller.owner.token,
            })
          : api(`/v1/orgs/${seller.orgId}/listings/${l.id}`, {
              method: "PATCH",
              token: seller.owner.token,
              headers: { "if-match": `"${l.version}"` },
              body: { priceTiers: [{ minQuantity: 100, unitPriceMinor: 60_000 + i }] },
            }),
      ),
    );
    expect(await drift(id)).toEqual([]);
    await expectCountsMatch(seller, slug, 5);
  });

  it("count in the search's price bands", async () => {
    const edges = PRICE_BANDS.flatMap((min) => [min, min + 1, Math.max(0, min - 1)]);
    const rows = await sql().query(
      "select p::bigint as price, listing_price_band(p) as band from unnest($1::bigint[]) p",
      [edges],
    );
    for (const row of rows) {
      const price = Number(row.price);
      const band = [...PRICE_BANDS].reverse().find((min) => price >= min);
      expect(Number(row.band)).toBe(band);
    }
  });

  it("equal a recount of the whole catalogue", async () => {
    expect(await drift()).toEqual([]);
  });
});
