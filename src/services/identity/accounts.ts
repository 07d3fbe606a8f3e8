import { eq, sql } from "drizzle-orm";
import { check } from "../../db/atomic.ts";
import type { Db } from "../../db/client.ts";
import { users } from "../../db/schema/index.ts";
import { ApiError } from "../../lib/problem.ts";
import type { ServiceContext } from "../context.ts";
import { appendEmails } from "../email/outbox.ts";
import { write } from "../write.ts";
import {
  forgotPasswordUrl,
  insertTokenSql,
  lockEmailAddress,
  logEmailsSql,
  newAccountToken,
  signInUrl,
  underEmailLimit,
  VERIFICATION_TOKEN_HOURS,
  verifyPageUrl,
} from "./account-tokens.ts";
import { type IssuedDevice, issueDevice, verifyDevice } from "./devices.ts";
import { hashPassword, passwordProblem, verifyDecoy, verifyPassword } from "./password.ts";
import { type Principal, principalGuard } from "./principal.ts";
import {
  forgetSessions,
  type IssuedSession,
  insertSessionRow,
  newSession,
  revokeSessionRows,
  storeSession,
} from "./sessions.ts";
import {
  type AttemptKey,
  type AttemptState,
  assertClaimed,
  attemptState,
  claimAttempt,
  clearAttempts,
} from "./throttle.ts";

export interface UserView {
  id: string;
  email: string;
  name: string;
  createdAt: string;
}

