import { env, exports } from "cloudflare:workers";
import { createRoute, z } from "@hono/zod-openapi";
import { sql } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { createApp } from "../src/app.ts";
import { atomic } from "../src/db/atomic.ts";
import { DEV_CURSOR_SECRET, DEV_DEVICE_COOKIE_SECRET, DEV_WEBHOOK_SECRETS_KEY } from "../src/env.ts";
import { call, problem, roundTrips } from "./support/app.ts";

/** The real app plus one JSON route, to exercise body handling before the first real write routes exist. */
function appWithEchoRoute() {
  const app = createApp();
  const echo = createRoute({
    method: "post",
    path: "/v1/test/echo",
    request: {
      body: {
        required: true,
        content: {
          "application/json": {
            schema: z
              .object({ name: z.string().min(1).max(50), quantity: z.number().int().positive() })
              .strict(),
          },
        },
      },
    },
    responses: { 200: { description: "echo", content: { "application/json": { schema: z.object({}) } } } },
  });
  app.openapi(echo, (c) => c.json(c.req.valid("json"), 200));
  app.get("/test/boom", () => {
    throw new Error("secret internals: postgres://user:hunter2@db/x");
  });
  // A real Postgres error with the given SQLSTATE, raised inside an atomic batch like a write's.
  app.get("/test/sqlstate/:code", async (c) => {
    const code = c.req.param("code").replace(/[^0-9A-Z]/g, "");
    const raise = sql.raw(`do $$ begin raise exception 'raised by test' using errcode = '${code}'; end $$`);
    await atomic(c.var.db, [c.var.db.execute(sql`select 1`), c.var.db.execute(raise)]);
    return c.text("unreachable");
  });
  return app;
}

const json = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: "POST",
  headers: { "content-type": "application/json", ...headers },
  body: typeof body === "string" ? body : JSON.stringify(body),
});

describe("errors are problem+json", () => {
  it("answers an unknown route with 404 carrying the request id", async () => {
    const res = await exports.default.fetch("http://api.test/nope");
    expect(res.status).toBe(404);
    const body = await problem(res);
    expect(body).toMatchObject({ type: "urn:problem:not_found", status: 404, title: "Not found" });
    expect(body.requestId).toBe(res.headers.get("x-request-id"));
  });

  it("answers a wrong method on a known path with 405 and Allow", async () => {
    const res = await exports.default.fetch("http://api.test/health", { method: "DELETE" });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET, HEAD");
    expect((await problem(res)).type).toBe("urn:problem:method_not_allowed");
  });

  it("answers malformed JSON with 400", async () => {
    const res = await call("/v1/test/echo", json('{"name": "x",'), { app: appWithEchoRoute() });
    expect(res.status).toBe(400);
    expect((await problem(res)).type).toBe("urn:problem:malformed_json");
  });

  it("answers a non-JSON body with 415", async () => {
    const res = await call(
      "/v1/test/echo",
      { method: "POST", headers: { "content-type": "text/plain" }, body: "name=x" },
      { app: appWithEchoRoute() },
    );
    expect(res.status).toBe(415);
    expect((await problem(res)).detail).toContain("text/plain");
  });

  it("lists every invalid field", async () => {
    const res = await call("/v1/test/echo", json({ name: "", quantity: 1.5, extra: true }), {
      app: appWithEchoRoute(),
    });
    expect(res.status).toBe(400);
    const body = await problem(res);
    expect(body.type).toBe("urn:problem:validation_failed");
    const fields = body.errors?.map((e) => e.field).sort();
    expect(fields).toEqual(["body", "body.name", "body.quantity"]);
  });

  it("accepts a valid body", async () => {
    const res = await call("/v1/test/echo", json({ name: "bolts", quantity: 3 }), {
      app: appWithEchoRoute(),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ name: "bolts", quantity: 3 });
  });

  it("answers an oversized body with 413, with or without Content-Length", async () => {
    const big = JSON.stringify({ name: "x".repeat(5000), quantity: 1 });
    const declared = await call("/v1/test/echo", json(big), {
      app: appWithEchoRoute(),
      env: { MAX_BODY_BYTES: "2048" },
    });
    expect(declared.status).toBe(413);
    expect((await problem(declared)).type).toBe("urn:problem:payload_too_large");

    const stream = new Blob([big]).stream();
    const chunked = await call(
      "/v1/test/echo",
      {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: stream,
        duplex: "half",
      } as RequestInit,
      { app: appWithEchoRoute(), env: { MAX_BODY_BYTES: "2048" } },
    );
    expect(chunked.status).toBe(413);
  });

  it("never leaks internals in a 500, nor secrets into the log", async () => {
    const logged: string[] = [];
    const spy = vi
      .spyOn(console, "error")
      .mockImplementation((line: unknown) => void logged.push(String(line)));
    const res = await call("/test/boom", {}, { app: appWithEchoRoute() });
    spy.mockRestore();
    expect(logged.join("\n")).toContain("unhandled error");
    expect(logged.join("\n")).not.toContain("hunter2");
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).not.toContain("hunter2");
    expect(text).not.toContain("secret internals");
    expect(JSON.parse(text)).toMatchObject({ type: "urn:problem:internal", status: 500 });
  });
});

