import { type SQL, sql } from "drizzle-orm";
import { check } from "../../db/atomic.ts";
import type { Db } from "../../db/client.ts";

/** API key scopes. Keys act for their organisation only, within their scopes. */
export const apiKeyScopes = [
  "org:read",
  "org:write",
  "members:read",
  "listings:read",
  "listings:write",
  "orders:read",
  "orders:write",
] as const;
export type ApiKeyScope = (typeof apiKeyScopes)[number];

export const memberRoles = ["owner", "admin", "buyer", "seller", "viewer", "approver"] as const;
export type MemberRole = (typeof memberRoles)[number];

/** Who is making the request: a signed-in user, or an organisation's API key. */
export type Principal =
  | { kind: "user"; userId: string; sessionId: string }
  | { kind: "api_key"; keyId: string; orgId: string; scopes: ApiKeyScope[] };

/**
 * A guard for every write batch: the session (or API key) that authorised the write is still live in
 * Postgres, the exact record. KV may keep serving a revoked session for up to a minute in other
 * locations; this makes sure such a session can never change anything.
 */
export function principalGuard(db: Db, principal: Principal, now: Date) {
  return db.execute(sql`select ${principalCheck(principal, now)}`);
}

/** {@link principalGuard} as an expression, to combine with other checks in one statement (see `check`). */
export function principalCheck(principal: Principal, now: Date): SQL {
  if (principal.kind === "user") {
    return check(
      "session_revoked",
      sql`exists (select 1 from sessions where id = ${principal.sessionId} and revoked_at is null and expires_at > ${now})`,
    );
  }
  return check(
    "api_key_revoked",
    sql`exists (select 1 from api_keys where id = ${principal.keyId} and revoked_at is null
      and (expires_at is null or expires_at > ${now}))`,
  );
}

/**
 * For writes that must wait until a person has proved their email address (checkout, quote acceptance,
 * invitations, submitting listings, creating API keys): true for a verified user, else the batch aborts
 * with `email_unverified` (403). API keys pass: only verified users can create them.
 */
export function verifiedEmailCheck(principal: Principal): SQL {
  if (principal.kind !== "user") return sql`true`;
  return check(
    "email_unverified",
    sql`exists (select 1 from users where id = ${principal.userId} and email_verified_at is not null)`,
  );
}

/** {@link verifiedEmailCheck} as a statement of its own. */
export function verifiedEmailGuard(db: Db, principal: Principal) {
  return db.execute(sql`select ${verifiedEmailCheck(principal)}`);
}
