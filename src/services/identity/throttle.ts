import { type SQL, sql } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { ApiError } from "../../lib/problem.ts";

/** Failed password checks allowed before backoff starts, and its ceiling. */
export const FREE_FAILURES = 5;
export const MAX_BACKOFF_SECONDS = 15 * 60;
/** Failures older than this no longer count. */
const FAILURE_MEMORY_SECONDS = 60 * 60;
/** 2^10 s already exceeds the ceiling: a larger exponent changes nothing (and would overflow). */
const MAX_EXPONENT = 10;

/**
 * Whose password checks an attempt counts against: the account, named by its normalised email (unknown
 * emails are counted exactly like known ones, so answers never tell them apart), and the client: '' for
 * every client without a valid device cookie for the account, else that device (see devices.ts).
 */
export interface AttemptKey {
  /** SQL text expression: the normalised email (null when there is no such account to count against). */
  email: SQL;
  /** SQL text expression: '' or the trusted device id. */
  device: SQL;
}

/** Seconds a caller must still wait before the next attempt, given the failure count and the last one. */
export function backoffSeconds(failures: number, lastFailureAt: number, now: number): number {
  if (failures < FREE_FAILURES || lastFailureAt <= now - FAILURE_MEMORY_SECONDS * 1000) return 0;
  const wait = Math.min(2 ** (failures - FREE_FAILURES), MAX_BACKOFF_SECONDS);
  return Math.max(0, Math.ceil((lastFailureAt + wait * 1000 - now) / 1000));
}

/**
 * Claims one password check for the key, atomically and before any hashing: the attempt is counted as a
 * failure up front, but only when the backoff window allows one now. Concurrent claims queue on the
 * counter's row lock and each re-reads the latest count (INSERT … ON CONFLICT DO UPDATE … WHERE), so of
 * any number of parallel attempts exactly as many proceed as the backoff allows. Returns one row when the
 * attempt may proceed, none when it must wait. A correct password then clears the counter
 * ({@link clearAttempts}); a wrong one needs no further write.
 */
export function claimAttempt(db: Db, key: AttemptKey, now: number) {
  const at = new Date(now);
  const remembered = sql`${at}::timestamptz - make_interval(secs => ${FAILURE_MEMORY_SECONDS})`;
  return db.execute<{ failures: number }>(sql`
    insert into login_failures as f (email_normalized, device, failures, last_failure_at)
    select k.email, k.device, 1, ${at}
    from (select ${key.email}::text as email, ${key.device}::text as device) k where k.email is not null
    on conflict (email_normalized, device) do update set
      failures = case when f.last_failure_at > ${remembered} then f.failures + 1 else 1 end,
      last_failure_at = excluded.last_failure_at
    where f.last_failure_at <= ${remembered}
       or f.failures < ${FREE_FAILURES}
       or f.last_failure_at + make_interval(secs => least(power(2, least(f.failures - ${FREE_FAILURES}, ${MAX_EXPONENT})), ${MAX_BACKOFF_SECONDS})) <= ${at}
    returning f.failures`);
}

/** The key's counter as a JSON value (`{failures, lastFailureAt}`, or null): read right after a claim. */
export function attemptState(key: AttemptKey): SQL {
  return sql`(select json_build_object('failures', failures, 'lastFailureAt', last_failure_at)
    from login_failures where email_normalized = ${key.email} and device = ${key.device})`;
}

export interface AttemptState {
  failures: number;
  lastFailureAt: string;
}

/**
 * Throws 429 with Retry-After unless the claim went through. `state` is the counter as read right after the
 * claim (in the same batch).
 */
export function assertClaimed(
  claimed: boolean,
  state: AttemptState | null | undefined,
  now: number,
  detail: string,
): void {
  if (claimed) return;
  const wait = state ? backoffSeconds(state.failures, Date.parse(state.lastFailureAt), now) : 0;
  // A success elsewhere may have cleared the counter since the claim was refused: still, try again later.
  throw new ApiError("rate_limited", detail, { headers: { "Retry-After": String(Math.max(1, wait)) } });
}

/** Clears the key's counter (a correct password): for the success batch. */
export function clearAttempts(db: Db, key: AttemptKey) {
  return db.execute(
    sql`delete from login_failures where email_normalized = ${key.email} and device = ${key.device}`,
  );
}
