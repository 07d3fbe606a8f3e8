/**
 * Email verification: a new account proves it owns its address by a link (single use, valid
 * {@link VERIFICATION_TOKEN_HOURS} hours). Opening the link's page changes nothing (mail scanners open
 * links); confirming there verifies the address and signs the person in. Until then they may browse and
 * fill a cart, but checkout, quote acceptance, invitations, listing submission and API keys wait for it
 * (`verifiedEmailCheck`, inside each of those writes' own batch).
 */
import { sql } from "drizzle-orm";
import { ApiError } from "../../lib/problem.ts";
import type { ServiceContext } from "../context.ts";
import { appendEmails } from "../email/outbox.ts";
import { write } from "../write.ts";
import {
  emailLimitWait,
  insertTokenSql,
  lockEmailAddress,
  lockTokenAccount,
  logEmailsSql,
  newAccountToken,
  tokenHash,
  tokenProblem,
  tokenUserSql,
  underEmailLimit,
  useTokenStatement,
  VERIFICATION_TOKEN_HOURS,
  verifyPageUrl,
} from "./account-tokens.ts";
import { type UserView, userView } from "./accounts.ts";
import { type IssuedDevice, issueDevice } from "./devices.ts";
import { type Principal, principalGuard } from "./principal.ts";
import { type IssuedSession, newSession, storeSession } from "./sessions.ts";

type UserPrincipal = Extract<Principal, { kind: "user" }>;

/**
 * Verifies the address a link's token was sent to and signs its account in, in one round trip: the token
 * is used (single use; a used, expired or unknown one is 410/400 and changes nothing), the address marked
 * verified, the account's other verification links used up, and a session row written (its KV entry
 * follows). The browser gets a device cookie for the account, as at sign-in.
 */
export async function verifyEmail(
  ctx: ServiceContext,
  input: { token: string; userAgent: string | null; deviceSecret: string },
): Promise<{ user: UserView; session: IssuedSession; device: IssuedDevice }> {
  const at = sql`${new Date(ctx.now).toISOString()}::timestamptz`;
  const hash = await tokenHash(input.token);
  const user = tokenUserSql(hash);
  // The account is known only once the token is used (in the batch): the record gets its id after.
  const pending = await newSession("", input.userAgent, ctx.now, ctx.sessionPolicy);
  const { verified } = await write(ctx.db, "verify the email address", {
    account_token: (detail) => tokenProblem("email_verification", detail),
  })
    .add(lockTokenAccount(ctx.db, hash), useTokenStatement(ctx.db, "email_verification", hash, at))
    .one(
      "verified",
      ctx.db.execute<{ id: string; email: string; name: string; created_at: string }>(sql`
        update users set email_verified_at = coalesce(email_verified_at, ${at})
        where id = ${user} returning id, email, name, created_at`),
      (result) => result.rows[0],
      () => new ApiError("internal", "The verified account was not found."),
    )
    .add(
      ctx.db.execute(sql`update account_tokens set used_at = ${at}
        where user_id = ${user} and purpose = 'email_verification' and used_at is null`),
      ctx.db.execute(sql`insert into sessions (id, user_id, created_at, expires_at, user_agent)
        select ${pending.id}, ${user}, ${at}, ${pending.expiresAt}, ${pending.record.userAgent}`),
    )
    .commit();
  const session: IssuedSession = { ...pending, record: { ...pending.record, userId: verified.id } };
  await storeSession(ctx.kv, session);
  return {
    user: userView({ ...verified, createdAt: verified.created_at }),
    session,
    device: await issueDevice(input.deviceSecret, verified.id, ctx.now),
  };
}

/**
 * Emails the signed-in user a new verification link, in one round trip: at most 3 verification emails an
 * hour per address (the sign-up's counts), 429 with Retry-After past that; 409 once the address is
 * verified. Earlier links keep working until they expire or one is used.
 */
export async function resendVerification(
  ctx: ServiceContext,
  principal: UserPrincipal,
  input: { publicUrl: string },
): Promise<void> {
  const at = sql`${new Date(ctx.now).toISOString()}::timestamptz`;
  const { token, hash } = await newAccountToken();
  const address = sql`(select email_normalized from users where id = ${principal.userId})`;
  const { outcome } = await write(ctx.db, "verify the email address")
    .add(principalGuard(ctx.db, principal, new Date(ctx.now)), lockEmailAddress(ctx.db, address))
    .one(
      "outcome",
      ctx.db.execute<{ verified: boolean; sent: number; wait: number | null }>(sql`with
        target as materialized (select id, name, email_normalized from users
          where id = ${principal.userId} and email_verified_at is null
            and ${underEmailLimit(address, "email_verification", at)}),
        ${logEmailsSql(sql`target`, address, "email_verification", at)},
        ${insertTokenSql(sql`target`, "email_verification", hash, at)},
        mail as (${appendEmails({
          template: "email_verification",
          to: sql`t.email_normalized`,
          data: sql`jsonb_build_object('name', t.name, 'verifyUrl', ${verifyPageUrl(input.publicUrl, token)}::text,
            'expiresHours', ${VERIFICATION_TOKEN_HOURS}::int)`,
          from: sql`target t`,
        })})
        select u.email_verified_at is not null as verified, (select count(*)::int from target) as sent,
          ${emailLimitWait(address, "email_verification", at)} as wait
        from users u where u.id = ${principal.userId}`),
      (result) => result.rows[0],
      () => new ApiError("unauthorized", "The account no longer exists."),
    )
    .commit();
  if (outcome.verified) throw new ApiError("conflict", "Your email address is already verified.");
  if (outcome.sent === 0) {
    throw new ApiError(
      "rate_limited",
      "We have sent several links to this address in the last hour; use the newest one, or wait before asking again.",
      { headers: { "Retry-After": String(outcome.wait ?? 60) } },
    );
  }
}
