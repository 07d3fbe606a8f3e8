/**
 * Single-use tokens that prove control of an address (password reset, email verification): a random
 * 256-bit token travels only in the email, Postgres keeps its SHA-256 (`account_tokens`), and every email
 * that carries one is throttled per address (`email_requests`). Nothing here costs a round trip of its
 * own: these are the statements the identity writes put in their batches.
 */
import { type SQL, sql } from "drizzle-orm";
import { check } from "../../db/atomic.ts";
import type { Db } from "../../db/client.ts";
import { randomToken, sha256Hex } from "../../lib/crypto.ts";
import { ApiError } from "../../lib/problem.ts";

export type TokenPurpose = "password_reset" | "email_verification";
/** What `email_requests` counts: the emails that carry a token, and the "you already have an account" one. */
export type EmailPurpose = TokenPurpose | "account_exists";

export const RESET_TOKEN_MINUTES = 30;
export const VERIFICATION_TOKEN_HOURS = 24;
/** Emails of one purpose to one address within an hour, at most (counted as sent). */
export const EMAILS_PER_HOUR = 3;

export const tokenLifetimeMs: Record<TokenPurpose, number> = {
  password_reset: RESET_TOKEN_MINUTES * 60_000,
  email_verification: VERIFICATION_TOKEN_HOURS * 3_600_000,
};

/** The pages emails link to (built from PUBLIC_URL, never from a request's Host). */
export const resetPageUrl = (publicUrl: string, token: string) =>
  `${publicUrl}/reset-password?token=${token}`;
export const forgotPasswordUrl = (publicUrl: string) => `${publicUrl}/forgot-password`;
export const signInUrl = (publicUrl: string) => `${publicUrl}/signin`;
/** `next`: a same-site path the web sign-up came from, to continue at once verified (an invitation). */
export const verifyPageUrl = (publicUrl: string, token: string, next?: string) =>
  `${publicUrl}/verify-email?token=${token}${next ? `&next=${encodeURIComponent(next)}` : ""}`;

/** A new token and the hash that is stored for it. */
export async function newAccountToken(): Promise<{ token: string; hash: string }> {
  const token = randomToken(32);
  return { token, hash: await sha256Hex(token) };
}

/** The hash a token presented by a client is looked up by. */
export function tokenHash(token: string): Promise<string> {
  return sha256Hex(token);
}

/**
 * Serialises the emails of one address (a batch's first statement): the throttle below counts what was
 * sent, so two requests for the same address must not count at the same time.
 */
export function lockEmailAddress(db: Db, email: SQL) {
  return db.execute(sql`select pg_advisory_xact_lock(hashtextextended('email-requests:' || ${email}, 0))`);
}

const hourBefore = (at: SQL) => sql`${at} - interval '1 hour'`;

/** True while fewer than {@link EMAILS_PER_HOUR} emails of `purpose` went to the address in the last hour. */
export function underEmailLimit(email: SQL, purpose: EmailPurpose, at: SQL): SQL {
  return sql`(select count(*) from email_requests r where r.email_normalized = ${email}
    and r.purpose = ${purpose} and r.requested_at > ${hourBefore(at)}) < ${EMAILS_PER_HOUR}`;
}

/** Seconds until the address may be sent another email of `purpose` (for Retry-After). */
export function emailLimitWait(email: SQL, purpose: EmailPurpose, at: SQL): SQL {
  return sql`(select greatest(1, ceil(extract(epoch from min(r.requested_at) + interval '1 hour' - ${at})))::int
    from email_requests r where r.email_normalized = ${email} and r.purpose = ${purpose}
      and r.requested_at > ${hourBefore(at)})`;
}

/**
 * Data-modifying CTEs (comma separated, for a `with`) that log one sent email per row of `rows`
 * (which has `email_normalized`) and forget the address's entries older than the hour they count for.
 */
export function logEmailsSql(rows: SQL, email: SQL, purpose: EmailPurpose, at: SQL): SQL {
  const name = sql.raw(`logged_${purpose}`);
  const pruned = sql.raw(`pruned_${purpose}`);
  return sql`${name} as (insert into email_requests (email_normalized, purpose, requested_at)
      select email_normalized, ${purpose}, ${at} from ${rows}),
    ${pruned} as (delete from email_requests where email_normalized = ${email} and purpose = ${purpose}
      and requested_at <= ${hourBefore(at)})`;
}

