import { type SQL, sql } from "drizzle-orm";
import type { EventType } from "../../contracts/events.ts";
import { isoTime } from "../../db/json.ts";
import type { EventRows } from "../events.ts";

const orgRefOf = (id: SQL) =>
  sql`(select json_build_object('id', org.id, 'name', org.name) from organizations org where org.id = ${id})`;

/** One version of the quote `qid` as JSON, with its lines. `qv` must be in scope. */
const versionJson = sql`json_build_object('version', qv.version, 'side', qv.side, 'currency', qv.currency,
  'totalMinor', qv.total_minor, 'validUntil', ${isoTime(sql`qv.valid_until`)}, 'leadTimeDays', qv.lead_time_days,
  'paymentTerms', qv.payment_terms, 'notes', qv.notes, 'createdAt', ${isoTime(sql`qv.created_at`)},
  'lines', coalesce((select json_agg(json_build_object('position', ql.position, 'variantId', ql.variant_id,
      'listingId', ql.listing_id, 'sku', ql.sku, 'title', ql.title, 'quantity', ql.quantity,
      'unitPriceMinor', ql.unit_price_minor, 'lineTotalMinor', ql.unit_price_minor * ql.quantity) order by ql.position)
    from quote_lines ql where ql.quote_id = qv.quote_id and ql.version = qv.version), '[]'::json))`;

/** A quote with its latest version (and, with `versions`, every version). `q` must be in scope. */
export function quoteJson(options: { versions?: boolean } = {}): SQL {
  return sql`json_build_object('id', q.id, 'rfqId', q.rfq_id,
  'rfqTitle', (select r.title from rfqs r where r.id = q.rfq_id),
  'deliveryCountry', (select r.delivery_country from rfqs r where r.id = q.rfq_id), 'status', q.status,
  'currentVersion', q.current_version, 'expiresAt', ${isoTime(sql`q.expires_at`)},
  'buyer', ${orgRefOf(sql`q.buyer_org_id`)}, 'seller', ${orgRefOf(sql`q.seller_org_id`)},
  'orderGroupId', q.order_group_id, 'createdAt', ${isoTime(sql`q.created_at`)}, 'updatedAt', ${isoTime(sql`q.updated_at`)},
  'latest', (select ${versionJson} from quote_versions qv where qv.quote_id = q.id and qv.version = q.current_version)
  ${
    options.versions
      ? sql`, 'versions', (select json_agg(${versionJson} order by qv.version) from quote_versions qv where qv.quote_id = q.id)`
      : sql``
  })`;
}

/**
 * An RFQ as `viewer` (an organisation id) sees it: its internal notes only for its buyer; `quoteCount`
 * counts the quotes the viewer may see (the buyer: all; a seller: its own). `r` must be in scope.
 */
export function rfqJson(viewer: string, options: { quotes?: boolean } = {}): SQL {
  const visibleQuotes = sql`q.rfq_id = r.id and (r.buyer_org_id = ${viewer} or q.seller_org_id = ${viewer})`;
  return sql`json_build_object('id', r.id, 'status', r.status, 'title', r.title,
  'buyer', ${orgRefOf(sql`r.buyer_org_id`)}, 'seller', ${orgRefOf(sql`r.seller_org_id`)},
  'listingId', r.listing_id, 'categoryId', r.category_id,
  'category', (select json_build_object('id', c.id, 'name', c.name) from categories c where c.id = r.category_id),
  'currency', r.currency,
  'deliveryCountry', r.delivery_country, 'neededBy', r.needed_by, 'respondBy', ${isoTime(sql`r.respond_by`)},
  'notes', r.notes, 'internalNotes', case when r.buyer_org_id = ${viewer} then r.internal_notes end,
  'awardedQuoteId', r.awarded_quote_id, 'version', r.version,
  'quoteCount', (select count(*) from quotes q where ${visibleQuotes}),
  'createdAt', ${isoTime(sql`r.created_at`)}, 'updatedAt', ${isoTime(sql`r.updated_at`)},
  'items', coalesce((select json_agg(json_build_object('position', i.position, 'variantId', i.variant_id,
      'description', i.description, 'quantity', i.quantity, 'targetUnitPriceMinor', i.target_unit_price_minor)
      order by i.position) from rfq_items i where i.rfq_id = r.id), '[]'::json),
  'attachments', coalesce((select json_agg(json_build_object('id', f.id, 'filename', f.filename,
      'contentType', f.content_type, 'contentLength', f.content_length) order by a.position)
    from rfq_attachments a join files f on f.id = a.file_id where a.rfq_id = r.id), '[]'::json)
  ${
    options.quotes
      ? sql`, 'quotes', coalesce((select json_agg(${quoteJson({ versions: true })} order by q.created_at, q.id)
          from quotes q where ${visibleQuotes}), '[]'::json)`
      : sql``
  })`;
}

/**
 * Whether the seller organisation `sellerOrgId` may see the RFQ `r` (in scope): it is addressed to it, it
 * quoted on it, or it is a live open RFQ of a category (or a direct subcategory) in which the seller has a
 * published listing. Never its own RFQ.
 */
export function rfqVisibleToSeller(sellerOrgId: string | SQL): SQL {
  return sql`(r.buyer_org_id <> ${sellerOrgId} and (r.seller_org_id = ${sellerOrgId}
    or exists (select 1 from quotes vq where vq.rfq_id = r.id and vq.seller_org_id = ${sellerOrgId})
    or (r.category_id is not null and r.status in ('open', 'quoted') and exists (select 1 from listings vl
      where vl.org_id = ${sellerOrgId} and vl.status = 'published'
        and vl.category_id in (select c.id from categories c where c.id = r.category_id or c.parent_id = r.category_id)))))`;
}

/**
 * The ids of the RFQs {@link rfqVisibleToSeller} admits, found through indexes rather than by testing every
 * RFQ: those addressed to the seller, those it quoted on, and the live open RFQs of the categories it sells
 * in (or their parents). For lists; still combine with rfqVisibleToSeller (it also excludes its own RFQs).
 */
export function rfqIdsVisibleToSeller(sellerOrgId: string): SQL {
  return sql`(select id from rfqs where seller_org_id = ${sellerOrgId}
    union select rfq_id from quotes where seller_org_id = ${sellerOrgId}
    union select id from rfqs where status in ('open', 'quoted') and category_id in (
      select c.id from categories c where c.id in (select category_id from listings
        where org_id = ${sellerOrgId} and status = 'published')
      union select c.parent_id from categories c where c.parent_id is not null and c.id in (select category_id
        from listings where org_id = ${sellerOrgId} and status = 'published')))`;
}

/**
 * Event rows of a quote move for each quote in `rows` (a relation with id, rfq_id, current_version and the
 * organisation columns `audience` names), for `appendEvents`.
 */
export function quoteEvent(
  type: Extract<EventType, `quote.${string}`>,
  action: string,
  rows: SQL,
  audience: "both" | "seller",
): EventRows {
  return {
    type,
    orgId: sql`org`,
    entityId: sql`m.id`,
    payload: sql`jsonb_build_object('rfqId', m.rfq_id, 'action', ${action}::text, 'version', m.current_version)`,
    from:
      audience === "both"
        ? sql`${rows} m, unnest(array[m.buyer_org_id, m.seller_org_id]) org`
        : sql`${rows} m, unnest(array[m.seller_org_id]) org`,
  };
}
