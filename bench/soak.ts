/**
 * `npm run soak`: a mixed workload (search, listing detail, sign-in, cart, checkout, seller edits) at the
 * local stack's saturation, bounded in time (SOAK_SECONDS, default 600; `-- --short` = 60) and count
 * (SOAK_MAX_REQUESTS). Per minute (per 10 s in short mode): requests, unexpected errors, p50/p99, the
 * Worker isolate's JS heap (inspector) and the RSS of every local process. Then the bare hello Worker gets
 * the same request rate for the same time, to compare workerd's RSS growth per request.
 *
 * Fails (exit 1) on any unexpected status or 5xx, on an isolate heap above 64 MB, or on heap growth above
 * 10% from the second interval to the last.
 */
import pg from "pg";
import { generateCatalog } from "../scripts/seed/catalog.ts";
import { isolateHeap } from "./inspector.ts";
import { load } from "./load.ts";
import { MiB, sampleGroups } from "./processes.ts";
import { startBenchStack } from "./stack.ts";

const short = process.argv.includes("--short");
const seconds = Number(process.env.SOAK_SECONDS ?? (short ? 60 : 600));
const intervalSeconds = Number(process.env.SOAK_INTERVAL_SECONDS ?? (short ? 10 : 60));
const maxRequests = Number(process.env.SOAK_MAX_REQUESTS ?? 2_000_000);
const workers = Number(process.env.SOAK_CONCURRENCY ?? 24);
const HEAP_LIMIT = 64 * MiB;
const HEAP_GROWTH_LIMIT = 0.1;
const PASSWORD = "soak passphrase 2026";

const stack = await startBenchStack({ name: "soak" });
const db = new pg.Client({ connectionString: stack.databaseUrl });
await db.connect();
const base = stack.api.url;
const json = { "content-type": "application/json" };
const randomIp = () =>
  `10.${1 + Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}`;
const pick = <T>(items: T[]): T => items[Math.floor(Math.random() * items.length)] as T;

