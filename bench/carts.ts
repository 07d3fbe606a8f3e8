import type pg from "pg";

/**
 * Creates `count` buyer organisations owned by `userId`, each with a cart of 2 lines from 2 sellers (at
 * each listing's MOQ, stock raised so it never runs out): "hot", every cart holds the same two variants (the
 * hot-product worst case); "spread", every cart holds two variants of its own (nothing contended). Returns
 * the organisations' ids. One statement; the bench's checkout endpoints and bench:writes share it.
 */
export async function fillCarts(
  db: pg.Client,
  userId: string,
  count: number,
  shape: "hot" | "spread",
): Promise<string[]> {
  const { rows } = await db.query<{ org_id: string }>(
    `with made as (insert into organizations (name, kind) select 'Bench Buyer ' || n, 'buyer'
           from generate_series(1, $2::int) n returning id),
       joined as (insert into memberships (org_id, user_id, role) select made.id, $1, 'owner' from made returning org_id),
       numbered as (select org_id, row_number() over (order by org_id) - 1 as n from joined),
       eligible as (select v.id as variant_id, l.min_order_quantity as moq, row_number() over (order by l.org_id, v.id) - 1 as i,
           count(*) over () as total
         from listing_variants v join listings l on l.id = v.listing_id
         where l.status = 'published' and l.currency = 'EUR'),
       picked as (select numbered.org_id, eligible.variant_id, eligible.moq from numbered join eligible on
         case when $3 = 'hot' then eligible.i in (0, eligible.total / 2)
              else numbered.n < eligible.total / 2 and eligible.i in (numbered.n, numbered.n + eligible.total / 2) end),
       stocked as (update listing_variants set stock = 1000000000 where id in (select variant_id from picked) returning id)
     insert into cart_lines (org_id, variant_id, quantity) select org_id, variant_id, moq from picked returning org_id`,
    [userId, count, shape],
  );
  return [...new Set(rows.map((row) => row.org_id))];
}
