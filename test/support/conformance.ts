/**
 * Conformance of the local Neon proxy: the same checks run inside workerd (test/db-proxy.test.ts) and in
 * Node against both backends (test/node/db-proxy.test.ts). Each case compares what the driver returns over
 * HTTP (`neon()`) with what it returns over WebSocket (`Client`), and with the expected values.
 */
import { type Client, type NeonQueryFunction, neon } from "@neondatabase/serverless";
import { describe, expect, it } from "vitest";

export interface ConformanceTarget {
  /** Driver over SQL-over-HTTP. */
  http(): NeonQueryFunction<false, false>;
  /** A connected WebSocket client (Postgres wire protocol through the proxy). */
  connect(applicationName?: string): Promise<Client>;
  /** Backend connections the proxy holds open for WebSocket clients, when the test can see it. */
  openConnections?: () => number;
  kind: "postgres" | "pglite";
}

const TYPES_QUERY = `select
  42::int4 as int4, 9007199254740993::int8 as int8, 12345.678900::numeric as numeric,
  'héllo ✓'::text as text, true as bool, '2026-11-26T12:34:56.789Z'::timestamptz as timestamptz,
  '2026-02-28'::date as date, '{"a":[1,2,{"b":null}],"c":"d"}'::jsonb as jsonb,
  '0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9'::uuid as uuid, array[1,2,3]::int4[] as int_array,
  array['x','y,z',null]::text[] as text_array, '\\x00ff10'::bytea as bytea, null::text as nothing`;

function uniqueName(prefix: string) {
  return `${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
}

/** Drivers return bytea as Buffer in Node and Uint8Array-like in workerd: compare the bytes. */
function normalise(row: Record<string, unknown>) {
  return { ...row, bytea: Array.from(row.bytea as Uint8Array) };
}

export function conformanceSuite(name: string, target: () => ConformanceTarget) {
  describe(`local Neon proxy conformance (${name})`, () => {
    it("returns identical rows over HTTP and WebSocket for common types", async () => {
      const t = target();
      const [viaHttp] = await t.http().query(TYPES_QUERY);
      const client = await t.connect();
      try {
        const { rows } = await client.query(TYPES_QUERY);
        const viaWs = rows[0];
        expect(normalise(viaHttp as Record<string, unknown>)).toEqual(normalise(viaWs));
        expect(normalise(viaWs)).toMatchObject({
          int4: 42,
          int8: "9007199254740993",
          numeric: "12345.678900",
          text: "héllo ✓",
          bool: true,
          jsonb: { a: [1, 2, { b: null }], c: "d" },
          uuid: "0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9",
          int_array: [1, 2, 3],
          text_array: ["x", "y,z", null],
          bytea: [0, 255, 16],
          nothing: null,
        });
        expect(new Date(viaWs.timestamptz as string).toISOString()).toBe("2026-11-26T12:34:56.789Z");
        // pg parses `date` as local midnight.
        const date = new Date(viaWs.date as string);
        expect([date.getFullYear(), date.getMonth() + 1, date.getDate()]).toEqual([2026, 2, 28]);
      } finally {
        await client.end();
      }
    });

    it("keeps SQLSTATE and constraint names of Postgres errors over both protocols", async () => {
      const t = target();
      const sql = t.http();
      const table = uniqueName("conf_unique");
      await sql.query(
        `create table ${table} (id int primary key, email text constraint ${table}_email_key unique)`,
      );
      await sql.query(`insert into ${table} values (1, 'a@example.com')`);
      const viaHttp = await sql
        .query(`insert into ${table} values (2, 'a@example.com')`)
        .catch((e: unknown) => e);
      expect(viaHttp).toMatchObject({ code: "23505", constraint: `${table}_email_key` });

      const client = await t.connect();
      try {
        const viaWs = await client
          .query(`insert into ${table} values (3, 'a@example.com')`)
          .catch((e: unknown) => e);
        expect(viaWs).toMatchObject({ code: "23505", constraint: `${table}_email_key` });
      } finally {
        await client.end();
      }
      const syntax = await sql.query("selec 1").catch((e: unknown) => e);
      expect(syntax).toMatchObject({ code: "42601" });
    });

    it("passes parameters as text and nulls as null", async () => {
      const sql = target().http();
      const [row] = await sql.query(
        "select $1::int4 + 1 as n, $2::text as t, $3::jsonb as j, $4::text is null as isnull",
        [41, "it's", JSON.stringify({ k: [1] }), null],
      );
      expect(row).toEqual({ n: 42, t: "it's", j: { k: [1] }, isnull: true });
    });

    it("rolls a failing batch back whole", async () => {
      const sql = target().http();
      const table = uniqueName("conf_batch");
      await sql.query(`create table ${table} (id int primary key)`);
      const failure = await sql
        .transaction([
          sql.query(`insert into ${table} values (1)`),
          sql.query(`insert into ${table} values (2)`),
          sql.query(`insert into ${table} values (1)`),
        ])
        .catch((e: unknown) => e);
      expect(failure).toMatchObject({ code: "23505" });
      const [{ count }] = (await sql.query(`select count(*)::int as count from ${table}`)) as [
        { count: number },
      ];
      expect(count).toBe(0);

      const ok = await sql.transaction([
        sql.query(`insert into ${table} values (1) returning id`),
        sql.query(`select count(*)::int as n from ${table}`),
      ]);
      expect(ok).toEqual([[{ id: 1 }], [{ n: 1 }]]);
    });

    it("honours the isolation level and read-only batch headers", async () => {
      const sql = target().http();
      const [[isolation], [readOnly]] = (await sql.transaction(
        [sql.query("show transaction_isolation"), sql.query("show transaction_read_only")],
        { isolationLevel: "Serializable", readOnly: true },
      )) as [[{ transaction_isolation: string }], [{ transaction_read_only: string }]];
      expect(isolation.transaction_isolation).toBe("serializable");
      expect(readOnly.transaction_read_only).toBe("on");

      const [[repeatable]] = (await sql.transaction([sql.query("show transaction_isolation")], {
        isolationLevel: "RepeatableRead",
      })) as [[{ transaction_isolation: string }]];
      expect(repeatable.transaction_isolation).toBe("repeatable read");

      const table = uniqueName("conf_ro");
      await sql.query(`create table ${table} (id int)`);
      const write = await sql
        .transaction([sql.query(`insert into ${table} values (1)`)], { readOnly: true })
        .catch((e: unknown) => e);
      expect(write).toMatchObject({ code: "25006" });
    });

    it("closes the backend connection when a WebSocket client ends", async () => {
      const t = target();
      const applicationName = uniqueName("conf_close");
      const client = await t.connect(applicationName);
      await client.query("select 1");
      await client.end();
      await expect
        .poll(
          async () => {
            if (t.openConnections) return t.openConnections();
            if (t.kind !== "postgres") return 0;
            const rows = await t
              .http()
              .query("select count(*)::int as n from pg_stat_activity where application_name = $1", [
                applicationName,
              ]);
            return (rows[0] as { n: number }).n;
          },
          { timeout: 5000, interval: 50 },
        )
        .toBe(0);
    });
  });
}

export { neon };
