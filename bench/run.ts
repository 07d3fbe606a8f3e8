/**
 * `npm run bench`: load on the local stack (wrangler dev → local Neon proxy → Postgres), endpoint by
 * endpoint, against a bare Hono "hello" Worker served by the same wrangler dev in the same run. For each
 * endpoint: requests/s, p50/p99, database round trips and database time per request (Server-Timing),
 * the rate as a ratio of the baseline's rate measured in the same pass, and where the machine's CPU went
 * (Postgres, the proxy, each wrangler and workerd). Then login CPU and the bundle size.
 *
 * Reads run at BENCH_READ_CONNECTIONS (32), writes at BENCH_WRITE_CONNECTIONS (8), BENCH_SECONDS (10)
 * each, BENCH_PASSES (2) alternating passes; BENCH_LISTINGS (10,000) sizes the catalogue; BENCH_ONLY (substrings,
 * |-separated) picks endpoints; BENCH_OUTBOX_RELAY=off turns the after-write outbox relay off (to compare).
 * Absolute figures drift on a shared machine: read the ratios.
 */
import pg from "pg";
import { measureBundle } from "../scripts/bundle-size.ts";
import { generateCatalog } from "../scripts/seed/catalog.ts";
import { type BenchEndpoint, benchEndpoints } from "./endpoints.ts";
import { type LoadResult, load, sendOnce } from "./load.ts";
import { type GroupSample, sampleGroups } from "./processes.ts";
import { startBenchStack } from "./stack.ts";

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const readConnections = Number(process.env.BENCH_READ_CONNECTIONS ?? 32);
const writeConnections = Number(process.env.BENCH_WRITE_CONNECTIONS ?? 8);
const passes = Number(process.env.BENCH_PASSES ?? 2);
const listings = Number(process.env.BENCH_LISTINGS ?? 10_000);
const only = process.env.BENCH_ONLY;

// BENCH_OUTBOX_RELAY=off measures writes without the outbox relay that runs after each of them (waitUntil).
const relay = process.env.BENCH_OUTBOX_RELAY;
const stack = await startBenchStack({ name: "bench", vars: relay ? { OUTBOX_RELAY: relay } : undefined });
const db = new pg.Client({ connectionString: stack.databaseUrl });
await db.connect();

const kindOf = (endpoint: BenchEndpoint) => endpoint.kind ?? "read";
const fmt = (value: number | null, digits = 0) => (value === null ? "–" : value.toFixed(digits));

/** CPU seconds each group spent while `work` ran. */
async function cpuDuring<T>(work: () => Promise<T>): Promise<{ value: T; cpu: GroupSample[] }> {
  const before = sampleGroups(stack.groups);
  const value = await work();
  const after = sampleGroups(stack.groups);
  return {
    value,
    cpu: after.map((sample, i) => ({
      ...sample,
      cpuSeconds: sample.cpuSeconds - (before[i]?.cpuSeconds ?? 0),
    })),
  };
}

/**
 * CPU time of a login inside workerd, estimated from outside: one request at a time, wall time minus the
 * database time the Worker reports (Server-Timing) minus the same for /health (HTTP and runtime overhead).
 */
async function reportLoginCpu() {
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
  const sample = async (request: Parameters<typeof sendOnce>[1], count: number) => {
    const nonDb: number[] = [];
    for (let i = 0; i < count; i++) {
      const started = performance.now();
      const res = await sendOnce(stack.api.url, request);
      await res.arrayBuffer();
      const wall = performance.now() - started;
      const dbMs = Number(/dur=([\d.]+)/.exec(res.headers.get("server-timing") ?? "")?.[1] ?? 0);
      nonDb.push(wall - dbMs);
    }
    return median(nonDb);
  };
  const login = benchEndpoints.find((e) => e.name === "POST /v1/auth/login");
  const unknown = benchEndpoints.find((e) => e.name === "POST /v1/auth/login (unknown email)");
  if (!login || !unknown) return;
  const baseline = await sample({ path: "/health" }, 30);
  const ok = await sample(await login.prepare({ baseUrl: stack.api.url, db }), 30);
  const miss = await sample(await unknown.prepare({ baseUrl: stack.api.url, db }), 30);
  console.log(
    `login CPU in workerd (median of 30, wall − DB − /health overhead): ${(ok - baseline).toFixed(1)} ms; ` +
      `unknown email: ${(miss - baseline).toFixed(1)} ms (ratio ${((miss - baseline) / (ok - baseline)).toFixed(2)})`,
  );
}

interface Row {
  pass: number;
  endpoint: string;
  conns: number;
  status: number;
  rps: number;
  ratio: string;
  vsAssets: string;
  p50: number;
  p99: number;
  trips: string;
  dbMs: string;
  dbP95: string;
  errors: number;
}

