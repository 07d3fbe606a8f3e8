import { sql } from "drizzle-orm";
import type { Invoice } from "../../contracts/orders.ts";
import { guard } from "../../db/atomic.ts";
import { ApiError } from "../../lib/problem.ts";
import type { ServiceContext } from "../context.ts";
import { appendEvents } from "../events.ts";
import { assertKeyAccess, assertRole, memberRoleSql, orgWriteAccess } from "../identity/org-access.ts";
import type { Principal } from "../identity/principal.ts";
import { write } from "../write.ts";
import { readAccess } from "./access.ts";
import { invoiceJson } from "./views.ts";

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
