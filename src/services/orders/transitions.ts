import { sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Order } from "../../contracts/orders.ts";
import { guard, textArray } from "../../db/atomic.ts";
import type { Db } from "../../db/client.ts";
import { ApiError } from "../../lib/problem.ts";
import type { ServiceContext } from "../context.ts";
import { appendEvents, orderEventType } from "../events.ts";
import { assertKeyAccess, memberRoleSql } from "../identity/org-access.ts";
import { type Capability, rolesFor } from "../identity/permissions.ts";
import { type Principal, principalGuard } from "../identity/principal.ts";
import { quoteApprovalOutcome } from "../negotiation/outcomes.ts";
import { write } from "../write.ts";
import {
  allowedActions,
  type OrderAction,
  orderMachine,
  type Side,
  type Transition,
  termDays,
} from "./machine.ts";
import { orderJson } from "./views.ts";

/** The capability each side of an order acts with (both are granted to API keys by orders:write). */
const SIDE_CAPABILITY = { buyer: "orders:purchase", seller: "orders:sell" } as const satisfies Record<
  Exclude<Side, "system">,
  Capability
>;

/** Statements that apply one transition to one order, recorded as `transitionId`; a no-op if it cannot move. */
function applyTransition(
  db: Db,
  orderId: string,
  action: OrderAction,
  transitionId: string,
  now: Date,
  actor: { userId: string | null; orgId: string | null; kind: "user" | "api_key" | "system" },
  details: { carrier?: string; trackingNumber?: string; reason?: string },
) {
  const transition: Transition = orderMachine[action];
  const at = sql`${now.toISOString()}::timestamptz`;
  const from = textArray(transition.from);
  const moved = sql`exists (select 1 from order_transitions where id = ${transitionId})`;
  const statements = [
    db.execute(sql`with prev as (select status from orders where id = ${orderId}),
        moved as (update orders set status = ${transition.to}::order_status, version = version + 1, updated_at = ${at},
            carrier = coalesce(${details.carrier ?? null}::text, carrier),
            tracking_number = coalesce(${details.trackingNumber ?? null}::text, tracking_number),
            delivered_at = case when ${transition.to}::text = 'delivered' then ${at} else delivered_at end
          where id = ${orderId} and status::text = any(${from}) returning id)
      insert into order_transitions (id, order_id, action, from_status, to_status, actor_user_id, actor_org_id, actor_kind, details, created_at)
      select ${transitionId}::uuid, ${orderId}::uuid, ${action}::text, (select status from prev), ${transition.to}::order_status,
        ${actor.userId}::uuid, ${actor.orgId}::uuid,
        ${actor.kind}, ${JSON.stringify(details)}::jsonb, ${at}
      from moved`),
  ];
  if (transition.releasesStock) {
    statements.push(
      db.execute(sql`update listing_variants v set stock = v.stock + ln.quantity from order_lines ln
        where ln.order_id = ${orderId} and v.id = ln.variant_id and ${moved}`),
    );
  }
  if (transition.invoices) {
    statements.push(
      db.execute(sql`insert into invoices (order_id, seller_org_id, buyer_org_id, currency, amount_minor, issued_at, due_at)
        select o.id, o.seller_org_id, o.buyer_org_id, o.currency, o.subtotal_minor, ${at},
          ${at} + (case o.payment_terms when 'net30' then ${termDays.net30}::int else ${termDays.net60}::int end) * interval '1 day'
        from orders o where o.id = ${orderId} and o.payment_terms <> 'prepaid' and ${moved}`),
    );
  }
  statements.push(
    db.execute(
      appendEvents(
        [
          {
            type: orderEventType(transition.to),
            orgId: sql`org`,
            entityId: sql`${orderId}::uuid`,
            payload: sql`jsonb_build_object('action', ${action}::text)`,
            from: sql`orders o, unnest(array[o.buyer_org_id, o.seller_org_id]) org where o.id = ${orderId} and ${moved}`,
          },
        ],
        at,
      ),
    ),
  );
  return statements;
}

/**
 * Fires an action on an order for one side of it (the organisation decides which: buyer or seller).
 * Repeating an action that already happened returns the order unchanged (idempotent); an action the
 * current state does not allow is a 409 naming the state and the allowed actions. One round trip.
 */
