import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { edgeCache } from "../../src/http/edge-cache.ts";
import { pageCacheKey } from "../../src/web/cache.ts";
import { call, roundTrips } from "../support/app.ts";
import {
  createListing,
  type ListingBody,
  newAdmin,
  newSeller,
  publishListing,
  type Seller,
} from "../support/catalog.ts";
import { api, createOrg, json, signUp, type TestUser } from "../support/identity.ts";

const PUBLIC_URL = new URL((env as { PUBLIC_URL: string }).PUBLIC_URL).origin;

function get(path: string, options: { cookie?: string; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...options.headers };
  if (options.cookie) headers.cookie = options.cookie;
  return call(path, { headers });
}

/** A word no other listing has, so a text search finds only this test's listings. */
const word = () => `qx${crypto.randomUUID().replace(/-/g, "").slice(0, 10)}`;

let admin: TestUser;
let seller: Seller;
let buyer: TestUser;

beforeAll(async () => {
  [admin, seller, buyer] = await Promise.all([
    newAdmin(),
    newSeller(`Baltic Fixings ${word()}`),
    signUp({ name: `Priya ${word()}` }),
  ]);
  await createOrg(buyer, "buyer", "Northwind Procurement");
});

async function publish(overrides: Record<string, unknown> = {}): Promise<ListingBody> {
  return publishListing(seller, admin, overrides);
}

describe("home page", () => {
  it("shows the categories with their sub-categories and a listing just published", async () => {
    const listing = await publish({ title: `Hex bolt ${word()}` });
    await edgeCache().delete(pageCacheKey("/", new URLSearchParams(), "en-GB"));
    const res = await get("/");
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('href="/search?category=industrial-supplies"');
    expect(html).toContain('href="/search?category=fasteners"');
    expect(html).toContain("Newest listings");
    expect(html).toContain(`href="/listings/${listing.id}"`);
    expect(html).toContain(listing.title as string);
    // The card's price: the lowest tier with its quantity (€0.35 from 10,000).
    expect(html).toMatch(/€0\.35<small> \/ unit at 10,000\+<\/small>/);
  });
});

describe("search page", () => {
  let term: string;
  let brass: ListingBody;
  let steel: ListingBody;
  beforeAll(async () => {
    term = word();
    [brass, steel] = await Promise.all([
      publish({ title: `Brass hex bolt ${term}`, attributes: { material: "brass", thread: "M8" } }),
      publish({
        title: `Stainless hex bolt ${term}`,
        attributes: { material: "stainless-steel", thread: "M8" },
      }),
    ]);
  });

  it("finds by text, category and attribute, with counts, facets and one round trip", async () => {
    const res = await get(`/search?q=${term}&category=fasteners&attr.material=brass`);
    expect(res.status).toBe(200);
    expect(roundTrips(res)).toBe(1);
    const html = await res.text();
    expect(html).toContain(`href="/listings/${brass.id}"`);
    expect(html).not.toContain(`href="/listings/${steel.id}"`);
    expect(html).toMatch(/<h2 id="results-heading" class="results-count">1 result<\/h2>/);
    // The applied filters are checked radios of a GET form, and each can be removed by a link.
    expect(html).toMatch(
      /<input type="radio" id="category-fasteners" name="category" value="fasteners" checked/,
    );
    expect(html).toMatch(/name="attr\.material" value="brass" checked/);
    expect(html).toContain(
      `href="/search?q=${term}&amp;category=fasteners" aria-label="Remove filter Material: Brass"`,
    );
  });

  it("counts every facet value over the whole result", async () => {
    const html = await (await get(`/search?q=${term}&category=fasteners`)).text();
    expect(html).toMatch(/2 results<\/h2>/);
    expect(html).toMatch(
      /value="brass"[^>]*\/?>\s*<label[^>]*><span>Brass<\/span><span class="count">1<\/span>/,
    );
    expect(html).toMatch(
      /value="stainless-steel"[^>]*\/?>\s*<label[^>]*><span>Stainless steel<\/span><span class="count">1<\/span>/,
    );
    expect(html).toMatch(/<span>Fasteners<\/span><span class="count">2<\/span>/);
  });

  it("shows a dense list view and an empty state that offers to clear filters", async () => {
    const list = await (await get(`/search?q=${term}&view=list`)).text();
    expect(list).toMatch(/<table class="table stack-sm product-table">/);
    expect(list).toContain(`<a href="/listings/${brass.id}">`);
    const empty = await get(`/search?q=${term}&attr.material=nylon&category=fasteners`);
    expect(empty.status).toBe(200);
    const html = await empty.text();
    expect(html).toContain("No listings match");
    expect(html).toContain(`<a href="/search?q=${term}">clear filters</a>`);
  });

  it("folds a submitted filter form into the canonical address", async () => {
    const res = await get(`/search?q=${term}&category=&price=1000-4999&attr.material=`);
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe(`/search?q=${term}&minPrice=1000&maxPrice=4999`);
    const defaults = await get(`/search?q=${term}&sort=relevance&view=grid`);
    expect(defaults.headers.get("location")).toBe(`/search?q=${term}`);
  });

  it.each([
    ["a price that is not a number", "minPrice=abc", "whole numbers of cents"],
    ["a minimum above the maximum", "minPrice=500&maxPrice=100", "whole numbers of cents"],
    ["an unknown parameter", "colour=red", "“colour” is not a filter we know"],
    ["relevance without text", "sort=relevance", "Sort by relevance needs search text"],
    ["a forged cursor", "cursor=abc.def", "That page link has expired"],
  ])("answers %s with a 400 page that says what to fix", async (_name, query, message) => {
    const res = await get(`/search?${query}`);
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toContain("We could not read that search");
    expect(html).toContain(message);
  });
});

