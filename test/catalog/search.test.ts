import { beforeAll, describe, expect, it } from "vitest";
import {
  listingCacheKey,
  SEARCH_EDGE_SECONDS,
  searchCacheKey,
} from "../../src/routes/listings/public.handlers.ts";
import type { SearchResult } from "../../src/services/catalog/search.ts";
import { problem, roundTrips } from "../support/app.ts";
import { edgeCopy, servableSeconds } from "../support/cache.ts";
import { newAdmin, newSeller, publishListing, type Seller, validListing } from "../support/catalog.ts";
import { sql } from "../support/db.ts";
import { api, json, type TestUser } from "../support/identity.ts";

/** A search response: the service's own type, not a copy of it. */
type Result = SearchResult;

let admin: TestUser;
beforeAll(async () => {
  admin = await newAdmin();
});

const word = () => `zq${Math.random().toString(36).slice(2, 8)}`;
const tiers = (price: number) => ({ priceTiers: [{ minQuantity: 100, unitPriceMinor: price }] });

async function search(query: string) {
  const res = await api(`/v1/listings?${query}`);
  if (res.status !== 200) throw new Error(`search ${query}: ${res.status} ${await res.text()}`);
  return { res, body: await json<Result>(res) };
}

describe("relevance and text", () => {
  it("ranks a title match above a description match, and matches prefixes", async () => {
    const seller = await newSeller();
    const term = word();
    const inDescription = await publishListing(seller, admin, {
      title: "Plain washer",
      description: `Pairs with the ${term} fitting.`,
    });
    const inTitle = await publishListing(seller, admin, {
      title: `${term} hex bolt`,
      description: "Bright zinc.",
    });
    const { res, body } = await search(`q=${term}&seller=${seller.orgId}`);
    expect(body.hits.map((h) => h.id)).toEqual([inTitle.id, inDescription.id]);
    expect(roundTrips(res)).toBe(1);
    const prefix = await search(`q=${term.slice(0, 5)}&seller=${seller.orgId}`);
    expect(prefix.body.total).toBe(2);
  });

  it("treats punctuation-only text as no text", async () => {
    const seller = await newSeller();
    await publishListing(seller, admin);
    const { body } = await search(`q=${encodeURIComponent("!!! & | :* ()")}&seller=${seller.orgId}`);
    expect(body.total).toBe(1);
  });
});

describe("filters and facets", () => {
  let seller: Seller;
  beforeAll(async () => {
    seller = await newSeller("Facet Supply");
    const specs = [
      { category: "fasteners", attributes: { material: "brass" }, ...tiers(500) },
      { category: "fasteners", attributes: { material: "brass" }, ...tiers(1500) },
      { category: "fasteners", attributes: { material: "steel" }, ...tiers(6000) },
      { category: "tools", attributes: { power_source: "cordless", voltage: 18 }, ...tiers(25000) },
      { category: "tools", attributes: { power_source: "corded", voltage: 230 }, ...tiers(150000) },
      { category: "paper", attributes: { size: "A4", weight_gsm: 80 }, currency: "USD", ...tiers(900) },
    ];
    for (const spec of specs) await publishListing(seller, admin, spec);
  });

  it("filters by category (with sub-categories), price, currency and attributes", async () => {
    const scope = `seller=${seller.orgId}`;
    expect((await search(`${scope}&category=fasteners`)).body.total).toBe(3);
    expect((await search(`${scope}&category=industrial-supplies`)).body.total).toBe(5);
    const priced = await search(`${scope}&minPrice=1000&maxPrice=30000`);
    expect(priced.body.hits.every((h) => h.minUnitPriceMinor >= 1000 && h.minUnitPriceMinor <= 30000)).toBe(
      true,
    );
    expect(priced.body.total).toBe(3);
    expect((await search(`${scope}&currency=USD`)).body.total).toBe(1);
    expect((await search(`${scope}&attr.material=brass`)).body.total).toBe(2);
    expect((await search(`${scope}&attr.voltage=18`)).body.total).toBe(1);
    expect((await search(`${scope}&attr.material=brass&attr.voltage=18`)).body.total).toBe(0);
  });

  it("reports facet counts equal to the hits each facet describes", async () => {
    const scope = `seller=${seller.orgId}`;
    const { body } = await search(scope);
    expect(body.total).toBe(6);
    for (const category of body.facets.categories) {
      expect((await search(`${scope}&category=${category.slug}`)).body.total).toBe(category.count);
    }
    for (const band of body.facets.priceBands) {
      const max = band.max === null ? "" : `&maxPrice=${band.max - 1}`;
      expect((await search(`${scope}&minPrice=${band.min}${max}`)).body.total).toBe(band.count);
    }
    // Attribute facets are a category's key attributes: they come with a category filter.
    expect(body.facets.attributes).toEqual({});
    const fasteners = (await search(`${scope}&category=fasteners`)).body;
    const materials = fasteners.facets.attributes.material ?? [];
    expect(materials).toEqual([
      { value: "brass", count: 2 },
      { value: "steel", count: 1 },
    ]);
    for (const { value, count } of materials) {
      expect((await search(`${scope}&category=fasteners&attr.material=${value}`)).body.total).toBe(count);
    }
    expect(body.exact).toBe(true);
    expect(body.facets.categories.reduce((sum, c) => sum + c.count, 0)).toBe(body.total);
  });
});

