import { type SQL, sql } from "drizzle-orm";
import { guard, textArray } from "../../db/atomic.ts";
import type { Db } from "../../db/client.ts";
import { ApiError } from "../../lib/problem.ts";
import type { ServiceContext } from "../context.ts";
import { assertKeyAccess, assertRole, memberRoleSql, orgRoleGuard } from "../identity/org-access.ts";
import type { Capability } from "../identity/permissions.ts";
import { type Principal, principalGuard } from "../identity/principal.ts";
import { write } from "../write.ts";

/**
 * Whose spending a limit bounds: one member, or all of the organisation's API keys together (stored
 * with `user_id` null).
 */
export type LimitSubject = { kind: "member"; userId: string } | { kind: "api_keys" };

export interface SpendingLimit {
  currency: string;
  perOrderMinor: number | null;
  perMonthMinor: number | null;
}

/**
 * Who may set limits: a member's by owners and admins (never their own); the API keys' by owners only,
 * and only by an owner without a spending limit of their own in the organisation.
 */
const SETTERS: Record<LimitSubject["kind"], Capability> = {
  member: "limits:manage",
  api_keys: "api-key-limits:manage",
};

/** Order statuses whose amounts count as spent (or about to be) in the month. */
const SPENDING_STATUSES = ["pending_approval", "placed", "accepted", "shipped", "delivered", "completed"];

const subjectUser = (subject: LimitSubject) => (subject.kind === "member" ? subject.userId : null);

const subjectRows = (orgId: string, subject: LimitSubject) =>
  sql`org_id = ${orgId} and user_id is not distinct from ${subjectUser(subject)}::uuid`;

/** The subject a checkout by `principal` is limited as. */
export function subjectOf(principal: Principal): LimitSubject {
  return principal.kind === "user" ? { kind: "member", userId: principal.userId } : { kind: "api_keys" };
}

/**
 * Serialises, for the rest of the transaction, everything that reads or changes one subject's limits and
 * spend: its checkouts (so two of them can never both fit under the same monthly limit) and edits of its
 * limits.
 */
export function lockLimits(db: Db, orgId: string, subject: LimitSubject) {
  return db.execute(sql`select ${limitsLockSql(orgId, subject)}`);
}

/** {@link lockLimits} as a select-list expression. */
export function limitsLockSql(orgId: string, subject: LimitSubject): SQL {
  // Keyed on the ids as Postgres spells them (uuid::text is lower case), never on the caller's text.
  const key = sql`'limits:' || ${orgId}::uuid::text || ':' || coalesce(${subjectUser(subject)}::uuid::text, 'api_keys')`;
  return sql`pg_advisory_xact_lock(hashtextextended(${key}, 0))`;
}

/**
 * Whether a checkout of `total` in `currency` (SQL expressions) at `at` needs an approver. Limits fail
 * closed: above the per-order limit, above the per-month limit together with the subject's orders of this
 * calendar month (UTC) in that currency that are pending approval, placed or under way, or in a currency
 * the subject has no limit for. A member with no limits at all is not limited; API keys are, always: with
 * no API-key limit in the currency, every API-key checkout waits for an approver.
 */
export function approvalNeededSql(
  orgId: string,
  subject: LimitSubject,
  currency: SQL,
  total: SQL,
  at: SQL,
): SQL {
  const limit = sql`(select l from spending_limits l where ${subjectRows(orgId, subject)} and currency = ${currency})`;
  const placedBy =
    subject.kind === "member"
      ? sql`g.placed_by = ${subject.userId}::uuid and g.placed_by_key_id is null`
      : sql`g.placed_by_key_id is not null`;
  const monthSpend = sql`(select coalesce(sum(o.subtotal_minor), 0) from order_groups g join orders o on o.group_id = g.id
    where g.buyer_org_id = ${orgId} and ${placedBy} and g.currency = ${currency}
      and g.created_at >= date_trunc('month', ${at} at time zone 'UTC') at time zone 'UTC'
      and o.status::text = any(${textArray(SPENDING_STATUSES)}))`;
  const unlimited =
    subject.kind === "member"
      ? sql`not exists (select 1 from spending_limits where ${subjectRows(orgId, subject)})`
      : sql`false`;
  return sql`(case
    when ${unlimited} then false
    when ${limit} is null then true
    else coalesce(${total} > (${limit}).per_order_minor, false)
      or coalesce(${monthSpend} + ${total} > (${limit}).per_month_minor, false)
  end)`;
}

const limitsJson = (orgId: string, subject: LimitSubject) => sql`(select coalesce(json_agg(json_build_object(
    'currency', currency, 'perOrderMinor', per_order_minor, 'perMonthMinor', per_month_minor) order by currency), '[]'::json)
  from spending_limits where ${subjectRows(orgId, subject)})`;

