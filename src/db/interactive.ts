import { drizzle, type NeonDatabase } from "drizzle-orm/neon-serverless";
import type { Config } from "../env.ts";
import { webSocketClient } from "./client.ts";
import type { DbMeter } from "./meter.ts";
import * as schema from "./schema/index.ts";

export type InteractiveDb = NeonDatabase<typeof schema>;
type Transaction = Parameters<Parameters<InteractiveDb["transaction"]>[0]>[0];

/**
 * For the rare write that must read, decide in code, then write inside one transaction: opens one
 * WebSocket connection, runs `work` in an interactive transaction and closes the connection after the
 * response (`waitUntil`). Every query is a round trip (plus one to connect), so prefer {@link atomic}.
 */
export async function withInteractiveTransaction<T>(
  config: Config,
  meter: DbMeter,
  ctx: Pick<ExecutionContext, "waitUntil">,
  work: (tx: Transaction) => Promise<T>,
): Promise<T> {
  const client = webSocketClient(config);
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  client.query = ((...args: unknown[]) => {
    const result = query(...args);
    return result instanceof Promise ? meter.measure(() => result) : result;
  }) as typeof client.query;

  await meter.measure(() => client.connect());
  try {
    return await drizzle({ client, schema, casing: "snake_case" }).transaction(work);
  } finally {
    ctx.waitUntil(client.end().catch(() => {}));
  }
}
