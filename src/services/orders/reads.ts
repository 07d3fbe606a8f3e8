import { sql } from "drizzle-orm";
import type { Order, OrderGroup, OrderWithHistory } from "../../contracts/orders.ts";
import { isoTime } from "../../db/json.ts";
import { ApiError } from "../../lib/problem.ts";
import { cursorKeys, decodeCursor, encodeCursor } from "../catalog/cursor.ts";
import type { ServiceContext } from "../context.ts";
import { assertRole, memberRoleSql } from "../identity/org-access.ts";
import type { Principal } from "../identity/principal.ts";
import { readAccess } from "./access.ts";
import { groupJson, orderJson } from "./views.ts";

type TransitionView = OrderWithHistory["transitions"][number];

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
