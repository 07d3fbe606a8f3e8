/**
 * Attack tests for the issue 8 platform fixes: edge-cache bound, signed cursors, usable text, money
 * bounds, verified uploads, headers, rate-limit keys. Tests that pinned confirmed breaks (once `it.fails`)
 * now assert the fix.
 */
import { createScheduledController } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { edgeCache } from "../../src/http/edge-cache.ts";
import worker from "../../src/index.ts";
import { rateLimitKey } from "../../src/middleware/rate-limit.ts";
import { listingCacheKey } from "../../src/routes/listings/public.handlers.ts";
import { roundTrips } from "../support/app.ts";
import { edgeCopy } from "../support/cache.ts";
import { newAdmin, newSeller, publishListing, type Seller } from "../support/catalog.ts";
import { one } from "../support/db.ts";
import { api, json, logIn, type TestUser } from "../support/identity.ts";
import { newBuyer, product, putLine } from "../support/orders.ts";

let admin: TestUser;
let seller: Seller;
beforeAll(async () => {
  admin = await newAdmin();
  seller = await newSeller("Attack Supplies");
});

const PNG = Uint8Array.from([
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 73, 72, 68, 82, 0, 0, 0, 1,
]);

describe("edge cache of listing details", () => {
  it("an archive drops the listing from this location's cache however its id was spelt when it was cached", async () => {
    // Was: listingCacheKey(listingId) keyed the Cache API on the path text, and the edit/archive handlers
    // dropped only listingCacheKey(listing.id) (the lower-case id from Postgres). Now the path id is
    // canonicalised at validation and the cache key lower-cases it again.
    const listing = await publishListing(seller, admin);
    const upper = listing.id.toUpperCase();
    expect((await api(`/v1/listings/${upper}`)).status).toBe(200);
    await edgeCopy(listingCacheKey(upper));
    const archive = await api(`/v1/orgs/${seller.orgId}/listings/${listing.id}/archive`, {
      method: "POST",
      token: seller.owner.token,
    });
    expect(archive.status).toBe(200);
    expect((await api(`/v1/listings/${listing.id}`)).status).toBe(404);
    // Served stale from the copy the archive did not drop (for up to 60 s), 0 round trips.
    const stale = await api(`/v1/listings/${upper}`);
    expect(stale.status).toBe(404);
  });

  it("stores detail copies with max-age only (no stale allowance) and sends clients no-cache", async () => {
    const listing = await publishListing(seller, admin);
    const res = await api(`/v1/listings/${listing.id}`);
    expect(res.headers.get("cache-control")).toBe("public, no-cache");
    const stored = await edgeCopy(listingCacheKey(listing.id));
    expect(stored.headers.get("cache-control")).toBe("public, max-age=60");
    await edgeCache().delete(listingCacheKey(listing.id));
  });
});

