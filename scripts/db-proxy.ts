/**
 * `npm run db:proxy`: only the local Neon proxy, in front of DATABASE_URL or the embedded PGlite, for
 * running `wrangler dev` yourself. Port from DB_PROXY_PORT (default 5499).
 */
import { redact } from "../tools/local-db/backend.ts";
import { startLocalStack } from "../tools/local-db/stack.ts";
import { configuredDatabaseUrl, PGLITE_DIR } from "./local-env.ts";

const stack = await startLocalStack({
  databaseUrl: configuredDatabaseUrl(),
  pgliteDir: PGLITE_DIR,
  proxyPort: Number(process.env.DB_PROXY_PORT ?? 5499),
  log: console.error,
});
console.log(`database: ${stack.describe()}`);
console.log(
  `proxy:    ${stack.proxy.url}  (LOCAL_DB_PROXY=${stack.proxy.url}, DATABASE_URL=${redact(stack.databaseUrl)})`,
);
const stop = async () => {
  await stack.close();
  process.exit(0);
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
