/**
 * The curated demo data reads like a real marketplace and obeys the marketplace's own rules: every listing
 * passes the API's listing schema and its category's attribute definitions (checked by the database
 * function the write batches use), tiers fall in price as quantities rise, order quantities match packs,
 * every product has a picture that passes upload verification, and the demo checkouts are orderable.
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoListings } from "../../scripts/seed/demo-catalog.ts";
import { demoOrderScenarios } from "../../scripts/seed/demo-orders.ts";
import { drawn, productImage, productKinds } from "../../scripts/seed/drawings.ts";
import { demoOrgs } from "../../scripts/seed/identity.ts";
import { runSeed } from "../../scripts/seed/run.ts";
import { demoDataState } from "../../scripts/seed/state.ts";
import { createListingSchema } from "../../src/services/catalog/schemas.ts";
import { magicMatches } from "../../src/services/media/presign.ts";
import { type Backend, startPglite } from "../../tools/local-db/backend.ts";
import { applyMigrations, dropDatabase, ensureDatabase } from "../../tools/local-db/migrate.ts";
import { findTestServer, freshDatabaseUrl } from "../global-setup.ts";

/** The upload limit for images in every environment (wrangler.toml MAX_IMAGE_BYTES). */
const MAX_IMAGE_BYTES = 10 * 1024 * 1024;

const bySku = new Map(
  demoListings.flatMap((listing) => listing.variants.map((variant) => [variant.sku, { listing, variant }])),
);

describe("the curated demo catalogue", () => {
  it("has a few dozen listings from every demo seller, in one currency", () => {
    expect(demoListings.length).toBeGreaterThanOrEqual(36);
    expect(demoListings.length).toBeLessThanOrEqual(48);
    const sellers = demoOrgs.filter((org) => org.kind === "seller").map((org) => org.id);
    for (const seller of sellers)
      expect(demoListings.filter((listing) => listing.seller === seller).length).toBeGreaterThanOrEqual(5);
    expect(new Set(demoListings.map((listing) => listing.currency)).size).toBeLessThanOrEqual(2);
    expect(new Set(demoListings.map((listing) => listing.category)).size).toBeGreaterThanOrEqual(12);
  });

  it("passes the API's listing rules, with unique titles per seller and unique SKUs", () => {
    for (const listing of demoListings) {
      const input = {
        title: listing.title,
        description: listing.description,
        category: listing.category,
        currency: listing.currency,
        priceTiers: listing.tiers.map(([minQuantity, unitPriceMinor]) => ({ minQuantity, unitPriceMinor })),
        minOrderQuantity: listing.tiers[0]?.[0],
        orderIncrement: listing.orderIncrement,
        leadTimeDays: listing.leadTimeDays,
        attributes: listing.attributes,
        variants: listing.variants.map(({ sku, attributes, stock, weightGrams }) => ({
          sku,
          attributes: attributes ?? {},
          stock,
          weightGrams,
        })),
      };
      const parsed = createListingSchema.safeParse(input);
      expect(parsed.error?.issues ?? [], listing.title).toEqual([]);
    }
    const titles = demoListings.map((listing) => `${listing.seller}/${listing.title}`);
    expect(new Set(titles).size).toBe(titles.length);
    expect(bySku.size).toBe(demoListings.flatMap((listing) => listing.variants).length);
  });

  it("prices fall strictly as quantities rise, and order quantities follow the pack size", () => {
    for (const listing of demoListings) {
      const [first, ...rest] = listing.tiers;
      expect(listing.tiers.length, listing.title).toBeGreaterThanOrEqual(2);
      expect(listing.tiers.length, listing.title).toBeLessThanOrEqual(4);
      let previous = first as [number, number];
      for (const tier of rest) {
        expect(tier[0], listing.title).toBeGreaterThan(previous[0]);
        expect(tier[1], listing.title).toBeLessThan(previous[1]);
        // A tier starts at an orderable quantity.
        expect((tier[0] - previous[0]) % listing.orderIncrement, listing.title).toBe(0);
        previous = tier;
      }
      expect((first?.[0] ?? 0) % listing.orderIncrement, listing.title).toBe(0);
      expect(listing.description.length, listing.title).toBeGreaterThan(80);
    }
  });

  it("shows sellers every listing status, a rejection always with its reason", () => {
    const statuses = new Set(demoListings.map((listing) => listing.status));
    expect([...statuses].sort()).toEqual(["draft", "pending_review", "published", "rejected"]);
    const published = demoListings.filter((listing) => listing.status === "published");
    expect(published.length / demoListings.length).toBeGreaterThan(0.8);
    for (const listing of demoListings)
      expect(Boolean(listing.rejectionReason), listing.title).toBe(listing.status === "rejected");
  });

  it("draws every product as a 640 px PNG that passes upload verification", { timeout: 120_000 }, () => {
    const used = new Set(demoListings.map((listing) => listing.kind));
    expect([...used].every((kind) => productKinds.includes(kind))).toBe(true);
    for (const kind of used) {
      const png = productImage(kind);
      expect(magicMatches("image/png", png.subarray(0, 16)), kind).toBe(true);
      expect(png.length, kind).toBeLessThan(MAX_IMAGE_BYTES);
      expect([png.readUInt32BE(16), png.readUInt32BE(20)], kind).toEqual([640, 640]);
      // A drawing, not a blank: far more colours than the background's gradient and shadow.
      const rgb = drawn(kind, 96).rgb();
      const colours = new Set<number>();
      for (let i = 0; i < rgb.length; i += 3)
        colours.add(((rgb[i] ?? 0) << 16) | ((rgb[i + 1] ?? 0) << 8) | (rgb[i + 2] ?? 0));
      expect(colours.size, kind).toBeGreaterThan(200);
    }
  });

  it("orders only published listings, in quantities their MOQ, increment and stock allow", () => {
    for (const scenario of demoOrderScenarios) {
      for (const [sku, quantity] of scenario.lines) {
        const found = bySku.get(sku);
        expect(found, sku).toBeDefined();
        if (!found) continue;
        const { listing, variant } = found;
        const moq = listing.tiers[0]?.[0] ?? 1;
        expect(listing.status, sku).toBe("published");
        expect(quantity, sku).toBeGreaterThanOrEqual(moq);
        expect((quantity - moq) % listing.orderIncrement, sku).toBe(0);
        const ordered = demoOrderScenarios
          .flatMap((s) => s.lines)
          .filter(([other]) => other === sku)
          .reduce((sum, [, q]) => sum + q, 0);
        expect(ordered, sku).toBeLessThanOrEqual(variant.stock);
      }
    }
    const poNumbers = demoOrderScenarios.map((scenario) => scenario.poNumber);
    expect(new Set(poNumbers).size).toBe(poNumbers.length);
  });
});

