import type { Context, MiddlewareHandler } from "hono";
import { createDb } from "../db/client.ts";
import { DbMeter } from "../db/meter.ts";
import { type Config, readConfig } from "../env.ts";
import { createLogger, type Logger } from "../lib/logger.ts";
import { relayOutbox } from "../services/delivery/relay.ts";
import type { AppEnv } from "../types.ts";

/**
 * The outbox relay's fast path: once a write that appended to the outbox has answered (the meter saw the
 * append go out; a rolled-back batch answers 4xx/5xx and is skipped), its events and emails go to the delivery
 * queue in `waitUntil`, off the request's path and on a client of its own (the request's round-trip count
 * and Server-Timing do not include it). A failure only leaves the rows to the cron sweep.
 */
function relayAfterResponse(c: Context<AppEnv>, config: Config, logger: Logger): void {
  let ctx: Pick<ExecutionContext, "waitUntil">;
  try {
    ctx = c.executionCtx;
  } catch {
    return; // no execution context (app.request in a unit test): the sweep relays
  }
  ctx.waitUntil(
    relayOutbox(createDb(config, new DbMeter()), c.env.DELIVERY).catch((error: unknown) =>
      logger.warn("outbox relay failed; the sweep will relay", { error: String(error) }),
    ),
  );
}

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
      if (config.OUTBOX_RELAY === "on" && meter.outboxWritten && c.res.status < 400) {
        relayAfterResponse(c, config, logger);
      }
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
