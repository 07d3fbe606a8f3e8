import { and, eq, sql } from "drizzle-orm";
import { guard } from "../../db/atomic.ts";
import { memberships, organizations } from "../../db/schema/index.ts";
import { ApiError } from "../../lib/problem.ts";
import type { ServiceContext } from "../context.ts";
import { write } from "../write.ts";
import { assertKeyAccess, assertRole, orgNotFound, orgRoleGuard } from "./org-access.ts";
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
