/**
 * The negotiation endpoints of the benchmark: a seller quoting on RFQs addressed to it, and a buyer
 * accepting quotes (an order placed through checkout's placement). Each request works on an RFQ or quote of
 * its own, arranged in one statement, so the figures are the routes' own cost, not contention.
 */
import type pg from "pg";

/**
 * `count` RFQs asked of `sellerOrgId` by buyer organisations owned by `userId`, each about one published
 * EUR variant (stock raised so it never runs out); with `quoted`, each with a quote of the seller (version 1,
 * that variant at its price) ready to accept. Returns the RFQ ids, and the quote ids when quoted.
 */
export async function arrangeNegotiations(
  db: pg.Client,
  options: { userId: string; sellerOrgId: string; count: number; quoted: boolean },
): Promise<{ rfqIds: string[]; quoteIds: string[] }> {
  const { rows } = await db.query<{ rfq_id: string; quote_id: string | null }>(
    `with made as (insert into organizations (name, kind) select 'Bench RFQ Buyer ' || n, 'buyer'
           from generate_series(1, $3::int) n returning id),
       joined as (insert into memberships (org_id, user_id, role) select made.id, $1, 'owner' from made returning org_id),
       numbered as (select org_id, row_number() over (order by org_id) - 1 as n from joined),
       variants as (select v.id, v.sku, l.id as listing_id, l.title, row_number() over (order by v.id) - 1 as i,
           count(*) over () as total
         from listing_variants v join listings l on l.id = v.listing_id
         where l.status = 'published' and l.currency = 'EUR' and l.org_id = $2),
       stocked as (update listing_variants set stock = 1000000000 where id in (select id from variants) returning id),
       asked as (insert into rfqs (buyer_org_id, seller_org_id, title, currency, delivery_country, needed_by, respond_by,
           status, created_at, updated_at)
         select org_id, $2, 'Bench RFQ', 'EUR', 'DE', current_date + 30, now() + interval '30 days',
           case when $4 then 'quoted' else 'open' end::rfq_status, now(), now()
         from numbered returning id, buyer_org_id),
       items as (insert into rfq_items (rfq_id, position, description, quantity)
         select id, 0, 'Bench item', 100 from asked returning rfq_id),
       quoted as (insert into quotes (rfq_id, seller_org_id, buyer_org_id, status, current_version, expires_at)
         select id, $2, buyer_org_id, 'sent', 1, now() + interval '30 days' from asked where $4 returning id, rfq_id),
       paired as (select q.id as quote_id, v.id as variant_id, v.sku, v.listing_id, v.title
         from (select id, row_number() over (order by id) - 1 as n from quoted) q
           join variants v on v.i = q.n % v.total),
       versions as (insert into quote_versions (quote_id, version, side, currency, total_minor, valid_until,
           lead_time_days, payment_terms)
         select quote_id, 1, 'seller', 'EUR', 100 * 450, now() + interval '30 days', 7, 'net30' from paired returning 1),
       lines as (insert into quote_lines (quote_id, version, position, variant_id, listing_id, sku, title, quantity,
           unit_price_minor)
         select quote_id, 1, 0, variant_id, listing_id, sku, title, 100, 450 from paired returning 1)
     select a.id as rfq_id, q.id as quote_id from asked a left join quoted q on q.rfq_id = a.id
     where (select count(*) from items) + (select count(*) from stocked) >= 0`,
    [options.userId, options.sellerOrgId, options.count, options.quoted],
  );
  return {
    rfqIds: rows.map((row) => row.rfq_id),
    quoteIds: rows.flatMap((row) => (row.quote_id ? [row.quote_id] : [])),
  };
}

/**
 * `count` buyer organisations owned by `userId`, each with a listing-inquiry thread with `sellerOrgId`
 * holding one message from the buyer. Returns the organisations and their threads.
 */
export async function arrangeThreads(
  db: pg.Client,
  options: { userId: string; sellerOrgId: string; count: number },
): Promise<{ orgId: string; threadId: string }[]> {
  const { rows } = await db.query<{ org_id: string; thread_id: string }>(
    `with made as (insert into organizations (name, kind) select 'Bench Thread Buyer ' || n, 'buyer'
           from generate_series(1, $3::int) n returning id),
       joined as (insert into memberships (org_id, user_id, role) select made.id, $1, 'owner' from made returning org_id),
       listing as (select id from listings where org_id = $2 and status = 'published' order by id limit 1),
       started as (insert into threads (buyer_org_id, seller_org_id, subject_type, subject_id, created_by, message_count,
           last_message_at)
         select org_id, $2, 'listing', (select id from listing), $1, 1, now() from joined returning id, buyer_org_id),
       first as (insert into messages (thread_id, sender_org_id, sender_user_id, body)
         select id, buyer_org_id, $1, 'Can you do 5,000 units by March?' from started returning 1)
     select buyer_org_id as org_id, id as thread_id from started where (select count(*) from first) >= 0`,
    [options.userId, options.sellerOrgId, options.count],
  );
  return rows.map((row) => ({ orgId: row.org_id, threadId: row.thread_id }));
}
