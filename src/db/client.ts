import { Client, neon, neonConfig } from "@neondatabase/serverless";
import { drizzle } from "drizzle-orm/neon-http";
import type { Config } from "../env.ts";
import type { DbMeter } from "./meter.ts";

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

/** What the outbox's appends start with (services/events.ts, services/email/outbox.ts). */
const OUTBOX_APPEND = /insert into (events|email_outbox) \(/;

function meteredFetch(input: string, init: RoutedFetchInit = {}): Promise<Response> {
  const { dbMeter, localEndpoint, ...rest } = init;
  const target = localEndpoint ?? input;
  if (!dbMeter) return fetch(target, rest);
  // A request that sent an outbox append is one the relay runs after (middleware/request-context.ts).
  if (!dbMeter.outboxWritten && typeof rest.body === "string" && OUTBOX_APPEND.test(rest.body))
    dbMeter.outboxWritten = true;
  return dbMeter.measure(() => fetch(target, rest));
}

// Immutable for the isolate's life: set once, before the first query.
neonConfig.fetchFunction = meteredFetch;

/**
 * A Drizzle client over Neon's SQL-over-HTTP: one HTTP request (one round trip) per query or per batch.
 * Made per request (it carries the request's round-trip meter) and holds no connection. It is built
 * without the relational `schema` option: that option makes Drizzle walk every table and index of the
 * schema on each construction (measured: ~90% of a bare request's CPU), and nothing here uses `db.query`.
 * Tables are imported where queries use them.
 */
export function createDb(config: Config, meter: DbMeter) {
  return drizzle({ client: neonHttp(config, meter), casing: "snake_case" });
}

/** The driver's SQL-over-HTTP query function, routed to the local proxy when one is configured. */
export function neonHttp(config: Pick<Config, "DATABASE_URL" | "LOCAL_DB_PROXY">, meter?: DbMeter) {
  const fetchOptions: Pick<RoutedFetchInit, "dbMeter" | "localEndpoint"> = {};
  if (meter) fetchOptions.dbMeter = meter;
  if (config.LOCAL_DB_PROXY) fetchOptions.localEndpoint = new URL("/sql", config.LOCAL_DB_PROXY).toString();
  return neon(config.DATABASE_URL, { fetchOptions });
}

/**
 * A WebSocket client (Postgres wire protocol), not yet connected, pointed at the local proxy when one is
 * configured. The caller connects and must `end()` it.
 */
export function webSocketClient(
  config: Pick<Config, "DATABASE_URL" | "LOCAL_DB_PROXY">,
  applicationName?: string,
) {
  let connectionString = config.DATABASE_URL;
  if (applicationName) {
    const url = new URL(connectionString);
    url.searchParams.set("application_name", applicationName);
    connectionString = url.toString();
  }
  const client = new Client(connectionString);
  if (config.LOCAL_DB_PROXY) {
    const proxy = new URL(config.LOCAL_DB_PROXY);
    client.neonConfig.wsProxy = () => `${proxy.host}/v2`;
    client.neonConfig.useSecureWebSocket = proxy.protocol === "https:";
    client.neonConfig.pipelineTLS = false;
    client.neonConfig.pipelineConnect = false;
  }
  return client;
}