describe("signed cursors", () => {
  const word = `zq${crypto.randomUUID().replaceAll("-", "").slice(0, 10)}`;
  beforeAll(async () => {
    for (let i = 0; i < 3; i++) await publishListing(seller, admin, { title: `Widget ${word} ${i}` });
  });

  async function firstCursor(query: string) {
    const res = await api(`/v1/listings?${query}`);
    expect(res.status).toBe(200);
    const body = await json<{ nextCursor: string | null }>(res);
    expect(body.nextCursor).toBeTruthy();
    return body.nextCursor ?? "";
  }

  it("refuses cursors forged, tampered, or minted for another query, sort, org or route (400, never 500)", async () => {
    const cursor = await firstCursor(`q=${word}&limit=1&sort=newest`);
    const ok = await api(`/v1/listings?q=${word}&limit=1&sort=newest&cursor=${cursor}`);
    expect(ok.status).toBe(200);
    const [payload = "", mac = ""] = cursor.split(".");
    const forged = [
      `${payload}.${"A".repeat(43)}`,
      `${btoa(JSON.stringify(["2026-02-31 00:00:00+00", crypto.randomUUID()])).replaceAll("=", "")}.${mac}`,
      `${payload}.${mac}x`,
      `${payload}`,
      `.${mac}`,
      "x".repeat(512),
      `${payload}.${mac.slice(0, 42)}=`,
    ];
    for (const bad of forged) {
      const res = await api(`/v1/listings?q=${word}&limit=1&sort=newest&cursor=${encodeURIComponent(bad)}`);
      expect(res.status, bad).toBe(400);
    }
    for (const other of [
      `q=${word}&limit=1&sort=price`,
      `q=${word}x&limit=1&sort=newest`,
      `q=${word}&limit=1&sort=newest&currency=EUR`,
      `q=${word}&limit=1&sort=newest&minPrice=0`,
      `q=${word}&limit=1&sort=newest&attr.thread=M8`,
    ]) {
      const res = await api(`/v1/listings?${other}&cursor=${cursor}`);
      expect(res.status, other).toBe(400);
    }
    // A limit change keeps the query: the cursor still belongs to it.
    expect((await api(`/v1/listings?q=${word}&limit=2&sort=newest&cursor=${cursor}`)).status).toBe(200);

    // The seller's own-listing cursor on search, on another org, and on the orders list.
    const own = await json<{ nextCursor: string | null }>(
      await api(`/v1/orgs/${seller.orgId}/listings?limit=1`, { token: seller.owner.token }),
    );
    expect(own.nextCursor).toBeTruthy();
    const ownCursor = own.nextCursor ?? "";
    expect((await api(`/v1/listings?q=${word}&limit=1&sort=newest&cursor=${ownCursor}`)).status).toBe(400);
    const other = await newSeller("Other Co");
    expect(
      (
        await api(`/v1/orgs/${other.orgId}/listings?limit=1&cursor=${ownCursor}`, {
          token: other.owner.token,
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await api(`/v1/orgs/${seller.orgId}/orders?side=seller&limit=1&cursor=${ownCursor}`, {
          token: seller.owner.token,
        })
      ).status,
    ).toBe(400);
    // Same org, other spelling of its id: at worst a 400, never another org's page or a 500.
    const upper = await api(`/v1/orgs/${seller.orgId.toUpperCase()}/listings?limit=1&cursor=${ownCursor}`, {
      token: seller.owner.token,
    });
    expect([200, 400]).toContain(upper.status);
  });

  it("relevance cursors round-trip", async () => {
    const cursor = await firstCursor(`q=${word}&limit=1&sort=relevance`);
    const next = await api(`/v1/listings?q=${word}&limit=1&sort=relevance&cursor=${cursor}`);
    expect(next.status).toBe(200);
  });
});

describe("usable text everywhere (never a 500)", () => {
  it("search text: control characters, bad percent-encoding, lone surrogates, NFKC expansion", async () => {
    const queries = [
      "q=%00",
      "q=%ED%A0%80",
      "q=%FF%FE",
      "q=a%C2%85b",
      "q=%EF%BF%BE",
      `q=${encodeURIComponent("㌖".repeat(200))}`,
      `q=${encodeURIComponent("﷽".repeat(200))}`,
      `q=${encodeURIComponent("ﷺ".repeat(200))}`,
      `q=${encodeURIComponent(`${"㌖".repeat(100)} ${"㍿".repeat(99)}`)}`,
      "attr.thread=%00",
      "attr.thread=%ED%A0%80",
      "attr.length_mm=1e400",
      "attr.length_mm=999999999999999.999999",
      "attr.length_mm=-999999999999999",
      "currency=EU%00",
      "seller=%00",
      "category=%00",
      "sort=%00",
      "limit=%00",
      "limit=1e400",
      "minPrice=1e400",
      "minPrice=0x10",
      "minPrice=10000000001",
      "maxPrice=-0",
      "cursor=%00",
    ];
    for (const query of queries) {
      const res = await api(`/v1/listings?${query}`);
      expect(res.status, query).toBeLessThan(500);
    }
  });

  it("bodies: NUL, DEL, C1 and lone surrogates in every free-text field of the order routes are 400", async () => {
    const buyer = await newBuyer();
    const { variantId } = await product(seller, { price: 500 });
    await putLine(buyer, variantId, 10);
    const bad = ["a\u0000b", "a\u007fb", "a\u0085b", "a\ud800b", "a\udc00", "\u2028"];
    for (const value of bad) {
      for (const body of [
        { paymentTerms: "net30", poNumber: value, shippingAddress: address() },
        { paymentTerms: "net30", notes: value, shippingAddress: address() },
        { paymentTerms: "net30", shippingAddress: { ...address(), line2: value } },
        { paymentTerms: "net30", shippingAddress: { ...address(), [`x${value}`]: "y" } },
      ]) {
        const res = await api(`/v1/orgs/${buyer.orgId}/checkout`, {
          token: buyer.owner.token,
          body,
          headers: { "idempotency-key": crypto.randomUUID(), "if-match": '"x"' },
        });
        expect(res.status, JSON.stringify(body)).toBeLessThan(500);
      }
    }
  });

  it("a User-Agent with control characters is stored and listed without a 500", async () => {
    const user = await logIn({
      email: seller.owner.email,
      password: seller.owner.password,
      ip: seller.owner.ip,
    });
    const res = await exports.default.fetch("http://api.test/v1/auth/login", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "user-agent": "ua\u0001\u007f\u0085\u00ff",
        "cf-connecting-ip": user.ip,
      },
      body: JSON.stringify({ email: user.email, password: user.password }),
    });
    expect(res.status).toBe(200);
    const sessions = await api("/v1/me/sessions", { token: user.token });
    expect(sessions.status).toBe(200);
  });
});