async function call(
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: unknown } = {},
) {
  return fetch(`${base}${path}`, {
    method: init.method ?? "GET",
    headers: { "cf-connecting-ip": randomIp(), ...(init.body ? json : {}), ...init.headers },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
}

// --- Arrange: catalogue, a seller and one buyer organisation per worker.
await generateCatalog(db, {
  listings: Number(process.env.SOAK_LISTINGS ?? 10_000),
  sellers: 200,
  log: () => {},
});
const email = `soak.${Date.now()}@soak.example`;
const signup = await call("/v1/auth/signup", {
  method: "POST",
  body: { email, password: PASSWORD, name: "Soak" },
});
if (signup.status !== 202) throw new Error(`soak setup: signup ${signup.status} ${await signup.text()}`);
// Sign-up signs nobody in and the address waits for its emailed link: verified here (checkout needs it).
await db.query("update users set email_verified_at = now() where email_normalized = $1", [email]);
const login = await call("/v1/auth/login", { method: "POST", body: { email, password: PASSWORD } });
if (login.status !== 200) throw new Error(`soak setup: login ${login.status} ${await login.text()}`);
const token = ((await login.json()) as { session: { token: string } }).session.token;
const auth = { authorization: `Bearer ${token}` };
// Sign-in is spread over one account per client: several correct sign-ins of one account in flight at once
// count as pending failures until they succeed (the login throttle claims each check before hashing).
const loginEmails = await Promise.all(
  Array.from({ length: workers }, async (_, i) => {
    const address = `soak.${Date.now()}.${i}@soak.example`;
    const res = await call("/v1/auth/signup", {
      method: "POST",
      body: { email: address, password: PASSWORD, name: `Soak ${i}` },
    });
    if (res.status !== 202) throw new Error(`soak setup: signup ${res.status} ${await res.text()}`);
    return address;
  }),
);
const sellerRes = await call("/v1/orgs", {
  method: "POST",
  headers: auth,
  body: { name: "Soak Seller", kind: "seller" },
});
const sellerOrg = ((await sellerRes.json()) as { id: string }).id;
const { rows: buyerRows } = await db.query<{ id: string }>(
  `with made as (insert into organizations (name, kind) select 'Soak Buyer ' || n, 'buyer' from generate_series(1, $1::int) n returning id),
     joined as (insert into memberships (org_id, user_id, role) select made.id, u.id, 'owner' from made, users u where u.email_normalized = $2 returning org_id)
   select org_id as id from joined`,
  [workers, email],
);
const buyerOrgs = buyerRows.map((r) => r.id);
const { rows: variantRows } = await db.query<{ id: string; moq: number }>(
  `with picked as (select v.id, l.min_order_quantity as moq from listing_variants v join listings l on l.id = v.listing_id
     where l.status = 'published' and l.currency = 'EUR' order by v.id limit 400)
   update listing_variants v set stock = 1000000000 from picked where v.id = picked.id returning v.id, picked.moq`,
);
const { rows: sellerListings } = await db.query<{ id: string }>(
  `update listings set org_id = $1, version = 1 where id in (select id from listings where status = 'published'
     and id not in (select listing_id from listing_variants where stock = 1000000000) order by id desc limit $2::int) returning id`,
  [sellerOrg, workers * 20],
);
const { rows: detailRows } = await db.query<{ id: string }>(
  "select id from listings where status = 'published' order by random() limit 2000",
);
const words = [
  "stainless",
  "bolt",
  "glove",
  "tape",
  "box",
  "industrial",
  "premium",
  "drill",
  "safety",
  "mailer",
];
const categories = ["packaging", "fasteners", "tools", "safety-equipment", "industrial-supplies"];

// --- The workload: each worker owns a buyer org and a slice of the seller's listings (no cross-talk).
type Action = "search" | "browse" | "detail" | "login" | "cart" | "checkout" | "edit";
const weights: [Action, number][] = [
  ["search", 20],
  ["browse", 15],
  ["detail", 30],
  ["login", 2],
  ["cart", 15],
  ["checkout", 8],
  ["edit", 10],
];
const totalWeight = weights.reduce((sum, [, w]) => sum + w, 0);
function chooseAction(): Action {
  let roll = Math.random() * totalWeight;
  for (const [action, weight] of weights) {
    roll -= weight;
    if (roll < 0) return action;
  }
  return "detail";
}

interface Interval {
  latencies: number[];
  unexpected: number;
  serverErrors: number;
  byAction: Record<string, number>;
}
const newInterval = (): Interval => ({ latencies: [], unexpected: 0, serverErrors: 0, byAction: {} });
let current = newInterval();
let total = 0;
let totalUnexpected = 0;
const firstFailures: string[] = [];

async function timed(action: Action, expected: number[], request: () => Promise<Response>) {
  const started = performance.now();
  const res = await request();
  const body = await res.text();
  current.latencies.push(performance.now() - started);
  current.byAction[action] = (current.byAction[action] ?? 0) + 1;
  total++;
  if (res.status >= 500) current.serverErrors++;
  if (!expected.includes(res.status)) {
    current.unexpected++;
    totalUnexpected++;
    if (firstFailures.length < 5) firstFailures.push(`${action} → ${res.status} ${body.slice(0, 200)}`);
  }
  return { res, body };
}

async function worker(index: number, deadline: number) {
  const buyer = buyerOrgs[index] ?? "";
  const mine = sellerListings.slice(index * 20, index * 20 + 20).map((r) => ({ id: r.id, version: 1 }));
  while (Date.now() < deadline && total < maxRequests) {
    const action = chooseAction();
    if (action === "search") {
      await timed(action, [200], () => call(`/v1/listings?q=${pick(words)}&limit=20`));
    } else if (action === "browse") {
      await timed(action, [200], () => call(`/v1/listings?category=${pick(categories)}&sort=price&limit=20`));
    } else if (action === "detail") {
      await timed(action, [200], () => call(`/v1/listings/${pick(detailRows).id}`));
    } else if (action === "login") {
      await timed(action, [200], () =>
        call("/v1/auth/login", {
          method: "POST",
          body: { email: loginEmails[index] ?? email, password: PASSWORD },
        }),
      );
    } else if (action === "cart" || action === "checkout") {
      const variant = pick(variantRows);
      const { res } = await timed("cart", [200], () =>
        call(`/v1/orgs/${buyer}/cart/lines/${variant.id}`, {
          method: "PUT",
          headers: auth,
          body: { quantity: variant.moq },
        }),
      );
      if (action === "checkout") {
        const etag = res.headers.get("etag");
        await timed(action, [201], () =>
          call(`/v1/orgs/${buyer}/checkout`, {
            method: "POST",
            headers: {
              ...auth,
              "idempotency-key": crypto.randomUUID(),
              ...(etag ? { "if-match": etag } : {}),
            },
            body: {
              paymentTerms: "net30",
              shippingAddress: {
                name: "Soak",
                line1: "1 Soak St",
                city: "Berlin",
                postalCode: "10115",
                country: "DE",
              },
            },
          }),
        );
      }
    } else if (action === "edit" && mine.length) {
      const listing = pick(mine);
      const { res } = await timed(action, [200], () =>
        call(`/v1/orgs/${sellerOrg}/listings/${listing.id}`, {
          method: "PATCH",
          headers: { ...auth, "if-match": `"${listing.version}"` },
          body: { leadTimeDays: 1 + Math.floor(Math.random() * 30) },
        }),
      );
      const next = Number(/"(\d+)"/.exec(res.headers.get("etag") ?? "")?.[1]);
      if (res.status === 200 && next) listing.version = next;
    }
  }
}

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0) : 0;
};
const mib = (bytes: number) => (bytes / MiB).toFixed(1);

