/**
 * Node-side setup for the browser project: the whole local stack as `npm run dev` starts it
 * (tools/dev/stack.ts) — a fresh throwaway database on the Postgres server when one is reachable (else
 * in-memory PGlite), migrations, the demo seed and images, the Neon proxy and `wrangler dev` with local
 * KV and R2 (and its S3 endpoint) on a free port. Tests read the Worker's origin with `inject("baseUrl")`.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { startDevStack } from "../../tools/dev/stack.ts";
import { freePort } from "../../tools/local-db/backend.ts";
import { dropDatabase } from "../../tools/local-db/migrate.ts";
import { findTestServer, freshDatabaseUrl } from "../global-setup.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** The running Worker's origin, e.g. http://127.0.0.1:41234 (no trailing slash). */
    baseUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const server = await findTestServer();
  const databaseUrl = server ? freshDatabaseUrl(server) : undefined;
  const persistTo = mkdtempSync(join(tmpdir(), "marketplace-browser-"));
  const dev = await startDevStack({
    databaseUrl,
    port: await freePort(),
    inspectorPort: await freePort(),
    persistTo,
    // Cheap scrypt for the fresh accounts journeys sign up (the demo accounts keep their full-cost hashes).
    vars: { LOG_LEVEL: "warn", PASSWORD_HASH_COST: "test" },
    ownProcessGroup: true,
    log: (line) => console.log(`[browser] ${line}`),
    warn: (line) => console.error(`[browser] ${line}`),
  }).catch(async (error: Error) => {
    if (databaseUrl) await dropDatabase(databaseUrl).catch(() => {});
    rmSync(persistTo, { recursive: true, force: true });
    throw error;
  });
  await dev.seedThroughApi();
  console.log(`[browser] Worker ${dev.worker.url}`);
  project.provide("baseUrl", dev.worker.url);
  project.provide("databaseUrl", dev.stack.databaseUrl);
  project.provide("databaseKind", dev.stack.backend.kind);
  return async () => {
    await dev.close();
    if (databaseUrl) await dropDatabase(databaseUrl).catch(() => {});
    rmSync(persistTo, { recursive: true, force: true });
  };
}
