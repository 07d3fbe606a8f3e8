/**
 * `npm run bench:writes`: the database side of the write endpoints, without wrangler. The real services
 * (`checkout`, `setCartLine`) build their batches and send them with the real driver (drizzle neon-http,
 * `@neondatabase/serverless`) to the real local Neon proxy, run in a process of its own in front of a fresh
 * Postgres database (migrated, with a generated catalogue), exactly as the Worker does under `npm run bench`.
 * Reports, per case: statements per batch, database time per request as the Worker's `Server-Timing`
 * measures it (p50 / p95 / mean, ms) and the rate at `WRITES_CONCURRENCY` (default 8) requests in flight.
 *
 * Cases: checkout of 2 lines from 2 sellers, "hot" (every cart holds the same two variants) and
 * "uncontended" (every cart two variants of its own); a cart-line PUT (own carts, 50 variants).
 * `WRITES_COUNT` requests per case (default 400, after 16 warm-up ones), `WRITES_LISTINGS` listings
 * (default 2000).
 */
import pg from "pg";
import { generateCatalog } from "../scripts/seed/catalog.ts";
import { createDb } from "../src/db/client.ts";
import { DbMeter } from "../src/db/meter.ts";
import type { Config } from "../src/env.ts";
import type { ServiceContext } from "../src/services/context.ts";
import type { Principal } from "../src/services/identity/principal.ts";
import { getCart, setCartLine } from "../src/services/orders/cart.ts";
import { checkout } from "../src/services/orders/checkout.ts";
import { findTestServer, freshDatabaseUrl } from "../test/global-setup.ts";
import { dropDatabase } from "../tools/local-db/migrate.ts";
import { fillCarts } from "./carts.ts";
import { startProxyProcess } from "./stack.ts";

const count = Number(process.env.WRITES_COUNT ?? 400);
const concurrency = Number(process.env.WRITES_CONCURRENCY ?? 8);
const listings = Number(process.env.WRITES_LISTINGS ?? 2000);
const warmup = 16;

const server = await findTestServer();
if (!server) {
  console.error("bench:writes needs a Postgres server (TEST_DATABASE_URL, DATABASE_URL or 127.0.0.1:5432)");
  process.exit(2);
}
const databaseUrl = freshDatabaseUrl(server).replace("marketplace_test_", "marketplace_writes_");
const proxy = await startProxyProcess(databaseUrl);
const admin = new pg.Client({ connectionString: databaseUrl });
await admin.connect();

/** Statements in each batch the driver sends (counted from the request body), by request. */
let lastStatements = 0;
/** Set to a label: the next batch is first run statement by statement, timed, and rolled back (`WRITES_PROFILE=1`). */
let profileNext: string | undefined;
const profile = process.env.WRITES_PROFILE === "1" || process.env.WRITES_PROFILE === "explain";
/** `WRITES_PROFILE=explain`: also EXPLAIN ANALYZE the statements slower than 3 ms (in the second pass). */
const explainSlow = process.env.WRITES_PROFILE === "explain";
const realFetch = globalThis.fetch;
globalThis.fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
  if (typeof init?.body === "string") {
    const body = JSON.parse(init.body) as { queries?: { query: string; params: unknown[] }[] };
    lastStatements = Array.isArray(body.queries) ? body.queries.length : 1;
    if (profileNext && body.queries) {
      const label = profileNext;
      profileNext = undefined;
      await profileBatch(label, body.queries);
    }
  }
  return realFetch(input, init);
}) as typeof fetch;