describe("text within a category", () => {
  it("finds text matches in a category and in its parent, under every sort", async () => {
    const seller = await newSeller();
    const term = word();
    const made = [
      await publishListing(seller, admin, { title: `${term} washer`, category: "fasteners", ...tiers(300) }),
      await publishListing(seller, admin, { title: `${term} rivet`, category: "fasteners", ...tiers(200) }),
      await publishListing(seller, admin, {
        title: "Drill",
        description: `Fits the ${term} chuck.`,
        category: "tools",
        attributes: { power_source: "corded", voltage: 230 },
        ...tiers(100),
      }),
      await publishListing(seller, admin, {
        title: `${term} paper`,
        category: "paper",
        attributes: { size: "A4", weight_gsm: 80 },
        ...tiers(400),
      }),
    ];
    const [washer, rivet, drill] = made.map((l) => l.id);
    for (const sort of ["relevance", "newest", "price"]) {
      const leaf = (await search(`q=${term}&category=fasteners&sort=${sort}`)).body;
      expect(leaf.total).toBe(2);
      expect(new Set(leaf.hits.map((h) => h.id))).toEqual(new Set([washer, rivet]));
      const parent = (await search(`q=${term}&category=industrial-supplies&sort=${sort}`)).body;
      expect(parent.total).toBe(3);
      expect(new Set(parent.hits.map((h) => h.id))).toEqual(new Set([washer, rivet, drill]));
      expect(parent.facets.categories.map((c) => [c.slug, c.count])).toEqual([
        ["fasteners", 2],
        ["tools", 1],
      ]);
    }
    // A title match ranks above a description match within the parent too.
    const ranked = (await search(`q=${term}&category=industrial-supplies`)).body.hits.map((h) => h.id);
    expect(ranked.at(-1)).toBe(drill);
  });
});

describe("keyset pagination", () => {
  it.each(["newest", "price"])(
    "has no duplicates or gaps while listings are inserted between pages (%s)",
    async (sort) => {
      const seller = await newSeller("Paging Supply");
      const original = new Set<string>();
      for (let i = 0; i < 7; i++) original.add((await publishListing(seller, admin, tiers(100 + i * 10))).id);
      const seen: string[] = [];
      let cursor: string | null = null;
      let page = 0;
      do {
        const { body }: { body: Result } = await search(
          `seller=${seller.orgId}&sort=${sort}&limit=3${cursor ? `&cursor=${cursor}` : ""}`,
        );
        seen.push(...body.hits.map((h) => h.id));
        cursor = body.nextCursor;
        if (page === 0) {
          // New listings appear between page 1 and page 2, at both ends of the price range.
          await publishListing(seller, admin, tiers(50));
          await publishListing(seller, admin, tiers(10_000));
        }
        page += 1;
      } while (cursor && page < 10);
      expect(new Set(seen).size).toBe(seen.length);
      for (const id of original) expect(seen).toContain(id);
    },
  );

  it("refuses a cursor from another query or a forged one", async () => {
    const seller = await newSeller();
    for (let i = 0; i < 3; i++) await publishListing(seller, admin);
    const { body } = await search(`seller=${seller.orgId}&limit=1`);
    expect(body.nextCursor).not.toBeNull();
    const other = await api(
      `/v1/listings?seller=${seller.orgId}&limit=1&sort=price&cursor=${body.nextCursor}`,
    );
    expect(other.status).toBe(400);
    const forged = await api(`/v1/listings?limit=1&cursor=${btoa('{"f":"x","k":["1;drop",1]}')}`);
    expect(forged.status).toBe(400);
  });
});

