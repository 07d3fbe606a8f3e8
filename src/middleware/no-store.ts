import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "../types.ts";

/** Whether the response belongs to one caller: it sets a cookie, or it answers a caller's credentials. */
function isPersonal(c: Context<AppEnv>): boolean {
  if (c.res.headers.has("set-cookie") || c.var.principal) return true;
  const sentCredentials = c.req.header("authorization") !== undefined || c.req.header("cookie") !== undefined;
  return sentCredentials && !/^public\b/.test(c.res.headers.get("cache-control") ?? "");
}

/**
 * `Cache-Control: no-store` on every personal response, whatever the route itself said: responses to an
 * authenticated caller (a session or API key was checked), responses that set a cookie (sign-up, login,
 * logout, password change), and anything else answered to a request carrying credentials, errors included.
 * Only responses a public route marked `public` keep their caching when a signed-in browser sends its cookie.
 */
export function noStoreWhenPersonal(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    if (isPersonal(c)) c.res.headers.set("Cache-Control", "no-store");
  };
}