export interface SessionView {
  id: string;
  token: string;
  expiresAt: string;
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function userView(row: {
  id: string;
  email: string;
  name: string;
  createdAt: Date | string;
}): UserView {
  return { id: row.id, email: row.email, name: row.name, createdAt: new Date(row.createdAt).toISOString() };
}

export function sessionView(session: IssuedSession): SessionView {
  return { id: session.id, token: session.token, expiresAt: session.expiresAt.toISOString() };
}

/** The request's device cookie (if any) and the secret that signs them. */
export interface DeviceInput {
  secret: string;
  cookie: string | undefined;
}

function weakPassword(problem: string, field = "body.password"): ApiError {
  return new ApiError("validation_failed", "The password is not acceptable.", {
    errors: [{ field, message: problem }],
  });
}

/**
 * Signs up without ever saying whether the address is taken: the caller answers the same in both cases,
 * and both cost the same (the password is hashed, then one round trip of the same statements). A new
 * address gets an unverified account and an email with its verification link (valid
 * {@link VERIFICATION_TOKEN_HOURS} hours; verifying signs in, see email-verification.ts). A taken one
 * changes nothing but an email to its owner saying someone tried (at most 3 an hour, `email_requests`),
 * with links to sign in or reset the password. Nobody is signed in by sign-up.
 */
export async function signup(
  ctx: ServiceContext,
  input: { email: string; password: string; name: string; publicUrl: string; next?: string },
): Promise<void> {
  const problem = passwordProblem(input.password, input.email);
  if (problem) throw weakPassword(problem);
  const email = normalizeEmail(input.email);
  const userId = crypto.randomUUID();
  const at = sql`${new Date(ctx.now).toISOString()}::timestamptz`;
  const { token, hash } = await newAccountToken();
  const passwordHash = await hashPassword(input.password, ctx.passwordParams);
  const address = sql`${email}::text`;
  await write(ctx.db, "sign up")
    .add(
      // Serialises sign-ups (and the owner's emails) of one address.
      lockEmailAddress(ctx.db, address),
      ctx.db
        .insert(users)
        .values({
          id: userId,
          email: input.email.trim(),
          emailNormalized: email,
          name: input.name.trim(),
          passwordHash,
        })
        .onConflictDoNothing({ target: users.emailNormalized }),
      ctx.db.execute(sql`with
        created as materialized (select id, name, email_normalized from users where id = ${userId}),
        owner as materialized (select id, name, email_normalized from users
          where email_normalized = ${email} and id <> ${userId}
            and ${underEmailLimit(address, "account_exists", at)}),
        ${logEmailsSql(sql`created`, address, "email_verification", at)},
        ${logEmailsSql(sql`owner`, address, "account_exists", at)},
        ${insertTokenSql(sql`created`, "email_verification", hash, at)},
        verification as (${appendEmails({
          template: "email_verification",
          to: sql`c.email_normalized`,
          data: sql`jsonb_build_object('name', c.name,
            'verifyUrl', ${verifyPageUrl(input.publicUrl, token, input.next)}::text,
            'expiresHours', ${VERIFICATION_TOKEN_HOURS}::int)`,
          from: sql`created c`,
        })}),
        exists_mail as (${appendEmails({
          template: "account_exists",
          to: sql`o.email_normalized`,
          data: sql`jsonb_build_object('name', o.name, 'signInUrl', ${signInUrl(input.publicUrl)}::text,
            'resetUrl', ${forgotPasswordUrl(input.publicUrl)}::text)`,
          from: sql`owner o`,
        })})
      select 1`),
    )
    .commit();
}

const INVALID_LOGIN = "Email or password is incorrect.";

/**
 * Commits a batch that writes `session`'s row, its KV entry stored first: a revocation that follows the
 * commit (a reset, say) then deletes the entry too, where an entry stored after that delete would keep a
 * revoked session readable. Nobody has the token before the commit; a failed commit forgets the entry.
 */
export async function commitWithSession<R>(
  kv: KVNamespace,
  session: IssuedSession,
  batch: { commit(): Promise<R> },
): Promise<R> {
  await storeSession(kv, session);
  try {
    return await batch.commit();
  } catch (error) {
    await forgetSessions(kv, [session.id]).catch(() => undefined);
    throw error;
  }
}

/**
 * First in a batch that acts on a checked password (sign-in, password change, email verification): the account's hash is still
 * the one the password was checked against, with the user's row locked until the batch commits. A reset or
 * change that committed in between fails it (that password is no longer the account's, and a session
 * written now would outlive the revocation); one that comes later waits for this batch, then revokes
 * what it wrote.
 */
export function passwordUnchangedGuard(db: Db, userId: string, checkedHash: string) {
  return db.execute(
    sql`select ${check(
      "password_changed",
      sql`exists (select 1 from users where id = ${userId} and password_hash = ${checkedHash} for no key update)`,
    )}`,
  );
}

/**
 * Signs in. One round trip claims the password check (see {@link claimAttempt}) and reads the user, before
 * any hashing; a correct password then takes a second (the session, and the counter cleared). A wrong
 * password and an unknown email get the same answer after the same work (a decoy hash check) and the same
 * single round trip, and both count towards the account's backoff: the counter of untrusted clients, or
 * that of the device when the request carries a valid device cookie for this account. Success (re)issues
 * the device cookie; a trusted browser keeps its device id.
 */
export async function login(
  ctx: ServiceContext,
  input: { email: string; password: string; userAgent: string | null; device: DeviceInput },
): Promise<{ user: UserView; session: IssuedSession; device: IssuedDevice }> {
  const email = normalizeEmail(input.email);
  const cookie = await verifyDevice(input.device.secret, input.device.cookie, ctx.now);
  // Trusted only for the account the cookie was issued to, which the claim looks up with the email.
  const device = cookie
    ? sql`(case when exists (select 1 from users where email_normalized = ${email} and id = ${cookie.userId}::uuid)
        then ${cookie.deviceId} else '' end)`
    : sql`''`;
  const key: AttemptKey = { email: sql`${email}`, device };
  const { claim, read } = await write(ctx.db, "sign in")
    .step("claim", claimAttempt(ctx.db, key, ctx.now))
    .step(
      "read",
      ctx.db.execute<{
        id: string | null;
        email: string | null;
        name: string | null;
        password_hash: string | null;
        created_at: string | null;
        attempts: AttemptState | null;
        device: string;
      }>(sql`
      select u.id, u.email, u.name, u.password_hash, u.created_at, ${attemptState(key)} as attempts,
        ${device}::text as device
      from (select ${email}::text as email) q
      left join users u on u.email_normalized = q.email`),
    )
    .commit();
  const row = read.rows[0];
  assertClaimed(
    claim.rows.length > 0,
    row?.attempts,
    ctx.now,
    "Too many failed sign-ins for this account; wait before trying again.",
  );

  let verdict = { ok: false, needsRehash: false };
  if (row?.id && row.password_hash)
    verdict = await verifyPassword(input.password, row.password_hash, ctx.passwordParams);
  else await verifyDecoy(input.password, ctx.passwordParams);
  // The claim already counted this attempt as a failure.
  if (!verdict.ok || !row?.id) throw new ApiError("unauthorized", INVALID_LOGIN);

  const session = await newSession(row.id, input.userAgent, ctx.now, ctx.sessionPolicy);
  const signIn = write(ctx.db, "sign in", {
    password_changed: () => new ApiError("unauthorized", INVALID_LOGIN),
  }).add(
    passwordUnchangedGuard(ctx.db, row.id, row.password_hash ?? ""),
    insertSessionRow(ctx.db, session),
    clearAttempts(ctx.db, key),
  );
  if (verdict.needsRehash) {
    const passwordHash = await hashPassword(input.password, ctx.passwordParams);
    signIn.add(ctx.db.update(users).set({ passwordHash }).where(eq(users.id, row.id)));
  }
  await commitWithSession(ctx.kv, session, signIn);
  const trusted = cookie && row.device === cookie.deviceId ? cookie.deviceId : undefined;
  return {
    device: await issueDevice(input.device.secret, row.id, ctx.now, trusted),
    user: userView({
      id: row.id,
      email: row.email ?? "",
      name: row.name ?? "",
      createdAt: row.created_at ?? "",
    }),
    session,
  };
}

/** Ends the current session: one round trip, then the KV entry is removed. */
export async function logout(ctx: ServiceContext, principal: Extract<Principal, { kind: "user" }>) {
  await revokeSessionRows(ctx.db, principal.userId, new Date(ctx.now), { ids: [principal.sessionId] });
  await forgetSessions(ctx.kv, [principal.sessionId]);
}

/**
 * Changes the password: re-authenticates with the current one, then in one batch stores the new hash,
 * revokes every session of the user and issues a new one (no fixation). Two round trips: the first claims
 * the password check against the account's backoff (the same counters as sign-in, see
 * {@link claimAttempt}: the browser's device cookie counts as at sign-in) and reads the hash; a wrong
 * current password costs only that one.
 */
export async function changePassword(
  ctx: ServiceContext,
  principal: Extract<Principal, { kind: "user" }>,
  input: { currentPassword: string; newPassword: string; userAgent: string | null; device: DeviceInput },
): Promise<IssuedSession> {
  // Rules that need no account first: no attempt is spent on a request that cannot succeed.
  const problem = passwordProblem(input.newPassword);
  if (problem) throw weakPassword(problem, "body.newPassword");
  if (input.newPassword === input.currentPassword) {
    throw weakPassword("must differ from the current password", "body.newPassword");
  }

  const now = new Date(ctx.now);
  const cookie = await verifyDevice(input.device.secret, input.device.cookie, ctx.now);
  const key: AttemptKey = {
    email: sql`(select email_normalized from users where id = ${principal.userId})`,
    device: sql`${cookie?.userId === principal.userId ? cookie.deviceId : ""}`,
  };
  const { claim, read } = await write(ctx.db, "change the password")
    .add(principalGuard(ctx.db, principal, now))
    .step("claim", claimAttempt(ctx.db, key, ctx.now))
    .step(
      "read",
      ctx.db.execute<{ email: string; password_hash: string; attempts: AttemptState | null }>(sql`
        select u.email, u.password_hash, ${attemptState(key)} as attempts
        from users u where u.id = ${principal.userId}`),
    )
    .commit();
  const claimed = claim.rows.length > 0;
  const user = read.rows[0];
  if (!user) throw new ApiError("unauthorized", "The account no longer exists.");
  assertClaimed(
    claimed,
    user.attempts,
    ctx.now,
    "Too many wrong passwords for this account; wait before trying again.",
  );
  const verdict = await verifyPassword(input.currentPassword, user.password_hash, ctx.passwordParams);
  if (!verdict.ok) throw new ApiError("forbidden", "The current password is incorrect.");
  const emailProblem = passwordProblem(input.newPassword, user.email);
  if (emailProblem) {
    // The current password was right: like any correct password, it clears the count.
    await clearAttempts(ctx.db, key);
    throw weakPassword(emailProblem, "body.newPassword");
  }

  const session = await newSession(principal.userId, input.userAgent, ctx.now, ctx.sessionPolicy);
  const passwordHash = await hashPassword(input.newPassword, ctx.passwordParams);
  const change = write(ctx.db, "change the password", {
    password_changed: () =>
      new ApiError("unauthorized", "The password of this account has just been changed; sign in again."),
  })
    .add(
      principalGuard(ctx.db, principal, now),
      passwordUnchangedGuard(ctx.db, principal.userId, user.password_hash),
      ctx.db.update(users).set({ passwordHash, updatedAt: now }).where(eq(users.id, principal.userId)),
    )
    .step("revoked", revokeSessionRows(ctx.db, principal.userId, now))
    .add(
      insertSessionRow(ctx.db, session),
      clearAttempts(ctx.db, key),
      // A reset link asked for before the change would otherwise still undo it.
      ctx.db.execute(sql`update account_tokens set used_at = ${now}
        where user_id = ${principal.userId} and purpose = 'password_reset' and used_at is null`),
    );
  const { revoked } = await commitWithSession(ctx.kv, session, change);
  await forgetSessions(
    ctx.kv,
    revoked.map((r) => r.id),
  );
  return session;
}
