import { sql } from "drizzle-orm";
import type { Invoice, Order, OrderGroup, OrderWithHistory } from "../../contracts/orders.ts";
import { guard, textArray } from "../../db/atomic.ts";
import type { Db } from "../../db/client.ts";
import { isoTime } from "../../db/json.ts";
import { ApiError } from "../../lib/problem.ts";
import { cursorKeys, decodeCursor, encodeCursor } from "../catalog/cursor.ts";
import type { ServiceContext } from "../context.ts";
import { appendEvents, orderEventType } from "../events.ts";
import {
  assertKeyAccess,
  assertRole,
  memberRoleSql,
  orgRoleGuard,
  orgWriteAccess,
} from "../identity/org-access.ts";
import { type Capability, rolesFor } from "../identity/permissions.ts";
import { type Principal, principalGuard } from "../identity/principal.ts";
import { write } from "../write.ts";
import {
  allowedActions,
  type OrderAction,
  orderMachine,
  type Side,
  type Transition,
  termDays,
} from "./machine.ts";
import { groupJson, invoiceJson, orderJson } from "./views.ts";

/** The capability each side of an order acts with (both are granted to API keys by orders:write). */
const SIDE_CAPABILITY = { buyer: "orders:purchase", seller: "orders:sell" } as const satisfies Record<
  Exclude<Side, "system">,
  Capability
>;

type TransitionView = OrderWithHistory["transitions"][number];

function readAccess(principal: Principal, orgId: string) {
  assertKeyAccess(principal, orgId, "orders:read");
  return principal.kind === "user" ? principal.userId : null;
}

/** Orders the organisation placed (side buyer) or received (side seller), newest first, keyset pages. */
export async function listOrders(
  ctx: ServiceContext,
  principal: Principal,
  orgId: string,
  query: { side: "buyer" | "seller"; status?: string; limit: number; cursor?: string },
) {
  const userId = readAccess(principal, orgId);
  const scope = ["orders", orgId, query.side, query.status ?? null];
  const after = query.cursor ? await decodeCursor(ctx, query.cursor, scope, cursorKeys.timeAndId) : undefined;
  const column = query.side === "buyer" ? sql`o.buyer_org_id` : sql`o.seller_org_id`;
  const { rows } = await ctx.db.execute<{
    role: string | null;
    items: { order: Order; key: string }[] | null;
  }>(sql`
    select ${memberRoleSql(orgId, userId)} as role,
      (select json_agg(json_build_object('order', x.o, 'key', x.key) order by x.created_at desc, x.id desc) from (
        select ${orderJson} as o, o.created_at::text as key, o.created_at, o.id from orders o
        where ${column} = ${orgId}
          ${query.status ? sql`and o.status::text = ${query.status}` : sql``}
          ${after ? sql`and (o.created_at, o.id) < (${after[0]}::timestamptz, ${after[1]}::uuid)` : sql``}
        order by o.created_at desc, o.id desc limit ${query.limit + 1}) x) as items`);
  if (principal.kind === "user") assertRole(rows[0]?.role, "orders:read", "see orders");
  const items = rows[0]?.items ?? [];
  const page = items.slice(0, query.limit);
  const last = page.at(-1);
  return {
    items: page.map((item) => item.order),
    nextCursor:
      items.length > query.limit && last
        ? await encodeCursor(ctx, scope, [last.key, String(last.order.id)])
        : null,
  };
}

/** One order, for its buyer or its seller organisation (anyone else: 404). One round trip. */
export async function getOrder(ctx: ServiceContext, principal: Principal, orgId: string, orderId: string) {
  const userId = readAccess(principal, orgId);
  const { rows } = await ctx.db.execute<{
    role: string | null;
    order: Order | null;
    transitions: TransitionView[] | null;
  }>(sql`
    select ${memberRoleSql(orgId, userId)} as role,
      (select ${orderJson} from orders o where o.id = ${orderId} and ${orgId} in (o.buyer_org_id, o.seller_org_id)) as order,
      (select json_agg(json_build_object('action', t.action, 'from', t.from_status, 'to', t.to_status, 'actorUserId', t.actor_user_id,
          'actorKind', t.actor_kind, 'at', ${isoTime(sql`t.created_at`)}) order by t.created_at)
        from order_transitions t join orders o on o.id = t.order_id
        where t.order_id = ${orderId} and ${orgId} in (o.buyer_org_id, o.seller_org_id)) as transitions`);
  if (principal.kind === "user") assertRole(rows[0]?.role, "orders:read", "see orders");
  const order = rows[0]?.order;
  if (!order) throw new ApiError("not_found", "Order not found.");
  return { ...order, transitions: rows[0]?.transitions ?? [] };
}

