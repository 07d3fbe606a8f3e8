import { type SQL, sql } from "drizzle-orm";
import { check, GuardError, textArray } from "../../db/atomic.ts";
import type { Db } from "../../db/client.ts";
import { ApiError } from "../../lib/problem.ts";
import type { ServiceContext } from "../context.ts";
import {
  type ApiKeyScope,
  type MemberRole,
  type Principal,
  principalCheck,
  principalGuard,
} from "./principal.ts";

export const ANY_MEMBER: readonly MemberRole[] = ["owner", "admin", "buyer", "seller", "viewer", "approver"];
export const ORG_ADMINS: readonly MemberRole[] = ["owner", "admin"];

export const orgNotFound = () => new ApiError("not_found", "Organisation not found.");

/**
 * Guard for write batches: the user is a member of the organisation with one of `roles`. On failure
 * the detail carries the user's actual role (null for non-members), which {@link accessError} maps to
 * 404 (non-members never learn the organisation exists) or 403.
 */
export function orgRoleGuard(db: Db, orgId: string, userId: string, roles: readonly MemberRole[]) {
  return db.execute(sql`select ${orgRoleCheck(orgId, userId, roles)}`);
}

/** {@link orgRoleGuard} as an expression, to combine with other checks in one statement (see `check`). */
export function orgRoleCheck(orgId: string, userId: string, roles: readonly MemberRole[]): SQL {
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

/** Checks a read's membership role in code: non-members get 404, other roles 403. */
export function assertRole(role: string | null | undefined, roles: readonly MemberRole[], action: string) {
  if (!role || !roles.includes(role as MemberRole)) throw accessError(role, action);
}

/**
 * For API keys: the key acts only for its own organisation (others: 404) and within its scopes (403).
 * Routes that API keys may not use at all pass `scope: undefined`.
 */
export function assertKeyAccess(principal: Principal, orgId: string, scope: ApiKeyScope | undefined) {
  if (principal.kind !== "api_key") return;
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
  return mapped ? mapped(detail) : error;
}

/** The user's role in the organisation, as SQL (null for non-members, and for API keys: `userId` null). */
export function memberRoleSql(orgId: string, userId: string | null): SQL {
  return sql`(select role::text from memberships where org_id = ${orgId} and user_id = ${userId}::uuid)`;
}

/**
 * The statements an organisation write starts with: the caller's session or key is still live, and a
 * user holds one of `roles` (an API key must belong to the organisation and carry `scope`).
 */
export function orgWriteAccess(
  ctx: ServiceContext,
  principal: Principal,
  orgId: string,
  scope: ApiKeyScope,
  roles: readonly MemberRole[],
) {
  assertKeyAccess(principal, orgId, scope);
  const statements = [principalGuard(ctx.db, principal, new Date(ctx.now))];
  if (principal.kind === "user") statements.push(orgRoleGuard(ctx.db, orgId, principal.userId, roles));
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
  scope: ApiKeyScope,
  roles: readonly MemberRole[],
): SQL[] {
  assertKeyAccess(principal, orgId, scope);
  const checks = [principalCheck(principal, new Date(ctx.now))];
  if (principal.kind === "user") checks.push(orgRoleCheck(orgId, principal.userId, roles));
  return checks;
}
