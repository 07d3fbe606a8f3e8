import { eq, sql } from "drizzle-orm";
import { postgresError } from "../../db/atomic.ts";
import { users } from "../../db/schema/index.ts";
import { ApiError } from "../../lib/problem.ts";
import type { ServiceContext } from "../context.ts";
import { write } from "../write.ts";
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

function userView(row: { id: string; email: string; name: string; createdAt: Date | string }): UserView {
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
 * Creates the account and signs it in: one round trip (user and session rows in one batch). The browser
 * gets a device cookie for the new account.
 */
export async function signup(
  ctx: ServiceContext,
  input: { email: string; password: string; name: string; userAgent: string | null; deviceSecret: string },
): Promise<{ user: UserView; session: IssuedSession; device: IssuedDevice }> {
  const problem = passwordProblem(input.password, input.email);
  if (problem) throw weakPassword(problem);
  const userId = crypto.randomUUID();
  const session = await newSession(userId, input.userAgent, ctx.now, ctx.sessionPolicy);
  const passwordHash = await hashPassword(input.password, ctx.passwordParams);
  let user: { id: string; email: string; name: string; createdAt: Date };
  try {
    ({ user } = await write(ctx.db, "sign up")
      .one(
        "user",
        ctx.db
          .insert(users)
          .values({
            id: userId,
            email: input.email.trim(),
            emailNormalized: normalizeEmail(input.email),
            name: input.name.trim(),
            passwordHash,
          })
          .returning({ id: users.id, email: users.email, name: users.name, createdAt: users.createdAt }),
        (rows) => rows[0],
        () => new ApiError("internal", "Sign-up stored no account."),
      )
      .add(insertSessionRow(ctx.db, session))
      .commit());
  } catch (error) {
    if (postgresError(error)?.constraint === "users_email_normalized_key") {
      throw new ApiError("conflict", "An account with this email already exists.");
    }
    throw error;
  }
  await storeSession(ctx.kv, session);
  return { user: userView(user), session, device: await issueDevice(input.deviceSecret, userId, ctx.now) };
}

const INVALID_LOGIN = "Email or password is incorrect.";

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
  const signIn = write(ctx.db, "sign in").add(insertSessionRow(ctx.db, session), clearAttempts(ctx.db, key));
  if (verdict.needsRehash) {
    const passwordHash = await hashPassword(input.password, ctx.passwordParams);
    signIn.add(ctx.db.update(users).set({ passwordHash }).where(eq(users.id, row.id)));
  }
  await signIn.commit();
  await storeSession(ctx.kv, session);
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
  const { revoked } = await write(ctx.db, "change the password")
    .add(
      principalGuard(ctx.db, principal, now),
      ctx.db.update(users).set({ passwordHash, updatedAt: now }).where(eq(users.id, principal.userId)),
    )
    .step("revoked", revokeSessionRows(ctx.db, principal.userId, now))
    .add(insertSessionRow(ctx.db, session), clearAttempts(ctx.db, key))
    .commit();
  await forgetSessions(
    ctx.kv,
    revoked.map((r) => r.id),
  );
  await storeSession(ctx.kv, session);
  return session;
}
