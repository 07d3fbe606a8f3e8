/**
 * `npm run dev`: the whole marketplace on this machine, offline, in one command.
 *   1. the database: DATABASE_URL when set, else embedded PGlite persisted in .data/pglite;
 *   2. migrations, then the demo seed whenever the database lacks demo data (scripts/seed/state.ts);
 *      images and orders follow through the running Worker's API once it is up;
 *   3. the local Neon proxy (HTTP + WebSocket) in front of it;
 *   4. `wrangler dev` with local KV and R2 persisted in .data/wrangler.
 * Ctrl-C stops everything; the next start reuses the data.
 */
import { mkdirSync } from "node:fs";
import { startWranglerDev } from "../tools/dev/wrangler.ts";
import { freePort } from "../tools/local-db/backend.ts";
import { startLocalStack } from "../tools/local-db/stack.ts";
import { configuredDatabaseUrl, DATA_DIR, PGLITE_DIR, WRANGLER_STATE_DIR } from "./local-env.ts";
import { DemoApi } from "./seed/api.ts";
import { addDemoImages } from "./seed/demo-images.ts";
import { addDemoOrders } from "./seed/demo-orders.ts";
import { DEMO_PASSWORD, demoAccounts } from "./seed/identity.ts";
import { runSeed } from "./seed/run.ts";
import { demoDataState } from "./seed/state.ts";

const port = Number(process.env.PORT ?? 8787);
const started = Date.now();
mkdirSync(DATA_DIR, { recursive: true });

const databaseUrl = configuredDatabaseUrl();
const stack = await startLocalStack({
  databaseUrl,
  pgliteDir: PGLITE_DIR,
  proxyPort: Number(process.env.DB_PROXY_PORT ?? 0),
  log: (line) => console.error(line),
});
console.log(`[dev] database: ${stack.describe()}, migrated`);

// Decided from the database itself, so a database dropped and recreated at the same URL is seeded again.
const missing = await demoDataState(stack.databaseUrl);
if (missing.rows) await runSeed(stack.databaseUrl, (line) => console.log(`[dev] ${line}`));

const worker = await startWranglerDev({
  port,
  inspectorPort: Number(process.env.INSPECTOR_PORT ?? (await freePort())),
  persistTo: WRANGLER_STATE_DIR,
  vars: { DATABASE_URL: stack.databaseUrl, LOCAL_DB_PROXY: stack.proxy.url },
  inheritOutput: true,
}).catch(async (error: Error) => {
  await stack.close();
  console.error(`[dev] ${error.message}`);
  process.exit(1);
});

// Ctrl-C stops the stack from here on, also while the demo images and orders are still being added.
let stopping = false;
async function shutdown(code: number) {
  if (stopping) return;
  stopping = true;
  console.log("[dev] stopping …");
  await worker.stop();
  await stack.close();
  process.exit(code);
}
process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));
worker.process.once("exit", (code) => {
  if (!stopping) {
    console.error(`[dev] wrangler exited (${code}); stopping`);
    void shutdown(code ?? 1);
  }
});

// Images and orders go through the running Worker's API as the demo users, so every rule applies.
const api = new DemoApi(worker.url);
if (missing.rows || missing.images) {
  const added = await addDemoImages(api).catch((error: Error) => {
    console.error(`[dev] demo images: ${error.message}`);
    return 0;
  });
  console.log(`[dev] seed: demo images uploaded through presigned URLs for ${added} listings`);
}
if (missing.orders.length > 0) {
  const placed = await addDemoOrders(api, stack.databaseUrl, missing.orders).catch((error: Error) => {
    console.error(`[dev] demo orders: ${error.message}`);
    return 0;
  });
  console.log(`[dev] seed: ${placed} demo checkouts placed and moved along through the orders API`);
}

console.log(`
[dev] ready in ${((Date.now() - started) / 1000).toFixed(1)} s
      API        ${worker.url}
      API docs   ${worker.url}/docs   (OpenAPI: ${worker.url}/openapi.json)
      readiness  ${worker.url}/ready
      db proxy   ${stack.proxy.url}
      demo sign-ins (password ${DEMO_PASSWORD}): ${demoAccounts.map((a) => a.email).join(", ")}
      Ctrl-C stops everything; data stays in ${DATA_DIR}
`);
