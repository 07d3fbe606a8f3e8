-- Guard statements for atomic batches (src/db/atomic.ts): `select app_guard(<condition>, '<name>', <jsonb>)`
-- aborts the whole batch with SQLSTATE GD001 unless the condition is true.
CREATE OR REPLACE FUNCTION app_guard(ok boolean, guard_name text, detail jsonb DEFAULT NULL)
RETURNS boolean
LANGUAGE plpgsql
AS $$
BEGIN
  IF ok IS NOT TRUE THEN
    RAISE EXCEPTION USING ERRCODE = 'GD001', MESSAGE = guard_name, DETAIL = coalesce(detail::text, '');
  END IF;
  RETURN true;
END
$$;