/** Each statement's time on Postgres (one at a time over one connection, in a transaction rolled back). */
async function profileBatch(label: string, queries: { query: string; params: unknown[] }[]) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  let lines: string[] = [];
  let total = 0;
  // The second pass is printed: the first warms the new connection's catalogue caches.
  for (let pass = 0; pass < 2; pass++) {
    lines = [];
    try {
      await client.query("begin");
      total = 0;
      for (const [i, q] of queries.entries()) {
        const started = performance.now();
        try {
          if (explainSlow) await client.query("savepoint statement");
          await client.query(q.query, q.params);
        } catch (error) {
          lines.push(`  ${i}: failed: ${(error as Error).message}`);
          break;
        }
        const ms = performance.now() - started;
        total += ms;
        if (explainSlow && pass === 1 && ms > 3) {
          // Run again under EXPLAIN ANALYZE from just before the statement (its effects stay, once).
          await client.query("rollback to savepoint statement");
          const plan = await client.query(`explain (analyze, costs off) ${q.query}`, q.params);
          lines.push(plan.rows.map((row) => `      ${row["QUERY PLAN"]}`).join("\n"));
        }
        lines.push(
          `  ${String(i).padStart(2)} ${ms.toFixed(2).padStart(7)} ms  ${q.query.replace(/\s+/g, " ").slice(0, 110)}`,
        );
      }
    } finally {
      await client.query("rollback").catch(() => {});
    }
  }
  await client.end();
  console.log(`profile, ${label}: ${total.toFixed(1)} ms in all\n${lines.join("\n")}`);
}

const config = { DATABASE_URL: databaseUrl, LOCAL_DB_PROXY: proxy.url } as unknown as Config;
function context(meter: DbMeter): ServiceContext {
  return { db: createDb(config, meter), now: Date.now() } as unknown as ServiceContext;
}

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;

interface CaseResult {
  case: string;
  statements: number;
  failed: number;
  rps: string;
  dbP50: string;
  dbP95: string;
  dbMean: string;
  serialP50: string;
}

/** Requests done with one in flight per case, for the latency of a batch alone. */
const serialCount = 40;

/**
 * Runs `run(i)` for `count` requests with `concurrency` in flight (after `warmup` untimed ones), then
 * `serialCount` one at a time; i counts up across all of them.
 */
async function measure(name: string, run: (i: number, meter: DbMeter) => Promise<void>): Promise<CaseResult> {
  let next = 0;
  let failed = 0;
  let firstError: unknown;
  let statements = 0;
  const worker = async (total: number, times?: number[]) => {
    while (next < total) {
      const i = next++;
      const meter = new DbMeter();
      try {
        await run(i, meter);
        statements = lastStatements;
        times?.push(meter.ms);
      } catch (error) {
        failed++;
        firstError ??= error;
      }
    }
  };
  const loaded: number[] = [];
  await Promise.all(Array.from({ length: concurrency }, () => worker(warmup)));
  if (profile) {
    profileNext = name;
    await worker(next + 1);
  }
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, () => worker(warmup + count, loaded)));
  const seconds = (performance.now() - started) / 1000;
  const serial: number[] = [];
  await worker(warmup + count + serialCount, serial);
  if (firstError) console.error(`${name}: ${failed} failed, first:`, firstError);
  const sorted = [...loaded].sort((a, b) => a - b);
  return {
    case: name,
    statements,
    failed,
    rps: (loaded.length / seconds).toFixed(0),
    dbP50: quantile(sorted, 0.5).toFixed(1),
    dbP95: quantile(sorted, 0.95).toFixed(1),
    dbMean: (sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length)).toFixed(1),
    serialP50: quantile(
      serial.sort((a, b) => a - b),
      0.5,
    ).toFixed(1),
  };
}