function readAccess(principal: Principal, orgId: string) {
  assertKeyAccess(principal, orgId, "limits:read");
  if (principal.kind !== "user") throw new ApiError("forbidden", "Spending limits are for signed-in users.");
  return principal.userId;
}

/**
 * A subject's limits: a member's for owners, admins and the member; the API keys' for owners and admins.
 * One round trip.
 */
export async function getSpendingLimits(
  ctx: ServiceContext,
  principal: Principal,
  orgId: string,
  subject: LimitSubject,
): Promise<SpendingLimit[]> {
  const userId = readAccess(principal, orgId);
  const { rows } = await ctx.db.execute<{
    role: string | null;
    member: boolean;
    limits: SpendingLimit[];
  }>(sql`
    select ${memberRoleSql(orgId, userId)} as role,
      ${subject.kind === "member" ? sql`exists (select 1 from memberships where org_id = ${orgId} and user_id = ${subject.userId})` : sql`true`} as member,
      ${limitsJson(orgId, subject)} as limits`);
  const row = rows[0];
  const self = subject.kind === "member" && subject.userId === userId;
  assertRole(row?.role, self ? "org:read" : "limits:read", "see these spending limits");
  if (!row?.member) throw new ApiError("not_found", "Member not found.");
  return normaliseLimits(row.limits);
}

/**
 * Replaces a subject's limits with `limits` (one per currency; none: a member is unlimited, API keys
 * always need approval). Nobody sets their own limits. One round trip.
 */
export async function replaceSpendingLimits(
  ctx: ServiceContext,
  principal: Principal,
  orgId: string,
  subject: LimitSubject,
  limits: SpendingLimit[],
): Promise<SpendingLimit[]> {
  assertKeyAccess(principal, orgId, SETTERS[subject.kind]);
  if (principal.kind !== "user")
    throw new ApiError("forbidden", "Spending limits are set by signed-in owners and admins.");
  const db = ctx.db;
  const now = new Date(ctx.now);
  const statements = [
    principalGuard(db, principal, now),
    orgRoleGuard(db, orgId, principal.userId, SETTERS[subject.kind]),
  ];
  if (subject.kind === "api_keys") {
    // An owner held to a spending limit may not loosen the limits of the API keys (which any owner or
    // admin can create and check out through): that would lift their own limit. Their limits are locked
    // so that giving them one and setting the keys' limits happen one after the other.
    statements.push(
      lockLimits(db, orgId, { kind: "member", userId: principal.userId }),
      guard(
        db,
        "limited_setter",
        sql`not exists (select 1 from spending_limits where org_id = ${orgId} and user_id = ${principal.userId}::uuid)`,
      ),
    );
  }
  if (subject.kind === "member") {
    statements.push(
      guard(db, "own_limits", sql`${subject.userId}::uuid <> ${principal.userId}::uuid`),
      guard(
        db,
        "member_exists",
        sql`exists (select 1 from memberships where org_id = ${orgId} and user_id = ${subject.userId})`,
      ),
    );
  }
  statements.push(
    lockLimits(db, orgId, subject),
    db.execute(sql`delete from spending_limits where ${subjectRows(orgId, subject)}`),
    db.execute(sql`insert into spending_limits (org_id, user_id, currency, per_order_minor, per_month_minor, updated_by, updated_at)
      select ${orgId}, ${subjectUser(subject)}::uuid, x.currency, x."perOrderMinor", x."perMonthMinor",
        ${principal.userId}::uuid, ${now.toISOString()}::timestamptz
      from jsonb_to_recordset(${JSON.stringify(limits)}::jsonb) as x(currency text, "perOrderMinor" bigint, "perMonthMinor" bigint)`),
  );
  const { limits: stored } = await write(db, "set these spending limits", {
    own_limits: () => new ApiError("forbidden", "Nobody may set their own spending limits."),
    limited_setter: () =>
      new ApiError(
        "forbidden",
        "An owner with a spending limit of their own may not set the API keys' limits; another owner must.",
      ),
    member_exists: () => new ApiError("not_found", "Member not found."),
  })
    .add(...statements)
    .step(
      "limits",
      db.execute<{ limits: SpendingLimit[] }>(sql`select ${limitsJson(orgId, subject)} as limits`),
    )
    .commit();
  return normaliseLimits(stored.rows[0]?.limits ?? []);
}

function normaliseLimits(limits: SpendingLimit[]): SpendingLimit[] {
  const amount = (value: number | string | null) => (value === null ? null : Number(value));
  return limits.map((limit) => ({
    currency: limit.currency,
    perOrderMinor: amount(limit.perOrderMinor),
    perMonthMinor: amount(limit.perMonthMinor),
  }));
}