/** A CTE that stores a token of `purpose` for each user of `rows` (which has `id`). */
export function insertTokenSql(rows: SQL, purpose: TokenPurpose, hash: string, at: SQL): SQL {
  const name = sql.raw(`token_${purpose}`);
  const lifetime = `${tokenLifetimeMs[purpose] / 1000} seconds`;
  return sql`${name} as (insert into account_tokens (user_id, purpose, token_hash, expires_at, created_at)
    select id, ${purpose}, ${hash}, ${at} + ${lifetime}::interval, ${at} from ${rows})`;
}

type TokenState = "missing" | "used" | "expired";

/**
 * One statement that uses the token (of `purpose`) if it is unused and unexpired, or aborts the batch
 * with the guard `account_token` and the reason (`missing`, `used`, `expired`). Concurrent uses queue on
 * the token's row (and first on its account's, {@link lockTokenAccount}): exactly one wins, the others
 * find it used. Later statements of the batch find the token's user with {@link tokenUserSql}.
 */
export function useTokenStatement(db: Db, purpose: TokenPurpose, hash: string, at: SQL) {
  // Read over the statement's snapshot: a use that committed while this one waited for the row still
  // looks open here, and the update (which re-reads the row it waited for) is what tells: then "used".
  const state = sql`(select case when t.id is null then 'missing'
      when t.used_at is null and t.expires_at <= ${at} then 'expired' else 'used' end
    from (select 1) one left join account_tokens t on t.token_hash = ${hash} and t.purpose = ${purpose})`;
  return db.execute(sql`with used as (update account_tokens set used_at = ${at}
      where token_hash = ${hash} and purpose = ${purpose} and used_at is null and expires_at > ${at}
      returning user_id)
    select ${check("account_token", sql`exists (select 1 from used)`, sql`jsonb_build_object('state', ${state})`)}`);
}

/**
 * Locks the account a token (by hash) belongs to: the first statement of every batch that uses a token.
 * Such a batch goes on to write the account's row and its other tokens, so two of them at once (two links
 * of one account, a reset and a verification) would each hold their own token's row while waiting for the
 * other's (a deadlock); taking the account first makes them queue.
 */
export function lockTokenAccount(db: Db, hash: string) {
  return db.execute(sql`select 1 from users where id = ${tokenUserSql(hash)} for no key update`);
}

/** The user whose token (by hash) this batch used, as SQL. */
export function tokenUserSql(hash: string): SQL {
  return sql`(select user_id from account_tokens where token_hash = ${hash})`;
}

/** The problem for a token that could not be used, by purpose (`account_token` guard detail). */
export function tokenProblem(purpose: TokenPurpose, detail: Record<string, unknown> | null): ApiError {
  const state = (detail?.state ?? "missing") as TokenState;
  if (purpose === "password_reset") {
    if (state === "expired")
      return new ApiError("gone", "This password reset link has expired; ask for a new one.");
    if (state === "used")
      return new ApiError("gone", "This password reset link has already been used; ask for a new one.");
    return new ApiError("bad_request", "This password reset link is not valid; ask for a new one.");
  }
  if (state === "expired")
    return new ApiError("gone", "This verification link has expired; sign in and ask for a new one.");
  if (state === "used")
    return new ApiError("gone", "This verification link has already been used; sign in to continue.");
  return new ApiError("bad_request", "This verification link is not valid.");
}

/** What a token offers before it is used, for the page its email links to (GET never uses a token). */
export interface TokenPreview {
  state: "ok" | TokenState;
  email: string | null;
}

/** Whether a token could be used now, and whose address it is for: one round trip, nothing written. */
export async function previewToken(
  db: Db,
  purpose: TokenPurpose,
  token: string,
  now: number,
): Promise<TokenPreview> {
  const { rows } = await db.execute<{ state: TokenPreview["state"]; email: string }>(sql`
    select case when t.used_at is not null then 'used' when t.expires_at <= ${new Date(now)} then 'expired'
        else 'ok' end as state, u.email
    from account_tokens t join users u on u.id = t.user_id
    where t.token_hash = ${await tokenHash(token)} and t.purpose = ${purpose}`);
  const row = rows[0];
  return row
    ? { state: row.state, email: row.state === "ok" ? row.email : null }
    : { state: "missing", email: null };
}