function address() {
  return { name: "Goods In", line1: "Dock 4", city: "Hamburg", postalCode: "20457", country: "DE" };
}

describe("money bounds", () => {
  it("refuses tiers whose min quantity × price passes 2^53 − 1, and cart quantities past the line maximum", async () => {
    const listing = await api(`/v1/orgs/${seller.orgId}/listings`, {
      token: seller.owner.token,
      body: {
        title: "Expensive thing",
        description: "x",
        category: "fasteners",
        currency: "EUR",
        priceTiers: [{ minQuantity: 1_000_000, unitPriceMinor: 10_000_000_000 }],
        minOrderQuantity: 1_000_000,
        orderIncrement: 1,
        leadTimeDays: 1,
        attributes: { material: "stainless-steel", thread: "M8", length_mm: 40 },
        variants: [{ sku: "EXP-1", attributes: {}, stock: 10 }],
      },
    });
    expect(listing.status).toBe(400);
    const buyer = await newBuyer();
    const { variantId } = await product(seller, {
      price: 10_000_000_000,
      moq: 1,
      increment: 1,
      stock: 1_000_000_000,
    });
    for (const quantity of [10_000_001, 1e15, 2 ** 53, -1, 0.5]) {
      expect((await putLine(buyer, variantId, quantity)).status, String(quantity)).toBe(400);
    }
    // 10^7 × 9·10^9 (the tier from 10 units) > 2^53 − 1: the cart refuses it (422), never a 500 or an
    // inexact figure.
    expect((await putLine(buyer, variantId, 10_000_000)).status).toBe(422);
    const fits = await putLine(buyer, variantId, 900);
    expect(fits.status).toBe(200);
    expect((await json<{ totalMinor: number }>(fits)).totalMinor).toBe(900 * 9_000_000_000);
  });
});

