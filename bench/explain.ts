/**
 * `npm run bench:explain`: EXPLAIN (ANALYZE, BUFFERS) of the exact search SQL the API runs (the service
 * itself builds it; only the executor is swapped), against DATABASE_URL. Prints each plan's execution
 * time and whether the full-text and attribute indexes are used.
 */
import { type SQL, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/node-postgres";
import pg from "pg";
import { type SearchQuery, searchListings } from "../src/services/catalog/search.ts";
import type { ServiceContext } from "../src/services/context.ts";

const url = process.env.DATABASE_URL;
if (!url) {
  console.error("set DATABASE_URL to the database to explain against");
  process.exit(2);
}
const client = new pg.Client({ connectionString: url });
await client.connect();
const db = drizzle({ client });
const { rows: counts } = await client.query(
  "select count(*)::int as n from listings where status = 'published'",
);

const cases: [string, Partial<SearchQuery>][] = [
  [
    "text + category + price + attribute, relevance",
    {
      q: "stainless bolt",
      category: "industrial-supplies",
      minPrice: 100,
      maxPrice: 50_000,
      attributes: { material: "brass" },
    },
  ],
  ["text (prefix), relevance", { q: "glov" }],
  [
    "common word + category + price (the bench query)",
    { q: "stainless", category: "industrial-supplies", maxPrice: 50_000 },
  ],
  ["word in ~13% of titles (recycled), relevance", { q: "recycled" }],
  ["word in every description (bulk), relevance", { q: "bulk" }],
  ["word in every description, newest", { q: "bulk", sort: "newest" }],
  ["category only, newest", { category: "packaging" }],
  ["everything, price order", { sort: "price" }],
];

console.log(`published listings: ${counts[0]?.n}`);
for (const [name, query] of cases) {
  let plan = "";
  const ctx = {
    now: Date.now(),
    db: {
      execute: async (statement: SQL) => {
        const result = await db.execute(sql`explain (analyze, buffers) ${statement}`);
        plan = result.rows.map((row) => String((row as Record<string, unknown>)["QUERY PLAN"])).join("\n");
        return { rows: [] };
      },
    },
  } as unknown as ServiceContext;
  await searchListings(ctx, { attributes: {}, limit: 20, ...query });
  const time = /Execution Time: ([\d.]+) ms/.exec(plan)?.[1];
  const uses = [
    "listings_search_idx",
    "listings_attributes_idx",
    "listings_published_price_idx",
    "listings_published_newest_idx",
    "listings_published_category_idx",
  ].filter((index) => plan.includes(index));
  console.log(`\n## ${name}: ${time} ms; indexes: ${uses.join(", ") || "none (sequential scan)"}`);
  if (process.env.EXPLAIN_VERBOSE) console.log(plan);
}
await client.end();
