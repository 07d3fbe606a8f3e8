import type { MiddlewareHandler } from "hono";
import { createDb } from "../db/client.ts";
import { DbMeter } from "../db/meter.ts";
import { readConfig } from "../env.ts";
import { createLogger } from "../lib/logger.ts";
import type { AppEnv } from "../types.ts";

/**
 * Builds the per-request context (config, logger, DB client, round-trip meter) and, when the request
 * is done, writes `Server-Timing` and the one log line per request. Runs right after the request id.
 */
export function requestContext(now: () => number = Date.now): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    c.set("now", now);
    const started = performance.now();
    const requestId = c.get("requestId");
    let logger = createLogger({ requestId });
    c.set("logger", logger);
    const meter = new DbMeter();
    c.set("dbMeter", meter);
    let timing = false;
    try {
      const config = readConfig(c.env);
      timing = config.SERVER_TIMING === "on";
      logger = createLogger({ requestId }, config.LOG_LEVEL);
      c.set("logger", logger);
      c.set("config", config);
      c.set("db", createDb(config, meter));
      await next();
    } finally {
      if (timing) c.res.headers.append("Server-Timing", meter.serverTiming());
      logger.info("request", {
        method: c.req.method,
        route: c.req.routePath,
        path: c.req.path,
        status: c.res.status,
        ms: Math.round(performance.now() - started),
        dbRoundTrips: meter.roundTrips,
        dbMs: Math.round(meter.ms),
      });
    }
  };
}
