import type { Context } from "hono";
import { setCookie } from "hono/cookie";
import type { ServiceContext } from "../services/context.ts";
import { type IssuedSession, policyFromConfig, SESSION_COOKIE } from "../services/identity/sessions.ts";
import type { AppEnv } from "../types.ts";

/** The services' view of this request. */
export function serviceContext(c: Context<AppEnv>): ServiceContext {
  return {
    db: c.var.db,
    kv: c.env.SESSIONS,
    now: c.var.now(),
    sessionPolicy: policyFromConfig(c.var.config),
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

/** The caller's IP as Cloudflare reports it (unforgeable in production). */
export function clientIp(c: Context<AppEnv>): string {
  return c.req.header("cf-connecting-ip") ?? "unknown";
}
