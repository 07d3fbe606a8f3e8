/**
 * Email verification: a new account proves it owns its address by a link (single use, valid
 * {@link VERIFICATION_TOKEN_HOURS} hours). Opening the link's page changes nothing (mail scanners open
 * links); confirming there, with the account's password, verifies the address and signs the person in.
 * Until then they may browse and fill a cart, but checkout, quote acceptance, sending and accepting
 * invitations, listing submission and API keys wait for it (`verifiedEmailCheck`, inside each of those
 * writes' own batch).
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
  underEmailLimit,
  useTokenStatement,
  VERIFICATION_TOKEN_HOURS,
  verifyPageUrl,
} from "./account-tokens.ts";
import {
  commitWithSession,
  type DeviceInput,
  passwordUnchangedGuard,
  type UserView,
  userView,
} from "./accounts.ts";
import { type IssuedDevice, issueDevice, verifyDevice } from "./devices.ts";
import { hashPassword, verifyPassword } from "./password.ts";
import { type Principal, principalGuard } from "./principal.ts";
import {
  forgetSessions,
  type IssuedSession,
  insertSessionRow,
  newSession,
  revokeSessionRows,
} from "./sessions.ts";
import {
  type AttemptKey,
  type AttemptState,
  assertClaimed,
  attemptState,
  claimAttempt,
  clearAttempts,
} from "./throttle.ts";

type UserPrincipal = Extract<Principal, { kind: "user" }>;

/** The answer to a wrong password: it names no account (the link did) and says the way out. */
const WRONG_PASSWORD =
  "The password is incorrect. If you did not choose it (or forgot it), reset the password instead: that " +
  "also verifies the address.";

/**
 * Verifies the address a link's token was sent to and signs its account in. The link proves the inbox,
 * not who chose the password: someone may have signed up with another person's address (pre-account
 * hijacking), so confirming also takes the account's password, and ends every other session of it. A
 * person who never signed up does not know that password and resets it instead (which also verifies the
 * address and ends every session).
 *
 * Two round trips. The first claims a password check against the account's backoff (the same counters as
 * sign-in, see {@link claimAttempt}; the browser's device cookie counts as at sign-in) and reads the
 * token's state and the account's hash; a link that cannot be used (400/410) claims nothing, and a wrong
 * password (401) costs only this one and leaves the link unused. The second uses the token (single use),
 * checks the hash is still the one checked, marks the address verified, uses up the account's other
 * verification links, revokes every other session (Postgres, then KV) and writes the new one.
 */
export async function verifyEmail(
  ctx: ServiceContext,
  input: { token: string; password: string; userAgent: string | null; device: DeviceInput },
): Promise<{ user: UserView; session: IssuedSession; device: IssuedDevice }> {
  const now = new Date(ctx.now);
  const at = sql`${now.toISOString()}::timestamptz`;
  const hash = await tokenHash(input.token);
  const cookie = await verifyDevice(input.device.secret, input.device.cookie, ctx.now);
  // Counted only while the link can be used: the account is the one it names.
  const key: AttemptKey = {
    email: sql`(select u.email_normalized from account_tokens t join users u on u.id = t.user_id
      where t.token_hash = ${hash} and t.purpose = 'email_verification' and t.used_at is null
        and t.expires_at > ${at})`,
    device: cookie
      ? sql`(case when exists (select 1 from account_tokens where token_hash = ${hash}
          and user_id = ${cookie.userId}::uuid) then ${cookie.deviceId} else '' end)`
      : sql`''`,
  };
  const { claim, read } = await write(ctx.db, "verify the email address")
    .step("claim", claimAttempt(ctx.db, key, ctx.now))
    .step(
      "read",
      ctx.db.execute<{
        state: "ok" | "missing" | "used" | "expired";
        id: string;
        email: string;
        email_normalized: string;
        name: string;
        password_hash: string;
        created_at: string;
        attempts: AttemptState | null;
        device: string;
      }>(sql`
        select case when t.id is null then 'missing' when t.used_at is not null then 'used'
            when t.expires_at <= ${at} then 'expired' else 'ok' end as state,
          u.id, u.email, u.email_normalized, u.name, u.password_hash, u.created_at,
          ${attemptState(key)} as attempts, ${key.device}::text as device
        from (select 1) one
        left join account_tokens t on t.token_hash = ${hash} and t.purpose = 'email_verification'
        left join users u on u.id = t.user_id`),
    )
    .commit();
  const row = read.rows[0];
  if (row?.state !== "ok") throw tokenProblem("email_verification", { state: row?.state });
  assertClaimed(
    claim.rows.length > 0,
    row.attempts,
    ctx.now,
    "Too many wrong passwords for this account; wait before trying again.",
  );
  const verdict = await verifyPassword(input.password, row.password_hash, ctx.passwordParams);
  // The claim already counted this attempt as a failure; the link stays unused.
  if (!verdict.ok) throw new ApiError("unauthorized", WRONG_PASSWORD);

  const checked: AttemptKey = { email: sql`${row.email_normalized}::text`, device: sql`${row.device}::text` };
  const session = await newSession(row.id, input.userAgent, ctx.now, ctx.sessionPolicy);
  const verify = write(ctx.db, "verify the email address", {
    account_token: (detail) => tokenProblem("email_verification", detail),
    password_changed: () =>
      new ApiError("unauthorized", "The password of this account has just been changed; sign in again."),
  })
    .add(
      lockTokenAccount(ctx.db, hash),
      useTokenStatement(ctx.db, "email_verification", hash, at),
      passwordUnchangedGuard(ctx.db, row.id, row.password_hash),
      ctx.db.execute(sql`update users set email_verified_at = coalesce(email_verified_at, ${at})
        where id = ${row.id}`),
      ctx.db.execute(sql`update account_tokens set used_at = ${at}
        where user_id = ${row.id} and purpose = 'email_verification' and used_at is null`),
    )
    // Whoever else was signed in (a squatter who chose this password, say) is signed out.
    .step("revoked", revokeSessionRows(ctx.db, row.id, now))
    .add(insertSessionRow(ctx.db, session), clearAttempts(ctx.db, checked));
  if (verdict.needsRehash) {
    const passwordHash = await hashPassword(input.password, ctx.passwordParams);
    verify.add(ctx.db.execute(sql`update users set password_hash = ${passwordHash} where id = ${row.id}`));
  }
  const { revoked } = await commitWithSession(ctx.kv, session, verify);
  await forgetSessions(
    ctx.kv,
    revoked.map((r) => r.id),
  );
  const trusted = cookie && row.device === cookie.deviceId ? cookie.deviceId : undefined;
  return {
    user: userView({ id: row.id, email: row.email, name: row.name, createdAt: row.created_at }),
    session,
    device: await issueDevice(input.device.secret, row.id, ctx.now, trusted),
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
