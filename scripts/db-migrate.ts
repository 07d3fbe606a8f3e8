/**
 * `npm run db:migrate`: applies drizzle/ migrations to DATABASE_URL (any Postgres, including Neon's
 * direct connection string with ?sslmode=require), or to the embedded PGlite database in .data/pglite.
 * Stop `npm run dev` first when using PGlite: its data folder takes one process at a time.
 */
import { redact, startPglite } from "../tools/local-db/backend.ts";
import { applyMigrations, ensureDatabase } from "../tools/local-db/migrate.ts";
import { configuredDatabaseUrl, PGLITE_DIR } from "./local-env.ts";

const databaseUrl = configuredDatabaseUrl();
if (databaseUrl) {
  const isLocal = /@(127\.0\.0\.1|localhost)[:/]/.test(databaseUrl);
  if (isLocal) await ensureDatabase(databaseUrl);
  await applyMigrations(databaseUrl);
  console.log(`migrations applied to ${redact(databaseUrl)}`);
} else {
  const pglite = await startPglite(PGLITE_DIR);
  try {
    await applyMigrations(pglite.url);
    console.log(`migrations applied to embedded PGlite (${PGLITE_DIR})`);
  } finally {
    await pglite.close();
  }
}
