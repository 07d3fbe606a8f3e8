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
  /** Whether the address is verified: checkout, quote acceptance, invitations and listing submission wait for it. */
  emailVerified: boolean;
  platformAdmin: boolean;
  /** Messages the user has not read, in threads of any of their organisations (each thread counted once). */
  unreadMessages: number;
  memberships: {
    orgId: string;
    orgName: string;
    orgKind: string;
    role: string;
    /** Unread messages in the organisation's threads. */
    unreadMessages: number;
  }[];
}

/**
 * The user with their memberships, roles and unread message counts: one round trip. Unread: messages
 * newer than the user's read state of their thread (all, without one), not their own, not hidden.
 */
export async function getMe(ctx: ServiceContext, principal: UserPrincipal): Promise<Me> {
  const { rows } = await ctx.db.execute<{
    id: string;
    email: string;
    name: string;
    created_at: string;
    email_verified: boolean;
    platform_admin: boolean;
    unread_messages: number;
    memberships: Me["memberships"];
  }>(sql`
    with my_orgs as materialized (select org_id from memberships where user_id = ${principal.userId}),
    my_threads as materialized (
      select t.id, t.buyer_org_id, t.seller_org_id, t.last_message_at from threads t where t.buyer_org_id in (select org_id from my_orgs)
      union
      select t.id, t.buyer_org_id, t.seller_org_id, t.last_message_at from threads t where t.seller_org_id in (select org_id from my_orgs)),
    unread as materialized (
      select t.id, t.buyer_org_id, t.seller_org_id, count(*)::int as n
      from my_threads t join messages m on m.thread_id = t.id
        left join thread_reads r on r.thread_id = t.id and r.user_id = ${principal.userId}
      -- A thread read past its last message needs no look at its messages.
      where t.last_message_at > coalesce(r.last_read_at, '-infinity')
        and m.hidden_at is null and m.sender_user_id is distinct from ${principal.userId}::uuid
        and m.created_at > coalesce(r.last_read_at, '-infinity')
      group by t.id, t.buyer_org_id, t.seller_org_id)
    select u.id, u.email, u.name, u.created_at, u.email_verified_at is not null as email_verified, u.platform_admin,
      (select coalesce(sum(n), 0)::int from unread) as unread_messages,
      coalesce((
        select json_agg(json_build_object('orgId', o.id, 'orgName', o.name, 'orgKind', o.kind, 'role', m.role,
            'unreadMessages', (select coalesce(sum(n), 0)::int from unread where o.id in (unread.buyer_org_id, unread.seller_org_id)))
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
    emailVerified: row.email_verified,
    platformAdmin: row.platform_admin,
    unreadMessages: row.unread_messages,
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
