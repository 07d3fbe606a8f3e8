import { type SQL, sql } from "drizzle-orm";
import type { BatchItem, BatchResponse } from "drizzle-orm/batch";
import type { Db } from "./client.ts";

/** A Postgres `text[]` of the given values, each a bound parameter: for `= any(...)` tests in SQL. */
export function textArray(values: readonly string[]): SQL {
  return sql`array[${sql.join(
    values.map((value) => sql`${value}`),
    sql`, `,
  )}]::text[]`;
}

/** A Postgres `uuid[]` of the given ids, each a bound parameter: for `= any(...)` and `unnest` in SQL. */
export function uuidArray(ids: readonly string[]): SQL {
  return sql`array[${sql.join(
    ids.map((id) => sql`${id}`),
    sql`, `,
  )}]::uuid[]`;
}

/** SQLSTATE raised by the `app_guard()` function (see drizzle/0000_*.sql). */
export const GUARD_SQLSTATE = "GD001";

/** A guard statement failed: the batch it was in was rolled back whole. */
export class GuardError extends Error {
  readonly guard: string;
  readonly detail: unknown;
  constructor(guard: string, detail: unknown) {
    super(`guard failed: ${guard}`);
    this.name = "GuardError";
    this.guard = guard;
    this.detail = detail;
  }
}

/**
 * A statement for {@link atomic} that aborts the whole batch when `condition` is not true (false or null).
 * `detail` (a jsonb SQL expression) travels back in the {@link GuardError}.
 *
 * @example
 * await atomic(db, [
 *   db.update(stock).set({ qty: sql`${stock.qty} - ${n}` }).where(eq(stock.id, id)),
 *   guard(db, "stock_negative", sql`(select qty >= 0 from stock where id = ${id})`,
 *     sql`jsonb_build_object('variantId', ${id})`),
 * ]);
 */
export function guard(db: Db, name: string, condition: SQL, detail?: SQL) {
  return db.execute(sql`select ${check(name, condition, detail)}`);
}

/**
 * A {@link guard} as an SQL expression (true, or the batch aborts with a {@link GuardError}), so that one
 * statement can hold several checks: in a select list they run in order, left to right (each a separate
 * select-list entry), and `detail` is only computed when the check fails. Remember that one statement
 * reads one snapshot: a check that must see what an earlier lock waited for belongs in a later statement.
 */
export function check(name: string, condition: SQL, detail?: SQL): SQL {
  return sql`(case when ${condition} then true else app_guard(false, ${name}, ${detail ?? sql`null`}::jsonb) end)`;
}

/**
 * Runs the statements in order as one transaction in a single round trip (`db.batch`): all apply or none.
 * A failed {@link guard} surfaces as a typed {@link GuardError}; other errors pass through unchanged.
 */
export async function atomic<U extends BatchItem<"pg">, T extends Readonly<[U, ...U[]]>>(
  db: Db,
  statements: T,
): Promise<BatchResponse<T>> {
  try {
    return await db.batch(statements);
  } catch (error) {
    throw guardFailure(error) ?? error;
  }
}

/**
 * {@link atomic} for a statement list built at run time (results are untyped: callers read the ones
 * they need, usually the last).
 */
export async function atomicList(db: Db, statements: BatchItem<"pg">[]): Promise<unknown[]> {
  const [first, ...rest] = statements;
  if (!first) return [];
  return (await atomic(db, [first, ...rest])) as unknown[];
}

/** The {@link GuardError} an error stands for, if any (looks through Drizzle's wrapping). */
export function guardFailure(error: unknown): GuardError | undefined {
  const pgError = postgresError(error);
  if (pgError?.code !== GUARD_SQLSTATE) return undefined;
  let detail: unknown = null;
  if (pgError.detail) {
    try {
      detail = JSON.parse(pgError.detail);
    } catch {
      detail = pgError.detail;
    }
  }
  return new GuardError(pgError.message ?? "guard", detail);
}

export interface PostgresErrorFields {
  code?: string;
  message?: string;
  detail?: string;
  constraint?: string;
}

/** The Postgres error (with SQLSTATE `code`) behind a driver or Drizzle error, if there is one. */
export function postgresError(error: unknown): PostgresErrorFields | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    const fields = current as Error & PostgresErrorFields;
    if (typeof fields.code === "string" && /^[0-9A-Z]{5}$/.test(fields.code)) return fields;
    current = current.cause;
  }
  return undefined;
}
