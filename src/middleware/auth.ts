import { eq } from "drizzle-orm";
import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { createDb } from "../db/client.ts";
import { DbMeter } from "../db/meter.ts";
import { apiKeys } from "../db/schema/index.ts";
import { ApiError } from "../lib/problem.ts";
import { API_KEY_PREFIX, apiKeyKvKey, checkApiKey } from "../services/identity/api-keys-auth.ts";
import type { Principal } from "../services/identity/principal.ts";
import {
  checkSession,
  policyFromConfig,
  SESSION_COOKIE,
  SESSION_TOKEN_PREFIX,
  touchSession,
} from "../services/identity/sessions.ts";
import type { AppEnv } from "../types.ts";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

function unauthorized(detail: string): ApiError {
  return new ApiError("unauthorized", detail, {
    headers: { "WWW-Authenticate": 'Bearer realm="marketplace"' },
  });
}

/** Origins whose pages may send cookie-authenticated writes: this API's own and the configured front ends. */
export function isTrustedOrigin(c: Context<AppEnv>, origin: string): boolean {
  return origin === new URL(c.req.url).origin || c.var.config.CORS_ORIGINS.includes(origin);
}

/**
 * CSRF defence for cookie-authenticated writes, JSON included (Hono's csrf() lets JSON through): the
 * browser must say the request comes from a trusted origin.
 */
function assertSameOrigin(c: Context<AppEnv>) {
  const origin = c.req.header("origin");
  if (origin && isTrustedOrigin(c, origin)) return;
  if (!origin && c.req.header("sec-fetch-site") === "same-origin") return;
  throw new ApiError(
    "forbidden",
    "Cross-site request refused: cookie-authenticated writes need a same-origin Origin.",
  );
}

/**
 * For endpoints that set a session cookie (signup, login): refuse cross-site browser requests, so no
 * page elsewhere can sign a visitor into another account. Non-browser clients send neither header.
 */
export function refuseCrossSite(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const origin = c.req.header("origin");
    const site = c.req.header("sec-fetch-site");
    if ((origin && !isTrustedOrigin(c, origin)) || site === "cross-site") {
      throw new ApiError("forbidden", "Cross-site request refused.");
    }
    await next();
  };
}

/** The bearer token or session cookie of the request, and where it came from. */
function credentials(c: Context<AppEnv>): { token: string; source: "bearer" | "cookie" } | undefined {
  const header = c.req.header("authorization");
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match?.[1]) throw unauthorized("The Authorization header must be `Bearer <token>`.");
    return { token: match[1], source: "bearer" };
  }
  const cookie = getCookie(c, SESSION_COOKIE, "host");
  return cookie ? { token: cookie, source: "cookie" } : undefined;
}

/**
 * Resolves who is calling, from KV only (0 database round trips), once per request. Cookie-authenticated
 * writes must pass the same-origin check. Returns undefined for anonymous requests.
 */
export async function resolvePrincipal(c: Context<AppEnv>): Promise<Principal | undefined> {
  if (c.var.principal !== undefined) return c.var.principal ?? undefined;
  const given = credentials(c);
  if (!given) {
    c.set("principal", null);
    return undefined;
  }
  const now = c.var.now();
  let principal: Principal;
  if (given.token.startsWith(API_KEY_PREFIX)) {
    if (given.source !== "bearer") throw unauthorized("API keys go in the Authorization header.");
    const check = await checkApiKey(c.env.SESSIONS, given.token, now);
    if (!check.ok)
      throw unauthorized(check.reason === "expired" ? "The API key has expired." : "Invalid API key.");
    principal = {
      kind: "api_key",
      keyId: check.record.keyId,
      orgId: check.record.orgId,
      scopes: check.record.scopes,
    };
    if (check.touch) {
      const record = { ...check.record, lastUsedAt: now };
      c.executionCtx.waitUntil(
        Promise.all([
          // Off the response path (waitUntil), so not charged to this request's Server-Timing.
          createDb(c.var.config, new DbMeter())
            .update(apiKeys)
            .set({ lastUsedAt: new Date(now) })
            .where(eq(apiKeys.id, record.keyId)),
          c.env.SESSIONS.put(apiKeyKvKey(check.publicId), JSON.stringify(record)),
        ]).catch(() => c.var.logger.warn("api key last-used update failed", { keyId: record.keyId })),
      );
    }
  } else if (given.token.startsWith(SESSION_TOKEN_PREFIX)) {
    const check = await checkSession(c.env.SESSIONS, given.token, now, policyFromConfig(c.var.config));
    if (!check.ok) {
      const detail =
        check.reason === "expired" || check.reason === "idle"
          ? "The session has expired; sign in again."
          : "Invalid session.";
      throw unauthorized(detail);
    }
    principal = { kind: "user", userId: check.record.userId, sessionId: check.id };
    if (check.touch) {
      c.executionCtx.waitUntil(
        touchSession(c.env.SESSIONS, check.id, check.record, now).catch(() =>
          c.var.logger.warn("session last-seen update failed"),
        ),
      );
    }
  } else {
    throw unauthorized("Unrecognised credentials.");
  }
  if (given.source === "cookie" && !SAFE_METHODS.has(c.req.method)) assertSameOrigin(c);
  c.set("principal", principal);
  return principal;
}

/** The route needs a signed-in user (not an API key). Sets `c.var.principal`. */
export function requireUser(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const principal = await resolvePrincipal(c);
    if (!principal) throw unauthorized("Sign in first.");
    if (principal.kind !== "user")
      throw new ApiError("forbidden", "This endpoint is for signed-in users, not API keys.");
    await next();
  };
}

/** The route needs a user or an API key (routes check the key's organisation and scopes). */
export function requireAuth(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!(await resolvePrincipal(c))) throw unauthorized("Sign in or use an API key.");
    await next();
  };
}

/** The signed-in user behind a route guarded by requireUser(). */
export function userOf(c: Context<AppEnv>): Extract<Principal, { kind: "user" }> {
  const principal = c.var.principal;
  if (principal?.kind !== "user") throw unauthorized("Sign in first.");
  return principal;
}

/** The principal behind a route guarded by requireAuth(). */
export function principalOf(c: Context<AppEnv>): Principal {
  const principal = c.var.principal;
  if (!principal) throw unauthorized("Sign in first.");
  return principal;
}
