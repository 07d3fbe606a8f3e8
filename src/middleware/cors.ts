import type { MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import type { AppEnv } from "../types.ts";

/** CORS for the configured browser origins only; credentials allowed (session cookie). */
export function corsFromConfig(): MiddlewareHandler<AppEnv> {
  return (c, next) =>
    cors({
      origin: (origin) => (c.var.config.CORS_ORIGINS.includes(origin) ? origin : null),
      credentials: true,
      allowMethods: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
      allowHeaders: [
        "Content-Type",
        "Authorization",
        "If-Match",
        "If-None-Match",
        "Idempotency-Key",
        "X-Request-Id",
      ],
      exposeHeaders: ["Server-Timing", "X-Request-Id", "ETag", "Retry-After", "Location"],
      maxAge: 600,
    })(c, next);
}