describe("transient database conflicts", () => {
  it.each(["40P01", "40001", "55P03"])(
    "answer %s (rolled back, safe to retry) with 503 and Retry-After, not 500",
    async (code) => {
      const logged: string[] = [];
      const spy = vi
        .spyOn(console, "warn")
        .mockImplementation((line: unknown) => void logged.push(String(line)));
      const res = await call(`/test/sqlstate/${code}`, {}, { app: appWithEchoRoute() });
      spy.mockRestore();
      expect(logged.join("\n")).toContain(code);
      expect(res.status).toBe(503);
      expect(res.headers.get("retry-after")).toBe("1");
      expect(await problem(res)).toMatchObject({ type: "urn:problem:service_unavailable", status: 503 });
    },
  );

  it("other database errors stay 500 (control)", async () => {
    const spy = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const res = await call("/test/sqlstate/22012", {}, { app: appWithEchoRoute() });
    spy.mockRestore();
    expect(res.status).toBe(500);
  });
});

describe("configuration is checked at request time", () => {
  it("names a missing secret", async () => {
    const res = await call("/health", {}, { env: { DATABASE_URL: undefined } });
    expect(res.status).toBe(500);
    const body = await problem(res);
    expect(body.type).toBe("urn:problem:misconfigured");
    expect(body.errors?.map((e) => e.field)).toEqual(["DATABASE_URL"]);
  });

  it("names a malformed variable without echoing its value", async () => {
    const res = await call("/health", {}, { env: { MAX_BODY_BYTES: "lots", CORS_ORIGINS: "not a url" } });
    const body = await problem(res);
    expect(body.errors?.map((e) => e.field).sort()).toEqual(["CORS_ORIGINS", "MAX_BODY_BYTES"]);
    expect(JSON.stringify(body)).not.toContain("lots");
  });

  it("refuses local-only settings in production", async () => {
    const production = {
      ENVIRONMENT: "production",
      CURSOR_SECRET: "a production secret of 32+ characters!",
      DEVICE_COOKIE_SECRET: "another production secret of 32+ characters",
      PUBLIC_URL: "https://api.marketplace.example.com",
      // The test suite itself runs with the cheap test cost, which production refuses (below).
      PASSWORD_HASH_COST: "full",
      EMAIL_PROVIDER: "resend",
      RESEND_API_KEY: "re_production_key",
      WEBHOOK_SECRETS_KEY: btoa("a production key of 32 bytes!!!!"),
      WEBHOOK_ALLOW_LOOPBACK: "off",
    };
    const proxy = await call("/health", {}, { env: { ...production, DEV_MAILBOX: "off" } });
    expect((await problem(proxy)).errors).toEqual([
      { field: "LOCAL_DB_PROXY", message: "must not be set in production" },
    ]);
    const mailbox = await call("/health", {}, { env: { ...production, LOCAL_DB_PROXY: "" } });
    expect((await problem(mailbox)).errors).toEqual([
      { field: "DEV_MAILBOX", message: "must not be on in production" },
    ]);
    const devSecret = await call(
      "/health",
      {},
      { env: { ...production, CURSOR_SECRET: DEV_CURSOR_SECRET, DEV_MAILBOX: "off", LOCAL_DB_PROXY: "" } },
    );
    expect((await problem(devSecret)).errors).toEqual([
      { field: "CURSOR_SECRET", message: "must not be the development value in production" },
    ]);
    const safe = { ...production, DEV_MAILBOX: "off", LOCAL_DB_PROXY: "" };
    const devDevice = await call(
      "/health",
      {},
      { env: { ...safe, DEVICE_COOKIE_SECRET: DEV_DEVICE_COOKIE_SECRET } },
    );
    expect((await problem(devDevice)).errors).toEqual([
      { field: "DEVICE_COOKIE_SECRET", message: "must not be the development value in production" },
    ]);
    const plainHttp = await call("/health", {}, { env: { ...safe, PUBLIC_URL: "http://api.example.com" } });
    expect((await problem(plainHttp)).errors).toEqual([
      { field: "PUBLIC_URL", message: "must be an https origin in production" },
    ]);
    const cheapHashes = await call("/health", {}, { env: { ...safe, PASSWORD_HASH_COST: "test" } });
    expect((await problem(cheapHashes)).errors).toEqual([
      { field: "PASSWORD_HASH_COST", message: "must be full in production" },
    ]);
    const refusals: [Record<string, unknown>, string, string][] = [
      [
        { EMAIL_PROVIDER: "mailbox" },
        "EMAIL_PROVIDER",
        "must be resend in production (the mailbox is for development)",
      ],
      [{ RESEND_API_KEY: undefined }, "RESEND_API_KEY", "is required when EMAIL_PROVIDER is resend"],
      [
        { WEBHOOK_SECRETS_KEY: DEV_WEBHOOK_SECRETS_KEY },
        "WEBHOOK_SECRETS_KEY",
        "must not be the development value in production",
      ],
      [{ WEBHOOK_ALLOW_LOOPBACK: "on" }, "WEBHOOK_ALLOW_LOOPBACK", "must not be on in production"],
    ];
    for (const [change, field, message] of refusals) {
      const refused = await call("/health", {}, { env: { ...safe, ...change } });
      expect((await problem(refused)).errors).toEqual([{ field, message }]);
    }
    const shortKey = await call("/health", {}, { env: { ...safe, WEBHOOK_SECRETS_KEY: btoa("too short") } });
    expect((await problem(shortKey)).errors?.map((e) => e.field)).toEqual(["WEBHOOK_SECRETS_KEY"]);
    const unset = await call("/health", {}, { env: { ...safe, PASSWORD_HASH_COST: undefined } });
    expect(unset.status).toBe(200);
    expect((await call("/health", {}, { env: safe })).status).toBe(200);
  });

  it("needs a cursor signing secret of at least 32 characters, never echoing it", async () => {
    const missing = await call("/health", {}, { env: { CURSOR_SECRET: undefined } });
    expect((await problem(missing)).errors?.map((e) => e.field)).toEqual(["CURSOR_SECRET"]);
    const short = await call("/health", {}, { env: { CURSOR_SECRET: "too-short-secret" } });
    const body = await problem(short);
    expect(body.errors?.map((e) => e.field)).toEqual(["CURSOR_SECRET"]);
    expect(JSON.stringify(body)).not.toContain("too-short-secret");
  });
});

