/**
 * `npm run db:seed`: loads the demo data into DATABASE_URL or the embedded PGlite (idempotent).
 * `npm run db:seed -- --listings 100000 --sellers 200` also generates a large catalogue (adds to it).
 */
import { parseArgs } from "node:util";
import pg from "pg";
import { startPglite } from "../tools/local-db/backend.ts";
import { applyMigrations } from "../tools/local-db/migrate.ts";
import { configuredDatabaseUrl, PGLITE_DIR } from "./local-env.ts";
import { generateCatalog } from "./seed/catalog.ts";
import { runSeed } from "./seed/run.ts";

const { values } = parseArgs({
  options: { listings: { type: "string" }, sellers: { type: "string", default: "200" } },
});
const listings = values.listings ? Number(values.listings) : 0;
const sellers = Number(values.sellers);
if (!Number.isInteger(listings) || listings < 0 || !Number.isInteger(sellers) || sellers < 1) {
  console.error("usage: npm run db:seed [-- --listings N --sellers M]");
  process.exit(2);
}

const databaseUrl = configuredDatabaseUrl();
const pglite = databaseUrl ? undefined : await startPglite(PGLITE_DIR);
const url = databaseUrl ?? pglite?.url ?? "";
try {
  if (pglite) await applyMigrations(url);
  await runSeed(url);
  if (listings > 0) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const started = Date.now();
    try {
      await generateCatalog(client, { listings, sellers });
    } finally {
      await client.end();
    }
    console.log(
      `seed: ${listings.toLocaleString("en")} listings in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  }
} finally {
  await pglite?.close();
}