export async function transitionOrder(
  ctx: ServiceContext,
  principal: Principal,
  orgId: string,
  orderId: string,
  action: OrderAction,
  details: { carrier?: string; trackingNumber?: string; reason?: string },
) {
  // The side is known only inside the batch; both sides' capabilities take the same API-key scope.
  assertKeyAccess(principal, orgId, SIDE_CAPABILITY.seller);
  const transition: Transition = orderMachine[action];
  for (const field of transition.requires ?? []) {
    if (!details[field]) {
      throw new ApiError("validation_failed", `${action} needs ${field}.`, {
        errors: [{ field: `body.${field}`, message: "is required" }],
      });
    }
  }
  const db = ctx.db;
  const now = new Date(ctx.now);
  const side = sql`(select case when seller_org_id = ${orgId} then 'seller' when buyer_org_id = ${orgId} then 'buyer' end
    from orders where id = ${orderId})`;
  const sides = textArray(transition.by);
  const from = textArray(transition.from);
  const userId = principal.kind === "user" ? principal.userId : null;
  const { order } = await write(db, "change orders", {
    order_visible: () => new ApiError("not_found", "Order not found."),
    side_role: (detail) =>
      detail?.role
        ? new ApiError("forbidden", `Your role (${detail.role}) may not act on ${detail.side} orders.`)
        : new ApiError("not_found", "Order not found."),
    transition_allowed: (detail) => {
      const status = String(detail?.status);
      const forSide = (detail?.side ?? "buyer") as Side;
      return new ApiError("conflict", `The order is ${status}: the ${forSide} cannot ${action} it now.`, {
        extra: { currentStatus: status, allowedActions: allowedActions(status, forSide) },
      });
    },
  })
    .add(
      principalGuard(db, principal, now),
      db.execute(sql`select id from orders where id = ${orderId} for update`),
      guard(db, "order_visible", sql`${side} is not null`),
    )
    .add(
      ...(principal.kind === "user"
        ? [
            guard(
              db,
              "side_role",
              sql`${memberRoleSql(orgId, userId)} = any(case ${side} when 'seller' then ${textArray(rolesFor(SIDE_CAPABILITY.seller))}
              else ${textArray(rolesFor(SIDE_CAPABILITY.buyer))} end)`,
              sql`jsonb_build_object('role', ${memberRoleSql(orgId, userId)}, 'side', ${side})`,
            ),
          ]
        : []),
    )
    .add(
      guard(
        db,
        "transition_allowed",
        sql`${side} = any(${sides}) and ((select status::text from orders where id = ${orderId}) = any(${from})
        or (select status::text from orders where id = ${orderId}) = ${transition.to})`,
        sql`jsonb_build_object('status', (select status from orders where id = ${orderId}), 'side', ${side})`,
      ),
      ...applyTransition(
        db,
        orderId,
        action,
        crypto.randomUUID(),
        now,
        { userId, orgId, kind: principal.kind === "api_key" ? "api_key" : "user" },
        details,
      ),
    )
    .one(
      "order",
      db.execute<{ order: Order }>(sql`select ${orderJson} as order from orders o where o.id = ${orderId}`),
      (result) => result.rows[0]?.order,
      "Order not found.",
    )
    .commit();
  return order;
}

/**
 * Cron: expires orders a seller never accepted within `acceptHours`, and checkouts whose approval hold
 * ran out, releasing their stock. Each order moves through the same machine ("expire", by the system).
 * Locks orders in (created_at, id) order, then groups: a group's orders share created_at, so this is the
 * id order decideGroup locks them in.
 */
export async function expireStaleOrders(ctx: ServiceContext, acceptHours: number): Promise<number> {
  const db = ctx.db;
  const now = new Date(ctx.now);
  const at = sql`${now.toISOString()}::timestamptz`;
  const { rows } = await db.execute<{ id: string }>(sql`
    select o.id from orders o left join order_groups g on g.id = o.group_id
    where (o.status = 'placed' and o.created_at < ${at} - ${`${acceptHours} hours`}::interval)
       or (o.status = 'pending_approval' and g.approval_expires_at <= ${at})
    order by o.created_at, o.id limit 200`);
  if (rows.length === 0) return 0;
  const statements: BatchItem<"pg">[] = rows.flatMap((row) => [
    db.execute(sql`select id from orders where id = ${row.id} for update`),
    ...applyTransition(
      db,
      row.id,
      "expire",
      crypto.randomUUID(),
      now,
      { userId: null, orgId: null, kind: "system" },
      {},
    ),
  ]);
  const expiredGroups = sql`select g.id from order_groups g where g.status = 'pending_approval'
      and g.approval_expires_at <= ${at} and not exists (select 1 from orders o where o.group_id = g.id and o.status = 'pending_approval')`;
  statements.push(
    // A quote accepted into a hold that ran out is off (before the groups move, while they are still found).
    ...quoteApprovalOutcome(db, expiredGroups, "expired", { userId: null, orgId: null }, at),
    db.execute(sql`update order_groups g set status = 'approval_expired' where g.id in (${expiredGroups})`),
  );
  await write(db, "expire orders")
    .add(...statements)
    .commit();
  return rows.length;
}
