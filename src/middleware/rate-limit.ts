import type { MiddlewareHandler } from "hono";
import { ApiError } from "../lib/problem.ts";
import type { AppEnv } from "../types.ts";

/**
 * A per-IP flood guard on the API (Workers Rate Limiting binding: counted per location, cheap, no I/O to
 * our stores). Behind Cloudflare every request carries CF-Connecting-IP; requests without it only exist
 * off Cloudflare (local tools), and are not limited.
 */
export function apiRateLimit(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const ip = c.req.header("cf-connecting-ip");
    if (ip) {
      const { success } = await c.env.API_IP_LIMITER.limit({ key: `api:${ip}` });
      if (!success) {
        throw new ApiError("rate_limited", "Too many requests from this address; slow down.", {
          headers: { "Retry-After": "60" },
        });
      }
    }
    await next();
  };
}
