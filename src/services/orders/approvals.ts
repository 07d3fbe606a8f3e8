import { sql } from "drizzle-orm";
import type { OrderGroup } from "../../contracts/orders.ts";
import { guard } from "../../db/atomic.ts";
import { ApiError } from "../../lib/problem.ts";
import type { ServiceContext } from "../context.ts";
import { appendEvents } from "../events.ts";
import { orgRoleGuard } from "../identity/org-access.ts";
import { type Principal, principalGuard } from "../identity/principal.ts";
import { quoteApprovalOutcome } from "../negotiation/outcomes.ts";
import { write } from "../write.ts";
import { groupJson } from "./views.ts";

/**
 * An approver (owner, admin or approver) approves or declines a checkout held above a spending limit:
 * never the member who placed it, nor, for an API key's checkout, the member who created that key (four
 * eyes). Declining (or letting the hold expire) releases the stock. One round trip.
 */
export async function decideGroup(
  ctx: ServiceContext,
  principal: Principal,
  orgId: string,
  groupId: string,
  decision: "approve" | "decline",
) {
  if (principal.kind !== "user") throw new ApiError("forbidden", "Approvals need a signed-in approver.");
  const db = ctx.db;
  const now = new Date(ctx.now);
  const at = sql`${now.toISOString()}::timestamptz`;
  const { group } = await write(db, "approve purchases", {
    group_visible: () => new ApiError("not_found", "Order group not found."),
    group_pending: (detail) =>
      new ApiError(
        "conflict",
        `This checkout is ${detail?.status === "pending_approval" ? "past its approval hold" : detail?.status}; nothing to decide.`,
        {
          extra: { currentStatus: detail?.status },
        },
      ),
    four_eyes: () =>
      new ApiError(
        "forbidden",
        "A purchase cannot be approved or declined by the person who placed it, nor, for an API key's " +
          "checkout, by the person who created that key.",
      ),
  })
    .add(
      principalGuard(db, principal, now),
      // Lock the group's orders (by id), then the group: the same order as the expiry cron (orders, then
      // their groups) and a seller's transition (one order). Waiting here for a seller's reject to commit
      // means every statement below (READ COMMITTED: a new snapshot each) sees it, so no transition is
      // recorded from a status the order no longer has.
      db.execute(sql`select id from orders where group_id = ${groupId} order by id for update`),
      db.execute(sql`select id from order_groups where id = ${groupId} for update`),
      guard(
        db,
        "group_visible",
        sql`exists (select 1 from order_groups where id = ${groupId} and buyer_org_id = ${orgId})`,
      ),
      orgRoleGuard(db, orgId, principal.userId, "orders:approve"),
      guard(
        db,
        "group_pending",
        sql`(select status = 'pending_approval' and approval_expires_at > ${at} from order_groups where id = ${groupId})`,
        sql`(select jsonb_build_object('status', status) from order_groups where id = ${groupId})`,
      ),
      guard(
        db,
        "four_eyes",
        sql`(select g.placed_by is distinct from ${principal.userId}::uuid
          and not exists (select 1 from api_keys k where k.id = g.placed_by_key_id and k.created_by = ${principal.userId}::uuid)
        from order_groups g where g.id = ${groupId})`,
      ),
      db.execute(sql`update order_groups set status = ${decision === "approve" ? "placed" : "declined"}::order_group_status, decided_by = ${principal.userId}::uuid
      where id = ${groupId}`),
      db.execute(sql`insert into order_transitions (order_id, action, from_status, to_status, actor_user_id, actor_org_id, actor_kind, created_at)
      select id, ${decision}::text, status, ${decision === "approve" ? "placed" : "declined"}::order_status, ${principal.userId}::uuid,
        ${orgId}::uuid, 'user', ${at}
      from orders where group_id = ${groupId} and status = 'pending_approval'`),
      ...(decision === "decline"
        ? [
            db.execute(sql`update listing_variants v set stock = v.stock + ln.quantity from order_lines ln join orders o on o.id = ln.order_id
            where o.group_id = ${groupId} and o.status = 'pending_approval' and v.id = ln.variant_id`),
          ]
        : []),
      db.execute(sql`update orders set status = ${decision === "approve" ? "placed" : "declined"}::order_status, version = version + 1, updated_at = ${at}
      where group_id = ${groupId} and status = 'pending_approval'`),
      ...quoteApprovalOutcome(
        db,
        sql`${groupId}::uuid`,
        decision === "approve" ? "approved" : "declined",
        { userId: principal.userId, orgId },
        at,
      ),
      db.execute(
        appendEvents(
          [
            {
              type: decision === "approve" ? "order_group.approved" : "order_group.declined",
              orgId: sql`${orgId}::uuid`,
              entityId: sql`${groupId}::uuid`,
              payload: sql`'{}'::jsonb`,
            },
          ],
          at,
        ),
      ),
    )
    .one(
      "group",
      db.execute<{ group: OrderGroup }>(sql`select ${groupJson(sql`${groupId}::uuid`)} as group`),
      (result) => result.rows[0]?.group,
      "Order group not found.",
    )
    .commit();
  return group;
}
