import type pg from "pg";
import { demoListings } from "./demo-catalog.ts";
import type { SeedStep } from "./run.ts";

/**
 * Catalogue data made inside Postgres (generate_series), so 100,000 listings take seconds, not hours.
 * Titles, prices, tiers and attributes follow each category's typed attribute definitions.
 */

const adjectives = [
  "Heavy-duty",
  "Stainless",
  "Industrial",
  "Compact",
  "Premium",
  "Economy",
  "Reinforced",
  "Food-grade",
  "Recycled",
  "High-temperature",
  "Anti-static",
  "Waterproof",
  "Bulk",
  "Certified",
  "Lightweight",
  "Professional",
];

/** "Industrial" starts a fifth of the titles (a common word), every other adjective about 5% of them. */
const others = adjectives.filter((a) => a !== "Industrial");

const nouns: Record<string, string[]> = {
  fasteners: ["hex bolt", "wood screw", "washer", "rivet", "anchor", "threaded rod", "wing nut"],
  "safety-equipment": [
    "safety glove",
    "hard hat",
    "safety glasses",
    "hi-vis vest",
    "ear defender",
    "respirator",
  ],
  tools: ["impact driver", "angle grinder", "torque wrench", "drill press", "heat gun", "rivet gun"],
  "boxes-cartons": ["shipping box", "die-cut mailer", "archive box", "wine carton", "pizza box"],
  "tapes-adhesives": ["packing tape", "masking tape", "double-sided tape", "hot-melt glue", "strapping"],
  "pallets-wrap": ["euro pallet", "stretch film", "pallet cover", "edge protector"],
  "passive-components": ["resistor kit", "ceramic capacitor", "inductor", "ferrite bead"],
  connectors: ["terminal block", "pin header", "crimp connector", "USB-C receptacle"],
  "power-supplies": ["DIN-rail PSU", "LED driver", "bench power supply", "open-frame PSU"],
  paper: ["copy paper", "recycled paper", "label sheets", "thermal roll"],
  "office-furniture": ["task chair", "standing desk", "filing cabinet", "meeting table"],
  disposables: ["coffee cup", "takeaway box", "cutlery set", "napkin pack", "salad bowl"],
  "kitchen-equipment": ["convection oven", "induction hob", "blender", "dishwasher"],
  "cleaning-hygiene": ["floor cleaner", "hand soap", "paper towel", "microfibre cloth", "disinfectant"],
};

const sql = (strings: TemplateStringsArray, ...values: string[]) => String.raw({ raw: strings }, ...values);
const literal = (words: string[]) => `(array[${words.map((w) => `'${w.replace(/'/g, "''")}'`).join(",")}])`;

/** Creates `sellers` seller organisations (idempotent by name) and returns their ids. */
async function sellerOrgs(client: pg.Client, sellers: number): Promise<string[]> {
  await client.query(
    `insert into organizations (id, name, kind, country)
     select md5('seed-seller-' || n)::uuid, 'Seed Supplier ' || n, 'seller',
       (array['DE','NL','FR','PL','SE','IT','ES','LT','CZ','AT'])[1 + n % 10]
     from generate_series(1, $1::int) n
     on conflict (id) do nothing`,
    [sellers],
  );
  const { rows } = await client.query<{ id: string }>(
    "select md5('seed-seller-' || n)::uuid as id from generate_series(1, $1::int) n",
    [sellers],
  );
  return rows.map((r) => r.id);
}

/**
 * Inserts `listings` listings (95% published, unless `allPublished`) spread over the given seller
 * organisations, or over `sellers` generated ones, in chunks (one atomic statement each), logging
 * progress. Not idempotent by design: it adds listings each time it runs.
 */
