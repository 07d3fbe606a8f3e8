import { type SQL, sql } from "drizzle-orm";

/**
 * A timestamptz as the API writes every timestamp: ISO 8601 in UTC with milliseconds and `Z`
 * (`2026-12-02T14:43:00.123Z`, what `Date.prototype.toISOString` gives), null stays null. For JSON built
 * in Postgres, which would otherwise render `+00:00` and microseconds.
 */
export function isoTime(column: SQL): SQL {
  return sql`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}
