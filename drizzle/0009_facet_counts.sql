CREATE TABLE "listing_attribute_counts" (
	"category_id" uuid NOT NULL,
	"key" text NOT NULL,
	"value" text NOT NULL,
	"listings" bigint NOT NULL,
	CONSTRAINT "listing_attribute_counts_category_id_key_value_pk" PRIMARY KEY("category_id","key","value")
);
--> statement-breakpoint
CREATE TABLE "listing_facet_counts" (
	"category_id" uuid NOT NULL,
	"price_band" bigint NOT NULL,
	"listings" bigint NOT NULL,
	CONSTRAINT "listing_facet_counts_category_id_price_band_pk" PRIMARY KEY("category_id","price_band")
);
--> statement-breakpoint
ALTER TABLE "listing_attribute_counts" ADD CONSTRAINT "listing_attribute_counts_category_id_categories_id_fk" FOREIGN KEY ("category_id") REFERENCES "public"."categories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "listing_facet_counts" ADD CONSTRAINT "listing_facet_counts_category_id_categories_id_fk" FOREIGN KEY ("category_id") REFERENCES "public"."categories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
-- The search's price bands (PRICE_BANDS in src/services/catalog/search.ts): the lower bound of the band a
-- unit price (minor units) falls in. The two must agree (test/catalog/facet-counts.test.ts checks it).
CREATE FUNCTION listing_price_band(price bigint) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT CASE WHEN price >= 100000 THEN 100000 WHEN price >= 20000 THEN 20000 WHEN price >= 5000 THEN 5000
    WHEN price >= 1000 THEN 1000 WHEN price >= 0 THEN 0 END
$$;
--> statement-breakpoint
-- Adds `delta` (a jsonb array of {category_id, price, attributes, n}: n = +1 for a listing that became
-- published, -1 for one that stopped being, or a sum of them) to the browse facet counts. Upserts in key
-- order, so concurrent writers lock count rows in one order; a key whose net change is 0 is not touched.
CREATE FUNCTION listing_counts_add(delta jsonb) RETURNS void
LANGUAGE sql
AS $$
  WITH d AS (
    SELECT * FROM jsonb_to_recordset(delta) AS x(category_id uuid, price bigint, attributes jsonb, n bigint)
  ),
  bands AS (
    INSERT INTO listing_facet_counts AS f (category_id, price_band, listings)
    SELECT d.category_id, listing_price_band(d.price), sum(d.n) FROM d
    WHERE listing_price_band(d.price) IS NOT NULL
    GROUP BY 1, 2 HAVING sum(d.n) <> 0 ORDER BY 1, 2
    ON CONFLICT (category_id, price_band) DO UPDATE SET listings = f.listings + excluded.listings
    RETURNING 1
  )
  INSERT INTO listing_attribute_counts AS a (category_id, key, value, listings)
  SELECT d.category_id, e.key, e.value, sum(d.n) FROM d, jsonb_each_text(d.attributes) e
  WHERE e.value IS NOT NULL
  GROUP BY 1, 2, 3 HAVING sum(d.n) <> 0 ORDER BY 1, 2, 3
  ON CONFLICT (category_id, key, value) DO UPDATE SET listings = a.listings + excluded.listings
$$;
--> statement-breakpoint
-- One statement-level trigger per event (transition tables): a statement's rows are counted in one upsert,
-- inside the writing transaction, so counts are exact at every commit and a write stays one round trip.
CREATE FUNCTION listing_counts_on_insert() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  PERFORM listing_counts_add((
    SELECT jsonb_agg(jsonb_build_object('category_id', n.category_id, 'price', n.min_unit_price_minor,
      'attributes', n.attributes, 'n', 1))
    FROM new_rows n WHERE n.status = 'published'))
  WHERE EXISTS (SELECT 1 FROM new_rows n WHERE n.status = 'published');
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE FUNCTION listing_counts_on_delete() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  PERFORM listing_counts_add((
    SELECT jsonb_agg(jsonb_build_object('category_id', o.category_id, 'price', o.min_unit_price_minor,
      'attributes', o.attributes, 'n', -1))
    FROM old_rows o WHERE o.status = 'published'))
  WHERE EXISTS (SELECT 1 FROM old_rows o WHERE o.status = 'published');
  RETURN NULL;
END
$$;
--> statement-breakpoint
-- Only rows whose published state, category, price or attributes changed count (a title edit costs a join).
CREATE FUNCTION listing_counts_on_update() RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
  delta jsonb;
BEGIN
  WITH changed AS (
    SELECT o.category_id AS old_category, o.min_unit_price_minor AS old_price, o.attributes AS old_attributes,
      o.status = 'published' AS was, n.category_id, n.min_unit_price_minor, n.attributes,
      n.status = 'published' AS now
    FROM old_rows o JOIN new_rows n ON n.id = o.id
    WHERE (o.status = 'published' OR n.status = 'published')
      AND (o.status IS DISTINCT FROM n.status OR o.category_id IS DISTINCT FROM n.category_id
        OR o.min_unit_price_minor IS DISTINCT FROM n.min_unit_price_minor OR o.attributes IS DISTINCT FROM n.attributes)
  )
  SELECT jsonb_agg(x.item) INTO delta FROM (
    SELECT jsonb_build_object('category_id', c.old_category, 'price', c.old_price, 'attributes', c.old_attributes,
      'n', -1) AS item FROM changed c WHERE c.was
    UNION ALL
    SELECT jsonb_build_object('category_id', c.category_id, 'price', c.min_unit_price_minor,
      'attributes', c.attributes, 'n', 1) FROM changed c WHERE c.now
  ) x;
  IF delta IS NOT NULL THEN
    PERFORM listing_counts_add(delta);
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER listing_counts_insert AFTER INSERT ON listings REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION listing_counts_on_insert();
--> statement-breakpoint
CREATE TRIGGER listing_counts_delete AFTER DELETE ON listings REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION listing_counts_on_delete();
--> statement-breakpoint
CREATE TRIGGER listing_counts_update AFTER UPDATE ON listings REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION listing_counts_on_update();
--> statement-breakpoint
-- TRUNCATE would bypass the row triggers: empty the counts with it.
CREATE FUNCTION listing_counts_on_truncate() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  DELETE FROM listing_facet_counts;
  DELETE FROM listing_attribute_counts;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER listing_counts_truncate AFTER TRUNCATE ON listings
  FOR EACH STATEMENT EXECUTE FUNCTION listing_counts_on_truncate();
--> statement-breakpoint
-- The listings published so far. The triggers exist already and this transaction holds their lock on
-- listings (CREATE TRIGGER), so no write is counted twice or missed.
INSERT INTO listing_facet_counts (category_id, price_band, listings)
SELECT category_id, listing_price_band(min_unit_price_minor), count(*) FROM listings
WHERE status = 'published' AND listing_price_band(min_unit_price_minor) IS NOT NULL
GROUP BY 1, 2;
--> statement-breakpoint
INSERT INTO listing_attribute_counts (category_id, key, value, listings)
SELECT l.category_id, e.key, e.value, count(*) FROM listings l, jsonb_each_text(l.attributes) e
WHERE l.status = 'published' AND e.value IS NOT NULL
GROUP BY 1, 2, 3;
