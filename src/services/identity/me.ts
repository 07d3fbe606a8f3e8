import { and, desc, eq, gt, isNull, sql } from "drizzle-orm";
import { sessions } from "../../db/schema/index.ts";
import { ApiError } from "../../lib/problem.ts";
import type { ServiceContext } from "../context.ts";
import { write } from "../write.ts";
import { type Principal, principalGuard } from "./principal.ts";
import { forgetSessions, revokeSessionRows, type SessionRecord } from "./sessions.ts";

type UserPrincipal = Extract<Principal, { kind: "user" }>;

export interface Me {
  id: string;
  email: string;
  name: string;
  createdAt: string;
  platformAdmin: boolean;
  memberships: { orgId: string; orgName: string; orgKind: string; role: string }[];
}

/** The user with their memberships and roles: one round trip. */
export async function getMe(ctx: ServiceContext, principal: UserPrincipal): Promise<Me> {
  const { rows } = await ctx.db.execute<{
    id: string;
    email: string;
    name: string;
    created_at: string;
    platform_admin: boolean;
    memberships: Me["memberships"];
  }>(sql`
    select u.id, u.email, u.name, u.created_at, u.platform_admin,
      coalesce((
        select json_agg(json_build_object('orgId', o.id, 'orgName', o.name, 'orgKind', o.kind, 'role', m.role)
                        order by o.name, o.id)
        from memberships m join organizations o on o.id = m.org_id
        where m.user_id = u.id), '[]'::json) as memberships
    from users u where u.id = ${principal.userId}`);
  const row = rows[0];
  if (!row) throw new ApiError("unauthorized", "The account no longer exists.");
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    createdAt: new Date(row.created_at).toISOString(),
    platformAdmin: row.platform_admin,
    memberships: row.memberships,
  };
}

export interface SessionListItem {
  id: string;
  current: boolean;
  createdAt: string;
  lastSeenAt: string | null;
  expiresAt: string;
  userAgent: string | null;
}

/** Live sessions: exact from Postgres (revocations), with "last seen" and idle state from KV. */
export async function listSessions(
  ctx: ServiceContext,
  principal: UserPrincipal,
): Promise<SessionListItem[]> {
  const now = new Date(ctx.now);
  const rows = await ctx.db
    .select()
    .from(sessions)
    .where(
      and(eq(sessions.userId, principal.userId), isNull(sessions.revokedAt), gt(sessions.expiresAt, now)),
    )
    .orderBy(desc(sessions.createdAt))
    .limit(100);
  const records = await Promise.all(
    rows.map((row) => ctx.kv.get<SessionRecord>(`session:${row.id}`, "json").catch(() => null)),
  );
  const items: SessionListItem[] = [];
  rows.forEach((row, index) => {
    const record = records[index];
    if (!record || ctx.now - record.lastSeenAt >= ctx.sessionPolicy.idleMs) return;
    items.push({
      id: row.id,
      current: row.id === principal.sessionId,
      createdAt: row.createdAt.toISOString(),
      lastSeenAt: new Date(record.lastSeenAt).toISOString(),
      expiresAt: row.expiresAt.toISOString(),
      userAgent: row.userAgent,
    });
  });
  return items;
}

/** Revokes one of the user's own sessions (another user's id is simply not found): one round trip. */
export async function revokeSession(ctx: ServiceContext, principal: UserPrincipal, sessionId: string) {
  const { revoked } = await write(ctx.db, "revoke sessions")
    .add(principalGuard(ctx.db, principal, new Date(ctx.now)))
    .step("revoked", revokeSessionRows(ctx.db, principal.userId, new Date(ctx.now), { ids: [sessionId] }))
    .commit();
  if (revoked.length === 0) throw new ApiError("not_found", "Session not found.");
  await forgetSessions(ctx.kv, [sessionId]);
}

/** Revokes every session of the user except the current one: one round trip. Returns how many. */
export async function revokeOtherSessions(ctx: ServiceContext, principal: UserPrincipal): Promise<number> {
  const { revoked } = await write(ctx.db, "revoke sessions")
    .add(principalGuard(ctx.db, principal, new Date(ctx.now)))
    .step(
      "revoked",
      revokeSessionRows(ctx.db, principal.userId, new Date(ctx.now), { exceptId: principal.sessionId }),
    )
    .commit();
  await forgetSessions(
    ctx.kv,
    revoked.map((r) => r.id),
  );
  return revoked.length;
}