describe("the demo seed in a database", () => {
  let backend: Backend | undefined;
  let databaseUrl = "";
  let serverDatabase: string | undefined;

  beforeAll(async () => {
    const server = await findTestServer();
    if (server) {
      serverDatabase = freshDatabaseUrl(server);
      await ensureDatabase(serverDatabase);
      databaseUrl = serverDatabase;
    } else {
      backend = await startPglite();
      databaseUrl = backend.url;
    }
    await applyMigrations(databaseUrl);
  }, 120_000);
  afterAll(async () => {
    await backend?.close();
    if (serverDatabase) await dropDatabase(serverDatabase);
  });

  it("inserts every listing valid for its category, once, and knows what the Worker still has to add", {
    timeout: 120_000,
  }, async () => {
    expect(await demoDataState(databaseUrl)).toMatchObject({ rows: true, images: true });
    await runSeed(databaseUrl, () => {});
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ title: string; problems: string[]; status: string }>(
        `select l.title, l.status::text as status, listing_attribute_problems(l.category_id,
           jsonb_build_array(l.attributes) || coalesce((select jsonb_agg(v.attributes) from listing_variants v
             where v.listing_id = l.id), '[]'::jsonb)) as problems
         from listings l`,
      );
      expect(rows.length).toBe(demoListings.length);
      expect(rows.filter((row) => row.problems.length > 0)).toEqual([]);
      const { rows: facets } = await client.query<{ n: number }>(
        "select coalesce(sum(listings), 0)::int as n from listing_facet_counts",
      );
      expect(facets[0]?.n).toBe(demoListings.filter((listing) => listing.status === "published").length);

      await runSeed(databaseUrl, () => {});
      const { rows: again } = await client.query<{ n: number }>("select count(*)::int as n from listings");
      expect(again[0]?.n).toBe(demoListings.length);
    } finally {
      await client.end();
    }
    // Images and orders go through the running Worker (test/node/dev.test.ts covers that part).
    expect(await demoDataState(databaseUrl)).toEqual({
      rows: false,
      images: true,
      orders: demoOrderScenarios.map((scenario) => scenario.poNumber),
      negotiation: true,
    });
  });
});
