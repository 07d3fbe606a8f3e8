import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { base64url } from "../src/lib/crypto.ts";
import { rateLimitKey } from "../src/middleware/rate-limit.ts";
import { encodeCursor } from "../src/services/catalog/cursor.ts";
import { problem } from "./support/app.ts";
import { validListing } from "./support/catalog.ts";
import { testConfig } from "./support/env.ts";
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

/**
 * A cursor as they used to be: base64url JSON of a sort key and an unkeyed SHA-256 "fingerprint" of the
 * public query parameters, which anyone can compute.
 */
async function unsignedCursor(parts: unknown, key: unknown[]): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(JSON.stringify(parts)));
  const f = base64url(new Uint8Array(digest).slice(0, 9));
  return base64url(new TextEncoder().encode(JSON.stringify({ f, k: key })));
}

describe("forged cursors", () => {
  const id = "0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9";
  const noFilters = [undefined, undefined, undefined, undefined, undefined, undefined, {}];

  it("are refused with 400 on every paged route, even with the query's own fingerprint", async () => {
    const owner = await signUp();
    const org = await createOrg(owner, "both", "Cursor Co");
    const cases: [string, unknown, unknown[], boolean][] = [
      ["/v1/listings?sort=newest&limit=1", [...noFilters, "newest"], ["2026-13-45 99:99:99+00", id], false],
      ["/v1/listings?sort=price&limit=1", [...noFilters, "price"], ["99999999999999999999", id], false],
      [
        "/v1/listings?q=bolt&sort=relevance",
        ["bolt:*", ...noFilters.slice(1), "relevance"],
        ["1.2.3", id],
        false,
      ],
      [`/v1/orgs/${org.id}/listings?limit=1`, ["own", org.id, null], ["yesterday", id], true],
      [`/v1/orgs/${org.id}/orders?side=buyer&limit=1`, ["orders", org.id, "buyer", null], ["soon", id], true],
    ];
    for (const [path, parts, key, signedIn] of cases) {
      const cursor = await unsignedCursor(parts, key);
      const res = await api(`${path}&cursor=${cursor}`, signedIn ? { token: owner.token } : {});
      if (res.status !== 400) throw new Error(`${path}: expected 400, got ${res.status} ${await res.text()}`);
      expect((await problem(res)).errors).toEqual([{ field: "query.cursor", message: "invalid cursor" }]);
    }
  });

  it("check the sort key's type even under a valid signature", async () => {
    const owner = await signUp();
    const org = await createOrg(owner, "seller", "Signed Cursor Co");
    const context = { cursorSecret: testConfig().CURSOR_SECRET };
    const scope = ["own", org.id, null];
    for (const key of [
      ["yesterday", id],
      ["2026-11-26 12:34:56.789+00", "not-a-uuid"],
      [1, id],
      ["2026-11-26 12:34:56+00"],
    ]) {
      const cursor = await encodeCursor(context, scope, key as string[]);
      const res = await api(`/v1/orgs/${org.id}/listings?cursor=${cursor}`, { token: owner.token });
      expect(res.status).toBe(400);
    }
    const good = await encodeCursor(context, scope, ["2026-11-26 12:34:56.789+00", id]);
    expect((await api(`/v1/orgs/${org.id}/listings?cursor=${good}`, { token: owner.token })).status).toBe(
      200,
    );
    const otherOrg = await encodeCursor(
      context,
      ["own", crypto.randomUUID(), null],
      ["2026-11-26 12:34:56.789+00", id],
    );
    expect((await api(`/v1/orgs/${org.id}/listings?cursor=${otherOrg}`, { token: owner.token })).status).toBe(
      400,
    );
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
    {
      quantity: 1e300,
      limitMinor: 2 ** 64,
      contentLength: 2 ** 53 + 2,
      name: "Co\u0000",
      reason: "\ud800",
    },
  ];
  /** Well-formed queries but for a NUL, a lone surrogate or a number past every bound. */
  const poisonQueries = [
    "?limit=1&attr.material=brass%00",
    "?limit=1&q=bolt%00%ED%A0%80",
    "?minPrice=99999999999999999999&maxPrice=1e300",
  ];
  /** Bodies that pass every other check of their route, carrying one NUL, lone surrogate or huge amount. */
  const poisonBodies: Record<string, unknown[]> = {
    "POST /v1/orgs/{orgId}/listings": [
      validListing({ title: "Hex\u0000bolt" }),
      validListing({ description: "steel\u0000" }),
      validListing({ attributes: { thread: "M8\u0000" } }),
      validListing({ description: "\udc00" }),
      validListing({ priceTiers: [{ minQuantity: 100, unitPriceMinor: 1e19 }] }),
    ],
    "PATCH /v1/orgs/{orgId}/listings/{listingId}": [{ title: "Hex\u0000bolt" }, { description: "\u0000" }],
    "POST /v1/orgs": [
      { name: "Fuzz Web Co", kind: "buyer", website: "https://fuzz.example/\u0000" },
      { name: "Fuzz Web Co", kind: "buyer", website: "https://fuzz.example/\ud800" },
    ],
    "PATCH /v1/orgs/{orgId}": [{ website: "https://fuzz.example/a\u0000b" }, { legalName: "Fuzz\u0000 Ltd" }],
    "POST /v1/orgs/{orgId}/uploads": [
      { purpose: "image", contentType: "image/png", contentLength: 20, filename: "bolt\u0000.png" },
      { purpose: "image", contentType: "image/png\u0000", contentLength: 2 ** 64, filename: "bolt.png" },
    ],
  };

  it("never answers a 500, whatever the body, headers or query", async () => {
    const owner = await signUp();
    const org = await createOrg(owner, "both", "Fuzz Co");
    const res = await exports.default.fetch("http://api.test/openapi.json");
    const doc = (await res.json()) as OpenApiDocument;
    let requests = 0;
    // Signing out ends the session every other request uses (they would all be 401): it goes last.
    const paths = Object.entries(doc.paths).sort(
      ([a], [b]) => Number(a === "/v1/auth/logout") - Number(b === "/v1/auth/logout"),
    );
    for (const [path, methods] of paths) {
      for (const method of Object.keys(methods).map((m) => m.toUpperCase())) {
        const url = concrete(path, { orgId: org.id });
        const headers = { "if-match": '"x"', "idempotency-key": "bad key!", "if-none-match": "*" };
        const withoutBody = method === "GET" || method === "DELETE";
        const attempts: [string, unknown][] = [
          ...(withoutBody ? [undefined] : junkBodies).map(
            (body) => [`${url}?limit=-5&cursor=%E2%82&q=%00&sort=&side=x&status=`, body] as [string, unknown],
          ),
          ...poisonQueries.map((query) => [`${url}${query}`, undefined] as [string, unknown]),
          ...(poisonBodies[`${method} ${path}`] ?? []).map(
            (body) => [`${url}${poisonQueries[0]}`, body] as [string, unknown],
          ),
        ];
        for (const [target, body] of attempts) {
          const response = await api(target, {
            method,
            token: owner.token,
            headers,
            body,
          });
          requests += 1;
          if (response.status === 401 && path !== "/v1/auth/logout")
            throw new Error(`${method} ${target}: 401, the session ended before the last route`);
          if (response.status >= 500) {
            throw new Error(
              `${method} ${target} with ${JSON.stringify(body)?.slice(0, 80)}: ${response.status} ${await response.text()}`,
            );
          }
        }
      }
    }
    expect(requests).toBeGreaterThan(250);
  });
});