try {
  await generateCatalog(admin, { listings, sellers: 50, log: () => {} });
  const { rows: users } = await admin.query<{ id: string }>(
    `insert into users (email, email_normalized, name, password_hash, email_verified_at)
     values ('writes@bench.example', 'writes@bench.example', 'Writes Bench', 'x', now()) returning id`,
  );
  const userId = users[0]?.id ?? "";
  const sessionId = `ses_${crypto.randomUUID()}`;
  await admin.query(
    `insert into sessions (id, user_id, expires_at) values ($1, $2, now() + interval '1 day')`,
    [sessionId, userId],
  );
  const principal: Principal = { kind: "user", userId, sessionId };
  const orgsNeeded = warmup + count + serialCount;

  /** Buyer orgs with carts of 2 lines from 2 sellers: the same two variants (hot) or own ones (uncontended). */
  async function carts(shape: "hot" | "spread"): Promise<{ orgId: string; etag: string }[]> {
    await admin.query("update listing_variants set stock = 0 where stock = 1000000000 or stock > 500000000");
    const orgIds = await fillCarts(admin, userId, orgsNeeded, shape);
    if (orgIds.length < orgsNeeded) throw new Error(`only ${orgIds.length} carts; raise WRITES_LISTINGS`);
    const out: { orgId: string; etag: string }[] = [];
    for (const orgId of orgIds) {
      out.push({ orgId, etag: (await getCart(context(new DbMeter()), principal, orgId)).etag });
    }
    return out;
  }

  const input = {
    paymentTerms: "net30" as const,
    shippingAddress: {
      name: "Bench",
      line1: "1 Bench St",
      city: "Berlin",
      postalCode: "10115",
      country: "DE",
    },
  };
  /** Stock of the bench's variants plus every unit ordered of them: must not move. */
  const ledger = async () =>
    (
      await admin.query<{ n: string }>(
        `select (select coalesce(sum(stock), 0) from listing_variants where stock > 500000000)
          + (select coalesce(sum(quantity), 0) from order_lines ln join listing_variants v on v.id = ln.variant_id
             where v.stock > 500000000) as n`,
      )
    ).rows[0]?.n;
  const stockExact: string[] = [];
  const checkoutCase = async (label: string, shape: "hot" | "spread") => {
    const list = await carts(shape);
    const before = await ledger();
    const result = await measure(label, async (i, meter) => {
      const cart = list[i];
      if (!cart) throw new Error("out of carts");
      const key = crypto.randomUUID();
      const result = await checkout(context(meter), principal, cart.orgId, key, cart.etag, input, 48, 72);
      if (result.status !== 201 || result.replayed) throw new Error(`checkout answered ${result.status}`);
    });
    const after = await ledger();
    stockExact.push(`${shape}: ${before === after ? "exact" : `MOVED ${before} -> ${after}`}`);
    return result;
  };

  const results: CaseResult[] = [];
  results.push(await checkoutCase("checkout, uncontended (2 lines, 2 sellers)", "spread"));
  results.push(await checkoutCase("checkout, hot (all buy the same 2 variants)", "hot"));

  // Cart PUT, as the bench does it: 50 variants × own carts of (up to) 500 orgs.
  const { rows: cartOrgs } = await admin.query<{ org_id: string }>(
    `with made as (insert into organizations (name, kind) select 'Writes Cart ' || n, 'buyer' from generate_series(1, 500) n returning id)
     insert into memberships (org_id, user_id, role) select made.id, $1, 'owner' from made returning org_id`,
    [userId],
  );
  const { rows: variants } = await admin.query<{ id: string; moq: number }>(
    `select v.id, l.min_order_quantity as moq from listing_variants v join listings l on l.id = v.listing_id
     where l.status = 'published' and l.currency = 'EUR' order by v.id limit 50`,
  );
  results.push(
    await measure("cart-line PUT", async (i, meter) => {
      const variant = variants[i % variants.length];
      const org = cartOrgs[Math.floor(i / variants.length) % cartOrgs.length];
      if (!variant || !org) throw new Error("bench setup");
      await setCartLine(context(meter), principal, org.org_id, variant.id, variant.moq);
    }),
  );

  console.log(
    `bench:writes: ${count} requests per case (+${warmup} warm-up), ${concurrency} in flight, ${listings} listings; ` +
      `driver → local proxy (own process) → Postgres; DB ms as Server-Timing measures it`,
  );
  console.table(results);
  console.log(`stock (remaining + ordered) unchanged: ${stockExact.join(", ")}`);
} finally {
  await admin.end();
  proxy.child.kill("SIGTERM");
  await new Promise((resolve) => proxy.child.once("exit", resolve));
  await dropDatabase(databaseUrl).catch(() => {});
}