try {
  if (listings > 0)
    await generateCatalog(db, { listings, sellers: 200, log: (line) => console.log(`bench ${line}`) });
  const endpoints = benchEndpoints.filter(
    (e) => !only || only.split("|").some((part) => e.name.includes(part)),
  );
  console.log(
    `bench: ${stack.describe}; ${seconds}s per endpoint, reads × ${readConnections}, writes × ${writeConnections} ` +
      `connections, ${passes} passes; baseline: bare Hono hello Worker on the same wrangler dev\n`,
  );
  const prepared = [];
  for (const endpoint of endpoints) {
    const request = await endpoint.prepare({ baseUrl: stack.api.url, db });
    // Round trips of the steady state: the second request (the first may fill caches).
    await (await sendOnce(stack.api.url, request)).arrayBuffer();
    const sample = await sendOnce(stack.api.url, request);
    const trips = /desc="(\d+) round trips"/.exec(sample.headers.get("server-timing") ?? "")?.[1] ?? "?";
    const answer = await sample.text();
    // A benchmark of an error is no benchmark: say what the endpoint answered.
    if (sample.status >= 400)
      console.warn(`bench: ${endpoint.name} answers ${sample.status}: ${answer.slice(0, 400)}`);
    prepared.push({ endpoint, request, trips, status: sample.status });
  }

  const rows: Row[] = [];
  const cpuRows: Record<string, string | number>[] = [];
  const row = (
    pass: number,
    name: string,
    conns: number,
    status: number,
    trips: string,
    r: LoadResult,
    base: number,
    baseAssets: number,
  ) => {
    rows.push({
      pass,
      endpoint: name,
      conns,
      status,
      rps: Math.round(r.rps),
      ratio: (r.rps / base).toFixed(2),
      vsAssets: (r.rps / baseAssets).toFixed(2),
      p50: r.p50,
      p99: r.p99,
      trips,
      dbMs: fmt(r.dbMean, 1),
      dbP95: fmt(r.dbP95, 1),
      errors: r.errors,
    });
  };
  const cpuRow = (pass: number, name: string, result: LoadResult, cpu: GroupSample[]) => ({
    pass,
    endpoint: name,
    ...Object.fromEntries(
      cpu.map((s) => [
        `${s.label} ms/req`,
        ((s.cpuSeconds * 1000) / Math.max(1, result.requests)).toFixed(2),
      ]),
    ),
  });
  for (let pass = 1; pass <= passes; pass++) {
    // The baseline, at the read concurrency and at the write concurrency, measured in this pass.
    const measured = await cpuDuring(() =>
      load(stack.hello.url, { path: "/health" }, { connections: readConnections, seconds }),
    );
    const baseRead = measured.value;
    cpuRows.push(cpuRow(pass, "baseline: hello Worker /health", baseRead, measured.cpu));
    const baseWrite = await load(
      stack.hello.url,
      { path: "/health" },
      { connections: writeConnections, seconds },
    );
    const assetsRead = await load(
      stack.helloAssets.url,
      { path: "/health" },
      { connections: readConnections, seconds },
    );
    const assetsWrite = await load(
      stack.helloAssets.url,
      { path: "/health" },
      { connections: writeConnections, seconds },
    );
    const bases = {
      [readConnections]: [baseRead.rps, assetsRead.rps],
      [writeConnections]: [baseWrite.rps, assetsWrite.rps],
    } as Record<number, [number, number]>;
    const against = (conns: number) => bases[conns] ?? [1, 1];
    row(
      pass,
      "baseline: hello Worker /health",
      readConnections,
      200,
      "0",
      baseRead,
      ...against(readConnections),
    );
    row(
      pass,
      "baseline: hello Worker /health",
      writeConnections,
      200,
      "0",
      baseWrite,
      ...against(writeConnections),
    );
    row(
      pass,
      "baseline: hello + assets /health",
      readConnections,
      200,
      "0",
      assetsRead,
      ...against(readConnections),
    );
    row(
      pass,
      "baseline: hello + assets /health",
      writeConnections,
      200,
      "0",
      assetsWrite,
      ...against(writeConnections),
    );
    for (const { endpoint, request, trips, status } of prepared) {
      const conns = kindOf(endpoint) === "write" ? writeConnections : readConnections;
      const { value: result, cpu } = await cpuDuring(() =>
        load(stack.api.url, request, { connections: conns, seconds }),
      );
      row(pass, endpoint.name, conns, status, trips, result, ...against(conns));
      cpuRows.push(cpuRow(pass, endpoint.name, result, cpu));
    }
  }
  console.table(rows);
  console.log("CPU per request by process (ms of CPU time per request served):");
  console.table(cpuRows);
  await reportLoginCpu();
  const bundle = measureBundle();
  console.log(`bundle: ${bundle.rawKiB.toFixed(1)} KiB raw, ${bundle.gzipKiB.toFixed(1)} KiB gzip`);
} finally {
  await db.end();
  await stack.close();
}