/** A checkout's group, for the buyer organisation. One round trip. */
export async function getGroup(ctx: ServiceContext, principal: Principal, orgId: string, groupId: string) {
  const userId = readAccess(principal, orgId);
  const { rows } = await ctx.db.execute<{ role: string | null; group: OrderGroup | null }>(sql`
    select ${memberRoleSql(orgId, userId)} as role,
      (select ${groupJson(sql`${groupId}::uuid`)} where exists (select 1 from order_groups where id = ${groupId} and buyer_org_id = ${orgId})) as group`);
  if (principal.kind === "user") assertRole(rows[0]?.role, "orders:read", "see orders");
  if (!rows[0]?.group) throw new ApiError("not_found", "Order group not found.");
  return rows[0].group;
}

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

/** Invoices the organisation issued (seller) or owes (buyer). One round trip. */
export async function listInvoices(
  ctx: ServiceContext,
  principal: Principal,
  orgId: string,
  side: "buyer" | "seller",
) {
  const userId = readAccess(principal, orgId);
  const column = side === "buyer" ? sql`buyer_org_id` : sql`seller_org_id`;
  const { rows } = await ctx.db.execute<{ role: string | null; items: Invoice[] | null }>(sql`
    select ${memberRoleSql(orgId, userId)} as role,
      (select json_agg(${invoiceJson} order by i.issued_at desc)
        from (select * from invoices where ${column} = ${orgId} order by issued_at desc limit 200) i) as items`);
  if (principal.kind === "user") assertRole(rows[0]?.role, "orders:read", "see invoices");
  return rows[0]?.items ?? [];
}

/**
 * The seller marks an invoice paid (the seam where a payment provider will plug in). Idempotent: a repeat
 * returns the invoice as it is and appends no event. One round trip.
 */
export async function markInvoicePaid(
  ctx: ServiceContext,
  principal: Principal,
  orgId: string,
  invoiceId: string,
) {
  assertKeyAccess(principal, orgId, "orders:sell");
  const db = ctx.db;
  const now = new Date(ctx.now);
  const at = sql`${now.toISOString()}::timestamptz`;
  const { invoice } = await write(db, "manage invoices", {
    invoice_visible: () => new ApiError("not_found", "Invoice not found."),
  })
    .add(
      ...orgWriteAccess(ctx, principal, orgId, "orders:sell"),
      guard(
        db,
        "invoice_visible",
        sql`exists (select 1 from invoices where id = ${invoiceId} and seller_org_id = ${orgId})`,
      ),
      // Only the request that moves it from open to paid records the event: repeats (even concurrent ones,
      // which wait on the row and then find it paid) change nothing and answer the same invoice.
      db.execute(sql`with paid as (update invoices set status = 'paid', paid_at = ${at}
          where id = ${invoiceId} and status = 'open' returning id, buyer_org_id, seller_org_id)
        ${appendEvents(
          [
            {
              type: "invoice.paid",
              orgId: sql`org`,
              entityId: sql`p.id`,
              payload: sql`'{}'::jsonb`,
              from: sql`paid p, unnest(array[p.buyer_org_id, p.seller_org_id]) org`,
            },
          ],
          at,
        )}`),
    )
    .one(
      "invoice",
      db.execute<{ invoice: Invoice }>(
        sql`select ${invoiceJson} as invoice from invoices i where i.id = ${invoiceId}`,
      ),
      (result) => result.rows[0]?.invoice,
      "Invoice not found.",
    )
    .commit();
  return invoice;
}

/** Cron: forgets checkout responses past their replay window. One round trip. */
export async function forgetOldIdempotencyKeys(ctx: ServiceContext, hours: number): Promise<number> {
  const { rows } = await ctx.db.execute<{ n: number }>(sql`with gone as (delete from idempotency_keys
      where created_at < ${new Date(ctx.now).toISOString()}::timestamptz - ${`${hours} hours`}::interval returning 1)
    select count(*)::int as n from gone`);
  return rows[0]?.n ?? 0;
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
  const statements = rows.flatMap((row) => [
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
  statements.push(
    db.execute(sql`update order_groups g set status = 'approval_expired' where g.status = 'pending_approval'
      and g.approval_expires_at <= ${at} and not exists (select 1 from orders o where o.group_id = g.id and o.status = 'pending_approval')`),
  );
  await write(db, "expire orders")
    .add(...statements)
    .commit();
  return rows.length;
}
