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

/** Each case: a name, the query, and whether to explain its second page (the cursor the first page gives). */
const cases: [string, Partial<SearchQuery>, "page 2"?][] = [
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
  ["rare word (a model number), relevance", { q: "517" }],
  [
    "common word + category + price (the bench query)",
    { q: "stainless", category: "industrial-supplies", maxPrice: 50_000 },
  ],
  ["word in ~20% of titles (industrial), relevance", { q: "industrial" }],
  ["word in ~20% of titles, relevance, page 2", { q: "industrial" }, "page 2"],
  ["word in ~20% of titles, newest", { q: "industrial", sort: "newest" }],
  ["word in ~20% of titles, newest, page 2", { q: "industrial", sort: "newest" }, "page 2"],
  ["word in ~20% of titles, price", { q: "industrial", sort: "price" }],
  ["prefix of a common word (indus), relevance", { q: "indus" }],
  ["two words (industrial glove), relevance", { q: "industrial glove" }],
  ["word in ~20% of titles + category (attribute facets)", { q: "industrial", category: "fasteners" }],
  ["word in ~8% of titles (recycled), relevance", { q: "recycled" }],
  ["word in every description (bulk), relevance", { q: "bulk" }],
  ["word in every description, newest", { q: "bulk", sort: "newest" }],
  ["category only, newest", { category: "packaging" }],
  ["category only, newest, page 2", { category: "packaging" }, "page 2"],
  ["everything, price order", { sort: "price" }],
];

/** Runs per case (the machine is shared: the minimum and median say more than one run). */
const runs = Math.max(1, Number(process.env.EXPLAIN_RUNS ?? 5));
const cursorSecret = "bench-explain-cursor-secret-0123456789abcdef";
const realContext = { now: Date.now(), cursorSecret, db } as unknown as ServiceContext;

console.log(`published listings: ${counts[0]?.n}; ${runs} runs per case (execution ms: min / median / max)`);
for (const [name, query, page] of cases) {
  const base: SearchQuery = { attributes: {}, limit: 20, ...query };
  if (page) {
    const first = await searchListings(realContext, base);
    if (!first.nextCursor) {
      console.log(`\n## ${name}: no second page`);
      continue;
    }
    base.cursor = first.nextCursor;
  }
  let plan = "";
  const ctx = {
    now: Date.now(),
    cursorSecret,
    db: {
      execute: async (statement: SQL) => {
        const result = await db.execute(sql`explain (analyze, buffers) ${statement}`);
        plan = result.rows.map((row) => String((row as Record<string, unknown>)["QUERY PLAN"])).join("\n");
        return { rows: [] };
      },
    },
  } as unknown as ServiceContext;
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    await searchListings(ctx, base);
    times.push(Number(/Execution Time: ([\d.]+) ms/.exec(plan)?.[1]));
  }
  times.sort((a, b) => a - b);
  const figures = [times[0], times[Math.floor((times.length - 1) / 2)], times.at(-1)].map((t) =>
    t?.toFixed(1),
  );
  const uses = [
    "listings_search_idx",
    "listings_attributes_idx",
    "listings_published_price_idx",
    "listings_published_newest_idx",
    "listings_published_category_idx",
  ].filter((index) => plan.includes(index));
  console.log(
    `\n## ${name}: ${figures.join(" / ")} ms; indexes: ${uses.join(", ") || "none (sequential scan)"}`,
  );
  if (process.env.EXPLAIN_VERBOSE) console.log(plan);
}
await client.end();