describe("listing page", () => {
  let listing: ListingBody;
  beforeAll(async () => {
    listing = await publish({
      title: `Zinc-plated hex bolt ${word()}`,
      description: "Zinc-plated steel hex bolts.\n\nSupplied in boxes of 100. <b>not bold</b>",
      variants: [
        { sku: "HB-M8-ZP-A", attributes: { thread: "M8" }, stock: 50_000 },
        { sku: "HB-M10-ZP-B", attributes: { thread: "M10" }, stock: 300 },
      ],
    });
  });

  it("carries Product JSON-LD, canonical URL, meta description and the tier table", async () => {
    const res = await get(`/listings/${listing.id}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain(`<link rel="canonical" href="${PUBLIC_URL}/listings/${listing.id}"/>`);
    expect(html).toContain(
      '<meta name="description" content="Zinc-plated steel hex bolts. Supplied in boxes of 100.',
    );
    const ld = JSON.parse(/<script type="application\/ld\+json">(.*?)<\/script>/s.exec(html)?.[1] ?? "{}");
    expect(ld).toMatchObject({
      "@type": "Product",
      name: listing.title,
      sku: "HB-M8-ZP-A",
      offers: {
        "@type": "AggregateOffer",
        lowPrice: "0.35",
        highPrice: "0.42",
        priceCurrency: "EUR",
        availability: "https://schema.org/InStock",
        url: `${PUBLIC_URL}/listings/${listing.id}`,
      },
    });
    // Tier ranges; the MOQ's tier is highlighted; stock as words; description as text, never HTML.
    expect(html).toMatch(/<tr class="highlight"[^>]*><th scope="row">100–999<\/th>/);
    expect(html).toContain('<th scope="row">10,000+</th>');
    expect(html).toContain("In stock");
    expect(html).toContain("Low stock");
    expect(html).toContain("&lt;b&gt;not bold&lt;/b&gt;");
    expect(html).toContain("<p>Supplied in boxes of 100.");
    expect(html).toContain('<th scope="row">Length (mm)</th>');
  });

  it("highlights the tier of the quantity asked for and prices the line", async () => {
    const html = await (await get(`/listings/${listing.id}?quantity=1000`)).text();
    expect(html).toMatch(/<tr class="highlight"[^>]*><th scope="row">1,000–9,999<\/th>/);
    expect(html).toMatch(/<dd data-line-total[^>]*>€390\.00<\/dd>/);
    // A quantity off the increment is rounded up to one the seller accepts.
    const off = await (await get(`/listings/${listing.id}?quantity=1050`)).text();
    expect(off).toMatch(/value="1100"/);
  });

  it("offers anonymous visitors a sign-in link, and signed-in buyers the add-to-cart form", async () => {
    const anonymous = await (await get(`/listings/${listing.id}`)).text();
    expect(anonymous).toContain(`href="/signin?next=%2Flistings%2F${listing.id}">Sign in to order</a>`);
    expect(anonymous).not.toContain('action="/cart/lines"');

    const res = await get(`/listings/${listing.id}`, { cookie: buyer.cookie });
    const html = await res.text();
    expect(html).toMatch(/<form method="post" action="\/cart\/lines"/);
    expect(html).toContain(`<input type="hidden" name="listingId" value="${listing.id}"/>`);
    expect(html).toContain(`<input type="hidden" name="next" value="/listings/${listing.id}"/>`);
    expect(html).toMatch(/<select id="variant" name="variantId">/);
    expect(html).toMatch(
      /<input id="quantity" name="quantity" type="number" inputmode="numeric" min="100" step="100" value="100"/,
    );
    expect(html).not.toContain("Sign in to order");
  });

  it("answers 404 for a draft, an unknown id and a malformed id", async () => {
    const draft = await createListing(seller, { title: `Draft bolt ${word()}` });
    for (const id of [draft.id, crypto.randomUUID(), "not-a-listing"]) {
      const res = await get(`/listings/${id}`);
      expect(res.status).toBe(404);
      expect(res.headers.get("content-type")).toMatch(/^text\/html/);
      expect(await res.text()).toContain("no longer on sale");
    }
  });

  it("formats prices for the visitor's locale in the listing's currency", async () => {
    const priced = await publish({
      title: `Pallet truck ${word()}`,
      minOrderQuantity: 1,
      orderIncrement: 1,
      priceTiers: [{ minQuantity: 1, unitPriceMinor: 123_456 }],
    });
    const html = await (
      await get(`/listings/${priced.id}`, { headers: { "accept-language": "de-DE,de;q=0.9" } })
    ).text();
    expect(html).toContain("1.234,56\u00a0€");
    const english = await (await get(`/listings/${priced.id}`)).text();
    expect(english).toContain("€1,234.56");
  });
});

describe("edge caching", () => {
  it("serves a second anonymous visit from the edge with no round trip, and 304 on a matching ETag", async () => {
    const listing = await publish({ title: `Cached bolt ${word()}` });
    const first = await get(`/listings/${listing.id}`);
    expect(first.status).toBe(200);
    expect(first.headers.get("cache-control")).toBe("public, max-age=60");
    expect(first.headers.get("vary")).toMatch(/^Cookie, Accept-Language\b/);
    const tag = first.headers.get("etag");
    expect(tag).toMatch(/^"[0-9a-f]{24}"$/);
    const body = await first.text();

    const second = await get(`/listings/${listing.id}`);
    expect(roundTrips(second)).toBe(0);
    expect(second.headers.get("etag")).toBe(tag);
    expect(second.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(await second.text()).toBe(body);

    const revalidated = await get(`/listings/${listing.id}`, { headers: { "if-none-match": tag ?? "" } });
    expect(revalidated.status).toBe(304);
    expect(roundTrips(revalidated)).toBe(0);
  });

  it("never gives a signed-in visitor the anonymous copy, nor keeps theirs for anyone", async () => {
    const listing = await publish({ title: `Private bolt ${word()}` });
    const name = (await json<{ name: string }>(await api("/v1/me", { token: buyer.token }))).name;
    await get(`/listings/${listing.id}`); // an anonymous copy now sits in the cache
    const signedIn = await get(`/listings/${listing.id}`, { cookie: buyer.cookie });
    expect(signedIn.headers.get("cache-control")).toMatch(/^(private, )?no-store$/);
    expect(signedIn.headers.get("etag")).toBeNull();
    const mine = await signedIn.text();
    expect(mine).toContain(name);
    expect(mine).toContain("Add to cart");

    const anonymous = await get(`/listings/${listing.id}`);
    const theirs = await anonymous.text();
    expect(roundTrips(anonymous)).toBe(0);
    expect(theirs).not.toContain(name);
    expect(theirs).toContain("Sign in to order");
    // The home page too: a signed-in visit after an anonymous one is rendered fresh, for them.
    await get("/");
    const home = await get("/", { cookie: buyer.cookie });
    expect(home.headers.get("cache-control")).toMatch(/^(private, )?no-store$/);
    expect(await home.text()).toContain(name);
    expect(await (await get("/")).text()).not.toContain(name);
  });

  it("drops the cached page when the seller edits the listing", async () => {
    const listing = await publish({ title: `Old title ${word()}` });
    await get(`/listings/${listing.id}`);
    expect(roundTrips(await get(`/listings/${listing.id}`))).toBe(0);
    const title = `New title ${word()}`;
    const update = await api(`/v1/orgs/${seller.orgId}/listings/${listing.id}`, {
      method: "PATCH",
      token: seller.owner.token,
      headers: { "if-match": `"${listing.version}"` },
      body: { title },
    });
    expect(update.status).toBe(200);
    const after = await get(`/listings/${listing.id}`);
    expect(roundTrips(after)).toBe(1);
    expect(await after.text()).toContain(title);
  });

  it("keeps pages with a query out of the listing cache, and a 404 out of every cache", async () => {
    const listing = await publish({ title: `Query bolt ${word()}` });
    await get(`/listings/${listing.id}?quantity=1000`);
    const again = await get(`/listings/${listing.id}?quantity=1000`);
    expect(again.headers.get("cache-control")).toBe("private, no-store");
    const missing = crypto.randomUUID();
    await get(`/listings/${missing}`);
    const still = await get(`/listings/${missing}`);
    expect(still.status).toBe(404);
    expect(still.headers.get("cache-control")).toBe("private, no-store");
  });
});

describe("edge cache keys", () => {
  it("keeps junk parameters and other spellings of a path out of the cache", async () => {
    const listing = await publish({ title: `Spelling bolt ${word()}` });
    const sellerPath = `/sellers/${seller.orgId}`;
    // Another spelling of a listing's id is sent to the one canonical address, never rendered or kept.
    const upper = await get(`/listings/${listing.id.toUpperCase()}`);
    expect(upper.status).toBe(301);
    expect(upper.headers.get("location")).toBe(`/listings/${listing.id}`);
    for (const path of [
      `${sellerPath}?junk=${word()}`,
      `/search?q=bolt&limit=${Math.floor(Math.random() * 1000)}`,
      `${sellerPath.toUpperCase().replace("/SELLERS/", "/sellers/")}`,
    ]) {
      const first = await get(path);
      const again = await get(path);
      expect(again.headers.get("cache-control"), path).toBe("private, no-store");
      expect(roundTrips(again), path).toBeGreaterThan(0);
      expect([200, 404], path).toContain(first.status);
    }
    // The canonical spellings are cached.
    await get(`${sellerPath}?view=list`);
    expect(roundTrips(await get(`${sellerPath}?view=list`))).toBe(0);
  });
});

describe("seller page", () => {
  it("shows the seller, their country, membership, count and listings", async () => {
    const own = await newSeller(`Hanseatic Tools ${word()}`);
    await api(`/v1/orgs/${own.orgId}`, { method: "PATCH", token: own.owner.token, body: { country: "DE" } });
    const listing = await publishListing(own, admin, { title: `Torque wrench ${word()}` });
    const res = await get(`/sellers/${own.orgId}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("Hanseatic Tools");
    expect(html).toContain("Germany");
    expect(html).toContain("Member since");
    expect(html).toMatch(/<dt>Published listings<\/dt><dd>1<\/dd>/);
    expect(html).toContain(`href="/listings/${listing.id}"`);
  });

  it("answers 404 for a buying organisation and an unknown id", async () => {
    const buyerOrg = await createOrg(await signUp(), "buyer", "Only Buys Ltd");
    expect((await get(`/sellers/${buyerOrg.id}`)).status).toBe(404);
    expect((await get(`/sellers/${crypto.randomUUID()}`)).status).toBe(404);
  });
});
