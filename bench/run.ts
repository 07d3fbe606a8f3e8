/**
 * `npm run bench`: load on the local stack (wrangler dev → local Neon proxy → Postgres), per endpoint:
 * requests/s, p50/p99 latency and database round trips per request (from Server-Timing), then the gzip
 * size of the deployable bundle. Uses real Postgres when reachable (fresh database), else PGlite.
 * Figures are for comparing runs on one machine; absolute numbers mean little on a shared box.
 *
 * BENCH_SECONDS (default 5) and BENCH_CONNECTIONS (default 10) tune each run; BENCH_LISTINGS (default
 * 10,000) sizes the generated catalogue (the figure is 100,000).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import pg from "pg";
import { measureBundle } from "../scripts/bundle-size.ts";
import { generateCatalog } from "../scripts/seed/catalog.ts";
import { findTestServer, freshDatabaseUrl } from "../test/global-setup.ts";
import { startWranglerDev } from "../tools/dev/wrangler.ts";
import { freePort } from "../tools/local-db/backend.ts";
import { dropDatabase } from "../tools/local-db/migrate.ts";
import { startLocalStack } from "../tools/local-db/stack.ts";
import { type BenchRequest, benchEndpoints } from "./endpoints.ts";

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 10);

const server = await findTestServer();
const databaseUrl = server
  ? freshDatabaseUrl(server).replace("marketplace_test_", "marketplace_bench_")
  : undefined;
const stack = await startLocalStack({ databaseUrl });
const listings = Number(process.env.BENCH_LISTINGS ?? 10_000);
const db = new pg.Client({ connectionString: stack.databaseUrl });
await db.connect();
if (listings > 0)
  await generateCatalog(db, { listings, sellers: 200, log: (line) => console.log(`bench ${line}`) });
const persistTo = mkdtempSync(join(tmpdir(), "marketplace-bench-"));
const worker = await startWranglerDev({
  port: await freePort(),
  inspectorPort: await freePort(),
  persistTo,
  vars: {
    DATABASE_URL: stack.databaseUrl,
    LOCAL_DB_PROXY: stack.proxy.url,
    SERVER_TIMING: "on",
    LOG_LEVEL: "warn",
  },
});

function randomClientIp() {
  const octet = () => 1 + Math.floor(Math.random() * 250);
  return `10.${octet()}.${octet()}.${octet()}`;
}

function send(request: BenchRequest) {
  const copy = {
    path: request.path,
    headers: { ...request.headers, "cf-connecting-ip": randomClientIp() },
    body: request.body,
  };
  request.vary?.(copy);
  return fetch(`${worker.url}${copy.path}`, {
    method: request.method ?? "GET",
    headers: copy.headers,
    body: copy.body,
  });
}

/**
 * CPU time of a login inside workerd, estimated from outside: one request at a time, wall time minus the
 * database time the Worker reports (Server-Timing) minus the same for /health (HTTP and runtime overhead).
 */
async function reportLoginCpu() {
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
  const sample = async (request: BenchRequest, count: number) => {
    const nonDb: number[] = [];
    for (let i = 0; i < count; i++) {
      const started = performance.now();
      const res = await send(request);
      await res.arrayBuffer();
      const wall = performance.now() - started;
      const db = Number(/dur=([\d.]+)/.exec(res.headers.get("server-timing") ?? "")?.[1] ?? 0);
      nonDb.push(wall - db);
    }
    return median(nonDb);
  };
  const login = benchEndpoints.find((e) => e.name === "POST /v1/auth/login");
  const unknown = benchEndpoints.find((e) => e.name === "POST /v1/auth/login (unknown email)");
  if (!login || !unknown) return;
  const baseline = await sample({ path: "/health" }, 30);
  const ok = await sample(await login.prepare({ baseUrl: worker.url, db }), 30);
  const miss = await sample(await unknown.prepare({ baseUrl: worker.url, db }), 30);
  console.log(
    `login CPU in workerd (median of 30, wall − DB − /health overhead): ${(ok - baseline).toFixed(1)} ms; ` +
      `unknown email: ${(miss - baseline).toFixed(1)} ms (ratio ${((miss - baseline) / (ok - baseline)).toFixed(2)})`,
  );
}

interface Row {
  endpoint: string;
  status: number;
  rps: number;
  p50: number;
  p99: number;
  roundTrips: string;
  errors: number;
}
const rows: Row[] = [];
try {
  console.log(`bench: ${stack.describe()}; ${seconds}s × ${connections} connections per endpoint\n`);
  for (const endpoint of benchEndpoints) {
    const request = await endpoint.prepare({ baseUrl: worker.url, db });
    // Round trips of the steady state: the second request (the first may fill caches).
    await (await send(request)).arrayBuffer();
    const sample = await send(request);
    const trips = /desc="(\d+) round trips"/.exec(sample.headers.get("server-timing") ?? "")?.[1] ?? "?";
    await sample.arrayBuffer();
    // Every request from its own client address, so the per-IP API limit measures nothing but the API.
    const vary = (next: { path: string; headers: Record<string, string>; body?: string }) => {
      next.headers["cf-connecting-ip"] = randomClientIp();
      request.vary?.(next);
    };
    const result = await autocannon({
      url: `${worker.url}${request.path}`,
      method: (request.method ?? "GET") as "GET",
      headers: request.headers,
      body: request.body,
      connections,
      duration: seconds,
      requests: [
        {
          setupRequest: (req) => {
            const next = {
              path: (req.path as string | undefined) ?? request.path,
              headers: { ...(req.headers as Record<string, string>) },
              body: req.body as string,
            };
            vary(next);
            return { ...req, path: next.path, headers: next.headers, body: next.body };
          },
        },
      ],
    });
    rows.push({
      endpoint: endpoint.name,
      status: sample.status,
      rps: Math.round(result.requests.average),
      p50: result.latency.p50,
      p99: result.latency.p99,
      roundTrips: trips,
      errors: result.errors + result.non2xx,
    });
  }
  console.table(rows);
  await reportLoginCpu();
  const bundle = measureBundle();
  console.log(`bundle: ${bundle.rawKiB.toFixed(1)} KiB raw, ${bundle.gzipKiB.toFixed(1)} KiB gzip`);
} finally {
  await db.end();
  await worker.stop();
  await stack.close();
  if (databaseUrl) await dropDatabase(databaseUrl).catch(() => {});
  rmSync(persistTo, { recursive: true, force: true });
}
