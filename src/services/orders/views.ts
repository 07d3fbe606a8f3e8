import { type SQL, sql } from "drizzle-orm";
import { isoTime } from "../../db/json.ts";

/** An order with its lines and seller/buyer names, as JSON built in Postgres. `o` must be in scope. */
export const orderJson: SQL = orderJsonOver(sql`order_lines`);

/**
 * {@link orderJson} reading its lines from `lines` (a relation of order_lines rows, e.g. a CTE's RETURNING *)
 * and its PO number and ship-to address from `groups` (the seller needs both to ship and invoice).
 */
export function orderJsonOver(lines: SQL, groups: SQL = sql`order_groups`): SQL {
  return sql`json_build_object(
  'id', o.id, 'groupId', o.group_id, 'status', o.status, 'version', o.version,
  'buyer', (select json_build_object('id', b.id, 'name', b.name) from organizations b where b.id = o.buyer_org_id),
  'seller', (select json_build_object('id', s.id, 'name', s.name) from organizations s where s.id = o.seller_org_id),
  'paymentTerms', o.payment_terms, 'currency', o.currency, 'subtotalMinor', o.subtotal_minor,
  'carrier', o.carrier, 'trackingNumber', o.tracking_number,
  'poNumber', (select og.po_number from ${groups} og where og.id = o.group_id),
  'shippingAddress', (select og.shipping_address from ${groups} og where og.id = o.group_id),
  'createdAt', ${isoTime(sql`o.created_at`)}, 'updatedAt', ${isoTime(sql`o.updated_at`)}, 'deliveredAt', ${isoTime(sql`o.delivered_at`)},
  'lines', coalesce((select json_agg(json_build_object('id', ln.id, 'listingId', ln.listing_id, 'variantId', ln.variant_id,
      'sku', ln.sku, 'title', ln.title, 'quantity', ln.quantity, 'tierMinQuantity', ln.tier_min_quantity,
      'unitPriceMinor', ln.unit_price_minor, 'lineTotalMinor', ln.line_total_minor) order by ln.title, ln.sku)
    from ${lines} ln where ln.order_id = o.id), '[]'::json))`;
}

/** A checkout's group: totals, terms, approval state and every seller's order. */
export const groupJson = (groupId: SQL): SQL =>
  groupJsonOver(groupId, { groups: sql`order_groups`, orders: sql`orders`, lines: sql`order_lines` });

/**
 * {@link groupJson} reading from the given relations of order_groups, orders and order_lines rows: a
 * statement that has just inserted them (data-modifying CTEs with RETURNING *) cannot see them in the tables.
 */
export const groupJsonOver = (
  groupId: SQL,
  from: { groups: SQL; orders: SQL; lines: SQL },
): SQL => sql`(select json_build_object(
  'id', g.id, 'buyerOrgId', g.buyer_org_id, 'status', g.status, 'poNumber', g.po_number, 'paymentTerms', g.payment_terms,
  'shippingAddress', g.shipping_address, 'notes', g.notes, 'currency', g.currency, 'totalMinor', g.total_minor,
  'approvalExpiresAt', ${isoTime(sql`g.approval_expires_at`)}, 'createdAt', ${isoTime(sql`g.created_at`)},
  'orders', coalesce((select json_agg(${orderJsonOver(from.lines, from.groups)} order by o.subtotal_minor desc, o.id) from ${from.orders} o where o.group_id = g.id), '[]'::json))
  from ${from.groups} g where g.id = ${groupId})`;

/** An invoice as JSON. `i` must be in scope. */
export const invoiceJson: SQL = sql`json_build_object('id', i.id, 'orderId', i.order_id, 'sellerOrgId', i.seller_org_id,
  'buyerOrgId', i.buyer_org_id, 'currency', i.currency, 'amountMinor', i.amount_minor, 'status', i.status,
  'issuedAt', ${isoTime(sql`i.issued_at`)}, 'dueAt', ${isoTime(sql`i.due_at`)}, 'paidAt', ${isoTime(sql`i.paid_at`)})`;