describe("bounded counting", () => {
  it("counts exactly up to 10,000 matches, then says the counts are lower bounds", async () => {
    const seller = await newSeller("Bulk Co");
    await sql().query(
      `insert into listings (org_id, category_id, title, description, status, currency, price_tiers, min_unit_price_minor,
         published_at)
       select $1, (select id from categories where slug = 'fasteners'), 'Bulk washer ' || n, '', 'published', 'EUR',
         '[{"minQuantity": 1, "unitPriceMinor": 10}]'::jsonb, 10, now() - n * interval '1 second'
       from generate_series(1, 10005) n`,
      [seller.orgId],
    );
    const { body } = await search(`seller=${seller.orgId}&limit=5`);
    expect(body.exact).toBe(false);
    expect(body.total).toBe(10_000);
    expect(body.hits).toHaveLength(5);
    const narrow = await search(`seller=${seller.orgId}&q=${encodeURIComponent("washer 42")}`);
    expect(narrow.body.exact).toBe(true);
  });
});

describe("input", () => {
  it.each([
    ["limit=1000", 200],
    ["limit=abc", 200],
    ["limit=0", 200],
    ["minPrice=-1", 400],
    ["minPrice=10&maxPrice=5", 400],
    ["sort=bogus", 400],
    ["sort=relevance", 400],
    ["currency=euro", 400],
    ["seller=not-a-uuid", 400],
    ["attr.Bad-Key=1", 400],
    ["colour=red", 400],
    [`q=${"x".repeat(201)}`, 400],
    ["q=bolt%00x", 400],
    ["q=tab%09x", 400],
    ["attr.material=brass%00", 400],
    ["attr.thread=M8%0A", 400],
    ["minPrice=10000000001", 400],
    ["maxPrice=10000000001", 400],
    ["minPrice=99999999999999999999", 400],
    ["maxPrice=1e300", 400],
    ["minPrice=10000000000", 200],
  ])("answers %s with %i", async (query, status) => {
    const res = await api(`/v1/listings?${query}`);
    expect(res.status).toBe(status);
    if (status === 400) expect((await problem(res)).type).toBe("urn:problem:validation_failed");
  });

  it("clamps the page size to 1–100", async () => {
    const seller = await newSeller();
    await publishListing(seller, admin);
    await publishListing(seller, admin);
    const { body } = await search(`seller=${seller.orgId}&limit=0`);
    expect(body.hits).toHaveLength(1);
  });
});

describe("edge caching", () => {
  it("makes search responses cacheable with ETag and 304, servable for at most 60 s", async () => {
    const seller = await newSeller();
    await publishListing(seller, admin);
    const first = await api(`/v1/listings?seller=${seller.orgId}`);
    expect(first.headers.get("cache-control")).toBe("public, max-age=30, stale-while-revalidate=30");
    expect(servableSeconds(first.headers.get("cache-control"))).toBeLessThanOrEqual(60);
    const tag = first.headers.get("etag");
    expect(tag).toBeTruthy();
    const again = await api(`/v1/listings?seller=${seller.orgId}`, {
      headers: { "if-none-match": tag ?? "" },
    });
    expect(again.status).toBe(304);
  });

  it("serves a repeated search from the edge cache with no round trip, whatever the parameter order", async () => {
    const seller = await newSeller();
    await publishListing(seller, admin);
    const cold = await api(`/v1/listings?seller=${seller.orgId}&sort=price&limit=5`);
    expect(cold.status).toBe(200);
    expect(roundTrips(cold)).toBe(1);
    const stored = await edgeCopy(
      searchCacheKey(`https://x/v1/listings?limit=5&seller=${seller.orgId}&sort=price`),
    );
    expect(servableSeconds(stored.headers.get("cache-control"))).toBeLessThanOrEqual(SEARCH_EDGE_SECONDS);

    const warm = await api(`/v1/listings?limit=5&sort=price&seller=${seller.orgId}`);
    expect(warm.status).toBe(200);
    expect(roundTrips(warm)).toBe(0);
    expect(await json(warm)).toEqual(await json(cold));
    // What a client may keep on top of the edge copy's age stays within the 60 s bound.
    expect(servableSeconds(warm.headers.get("cache-control"))).toBeLessThanOrEqual(60);
    expect(warm.headers.get("x-edge-stored-at")).toBeNull();
    expect(warm.headers.get("etag")).toBe(cold.headers.get("etag"));

    // Another query is another entry; a junk parameter is still a 400, never a cached answer.
    expect(roundTrips(await api(`/v1/listings?seller=${seller.orgId}&sort=newest&limit=5`))).toBe(1);
    expect((await api(`/v1/listings?seller=${seller.orgId}&sort=price&limit=5&bogus=1`)).status).toBe(400);
  });

  it("serves a warm listing detail with no database round trip, 304 on its ETag, and drops it on edit", async () => {
    const seller = await newSeller();
    const listing = await publishListing(seller, admin);
    const cold = await api(`/v1/listings/${listing.id}`);
    expect(roundTrips(cold)).toBe(1);
    const warm = await api(`/v1/listings/${listing.id}`);
    expect(warm.status).toBe(200);
    expect(roundTrips(warm)).toBe(0);
    const tag = warm.headers.get("etag") ?? "";
    expect(tag).toBe(`"${listing.version}"`);
    expect((await api(`/v1/listings/${listing.id}`, { headers: { "if-none-match": tag } })).status).toBe(304);

    await api(`/v1/orgs/${seller.orgId}/listings/${listing.id}`, {
      method: "PATCH",
      token: seller.owner.token,
      headers: { "if-match": tag },
      body: { title: "Renamed while cached" },
    });
    const fresh = await api(`/v1/listings/${listing.id}`);
    expect(await json(fresh)).toMatchObject({ title: "Renamed while cached" });
    expect(fresh.headers.get("etag")).not.toBe(tag);
  });

  it("puts a listing's detail in the edge cache for at most 60 s; browsers revalidate every time", async () => {
    const seller = await newSeller();
    const listing = await publishListing(seller, admin);
    const res = await api(`/v1/listings/${listing.id}`);
    expect(res.status).toBe(200);
    const cached = await edgeCopy(listingCacheKey(listing.id));
    const edgeSeconds = servableSeconds(cached.headers.get("cache-control"));
    expect(edgeSeconds).toBeGreaterThan(0);
    expect(edgeSeconds).toBeLessThanOrEqual(60);
    // What the edge copy may add to what a browser or shared cache keeps must stay within the same bound.
    expect(edgeSeconds + servableSeconds(res.headers.get("cache-control"))).toBeLessThanOrEqual(60);
    const warm = await api(`/v1/listings/${listing.id}`);
    expect(roundTrips(warm)).toBe(0);
    expect(warm.headers.get("cache-control")).toBe(res.headers.get("cache-control"));
  });

  it("answers an unknown or unpublished listing with 404", async () => {
    expect((await api(`/v1/listings/${crypto.randomUUID()}`)).status).toBe(404);
    expect((await api("/v1/listings/nope")).status).toBe(400);
  });
});

