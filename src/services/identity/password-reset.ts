/**
 * Password reset by email: a request never says whether the address has an account (same answer, same
 * statements, same round trip), at most {@link EMAILS_PER_HOUR} reset emails go to an address an hour,
 * and a link works once, for {@link RESET_TOKEN_MINUTES} minutes. Setting the new password ends every
 * session of the account.
 */
import { sql } from "drizzle-orm";
import { ApiError } from "../../lib/problem.ts";
import type { ServiceContext } from "../context.ts";
import { appendEmails } from "../email/outbox.ts";
import { write } from "../write.ts";
import {
  insertTokenSql,
  lockEmailAddress,
  lockTokenAccount,
  logEmailsSql,
  newAccountToken,
  previewToken,
  RESET_TOKEN_MINUTES,
  resetPageUrl,
  tokenHash,
  tokenProblem,
  tokenUserSql,
  underEmailLimit,
  useTokenStatement,
} from "./account-tokens.ts";
import { normalizeEmail } from "./accounts.ts";
import { hashPassword, passwordProblem } from "./password.ts";
import { forgetSessions } from "./sessions.ts";

/**
 * Asks for a reset link for `email`. One round trip whatever the address: the batch locks the address's
 * email log, then in one statement stores a token and appends the email only when an account has the
 * address and fewer than {@link EMAILS_PER_HOUR} reset emails went to it in the last hour (and logs that
 * one). The caller answers the same in every case.
 */
export async function requestPasswordReset(
  ctx: ServiceContext,
  input: { email: string; publicUrl: string },
): Promise<void> {
  const email = normalizeEmail(input.email);
  const at = sql`${new Date(ctx.now).toISOString()}::timestamptz`;
  const { token, hash } = await newAccountToken();
  const target = sql`target`;
  await write(ctx.db, "reset the password")
    .add(
      lockEmailAddress(ctx.db, sql`${email}::text`),
      ctx.db.execute(sql`with target as materialized (
          select u.id, u.name, u.email_normalized from users u
          where u.email_normalized = ${email} and ${underEmailLimit(sql`${email}::text`, "password_reset", at)}),
        ${logEmailsSql(target, sql`${email}::text`, "password_reset", at)},
        ${insertTokenSql(target, "password_reset", hash, at)},
        mail as (${appendEmails({
          template: "password_reset",
          to: sql`t.email_normalized`,
          data: sql`jsonb_build_object('name', t.name, 'resetUrl', ${resetPageUrl(input.publicUrl, token)}::text,
            'expiresMinutes', ${RESET_TOKEN_MINUTES}::int)`,
          from: sql`target t`,
        })})
        select count(*) from target`),
    )
    .commit();
}

/**
 * Sets a new password with a reset link's token, in one round trip (two for a password with an "@",
 * see below): the token is used (single use; a
 * used, expired or unknown one is 410/400 and changes nothing), the password stored, every other open
 * token of the account (reset and verification links) used up, every session revoked (Postgres, then KV)
 * and the account's failed sign-in counts cleared (the new password has not been guessed at). Opening the
 * link proves the address, so an unverified account becomes verified. Nobody is signed in: the person
 * signs in with the new password.
 */
export async function resetPassword(
  ctx: ServiceContext,
  input: { token: string; password: string },
): Promise<void> {
  // The rules that need no account first: no token is spent on a password that cannot be accepted.
  const problem = passwordProblem(input.password);
  if (problem) throw weakPassword(problem);
  const now = new Date(ctx.now);
  const at = sql`${now.toISOString()}::timestamptz`;
  const hash = await tokenHash(input.token);
  const user = tokenUserSql(hash);
  // "Not your email address" needs the account's address, which only the token names. A password
  // without an "@" cannot be an address; one with it is compared here, after a read of the address (one
  // more round trip, for those only): no form of the password (not even a hash) goes to the database.
  if (input.password.includes("@")) {
    const preview = await previewToken(ctx.db, "password_reset", input.token, ctx.now);
    if (preview.state !== "ok") throw tokenProblem("password_reset", { state: preview.state });
    const emailProblem = passwordProblem(input.password, preview.email ?? undefined);
    if (emailProblem) throw weakPassword(emailProblem);
  }
  const passwordHash = await hashPassword(input.password, ctx.passwordParams);
  const { revoked } = await write(ctx.db, "reset the password", {
    account_token: (detail) => tokenProblem("password_reset", detail),
  })
    .add(
      lockTokenAccount(ctx.db, hash),
      useTokenStatement(ctx.db, "password_reset", hash, at),
      ctx.db.execute(sql`update users set password_hash = ${passwordHash}, updated_at = ${at},
          email_verified_at = coalesce(email_verified_at, ${at})
        where id = ${user}`),
      ctx.db.execute(sql`update account_tokens set used_at = ${at}
        where user_id = ${user} and used_at is null and expires_at > ${at}`),
      ctx.db.execute(sql`delete from login_failures
        where email_normalized = (select email_normalized from users where id = ${user})`),
    )
    .step(
      "revoked",
      ctx.db.execute<{ id: string }>(sql`update sessions set revoked_at = ${at}
        where user_id = ${user} and revoked_at is null returning id`),
    )
    .commit();
  await forgetSessions(
    ctx.kv,
    revoked.rows.map((row) => row.id),
  );
}

function weakPassword(problem: string): ApiError {
  return new ApiError("validation_failed", "The password is not acceptable.", {
    errors: [{ field: "body.password", message: problem }],
  });
}
