-- The attribute keys in `objects` (a jsonb array of {key: value} objects: the listing's and its variants')
-- that the category does not define, or whose value has the wrong type. Empty array = all valid.
-- Used as a guard inside listing write batches, so validation costs no extra round trip.
CREATE OR REPLACE FUNCTION listing_attribute_problems(category uuid, objects jsonb)
RETURNS jsonb
LANGUAGE sql
STABLE
AS $$
  SELECT coalesce(jsonb_agg(DISTINCT a.key), '[]'::jsonb)
  FROM jsonb_array_elements(objects) o, jsonb_each(o) a
  WHERE NOT EXISTS (
    SELECT 1 FROM categories c, jsonb_array_elements(c.attributes) d
    WHERE c.id = category AND d->>'key' = a.key AND (
      (d->>'type' = 'number' AND jsonb_typeof(a.value) = 'number') OR
      (d->>'type' = 'boolean' AND jsonb_typeof(a.value) = 'boolean') OR
      (d->>'type' = 'text' AND jsonb_typeof(a.value) = 'string') OR
      (d->>'type' = 'enum' AND jsonb_typeof(a.value) = 'string' AND (d->'options') ? (a.value #>> '{}'))
    )
  )
$$;
