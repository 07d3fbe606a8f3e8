import type { BatchItem } from "drizzle-orm/batch";
import { atomicList } from "../db/atomic.ts";
import type { Db } from "../db/client.ts";
import { ApiError } from "../lib/problem.ts";
import { translateGuards } from "./identity/org-access.ts";

type Item = BatchItem<"pg">;
type ResultOf<I extends Item> = I["_"]["result"];
type GuardDetail = Record<string, unknown> | null;
/** What a failed guard becomes: an API error made from the guard's detail. */
export type GuardProblems = Record<string, (detail: GuardDetail) => ApiError>;

interface Named {
  index: number;
  name: string;
  pick: (result: unknown) => unknown;
  /** When set, a missing value (null/undefined) is this error instead of a result. */
  missing?: () => ApiError;
}

/**
 * The one way a service writes: a typed builder over one atomic `db.batch` (one round trip). Statements
 * run in the order they were added; `step` and `one` name the results the caller reads (never by
 * position); guard failures become API errors in one place (the organisation access and revoked-session
 * guards every write starts with, plus the caller's `problems`); `one` answers 404 — never `{}` — when the
 * row it returns is missing.
 *
 * @example
 * const { invoice } = await write(db, "manage invoices", { invoice_visible: () => notFound })
 *   .add(...access)
 *   .add(markPaid)
 *   .one("invoice", db.execute<{ invoice: Invoice }>(sql`…`), (r) => r.rows[0]?.invoice, "Invoice not found.")
 *   .commit();
 */
export class Write<R extends Record<string, unknown> = Record<never, never>> {
  readonly #db: Db;
  readonly #action: string;
  readonly #problems: GuardProblems;
  readonly #items: Item[] = [];
  readonly #named: Named[] = [];

  constructor(db: Db, action: string, problems: GuardProblems = {}) {
    this.#db = db;
    this.#action = action;
    this.#problems = problems;
  }

  /** Statements whose results nobody reads: guards, updates, inserts. */
  add(...items: Item[]): this {
    this.#items.push(...items);
    return this;
  }

  /** A statement whose whole result the caller reads as `name`. */
  step<K extends string, I extends Item>(name: K, item: I): Write<R & Record<K, ResultOf<I>>> {
    return this.#name(name, item, (result) => result);
  }

  /**
   * A statement that returns one value, read as `name` through `pick`; when `pick` finds nothing the
   * write answers 404 with `notFound` (a message) or the error it makes.
   */
  one<K extends string, I extends Item, T>(
    name: K,
    item: I,
    pick: (result: ResultOf<I>) => T | null | undefined,
    notFound: string | (() => ApiError),
  ): Write<R & Record<K, T>> {
    const missing = typeof notFound === "string" ? () => new ApiError("not_found", notFound) : notFound;
    return this.#name(name, item, pick as (result: unknown) => unknown, missing);
  }

  #name<K extends string, T>(
    name: K,
    item: Item,
    pick: (result: unknown) => unknown,
    missing?: () => ApiError,
  ): Write<R & Record<K, T>> {
    this.#named.push({ index: this.#items.length, name, pick, missing });
    this.#items.push(item);
    // The builder is the same object; only its type learns the new name.
    return this as unknown as Write<R & Record<K, T>>;
  }

  /** Runs everything as one transaction in one round trip; returns the named results. */
  async commit(): Promise<R> {
    let results: unknown[];
    try {
      results = await atomicList(this.#db, this.#items);
    } catch (error) {
      // Guard failures become API errors; anything else passes through unchanged.
      throw translateGuards(error, this.#action, this.#problems);
    }
    const out: Record<string, unknown> = {};
    for (const { index, name, pick, missing } of this.#named) {
      const value = pick(results[index]);
      if ((value === null || value === undefined) && missing) throw missing();
      out[name] = value;
    }
    return out as R;
  }
}

/** Starts a {@link Write}; `action` names what the caller tried, for a 403 ("Your role may not …"). */
export function write(db: Db, action: string, problems: GuardProblems = {}): Write {
  return new Write(db, action, problems);
}