describe("request plumbing", () => {
  it("echoes a caller's request id and makes one otherwise", async () => {
    const given = await exports.default.fetch("http://api.test/health", {
      headers: { "x-request-id": "trace-123" },
    });
    expect(given.headers.get("x-request-id")).toBe("trace-123");
    const made = await exports.default.fetch("http://api.test/health");
    expect(made.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("sets security headers", async () => {
    const res = await exports.default.fetch("http://api.test/health");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("x-frame-options")).toBe("SAMEORIGIN");
    expect(res.headers.get("strict-transport-security")).toContain("max-age=");
  });

  it("serves /docs and Swagger UI's files with the API's security headers and a CSP that runs only them", async () => {
    const api = await exports.default.fetch("http://api.test/health");
    const page = await exports.default.fetch("http://api.test/docs");
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("swagger-ui-bundle.js");
    const bundle = await exports.default.fetch("http://api.test/docs/vendor/swagger-ui-bundle.js");
    expect(bundle.status).toBe(200);
    await bundle.arrayBuffer();
    for (const res of [page, bundle]) {
      for (const name of [
        "strict-transport-security",
        "x-content-type-options",
        "x-frame-options",
        "referrer-policy",
        "cross-origin-opener-policy",
        "cross-origin-resource-policy",
      ]) {
        expect(res.headers.get(name), name).toBe(api.headers.get(name));
        expect(res.headers.get(name), name).toBeTruthy();
      }
      const csp = res.headers.get("content-security-policy") ?? "";
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain("unsafe-eval");
      expect(/script-src [^;]*unsafe-inline/.test(csp)).toBe(false);
    }
    // Everything the page loads is its own (script-src 'self'), and no script is inline.
    expect(await (await exports.default.fetch("http://api.test/docs/init.js")).text()).toContain(
      "validatorUrl: null",
    );
    const sources = [...html.matchAll(/<(?:script|link)\b[^>]*?(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(sources.length).toBeGreaterThanOrEqual(3);
    for (const source of sources) expect(source).toMatch(/^\/docs\//);
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  });

  it("allows CORS only for configured origins", async () => {
    const allowed = await call("/health", { headers: { origin: "http://localhost:8787" } });
    expect(allowed.headers.get("access-control-allow-origin")).toBe("http://localhost:8787");
    expect(allowed.headers.get("access-control-allow-credentials")).toBe("true");
    const denied = await call("/health", { headers: { origin: "https://evil.example" } });
    expect(denied.headers.get("access-control-allow-origin")).toBeNull();
    const preflight = await call("/health", {
      method: "OPTIONS",
      headers: { origin: "http://localhost:8787", "access-control-request-method": "POST" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-methods")).toContain("POST");
  });

  it("reports database round trips in Server-Timing, exactly", async () => {
    const health = await exports.default.fetch("http://api.test/health");
    expect(health.headers.get("server-timing")).toMatch(/^db;dur=\d+(\.\d+)?;desc="0 round trips"$/);
    const ready = await exports.default.fetch("http://api.test/ready");
    expect(roundTrips(ready)).toBe(1);
    const off = await call("/health", {}, { env: { SERVER_TIMING: "off" } });
    expect(off.headers.get("server-timing")).toBeNull();
  });
});

describe("health", () => {
  it("reports each dependency's latency when ready", async () => {
    const res = await exports.default.fetch("http://api.test/ready");
    expect(res.status).toBe(200);
    const body = (await res.json()) as { checks: Record<string, { ok: boolean; ms: number }> };
    for (const name of ["postgres", "kv", "r2"]) {
      expect(body.checks[name]?.ok).toBe(true);
      expect(body.checks[name]?.ms).toBeGreaterThanOrEqual(0);
    }
  });

  it("answers 503 naming Postgres when the database is unreachable, and keeps answering", async () => {
    const down = await call("/ready", {}, { env: { LOCAL_DB_PROXY: "http://127.0.0.1:9" } });
    expect(down.status).toBe(503);
    const body = await problem(down);
    expect(body.detail).toBe("Unavailable: postgres.");
    expect(body.checks).toMatchObject({
      postgres: { ok: false, error: "unreachable" },
      kv: { ok: true },
      r2: { ok: true },
    });

    if (env.DATABASE_KIND === "postgres") {
      // PGlite serves one database whatever the name; a real server refuses an unknown one.
      const missingDb = await call(
        "/ready",
        {},
        { env: { DATABASE_URL: "postgres://postgres@127.0.0.1/nope" } },
      );
      expect(missingDb.status).toBe(503);
    }

    expect((await call("/health", {}, { env: { LOCAL_DB_PROXY: "http://127.0.0.1:9" } })).status).toBe(200);
    expect((await exports.default.fetch("http://api.test/ready")).status).toBe(200);
  });

  it("serves the OpenAPI 3.1 document", async () => {
    const res = await exports.default.fetch("http://api.test/openapi.json");
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/health", "/ready"]));
  });
});
