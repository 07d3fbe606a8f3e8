/** `npm run db:seed`: loads the demo data into DATABASE_URL or the embedded PGlite (idempotent). */
import { startPglite } from "../tools/local-db/backend.ts";
import { applyMigrations } from "../tools/local-db/migrate.ts";
import { configuredDatabaseUrl, PGLITE_DIR } from "./local-env.ts";
import { runSeed } from "./seed/run.ts";

const databaseUrl = configuredDatabaseUrl();
if (databaseUrl) {
  await runSeed(databaseUrl);
} else {
  const pglite = await startPglite(PGLITE_DIR);
  try {
    await applyMigrations(pglite.url);
    await runSeed(pglite.url);
  } finally {
    await pglite.close();
  }
}
