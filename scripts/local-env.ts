/** Where local state lives and which database a script should use. */
import { resolve } from "node:path";

export const DATA_DIR = resolve(process.env.MARKETPLACE_DATA_DIR ?? ".data");
export const PGLITE_DIR = resolve(DATA_DIR, "pglite");
export const WRANGLER_STATE_DIR = resolve(DATA_DIR, "wrangler");

/** A Postgres server to use instead of embedded PGlite, when the developer set one. */
export function configuredDatabaseUrl(): string | undefined {
  return process.env.DATABASE_URL || undefined;
}
