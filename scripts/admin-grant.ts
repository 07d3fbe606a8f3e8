/**
 * `npm run admin:grant -- <email> [--revoke]`: sets or clears a user's platform_admin flag (platform
 * operators; there is deliberately no endpoint for it). Uses DATABASE_URL or the embedded database.
 */
import pg from "pg";
import { startPglite } from "../tools/local-db/backend.ts";
import { configuredDatabaseUrl, PGLITE_DIR } from "./local-env.ts";

const [email, flag] = process.argv.slice(2);
if (!email || (flag !== undefined && flag !== "--revoke")) {
  console.error("usage: npm run admin:grant -- <email> [--revoke]");
  process.exit(2);
}
const grant = flag !== "--revoke";
const databaseUrl = configuredDatabaseUrl();
const pglite = databaseUrl ? undefined : await startPglite(PGLITE_DIR);
const client = new pg.Client({ connectionString: databaseUrl ?? pglite?.url });
await client.connect();
try {
  const { rowCount } = await client.query(
    "update users set platform_admin = $1, updated_at = now() where email_normalized = lower(trim($2))",
    [grant, email],
  );
  if (!rowCount) {
    console.error(`no user with email ${email}`);
    process.exitCode = 1;
  } else {
    console.log(`${email}: platform admin ${grant ? "granted" : "revoked"}`);
  }
} finally {
  await client.end();
  await pglite?.close();
}