describe("categories", () => {
  it("serves the seeded tree with typed attributes", async () => {
    const res = await api("/v1/categories");
    const { categories } = await json<{
      categories: { slug: string; children: { slug: string; attributes: { key: string }[] }[] }[];
    }>(res);
    expect(categories.map((c) => c.slug)).toEqual(
      expect.arrayContaining([
        "industrial-supplies",
        "packaging",
        "electronic-components",
        "office",
        "food-service",
      ]),
    );
    const fasteners = categories
      .find((c) => c.slug === "industrial-supplies")
      ?.children.find((c) => c.slug === "fasteners");
    expect(fasteners?.attributes.map((a) => a.key)).toContain("material");
    expect(res.headers.get("cache-control")).toContain("public");
  });
});

describe("managing categories", () => {
  it("lets platform admins add a sub-category with typed attributes that listings then use", async () => {
    const slug = `gaskets-${Math.random().toString(36).slice(2, 8)}`;
    const res = await api("/v1/admin/categories", {
      token: admin.token,
      body: {
        slug,
        name: "Gaskets",
        parent: "industrial-supplies",
        attributes: [
          { key: "material", label: "Material", type: "enum", options: ["epdm", "nbr"], facet: true },
        ],
      },
    });
    expect(res.status).toBe(201);
    const seller = await newSeller();
    const listing = await api(`/v1/orgs/${seller.orgId}/listings`, {
      token: seller.owner.token,
      body: validListing({ category: slug, attributes: { material: "epdm" } }),
    });
    expect(listing.status).toBe(201);
    expect(
      (await api("/v1/admin/categories", { token: admin.token, body: { slug, name: "Again" } })).status,
    ).toBe(409);
  });

  it("keeps category management to platform admins and checks the definitions", async () => {
    const seller = await newSeller();
    const body = { slug: "nope-category", name: "Nope" };
    expect((await api("/v1/admin/categories", { token: seller.owner.token, body })).status).toBe(403);
    expect((await api("/v1/admin/categories", { body })).status).toBe(401);
    const enumWithoutOptions = await api("/v1/admin/categories", {
      token: admin.token,
      body: { slug: "bad-enum", name: "Bad", attributes: [{ key: "x", label: "X", type: "enum" }] },
    });
    expect(enumWithoutOptions.status).toBe(400);
    const unknownParent = await api("/v1/admin/categories", {
      token: admin.token,
      body: { slug: "orphan-x", name: "Orphan", parent: "nowhere" },
    });
    expect(unknownParent.status).toBe(400);
  });
});
