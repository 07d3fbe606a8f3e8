/**
 * `npm run dev`: the whole marketplace on this machine, offline, in one command.
 *   1. the database: DATABASE_URL when set, else embedded PGlite persisted in .data/pglite;
 *   2. migrations, then the demo seed whenever the database lacks demo data (scripts/seed/state.ts);
 *   3. the local Neon proxy (HTTP + WebSocket) in front of it;
 *   4. `wrangler dev` with local KV and R2 persisted in .data/wrangler;
 *   5. the demo images and orders the database lacks, through the running Worker's API.
 * Ctrl-C stops everything; the next start reuses the data.
 */
import { mkdirSync } from "node:fs";
import { startDevStack } from "../tools/dev/stack.ts";
import { freePort } from "../tools/local-db/backend.ts";
import { configuredDatabaseUrl, DATA_DIR, PGLITE_DIR, WRANGLER_STATE_DIR } from "./local-env.ts";
import { DEMO_PASSWORD, demoAccounts } from "./seed/identity.ts";

const port = Number(process.env.PORT ?? 8787);
const started = Date.now();
mkdirSync(DATA_DIR, { recursive: true });

const dev = await startDevStack({
  databaseUrl: configuredDatabaseUrl(),
  pgliteDir: PGLITE_DIR,
  proxyPort: Number(process.env.DB_PROXY_PORT ?? 0),
  port,
  inspectorPort: Number(process.env.INSPECTOR_PORT ?? (await freePort())),
  persistTo: WRANGLER_STATE_DIR,
  inheritOutput: true,
  log: (line) => console.log(`[dev] ${line}`),
  warn: (line) => console.error(`[dev] ${line}`),
  proxyLog: (line) => console.error(line),
}).catch((error: Error) => {
  console.error(`[dev] ${error.message}`);
  process.exit(1);
});
const { stack, worker } = dev;

// Ctrl-C stops the stack from here on, also while the demo images and orders are still being added.
let stopping = false;
async function shutdown(code: number) {
  if (stopping) return;
  stopping = true;
  console.log("[dev] stopping …");
  await dev.close();
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

await dev.seedThroughApi();
console.log(`
[dev] ready in ${((Date.now() - started) / 1000).toFixed(1)} s
      web app    ${worker.url}/
      API        ${worker.url}/v1
      API docs   ${worker.url}/docs   (OpenAPI: ${worker.url}/openapi.json)
      readiness  ${worker.url}/ready
      db proxy   ${stack.proxy.url}
      demo sign-ins (password ${DEMO_PASSWORD}): ${demoAccounts.map((a) => a.email).join(", ")}
      Ctrl-C stops everything; data stays in ${DATA_DIR}
`);