interface Report {
  t: number;
  requests: number;
  rps: number;
  unexpected: number;
  p50: string;
  p99: string;
  heapMiB: string;
  [process: string]: string | number;
}

async function heapNow(): Promise<number> {
  try {
    return (await isolateHeap(stack.api.inspectorPort)).usedBytes;
  } catch {
    return Number.NaN;
  }
}

let failed = false;
try {
  console.log(
    `soak: ${stack.describe}; ${seconds}s, ${workers} concurrent clients, report every ${intervalSeconds}s, ` +
      `at most ${maxRequests} requests`,
  );
  const startRss = sampleGroups(stack.groups);
  const reports: Report[] = [];
  const heaps: number[] = [];
  const started = Date.now();
  const deadline = started + seconds * 1000;
  const load$ = Promise.all(Array.from({ length: workers }, (_, i) => worker(i, deadline)));
  let heapMin = Number.POSITIVE_INFINITY;
  let tick = 0;
  while (Date.now() < deadline && total < maxRequests) {
    // The heap is sampled every few seconds; an interval reports its lowest reading (closest to live data,
    // since a forced GC is not always available through wrangler's inspector proxy).
    await new Promise((resolve) => setTimeout(resolve, 2000));
    heapMin = Math.min(heapMin, await heapNow());
    if (Date.now() - started < (tick + 1) * intervalSeconds * 1000 && Date.now() < deadline) continue;
    tick++;
    const interval = current;
    current = newInterval();
    const rss = sampleGroups(stack.groups);
    heaps.push(heapMin);
    reports.push({
      t: Math.round((Date.now() - started) / 1000),
      requests: interval.latencies.length,
      rps: Math.round(interval.latencies.length / intervalSeconds),
      unexpected: interval.unexpected,
      p50: quantile(interval.latencies, 0.5).toFixed(0),
      p99: quantile(interval.latencies, 0.99).toFixed(0),
      heapMiB: mib(heapMin),
      ...Object.fromEntries(rss.map((s) => [`${s.label} MiB`, mib(s.rssBytes)])),
    });
    console.log(JSON.stringify(reports.at(-1)));
    heapMin = Number.POSITIVE_INFINITY;
  }
  await load$;
  const elapsed = (Date.now() - started) / 1000;
  const endRss = sampleGroups(stack.groups);
  console.table(reports);
  const apiGrowth =
    (endRss.find((s) => s.label === "api workerd")?.rssBytes ?? 0) -
    (startRss.find((s) => s.label === "api workerd")?.rssBytes ?? 0);

  // The bare hello Worker at the same request rate, for the same time.
  const rate = Math.max(1, Math.round(total / elapsed));
  const helloStart = sampleGroups(stack.groups).find((s) => s.label === "hello workerd")?.rssBytes ?? 0;
  const hello = await load(
    stack.hello.url,
    { path: "/health" },
    { connections: workers, seconds, overallRate: rate },
  );
  const helloEnd = sampleGroups(stack.groups).find((s) => s.label === "hello workerd")?.rssBytes ?? 0;
  const apiPerRequest = apiGrowth / Math.max(1, total);
  const helloPerRequest = (helloEnd - helloStart) / Math.max(1, hello.requests);

  const second = heaps[1] ?? heaps[0] ?? Number.NaN;
  const last = heaps.at(-1) ?? Number.NaN;
  const growth = (last - second) / second;
  const peak = Math.max(...heaps.filter(Number.isFinite));
  console.log(
    `requests: ${total} in ${elapsed.toFixed(0)} s (${rate}/s); unexpected statuses: ${totalUnexpected}` +
      (firstFailures.length ? `\n  first: ${firstFailures.join("\n  ")}` : ""),
  );
  console.log(
    `isolate heap: ${mib(second)} MiB (interval 2) → ${mib(last)} MiB (last), growth ${(growth * 100).toFixed(1)}%, ` +
      `peak ${mib(peak)} MiB (limits: < 64 MiB, growth < 10%)`,
  );
  console.log(
    `workerd RSS growth per request: api ${(apiPerRequest / 1024).toFixed(2)} KiB over ${total} requests; ` +
      `bare hello ${(helloPerRequest / 1024).toFixed(2)} KiB over ${hello.requests} requests at the same rate; ` +
      `ratio ${(helloPerRequest > 0 ? apiPerRequest / helloPerRequest : Number.NaN).toFixed(2)}`,
  );
  if (totalUnexpected > 0) failed = true;
  if (!(peak < HEAP_LIMIT)) failed = true;
  if (!(growth < HEAP_GROWTH_LIMIT)) failed = true;
  console.log(failed ? "soak: FAILED" : "soak: passed");
} finally {
  await db.end();
  await stack.close();
}
process.exit(failed ? 1 : 0);
