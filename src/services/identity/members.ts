import { and, eq, sql } from "drizzle-orm";
import { guard } from "../../db/atomic.ts";
import { memberships } from "../../db/schema/index.ts";
import { ApiError } from "../../lib/problem.ts";
import type { ServiceContext } from "../context.ts";
import { write } from "../write.ts";
import { assertKeyAccess, memberRoleSql, orgNotFound, orgRoleGuard } from "./org-access.ts";
import { type MemberRole, type Principal, principalGuard } from "./principal.ts";

export interface MemberView {
  userId: string;
  name: string;
  email: string;
  role: MemberRole;
  joinedAt: string;
}

/** Members of an organisation (any member may look; API keys need members:read). One round trip. */
export async function listMembers(
  ctx: ServiceContext,
  principal: Principal,
  orgId: string,
): Promise<MemberView[]> {
  assertKeyAccess(principal, orgId, "members:read");
  const viewer = principal.kind === "user" ? principal.userId : null;
  const { rows } = await ctx.db.execute<MemberRow>(sql`
    select m.user_id, u.name, u.email, m.role, m.created_at
    from memberships m join users u on u.id = m.user_id
    where m.org_id = ${orgId}
      and (${viewer}::uuid is null or exists (
        select 1 from memberships me where me.org_id = ${orgId} and me.user_id = ${viewer}::uuid))
    order by m.created_at, m.user_id
    limit 1000`);
  // Every organisation has an owner, so no rows means the caller is not a member (or no such org).
  if (rows.length === 0) throw orgNotFound();
  return rows.map(memberView);
}

interface MemberRow extends Record<string, unknown> {
  user_id: string;
  name: string;
  email: string;
  role: MemberRole;
  created_at: string;
}

function memberView(row: MemberRow): MemberView {
  return {
    userId: row.user_id,
    name: row.name,
    email: row.email,
    role: row.role,
    joinedAt: new Date(row.created_at).toISOString(),
  };
}

/** Serialises membership changes of one organisation (the "last owner" rule needs a stable count). */
function lockOrg(ctx: ServiceContext, orgId: string) {
  return ctx.db.execute(sql`select id from organizations where id = ${orgId} for update`);
}

const memberGuardErrors = {
  member_exists: () => new ApiError("not_found", "Member not found."),
  owner_only: () => new ApiError("forbidden", "Only an owner may grant, change or remove the owner role."),
  last_owner: () =>
    new ApiError("conflict", "An organisation needs at least one owner; make someone else owner first."),
};

/**
 * Changes a member's role: owners and admins; only owners touch the owner role; the last owner cannot
 * be demoted. One round trip (all rules are guards in the batch, evaluated under a lock on the org).
 */
export async function changeMemberRole(
  ctx: ServiceContext,
  principal: Extract<Principal, { kind: "user" }>,
  orgId: string,
  userId: string,
  role: MemberRole,
): Promise<MemberView> {
  const now = new Date(ctx.now);
  const actorRole = memberRoleSql(orgId, principal.userId);
  const current = memberRoleSql(orgId, userId);
  const { member } = await write(ctx.db, "manage members", memberGuardErrors)
    .add(
      principalGuard(ctx.db, principal, now),
      lockOrg(ctx, orgId),
      orgRoleGuard(ctx.db, orgId, principal.userId, "members:manage"),
      guard(ctx.db, "member_exists", sql`${current} is not null`),
      guard(
        ctx.db,
        "owner_only",
        sql`not ((${role} = 'owner' or ${current} = 'owner') and ${actorRole} <> 'owner')`,
      ),
      guard(
        ctx.db,
        "last_owner",
        sql`not (${current} = 'owner' and ${role} <> 'owner'
          and (select count(*) from memberships where org_id = ${orgId} and role = 'owner') <= 1)`,
      ),
    )
    .one(
      "member",
      ctx.db.execute<MemberRow>(sql`
        update memberships m set role = ${role} from users u
        where m.org_id = ${orgId} and m.user_id = ${userId} and u.id = m.user_id
        returning m.user_id, u.name, u.email, m.role, m.created_at`),
      (result) => result.rows[0],
      "Member not found.",
    )
    .commit();
  return memberView(member);
}

/**
 * Removes a member (owners and admins), or lets members leave themselves. Admins cannot remove owners;
 * the last owner can neither leave nor be removed. One round trip.
 */
export async function removeMember(
  ctx: ServiceContext,
  principal: Extract<Principal, { kind: "user" }>,
  orgId: string,
  userId: string,
) {
  const now = new Date(ctx.now);
  const leaving = userId === principal.userId;
  const current = memberRoleSql(orgId, userId);
  const access = leaving
    ? orgRoleGuard(ctx.db, orgId, principal.userId, "members:leave")
    : orgRoleGuard(ctx.db, orgId, principal.userId, "members:manage");
  await write(ctx.db, "remove members", memberGuardErrors)
    .add(
      principalGuard(ctx.db, principal, now),
      lockOrg(ctx, orgId),
      access,
      guard(ctx.db, "member_exists", sql`${current} is not null`),
      guard(
        ctx.db,
        "owner_only",
        sql`not (${current} = 'owner' and ${memberRoleSql(orgId, principal.userId)} <> 'owner')`,
      ),
      guard(
        ctx.db,
        "last_owner",
        sql`not (${current} = 'owner' and (select count(*) from memberships where org_id = ${orgId} and role = 'owner') <= 1)`,
      ),
      ctx.db.delete(memberships).where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId))),
    )
    .commit();
}
