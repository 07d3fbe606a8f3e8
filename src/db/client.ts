import { neon, neonConfig } from "@neondatabase/serverless";
import { drizzle } from "drizzle-orm/neon-http";
import type { Config } from "../env.ts";
import type { DbMeter } from "./meter.ts";
import * as schema from "./schema/index.ts";

export type Db = ReturnType<typeof createDb>;

/**
 * Per-request routing for the driver's HTTP requests. The driver's `fetchFunction` is global to the isolate,
 * so request-specific facts (which meter to charge, which local endpoint to use) travel inside the
 * `fetchOptions` each client passes to it.
 */
interface RoutedFetchInit extends RequestInit {
  dbMeter?: DbMeter;
  localEndpoint?: string;
}

function meteredFetch(input: string, init: RoutedFetchInit = {}): Promise<Response> {
  const { dbMeter, localEndpoint, ...rest } = init;
  const target = localEndpoint ?? input;
  return dbMeter ? dbMeter.measure(() => fetch(target, rest)) : fetch(target, rest);
}

// Immutable for the isolate's life: set once, before the first query.
neonConfig.fetchFunction = meteredFetch;

/**
 * A Drizzle client over Neon's SQL-over-HTTP: one HTTP request (one round trip) per query or per batch.
 * Made per request; holds no connection, so it costs nothing to create.
 */
export function createDb(config: Config, meter: DbMeter) {
  const fetchOptions: Pick<RoutedFetchInit, "dbMeter" | "localEndpoint"> = { dbMeter: meter };
  if (config.LOCAL_DB_PROXY) fetchOptions.localEndpoint = new URL("/sql", config.LOCAL_DB_PROXY).toString();
  const client = neon(config.DATABASE_URL, { fetchOptions });
  return drizzle({ client, schema, casing: "snake_case" });
}
