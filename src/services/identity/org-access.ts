import { type SQL, sql } from "drizzle-orm";
import { check, GuardError, textArray } from "../../db/atomic.ts";
import type { Db } from "../../db/client.ts";
import { ApiError } from "../../lib/problem.ts";
import type { ServiceContext } from "../context.ts";
import { type Capability, rolesFor, scopeFor } from "./permissions.ts";
import { type MemberRole, type Principal, principalCheck, principalGuard } from "./principal.ts";

export const orgNotFound = () => new ApiError("not_found", "Organisation not found.");

/** The 403 for a person who must verify their email address before `action`, saying how. */
export function unverifiedEmail(action: string): ApiError {
  return new ApiError(
    "email_unverified",
    `Verify your email address before you ${action}: open the link we emailed you when you signed up, ` +
      "or ask for a new one (POST /v1/auth/verify-email/resend).",
  );
}

/**
 * Guard for write batches: the user is a member of the organisation with a role that holds `capability`
 * (services/identity/permissions.ts). On failure
 * the detail carries the user's actual role (null for non-members), which {@link accessError} maps to
 * 404 (non-members never learn the organisation exists) or 403.
 */
export function orgRoleGuard(db: Db, orgId: string, userId: string, capability: Capability) {
  return db.execute(sql`select ${orgRoleCheck(orgId, userId, capability)}`);
}

/** {@link orgRoleGuard} as an expression, to combine with other checks in one statement (see `check`). */
export function orgRoleCheck(orgId: string, userId: string, capability: Capability): SQL {
  const roles = rolesFor(capability);
  return check(
    "org_access",
    sql`exists (select 1 from memberships where org_id = ${orgId} and user_id = ${userId} and role::text = any(${textArray(roles)}))`,
    sql`jsonb_build_object('role', (select role from memberships where org_id = ${orgId} and user_id = ${userId}))`,
  );
}

/** The API error for a failed org_access guard (or a read that found no membership). */
export function accessError(role: string | null | undefined, action: string): ApiError {
  if (!role) return orgNotFound();
  return new ApiError("forbidden", `Your role (${role}) may not ${action}.`);
}

/** Checks a read's membership role in code against a capability: non-members get 404, other roles 403. */
export function assertRole(role: string | null | undefined, capability: Capability, action: string) {
  if (!role || !rolesFor(capability).includes(role as MemberRole)) throw accessError(role, action);
}

/**
 * For API keys: the key acts only for its own organisation (others: 404) and holds the scope that grants
 * `capability` (403; a capability with no scope is for signed-in users only).
 */
export function assertKeyAccess(principal: Principal, orgId: string, capability: Capability) {
  if (principal.kind !== "api_key") return;
  const scope = scopeFor(capability);
  if (principal.orgId !== orgId) throw orgNotFound();
  if (!scope) throw new ApiError("forbidden", "API keys may not use this endpoint; sign in as a user.");
  if (!principal.scopes.includes(scope))
    throw new ApiError("forbidden", `This API key lacks the ${scope} scope.`);
}

/** Turns guard failures into API errors; `extra` maps guard names specific to the caller. */
export function translateGuards(
  error: unknown,
  action: string,
  extra: Record<string, (detail: Record<string, unknown> | null) => ApiError> = {},
): unknown {
  if (!(error instanceof GuardError)) return error;
  const detail = (error.detail ?? null) as Record<string, unknown> | null;
  if (error.guard === "org_access") return accessError(detail?.role as string | null, action);
  if (error.guard === "session_revoked")
    return new ApiError("unauthorized", "The session has been revoked; sign in again.");
  if (error.guard === "api_key_revoked") return new ApiError("unauthorized", "The API key has been revoked.");
  const mapped = extra[error.guard];
  if (mapped) return mapped(detail);
  if (error.guard === "email_unverified") return unverifiedEmail(action);
  return error;
}

/** The user's role in the organisation, as SQL (null for non-members, and for API keys: `userId` null). */
export function memberRoleSql(orgId: string, userId: string | null): SQL {
  return sql`(select role::text from memberships where org_id = ${orgId} and user_id = ${userId}::uuid)`;
}

/**
 * The statements an organisation write starts with: the caller's session or key is still live, and the
 * caller holds `capability` (a user by role; an API key belongs to the organisation and has its scope).
 */
export function orgWriteAccess(
  ctx: ServiceContext,
  principal: Principal,
  orgId: string,
  capability: Capability,
) {
  assertKeyAccess(principal, orgId, capability);
  const statements = [principalGuard(ctx.db, principal, new Date(ctx.now))];
  if (principal.kind === "user") statements.push(orgRoleGuard(ctx.db, orgId, principal.userId, capability));
  return statements;
}

/**
 * {@link orgWriteAccess} as select-list expressions, in the same order, for a statement that goes on to do
 * more (see `check`).
 */
export function orgWriteChecks(
  ctx: ServiceContext,
  principal: Principal,
  orgId: string,
  capability: Capability,
): SQL[] {
  assertKeyAccess(principal, orgId, capability);
  const checks = [principalCheck(principal, new Date(ctx.now))];
  if (principal.kind === "user") checks.push(orgRoleCheck(orgId, principal.userId, capability));
  return checks;
}
