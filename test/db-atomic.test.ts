import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { atomic, GuardError, guard } from "../src/db/atomic.ts";
import { createDb, neonHttp } from "../src/db/client.ts";
import { withInteractiveTransaction } from "../src/db/interactive.ts";
import { DbMeter } from "../src/db/meter.ts";
import { testConfig } from "./support/env.ts";

/** A throwaway stock table per test, so tests share nothing. */
async function stockTable(quantity: number) {
  const name = `stock_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const raw = neonHttp(testConfig());
  await raw.query(`create table ${name} (id int primary key, qty int not null)`);
  await raw.query(`insert into ${name} values (1, $1)`, [quantity]);
  const qty = async () =>
    ((await raw.query(`select qty from ${name} where id = 1`))[0] as { qty: number }).qty;
  return { table: sql.identifier(name), qty };
}

describe("atomic batches with guards", () => {
  it("applies every statement in one round trip when the guard holds", async () => {
    const meter = new DbMeter();
    const db = createDb(testConfig(), meter);
    const { table, qty } = await stockTable(5);
    const [, , after] = await atomic(db, [
      db.execute(sql`update ${table} set qty = qty - 3 where id = 1`),
      guard(db, "stock_negative", sql`(select qty >= 0 from ${table} where id = 1)`),
      db.execute(sql`select qty from ${table} where id = 1`),
    ]);
    expect(meter.roundTrips).toBe(1);
    expect(after.rows).toEqual([{ qty: 2 }]);
    expect(await qty()).toBe(2);
  });

  it("rolls the whole batch back and throws a typed GuardError when the guard fails", async () => {
    const meter = new DbMeter();
    const db = createDb(testConfig(), meter);
    const { table, qty } = await stockTable(2);
    const failure = await atomic(db, [
      db.execute(sql`update ${table} set qty = qty - 3 where id = 1`),
      guard(
        db,
        "stock_negative",
        sql`(select qty >= 0 from ${table} where id = 1)`,
        sql`jsonb_build_object('variantId', 1, 'available', (select qty + 3 from ${table} where id = 1))`,
      ),
    ]).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(GuardError);
    expect(failure).toMatchObject({ guard: "stock_negative", detail: { variantId: 1, available: 2 } });
    expect(meter.roundTrips).toBe(1);
    expect(await qty()).toBe(2);
  });

  it("treats a null condition (no such row) as a failed guard", async () => {
    const db = createDb(testConfig(), new DbMeter());
    const { table } = await stockTable(1);
    const failure = await atomic(db, [
      guard(db, "variant_exists", sql`(select true from ${table} where id = 999)`),
    ]).catch((error: unknown) => error);
    expect(failure).toMatchObject({ name: "GuardError", guard: "variant_exists", detail: null });
  });

  it("passes other database errors through unchanged", async () => {
    const db = createDb(testConfig(), new DbMeter());
    const { table, qty } = await stockTable(1);
    const failure = await atomic(db, [
      db.execute(sql`update ${table} set qty = 0 where id = 1`),
      db.execute(sql`insert into ${table} values (1, 1)`),
    ]).catch((error: unknown) => error);
    expect(failure).not.toBeInstanceOf(GuardError);
    expect(
      (failure as Error & { cause?: { code?: string } }).cause?.code ?? (failure as { code?: string }).code,
    ).toBe("23505");
    expect(await qty()).toBe(1);
  });
});

describe("interactive transactions over WebSocket", () => {
  const ctx = () => {
    const pending: Promise<unknown>[] = [];
    return { waitUntil: (p: Promise<unknown>) => void pending.push(p), settle: () => Promise.all(pending) };
  };

  it("commits work that reads then writes, counting each query as a round trip", async () => {
    const { table, qty } = await stockTable(10);
    const meter = new DbMeter();
    const context = ctx();
    const result = await withInteractiveTransaction(testConfig(), meter, context, async (tx) => {
      const { rows } = await tx.execute<{ qty: number }>(
        sql`select qty from ${table} where id = 1 for update`,
      );
      const current = rows[0]?.qty ?? 0;
      await tx.execute(sql`update ${table} set qty = ${current - 4} where id = 1`);
      return current;
    });
    await context.settle();
    expect(result).toBe(10);
    expect(await qty()).toBe(6);
    // connect + BEGIN + select + update + COMMIT
    expect(meter.roundTrips).toBe(5);
  });

  it("rolls back when the work throws", async () => {
    const { table, qty } = await stockTable(10);
    const context = ctx();
    const failure = await withInteractiveTransaction(testConfig(), new DbMeter(), context, async (tx) => {
      await tx.execute(sql`update ${table} set qty = 0 where id = 1`);
      throw new Error("changed my mind");
    }).catch((error: unknown) => error);
    await context.settle();
    expect((failure as Error).message).toBe("changed my mind");
    expect(await qty()).toBe(10);
  });
});
