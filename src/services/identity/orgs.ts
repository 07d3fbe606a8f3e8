import { and, eq, sql } from "drizzle-orm";
import { guard } from "../../db/atomic.ts";
import { memberships, organizations } from "../../db/schema/index.ts";
import { ApiError } from "../../lib/problem.ts";
import type { ServiceContext } from "../context.ts";
import { write } from "../write.ts";
import { assertKeyAccess, assertRole, memberRoleSql, orgNotFound, orgRoleGuard } from "./org-access.ts";
import { type MemberRole, type Principal, principalGuard } from "./principal.ts";

/** Organisations one user may own, so one account cannot flood the table. */
export const MAX_OWNED_ORGS = 20;

export interface OrgInput {
  name: string;
  kind: "buyer" | "seller" | "both";
  legalName?: string | null;
  taxId?: string | null;
  country?: string | null;
  website?: string | null;
}

export interface OrgView extends Required<OrgInput> {
  id: string;
  createdAt: string;
  updatedAt: string;
  /** The caller's role; null for API keys. */
  role: MemberRole | null;
}

type OrgRow = typeof organizations.$inferSelect;

function orgView(row: OrgRow, role: MemberRole | null): OrgView {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    legalName: row.legalName,
    taxId: row.taxId,
    country: row.country,
    website: row.website,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    role,
  };
}

/** Creates an organisation with the user as its owner: one round trip. */
export async function createOrg(
  ctx: ServiceContext,
  principal: Extract<Principal, { kind: "user" }>,
  input: OrgInput,
): Promise<OrgView> {
  const id = crypto.randomUUID();
  const { org } = await write(ctx.db, "create organisations", {
    owned_org_limit: () =>
      new ApiError("conflict", `A user may own at most ${MAX_OWNED_ORGS} organisations.`),
  })
    .add(
      principalGuard(ctx.db, principal, new Date(ctx.now)),
      guard(
        ctx.db,
        "owned_org_limit",
        sql`(select count(*) from memberships where user_id = ${principal.userId} and role = 'owner') < ${MAX_OWNED_ORGS}`,
      ),
    )
    .one(
      "org",
      ctx.db
        .insert(organizations)
        .values({ id, ...input })
        .returning(),
      (rows) => rows[0],
      "Organisation not found.",
    )
    .add(ctx.db.insert(memberships).values({ orgId: id, userId: principal.userId, role: "owner" }))
    .commit();
  return orgView(org, "owner");
}

/** An organisation, for its members (any role) and its own API keys (org:read): one round trip. */
export async function getOrg(ctx: ServiceContext, principal: Principal, orgId: string): Promise<OrgView> {
  assertKeyAccess(principal, orgId, "org:read");
  if (principal.kind === "api_key") {
    const [row] = await ctx.db.select().from(organizations).where(eq(organizations.id, orgId));
    if (!row) throw orgNotFound();
    return orgView(row, null);
  }
  const [found] = await ctx.db
    .select({ org: organizations, role: memberships.role })
    .from(organizations)
    .innerJoin(
      memberships,
      and(eq(memberships.orgId, organizations.id), eq(memberships.userId, principal.userId)),
    )
    .where(eq(organizations.id, orgId));
  assertRole(found?.role, "org:read", "view this organisation");
  if (!found) throw orgNotFound();
  return orgView(found.org, found.role);
}

/** Updates an organisation's profile: owners and admins, or an API key with org:write. One round trip. */
export async function updateOrg(
  ctx: ServiceContext,
  principal: Principal,
  orgId: string,
  changes: Partial<OrgInput>,
): Promise<OrgView> {
  assertKeyAccess(principal, orgId, "org:manage");
  const now = new Date(ctx.now);
  const update = ctx.db
    .update(organizations)
    .set({ ...changes, updatedAt: now })
    .where(eq(organizations.id, orgId))
    .returning();
  const edit = write(ctx.db, "edit this organisation")
    .add(principalGuard(ctx.db, principal, now))
    .add(...(principal.kind === "user" ? [orgRoleGuard(ctx.db, orgId, principal.userId, "org:manage")] : []))
    .one("org", update, (rows) => rows[0], orgNotFound)
    .step(
      "roles",
      ctx.db.execute<{ role: MemberRole }>(
        sql`select role from memberships where org_id = ${orgId} and user_id = ${principal.kind === "user" ? principal.userId : null}::uuid`,
      ),
    );
  const { org, roles } = await edit.commit();
  return orgView(org, roles.rows[0]?.role ?? null);
}

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
