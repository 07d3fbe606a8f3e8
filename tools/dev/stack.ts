/**
 * The whole local marketplace, started in order: database (a Postgres server, or embedded PGlite),
 * migrations, the demo seed when the database lacks it, the local Neon proxy, `wrangler dev` with local
 * KV and R2; then `seedThroughApi()` adds the demo images and orders through the running Worker's API, as
 * the demo users, so every rule applies. `npm run dev` and the browser tests'
 * global setup both start it through here.
 */
import { DemoApi } from "../../scripts/seed/api.ts";
import { addDemoImages } from "../../scripts/seed/demo-images.ts";
import { addDemoNegotiation } from "../../scripts/seed/demo-negotiation.ts";
import { addDemoOrders } from "../../scripts/seed/demo-orders.ts";
import { runSeed } from "../../scripts/seed/run.ts";
import { demoDataState } from "../../scripts/seed/state.ts";
import { type LocalStack, startLocalStack } from "../local-db/stack.ts";
import { startWranglerDev, type WranglerDev } from "./wrangler.ts";

export interface DevStackOptions {
  /** A Postgres server (database created if missing); omitted means embedded PGlite. */
  databaseUrl?: string;
  /** PGlite data folder (persisted); omitted means in memory. */
  pgliteDir?: string;
  /** The Neon proxy's port; 0 picks a free one. */
  proxyPort?: number;
  port: number;
  inspectorPort: number;
  /** Folder for wrangler's local KV/R2 state. */
  persistTo: string;
  /** Vars for the Worker beyond the database ones (`--var`). */
  vars?: Record<string, string>;
  inheritOutput?: boolean;
  ownProcessGroup?: boolean;
  /** Progress: "database: …", "seed: …" lines. */
  log: (line: string) => void;
  /** Problems that do not stop the start (demo images that failed to upload). */
  warn: (line: string) => void;
  /** The Neon proxy's own log lines. */
  proxyLog?: (line: string) => void;
}

export interface DevStack {
  stack: LocalStack;
  worker: WranglerDev;
  /** Adds the demo images and orders the database lacks, through the running Worker's API. */
  seedThroughApi(): Promise<void>;
  /** Stops the Worker, then the proxy and database. */
  close(): Promise<void>;
}

/** Starts everything; when the Worker fails to start, the database stack is closed before the error. */
export async function startDevStack(options: DevStackOptions): Promise<DevStack> {
  const stack = await startLocalStack({
    databaseUrl: options.databaseUrl,
    pgliteDir: options.pgliteDir,
    proxyPort: options.proxyPort ?? 0,
    log: options.proxyLog,
  });
  options.log(`database: ${stack.describe()}, migrated`);

  // Decided from the database itself, so a database dropped and recreated at the same URL is seeded again.
  const missing = await demoDataState(stack.databaseUrl);
  if (missing.rows) await runSeed(stack.databaseUrl, options.log);

  const worker = await startWranglerDev({
    port: options.port,
    inspectorPort: options.inspectorPort,
    persistTo: options.persistTo,
    vars: { ...options.vars, DATABASE_URL: stack.databaseUrl, LOCAL_DB_PROXY: stack.proxy.url },
    inheritOutput: options.inheritOutput,
    ownProcessGroup: options.ownProcessGroup,
  }).catch(async (error: Error) => {
    await stack.close();
    throw error;
  });

  return {
    stack,
    worker,
    async seedThroughApi() {
      const api = new DemoApi(worker.url, options.log);
      if (missing.rows || missing.images) {
        const added = await addDemoImages(api).catch((error: Error) => {
          options.warn(`demo images: ${error.message}`);
          return 0;
        });
        options.log(`seed: demo images uploaded through presigned URLs for ${added} listings`);
      }
      if (missing.orders.length > 0) {
        const placed = await addDemoOrders(api, stack.databaseUrl, missing.orders).catch((error: Error) => {
          options.warn(`demo orders: ${error.message}`);
          return 0;
        });
        options.log(`seed: ${placed} demo checkouts placed and moved along through the orders API`);
      }
      if (missing.negotiation) {
        const asked = await addDemoNegotiation(api, stack.databaseUrl).catch((error: Error) => {
          options.warn(`demo negotiation: ${error.message}`);
          return 0;
        });
        options.log(
          `seed: ${asked} demo requests for quotes, a negotiated quote, a conversation and a review`,
        );
      }
    },
    async close() {
      await worker.stop();
      await stack.close();
    },
  };
}
