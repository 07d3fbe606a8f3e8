import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { rateLimitKey } from "../src/middleware/rate-limit.ts";
import { problem } from "./support/app.ts";
import { api, createOrg, json, signUp, uniqueEmail } from "./support/identity.ts";

interface OpenApiDocument {
  paths: Record<
    string,
    Record<string, { security?: unknown[]; parameters?: { name: string; in: string }[] }>
  >;
}

/** A concrete URL for a documented path: every path parameter gets a well-formed value. */
function concrete(path: string, values: Record<string, string> = {}) {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => {
    if (values[name]) return values[name];
    if (name === "sessionId") return "A".repeat(22);
    if (name === "token") return "A".repeat(43);
    if (name === "decision") return "approve";
    return crypto.randomUUID();
  });
}

async function authenticatedRoutes() {
  const res = await exports.default.fetch("http://api.test/openapi.json");
  const doc = (await res.json()) as OpenApiDocument;
  return Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods)
      .filter(([, operation]) => operation.security && operation.security.length > 0)
      .map(([method]) => ({ path, method: method.toUpperCase() })),
  );
}

describe("every authenticated route (from the OpenAPI document)", () => {
  it("answers anonymous callers with 401 problem+json and Bearer challenge, before touching input", async () => {
    const routes = await authenticatedRoutes();
    expect(routes.length).toBeGreaterThan(30);
    for (const { path, method } of routes) {
      const res = await api(concrete(path), {
        method,
        body: method === "GET" || method === "DELETE" ? undefined : {},
      });
      if (res.status !== 401) throw new Error(`${method} ${path}: expected 401, got ${res.status}`);
      expect((await problem(res)).type).toBe("urn:problem:unauthorized");
    }
  });

  it("answers a forged token with 401 on every route", async () => {
    for (const { path, method } of await authenticatedRoutes()) {
      const res = await api(concrete(path), {
        method,
        token: `ses_${"B".repeat(22)}.${"C".repeat(43)}`,
        body: method === "GET" || method === "DELETE" ? undefined : {},
      });
      if (res.status !== 401) throw new Error(`${method} ${path}: expected 401, got ${res.status}`);
    }
  });

  it("never lets a signed-in outsider read another organisation's org-scoped resources (404)", async () => {
    const owner = await signUp();
    const org = await createOrg(owner, "both", "Private Co");
    const outsider = await signUp();
    const reads = (await authenticatedRoutes()).filter(
      (r) => r.method === "GET" && r.path.startsWith("/v1/orgs/{orgId}"),
    );
    expect(reads.length).toBeGreaterThan(8);
    for (const { path } of reads) {
      const res = await api(concrete(path, { orgId: org.id }), { token: outsider.token });
      if (res.status !== 404)
        throw new Error(`GET ${path}: expected 404, got ${res.status}: ${await res.text()}`);
    }
    const me = await json<{ memberships: unknown[] }>(await api("/v1/me", { token: outsider.token }));
    expect(me.memberships).toEqual([]);
  });
});

describe("responses for a signed-in caller are never stored", () => {
  it("answers every authenticated GET route with Cache-Control: no-store, whatever the status", async () => {
    const owner = await signUp();
    const org = await createOrg(owner, "both", "Private Cache Co");
    const reads = (await authenticatedRoutes()).filter((r) => r.method === "GET");
    expect(reads.length).toBeGreaterThan(10);
    for (const { path } of reads) {
      const res = await api(concrete(path, { orgId: org.id }), { token: owner.token });
      if (res.headers.get("cache-control") !== "no-store")
        throw new Error(`GET ${path} (${res.status}): Cache-Control ${res.headers.get("cache-control")}`);
    }
  });

  it("marks authenticated writes, and every response that sets a cookie, no-store", async () => {
    const user = await signUp();
    const org = await createOrg(user, "seller", "No Store Co");
    const cookie = await api("/v1/orgs", { cookie: user.cookie, body: { name: "Cookie Co", kind: "buyer" } });
    expect(cookie.status).toBe(403);
    expect(cookie.headers.get("cache-control")).toBe("no-store");
    const listing = await api(`/v1/orgs/${org.id}/listings`, { token: user.token, body: {} });
    expect(listing.status).toBe(400);
    expect(listing.headers.get("cache-control")).toBe("no-store");
    const login = await api("/v1/auth/login", {
      body: { email: user.email, password: user.password },
      headers: { "cf-connecting-ip": user.ip },
    });
    expect(login.status).toBe(200);
    expect(login.headers.get("set-cookie")).toContain("__Host-session=");
    expect(login.headers.get("cache-control")).toBe("no-store");
  });

  it("leaves public responses cacheable, signed in or not", async () => {
    const user = await signUp();
    const search = await api("/v1/listings?limit=1", { cookie: user.cookie });
    expect(search.headers.get("cache-control")).toMatch(/^public, /);
    const categories = await api("/v1/categories", { token: user.token });
    expect(categories.headers.get("cache-control")).toMatch(/^public, /);
  });
});