export async function generateCatalog(
  client: pg.Client,
  options: {
    listings: number;
    sellers?: number;
    orgIds?: string[];
    allPublished?: boolean;
    chunk?: number;
    /** VACUUM ANALYZE afterwards (default); false only ANALYZEs (VACUUM cannot run inside a transaction). */
    vacuum?: boolean;
    log?: (line: string) => void;
  },
): Promise<number> {
  const log = options.log ?? console.log;
  const orgs = options.orgIds ?? (await sellerOrgs(client, options.sellers ?? 1));
  const draftEvery = options.allPublished ? 1_000_000_000 : 20;
  const chunk = options.chunk ?? 10_000;
  const started = Date.now();
  const nounMap = JSON.stringify(nouns).replace(/'/g, "''");
  for (let done = 0; done < options.listings; done += chunk) {
    const size = Math.min(chunk, options.listings - done);
    await client.query(
      sql`
      with leaf as (
        select c.id, c.slug, c.attributes, row_number() over (order by c.slug) - 1 as idx, count(*) over () as total
        from categories c where c.slug in (select jsonb_object_keys('${nounMap}'::jsonb))
      ),
      picked as (
        select gen_random_uuid() as id, n, (select id from leaf where idx = n % (select max(total) from leaf)) as category_id,
          ($1::uuid[])[1 + (n * 7919) % array_length($1::uuid[], 1)] as org_id,
          (20 + (random() * random() * 200000)::int) as base_price, (array[1, 1, 10, 25, 50, 100])[1 + n % 6] as moq
        from generate_series(1, $2::int) n
      ),
      made as (
        insert into listings (id, org_id, category_id, title, description, status, currency, price_tiers,
          min_unit_price_minor, min_order_quantity, order_increment, lead_time_days, attributes, published_at, created_at, updated_at)
        select p.id, p.org_id, p.category_id,
          case when random() < 0.2 then 'Industrial'
            else ${literal(others)}[1 + floor(random() * ${String(others.length)})::int] end || ' ' ||
            (select (('${nounMap}'::jsonb) -> l.slug ->> floor(random() * jsonb_array_length(('${nounMap}'::jsonb) -> l.slug))::int)
             from leaf l where l.id = p.category_id) || ' ' || (100 + p.n % 900)::text,
          'Supplied in bulk for trade customers. ' || ${literal(adjectives)}[1 + (p.n * 31) % ${String(adjectives.length)}] ||
            ' quality, dispatched from our warehouse. Batch ' || p.n::text || '.',
          case when p.n % $3::int = 0 then 'draft'::listing_status else 'published'::listing_status end,
          (array['EUR','EUR','EUR','USD','GBP'])[1 + p.n % 5],
          jsonb_build_array(
            jsonb_build_object('minQuantity', p.moq, 'unitPriceMinor', p.base_price),
            jsonb_build_object('minQuantity', p.moq * 10, 'unitPriceMinor', (p.base_price * 0.93)::int),
            jsonb_build_object('minQuantity', p.moq * 100, 'unitPriceMinor', (p.base_price * 0.85)::int)),
          (p.base_price * 0.85)::int, p.moq, p.moq, (p.n % 30),
          coalesce((select jsonb_object_agg(d->>'key', case d->>'type'
              when 'enum' then d->'options'->(floor(random() * jsonb_array_length(d->'options')))::int
              when 'number' then to_jsonb((1 + floor(random() * 24))::int * 5)
              when 'boolean' then to_jsonb(random() < 0.5)
              else to_jsonb('T' || (1 + floor(random() * 9))::int) end)
            from leaf l, jsonb_array_elements(l.attributes) d where l.id = p.category_id), '{}'::jsonb),
          case when p.n % $3::int = 0 then null else now() - (random() * interval '365 days') end,
          now() - interval '400 days', now() - (random() * interval '30 days')
        from picked p
        returning id, min_order_quantity
      )
      insert into listing_variants (listing_id, sku, stock, weight_grams)
      select id, 'SKU-' || substr(replace(id::text, '-', ''), 1, 12), (random() * 100000)::int, (10 + random() * 5000)::int
      from made`,
      [orgs, size, draftEvery],
    );
    const total = done + size;
    const rate = Math.round(total / ((Date.now() - started) / 1000));
    log(
      `seed: catalogue ${total.toLocaleString("en")}/${options.listings.toLocaleString("en")} listings (${rate}/s)`,
    );
  }
  // VACUUM too: it moves the GIN index's pending list (every row just inserted) into the index proper,
  // which searches would otherwise scan linearly, and sets the visibility map.
  const analyze = options.vacuum === false ? "analyze" : "vacuum analyze";
  await client.query(`${analyze} listings`);
  await client.query(`${analyze} listing_variants`);
  return options.listings;
}

/** The generated listings earlier versions of the seed gave the demo sellers (replaced by the curated ones). */
const GENERATED_DESCRIPTION = "Supplied in bulk for trade customers. %";

/**
 * The dev demo catalogue (./demo-catalog.ts): inserts each curated listing its seller lacks (by title), so
 * it is idempotent and completes a partly seeded database; generated listings an older seed gave the demo
 * sellers are removed. The images follow through the running Worker (./demo-images.ts).
 */
export const demoCatalogSeed: SeedStep = {
  name: "demo catalogue",
  async run(client) {
    const sellers = [...new Set(demoListings.map((listing) => listing.seller))];
    const removed = await client.query(
      "delete from listings where org_id = any($1::uuid[]) and description like $2",
      [sellers, GENERATED_DESCRIPTION],
    );
    let rows = removed.rowCount ?? 0;
    for (const listing of demoListings) {
      const tiers = listing.tiers.map(([minQuantity, unitPriceMinor]) => ({ minQuantity, unitPriceMinor }));
      const published = listing.status === "published";
      const created = await client.query<{ id: string }>(
        `insert into listings (org_id, category_id, title, description, status, rejection_reason, currency,
           price_tiers, min_unit_price_minor, min_order_quantity, order_increment, lead_time_days, attributes,
           created_by, created_at, updated_at, published_at)
         select $1, c.id, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13,
           (select m.user_id from memberships m where m.org_id = $1 and m.role = 'owner' limit 1),
           now() - make_interval(days => $14 + 5), now() - make_interval(days => $14),
           case when $15 then now() - make_interval(days => $14) end
         from categories c
         where c.slug = $2
           and not exists (select 1 from listings l where l.org_id = $1 and l.title = $3)
         returning id`,
        [
          listing.seller,
          listing.category,
          listing.title,
          listing.description,
          listing.status,
          listing.rejectionReason ?? null,
          listing.currency,
          JSON.stringify(tiers),
          Math.min(...tiers.map((tier) => tier.unitPriceMinor)),
          tiers[0]?.minQuantity ?? 1,
          listing.orderIncrement,
          listing.leadTimeDays,
          JSON.stringify(listing.attributes),
          listing.ageDays,
          published,
        ],
      );
      const id = created.rows[0]?.id;
      if (!id) continue;
      for (const [position, variant] of listing.variants.entries()) {
        await client.query(
          `insert into listing_variants (listing_id, sku, attributes, stock, weight_grams, position)
           values ($1, $2, $3, $4, $5, $6)`,
          [
            id,
            variant.sku,
            JSON.stringify(variant.attributes ?? {}),
            variant.stock,
            variant.weightGrams,
            position,
          ],
        );
      }
      rows += 1 + listing.variants.length;
    }
    // The API's write batches check attributes against the category with this function: so does the seed.
    const { rows: invalid } = await client.query<{ title: string; problems: string[] }>(
      `select l.title, listing_attribute_problems(l.category_id, jsonb_build_array(l.attributes) ||
           coalesce((select jsonb_agg(v.attributes) from listing_variants v where v.listing_id = l.id), '[]'::jsonb)) as problems
       from listings l where l.org_id = any($1::uuid[])`,
      [sellers],
    );
    const wrong = invalid.filter((row) => row.problems.length > 0);
    if (wrong.length > 0)
      throw new Error(`demo catalogue: attributes its category does not define: ${JSON.stringify(wrong)}`);
    return rows;
  },
};
