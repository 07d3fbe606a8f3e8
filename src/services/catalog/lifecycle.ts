/** A listing's life: submit, archive (its seller), approve and reject (platform admins, moderation). */
import { sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { guard, textArray } from "../../db/atomic.ts";
import type { Db } from "../../db/client.ts";
import { ApiError } from "../../lib/problem.ts";
import type { ServiceContext } from "../context.ts";
import { orgWriteAccess, unverifiedEmail } from "../identity/org-access.ts";
import { type Principal, principalGuard, verifiedEmailGuard } from "../identity/principal.ts";
import { write } from "../write.ts";
/** Who may manage an organisation's listings, and who may look at its drafts. */
import { catalogGuardErrors, lockListing, readBack } from "./listings.ts";
import { type ListingStatus, type ListingView, normaliseListing } from "./views.ts";

/** Lifecycle actions and the states each may start from. */
export const transitions = {
  submit: { from: ["draft", "rejected"], to: "pending_review", by: "seller" },
  archive: { from: ["draft", "pending_review", "published", "rejected"], to: "archived", by: "seller" },
  approve: { from: ["pending_review"], to: "published", by: "admin" },
  reject: { from: ["pending_review"], to: "rejected", by: "admin" },
} as const satisfies Record<string, { from: ListingStatus[]; to: ListingStatus; by: "seller" | "admin" }>;
export type ListingAction = keyof typeof transitions;

function allowedActions(status: string, by: "seller" | "admin"): ListingAction[] {
  return (Object.keys(transitions) as ListingAction[]).filter((action) => {
    const transition = transitions[action];
    return transition.by === by && (transition.from as readonly string[]).includes(status);
  });
}

/**
 * Moves a listing through its lifecycle (seller: submit, archive; platform admin: approve, reject).
 * An action not allowed from the current state is a 409 naming the state and the allowed actions.
 * One round trip.
 */
export async function transitionListing(
  ctx: ServiceContext,
  principal: Principal,
  scope: { orgId: string } | { admin: true },
  listingId: string,
  action: ListingAction,
  options: { reason?: string; expectedVersion?: number } = {},
): Promise<ListingView> {
  const db = ctx.db;
  const transition = transitions[action];
  const by = "admin" in scope ? "admin" : "seller";
  if (transition.by !== by) throw new ApiError("forbidden", `Only ${transition.by}s may ${action} listings.`);
  const inScope = "orgId" in scope ? sql`and org_id = ${scope.orgId}` : sql``;
  const access =
    "orgId" in scope
      ? orgWriteAccess(ctx, principal, scope.orgId, "listings:write")
      : [principalGuard(db, principal, new Date(ctx.now)), adminGuard(db, principal)];
  const status = sql`(select status::text from listings where id = ${listingId} ${inScope})`;
  const from = textArray(transition.from);
  const statements: BatchItem<"pg">[] = [
    ...access,
    // Publishing starts with a submission: only people with a verified email address submit.
    ...(action === "submit" ? [verifiedEmailGuard(db, principal)] : []),
    lockListing(db, listingId),
    guard(db, "listing_exists", sql`${status} is not null`),
    ...(options.expectedVersion !== undefined
      ? [
          guard(
            db,
            "version_mismatch",
            sql`(select version from listings where id = ${listingId}) = ${options.expectedVersion}`,
            sql`jsonb_build_object('version', (select version from listings where id = ${listingId}))`,
          ),
        ]
      : []),
    guard(
      db,
      "illegal_transition",
      sql`${status} = any(${from})`,
      sql`jsonb_build_object('status', ${status})`,
    ),
    db.execute(sql`update listings set status = ${transition.to}, version = version + 1, updated_at = ${new Date(ctx.now)},
        rejection_reason = ${action === "reject" ? (options.reason ?? null) : null},
        published_at = case when ${transition.to} = 'published' then coalesce(published_at, ${new Date(ctx.now)}) else published_at end
      where id = ${listingId} ${inScope}`),
  ];
  const { listing } = await write(db, "manage listings", {
    ...catalogGuardErrors,
    email_unverified: () => unverifiedEmail("submit listings for review"),
    not_platform_admin: () => new ApiError("forbidden", "Only platform admins moderate listings."),
    version_mismatch: (detail) =>
      new ApiError("precondition_failed", "The listing changed since you read it.", {
        extra: { currentVersion: detail?.version },
      }),
    illegal_transition: (detail) => {
      const current = String(detail?.status);
      return new ApiError(
        "conflict",
        `A ${current} listing cannot be ${action === "submit" ? "submitted" : `${action}d`}.`,
        {
          extra: { currentStatus: current, allowedActions: allowedActions(current, by) },
        },
      );
    },
  })
    .add(...statements)
    .one("listing", readBack(db, listingId), (result) => result.rows[0]?.listing, "Listing not found.")
    .commit();
  return normaliseListing(listing);
}

/** Guard for platform-admin writes. */
export function adminGuard(db: Db, principal: Principal) {
  const userId = principal.kind === "user" ? principal.userId : null;
  return guard(
    db,
    "not_platform_admin",
    sql`exists (select 1 from users where id = ${userId}::uuid and platform_admin)`,
  );
}