describe("API rate limit", () => {
  it("limits each client IP to 600 requests a minute on /v1, with Retry-After", async () => {
    const ip = `10.77.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
    for (let i = 0; i < 600; i++) {
      const res = await api("/v1/me", { headers: { "cf-connecting-ip": ip } });
      if (res.status !== 401) throw new Error(`request ${i + 1}: expected 401, got ${res.status}`);
    }
    // Fixed one-minute windows: a test straddling a boundary needs up to one more window to be limited.
    let limited = await api("/v1/me", { headers: { "cf-connecting-ip": ip } });
    for (let extra = 0; limited.status !== 429 && extra < 600; extra++) {
      limited = await api("/v1/me", { headers: { "cf-connecting-ip": ip } });
    }
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("60");
    expect((await api("/v1/me", { headers: { "cf-connecting-ip": "10.78.0.1" } })).status).toBe(401);
    expect(
      (await exports.default.fetch("http://api.test/health", { headers: { "cf-connecting-ip": ip } })).status,
    ).toBe(200);
  });
});

describe("rate-limit keys", () => {
  it.each([
    ["203.0.113.7", "203.0.113.7"],
    [" 203.0.113.7 ", "203.0.113.7"],
    ["2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"],
    ["2001:0DB8:0001:0002:ffff::1", "2001:db8:1:2::/64"],
    ["2001:db8:1:2::", "2001:db8:1:2::/64"],
    ["[2001:db8:1:2::9]", "2001:db8:1:2::/64"],
    ["2001:db8:1:3::1", "2001:db8:1:3::/64"],
    ["2001:db8::1", "2001:db8:0:0::/64"],
    ["::1", "0:0:0:0::/64"],
    ["::", "0:0:0:0::/64"],
    ["fe80::1%eth0", "fe80:0:0:0::/64"],
    ["64:ff9b::192.0.2.1", "64:ff9b:0:0::/64"],
    ["::ffff:203.0.113.7", "203.0.113.7"],
    ["::FFFF:cb00:7107", "203.0.113.7"],
    ["0:0:0:0:0:ffff:203.0.113.7", "203.0.113.7"],
  ])("keys %s as %s", (address, key) => {
    expect(rateLimitKey(address)).toBe(key);
  });

  it.each([
    undefined,
    "",
    "unknown",
    "1.2.3",
    "256.1.1.1",
    "1.2.3.4.5",
    "2001:db8::1::2",
    "2001:db8:1:2:3:4:5:6:7",
    "2001:db8:1:2:3:4:5::6:7",
    "12345::",
    "::ffff:300.1.1.1",
    "2001:db8:g::1",
  ])("has no key for %s", (address) => {
    expect(rateLimitKey(address)).toBeUndefined();
  });

  const weakSignup = (headers: Record<string, string>) =>
    api("/v1/auth/signup", {
      body: { email: uniqueEmail(), password: "password", name: "Limit Tester" },
      headers,
    });

  it("counts an IPv6 client by its /64, however many addresses it rotates through", async () => {
    const prefix = `2001:db8:${Math.floor(Math.random() * 0xffff).toString(16)}:${Math.floor(Math.random() * 0xffff).toString(16)}`;
    const statuses: number[] = [];
    // 20 a minute per key, in fixed windows: 45 attempts must cross 20 within one window.
    for (let i = 1; i <= 45 && !statuses.includes(429); i++) {
      const address = i % 2 ? `${prefix}::${i.toString(16)}` : `${prefix}:0:0:0:${i.toString(16)}`;
      statuses.push((await weakSignup({ "cf-connecting-ip": address })).status);
    }
    expect(statuses).toContain(429);
    expect(statuses.filter((status) => status !== 429).every((status) => status === 400)).toBe(true);
    const otherPrefix = await weakSignup({
      "cf-connecting-ip": `2001:db8:ffff:${Math.floor(Math.random() * 0xffff).toString(16)}::1`,
    });
    expect(otherPrefix.status).toBe(400);
  });

  it("never puts requests without a client address in one bucket shared by everyone", async () => {
    for (let i = 0; i < 45; i++) {
      const res = await weakSignup({});
      if (res.status !== 400) throw new Error(`attempt ${i + 1}: expected 400, got ${res.status}`);
    }
  });
});

describe("junk input on every route (from the OpenAPI document)", () => {
  const junkBodies: unknown[] = [
    null,
    [],
    "text",
    42,
    {},
    { a: { b: [1, { c: null }] } },
    { quantity: -1e308, name: "x".repeat(20_000), email: "\u0000", role: ["owner"], scopes: "org:read" },
  ];

  it("never answers a 500, whatever the body, headers or query", async () => {
    const owner = await signUp();
    const org = await createOrg(owner, "both", "Fuzz Co");
    const res = await exports.default.fetch("http://api.test/openapi.json");
    const doc = (await res.json()) as OpenApiDocument;
    let requests = 0;
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const method of Object.keys(methods).map((m) => m.toUpperCase())) {
        const url = concrete(path, { orgId: org.id });
        const headers = { "if-match": '"x"', "idempotency-key": "bad key!", "if-none-match": "*" };
        const bodies = method === "GET" || method === "DELETE" ? [undefined] : junkBodies;
        for (const body of bodies) {
          const response = await api(`${url}?limit=-5&cursor=%E2%82&q=%00&sort=&side=x&status=`, {
            method,
            token: owner.token,
            headers,
            body,
          });
          requests += 1;
          if (response.status >= 500) {
            throw new Error(
              `${method} ${path} with ${JSON.stringify(body)?.slice(0, 80)}: ${response.status} ${await response.text()}`,
            );
          }
        }
      }
    }
    expect(requests).toBeGreaterThan(150);
  });
});
