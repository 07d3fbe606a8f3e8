import type { Context } from "hono";
import { setCookie } from "hono/cookie";
import { rateLimitKey } from "../middleware/rate-limit.ts";
import type { ServiceContext } from "../services/context.ts";
import { passwordParams } from "../services/identity/password.ts";
import { type IssuedSession, policyFromConfig, SESSION_COOKIE } from "../services/identity/sessions.ts";
import type { AppEnv } from "../types.ts";

/** The services' view of this request. */
export function serviceContext(c: Context<AppEnv>): ServiceContext {
  return {
    db: c.var.db,
    kv: c.env.SESSIONS,
    now: c.var.now(),
    sessionPolicy: policyFromConfig(c.var.config),
    cursorSecret: c.var.config.CURSOR_SECRET,
    passwordParams: passwordParams(c.var.config.PASSWORD_HASH_COST),
  };
}

export function setSessionCookie(c: Context<AppEnv>, session: IssuedSession) {
  setCookie(c, SESSION_COOKIE, session.token, {
    prefix: "host",
    path: "/",
    secure: true,
    httpOnly: true,
    sameSite: "Lax",
    expires: session.expiresAt,
  });
}

export function clearSessionCookie(c: Context<AppEnv>) {
  setCookie(c, SESSION_COOKIE, "", {
    prefix: "host",
    path: "/",
    secure: true,
    httpOnly: true,
    sameSite: "Lax",
    maxAge: 0,
  });
}

export function userAgent(c: Context<AppEnv>): string | null {
  return c.req.header("user-agent") ?? null;
}

/**
 * The caller's address as per-IP limits count it (rateLimitKey(): IPv4, or an IPv6 /64), from the
 * CF-Connecting-IP that Cloudflare sets (unforgeable in production). A request without a usable address
 * (only possible off Cloudflare) gets a key of its own, so it can never exhaust a bucket others share.
 */
export function clientIp(c: Context<AppEnv>): string {
  return rateLimitKey(c.req.header("cf-connecting-ip")) ?? `no-address:${c.get("requestId")}`;
}