describe("headers", () => {
  it("no-store on every personal response (bearer, cookie, API key, errors, login), public stays public", async () => {
    const user = await logIn({
      email: seller.owner.email,
      password: seller.owner.password,
      ip: seller.owner.ip,
    });
    expect(user.res.headers.get("cache-control")).toBe("no-store");
    for (const res of [
      await api("/v1/me", { token: user.token }),
      await api("/v1/me", { cookie: user.cookie }),
      await api("/v1/me", { token: "ses_forged.forged" }),
      await api("/v1/me", { headers: { authorization: "Basic Zm9vOmJhcg==" } }),
      await api(`/v1/orgs/${seller.orgId}/listings`, { token: user.token }),
      await api(`/v1/orgs/${crypto.randomUUID()}/cart`, { token: user.token }),
      await api(`/v1/orgs/${seller.orgId}/members`, { token: user.token, method: "HEAD" }),
    ]) {
      expect(res.headers.get("cache-control"), res.url).toBe("no-store");
    }
    const search = await api("/v1/listings?q=bolt", { cookie: user.cookie });
    expect(search.headers.get("cache-control")).toMatch(/^public/);
  });

  it("/docs in every spelling the Worker serves carries the CSP and frame protection", async () => {
    for (const path of ["/docs", "/docs/", "/docs/index.html", "/docs/init.js"]) {
      const res = await exports.default.fetch(`http://api.test${path}`);
      if (res.status >= 300 && res.status < 400) continue;
      expect(res.headers.get("content-security-policy"), path).toContain("frame-ancestors 'none'");
      expect(res.headers.get("x-content-type-options"), path).toBe("nosniff");
      await res.body?.cancel();
    }
    const head = await exports.default.fetch("http://api.test/docs", { method: "HEAD" });
    expect(head.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
  });
});

describe("rate-limit keys", () => {
  it("one key per IPv4 address, per IPv6 /64 in every spelling, IPv4-mapped as IPv4", () => {
    expect(rateLimitKey("2001:db8:1:2::7")).toBe(rateLimitKey("2001:0DB8:0001:0002:ffff:ffff:ffff:ffff"));
    expect(rateLimitKey("[2001:db8:1:2::7]")).toBe(rateLimitKey("2001:db8:1:2:0:0:0:1%eth0"));
    expect(rateLimitKey("2001:db8:1:2::7")).not.toBe(rateLimitKey("2001:db8:1:3::7"));
    expect(rateLimitKey("::ffff:192.0.2.1")).toBe("192.0.2.1");
    expect(rateLimitKey("::FFFF:c000:0201")).toBe("192.0.2.1");
    expect(rateLimitKey("0:0:0:0:0:ffff:192.0.2.1")).toBe("192.0.2.1");
    expect(rateLimitKey("192.000.002.001")).toBe("192.0.2.1");
    expect(rateLimitKey(" 192.0.2.1 ")).toBe("192.0.2.1");
    for (const junk of [
      "",
      "unknown",
      "1.2.3.256",
      "1:2:3:4:5:6:7:8:9",
      "::ffff:1.2.3.999",
      "1::2::3",
      "g::1",
    ]) {
      expect(rateLimitKey(junk), junk).toBeUndefined();
    }
  });
});

describe("verified uploads", () => {
  async function upload() {
    const start = await api(`/v1/orgs/${seller.orgId}/uploads`, {
      token: seller.owner.token,
      body: { purpose: "image", contentType: "image/png", contentLength: PNG.length, filename: "a.png" },
    });
    expect(start.status).toBe(201);
    const { uploadId } = await json<{ uploadId: string }>(start);
    const key = `orgs/${seller.orgId}/images/${uploadId}`;
    await env.FILES.put(key, PNG, { httpMetadata: { contentType: "image/png" } });
    return { uploadId, key };
  }
  const complete = (uploadId: string) =>
    api(`/v1/orgs/${seller.orgId}/uploads/${uploadId}/complete`, {
      method: "POST",
      token: seller.owner.token,
    });

  it("concurrent completes: one outcome, one verified copy, upload key gone, nothing else left in R2", async () => {
    const { uploadId, key } = await upload();
    const results = await Promise.all([complete(uploadId), complete(uploadId), complete(uploadId)]);
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toContain(200);
    for (const s of statuses) expect([200, 409]).toContain(s);
    const listed = await env.FILES.list({ prefix: `verified/${seller.orgId}/images/${uploadId}/` });
    expect(listed.objects).toHaveLength(1);
    expect(await env.FILES.head(key)).toBeNull();
    const served = await api(`/v1/files/${uploadId}`);
    expect(new Uint8Array(await served.arrayBuffer())).toEqual(PNG);
    expect(served.headers.get("cross-origin-resource-policy")).toBe("cross-origin");
  });

  it("bytes PUT to the still-valid presigned URL after complete do not stay in R2 forever (the cron cleans them)", async () => {
    // Was: completeUpload() moved files.key to the verified copy and deleted the upload key once; a later
    // PUT (URL valid UPLOAD_URL_TTL_SECONDS) recreated it, and deleteAbandonedUploads() only looked at
    // files rows still 'pending': each completed upload could leave one orphan of up to its size. Now the
    // hourly cron deletes the upload key of completed uploads once their URL has expired (raw_swept_at).
    const { uploadId, key } = await upload();
    expect((await complete(uploadId)).status).toBe(200);
    await env.FILES.put(key, PNG, { httpMetadata: { contentType: "image/png" } });
    const sweptAt = async () =>
      (await one<{ at: string | null }>("select raw_swept_at as at from files where id = $1", [uploadId])).at;
    const cron = (at: number) =>
      worker.scheduled(createScheduledController({ scheduledTime: at, cron: "17 * * * *" }), env);
    // While the URL may still be valid (any TTL up to the hour the configuration allows) the key is kept:
    // sweeping it then would let the next PUT leave an orphan again.
    await cron(Date.now());
    expect(await sweptAt()).toBeNull();
    expect(await env.FILES.head(key)).not.toBeNull();
    // Two hours on, every presigned PUT has expired: the cron deletes the key, once.
    await cron(Date.now() + 2 * 3_600_000);
    expect(await env.FILES.head(key)).toBeNull();
    expect(await sweptAt()).not.toBeNull();
    // The verified copy is untouched and still served.
    const served = await api(`/v1/files/${uploadId}`);
    expect(served.status).toBe(200);
    expect(new Uint8Array(await served.arrayBuffer())).toEqual(PNG);
  });

  it("an upload addressed with the org id in capitals is stored under the org's one canonical key prefix", async () => {
    const start = await api(`/v1/orgs/${seller.orgId.toUpperCase()}/uploads`, {
      token: seller.owner.token,
      body: { purpose: "image", contentType: "image/png", contentLength: PNG.length, filename: "a.png" },
    });
    expect(start.status).toBe(201);
    const { uploadId, url } = await json<{ uploadId: string; url: string }>(start);
    expect(new URL(url).pathname).toContain(`/orgs/${seller.orgId}/images/${uploadId}`);
  });

  it("a warm image costs no round trip and answers 304 with CORP cross-origin", async () => {
    const { uploadId } = await upload();
    expect((await complete(uploadId)).status).toBe(200);
    const cold = await api(`/v1/files/${uploadId}`);
    await cold.body?.cancel();
    const etag = cold.headers.get("etag") ?? "";
    const again = await api(`/v1/files/${uploadId}`, { headers: { "if-none-match": etag } });
    expect(again.status).toBe(304);
    expect(again.headers.get("cross-origin-resource-policy")).toBe("cross-origin");
    expect(roundTrips(again)).toBeLessThanOrEqual(1);
  });
});
