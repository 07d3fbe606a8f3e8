/** The endpoints the benchmark loads. Later issues add theirs (with any setup they need). */
import type pg from "pg";
import { fillCarts } from "./carts.ts";
import { arrangeNegotiations, arrangeThreads } from "./negotiation.ts";

export interface BenchRequest {
  path: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Varies each request (e.g. a fresh client IP, email or listing), applied by autocannon per request. */
  vary?: (request: { path: string; headers: Record<string, string>; body?: string }) => void;
}

export interface BenchContext {
  baseUrl: string;
  /** Direct access to the benchmark database, for arranging data. */
  db: pg.Client;
}

export interface BenchEndpoint {
  name: string;
  /** Reads run at the read concurrency, writes at the (lower) write concurrency. Default read. */
  kind?: "read" | "write";
  /** Creates whatever data the request needs and returns the request to repeat. */
  prepare(ctx: BenchContext): Promise<BenchRequest>;
}

const json = { "content-type": "application/json" };
const PASSWORD = "bench passphrase 2026";
/** A fresh client address per request, so the per-IP login limit does not throttle the benchmark. */
const randomIp = () => {
  const octet = () => 1 + Math.floor(Math.random() * 250);
  return `10.${octet()}.${octet()}.${octet()}`;
};

async function post(baseUrl: string, path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${baseUrl}${path}`, {
    method: "POST",
    headers: { ...json, "cf-connecting-ip": randomIp(), ...headers },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`bench setup ${path}: ${res.status} ${await res.text()}`);
  return res.json() as Promise<Record<string, unknown>>;
}

/** A user with an organisation, made once per benchmark run. */
let account: Promise<{ email: string; token: string; orgId: string }> | undefined;
function benchAccount(
  baseUrl: string,
  db: pg.Client,
): Promise<{ email: string; token: string; orgId: string }> {
  account ??= (async () => {
    const email = `bench.${Date.now()}@bench.example`;
    await post(baseUrl, "/v1/auth/signup", { email, password: PASSWORD, name: "Bench" });
    // Sign-up signs nobody in and the address waits for its emailed link: the arrangement verifies it in the
    // database (checkout and API keys need a verified address) and signs in.
    await db.query("update users set email_verified_at = now() where email_normalized = $1", [email]);
    const login = await post(baseUrl, "/v1/auth/login", { email, password: PASSWORD });
    const token = (login.session as { token: string }).token;
    const org = await post(
      baseUrl,
      "/v1/orgs",
      { name: "Bench Org", kind: "both" },
      { authorization: `Bearer ${token}` },
    );
    return { email, token, orgId: org.id as string };
  })();
  return account;
}

/**
 * Checkout of a filled cart, one buyer organisation per request. "hot": every cart holds the same two
 * variants, so checkouts queue on their row locks (the hot-product worst case). "spread": every cart holds
 * two variants of its own from two sellers, so nothing is contended and the figure is the batch's own cost.
 */
function checkoutEndpoint(name: string, shape: "hot" | "spread"): BenchEndpoint {
  return {
    name,
    kind: "write",
    prepare: async ({ baseUrl, db }) => {
      const { token, email } = await benchAccount(baseUrl, db);
      const orgCount = 3000;
      const { rows } = await db.query<{ id: string }>("select id from users where email_normalized = $1", [
        email,
      ]);
      const orgIds = await fillCarts(db, rows[0]?.id ?? "", orgCount, shape);
      // Checkout names the cart version the buyer saw (If-Match): read each cart's ETag first.
      const etags = new Map<string, string>();
      for (let i = 0; i < orgIds.length; i += 16) {
        await Promise.all(
          orgIds.slice(i, i + 16).map(async (orgId) => {
            const cart = await fetch(`${baseUrl}/v1/orgs/${orgId}/cart`, {
              headers: { authorization: `Bearer ${token}`, "cf-connecting-ip": randomIp() },
            });
            if (!cart.ok) throw new Error(`bench setup cart: ${cart.status} ${await cart.text()}`);
            // A build without cart versions (before they existed) checks out without If-Match.
            etags.set(orgId, cart.headers.get("etag") ?? "");
          }),
        );
      }
      let next = 0;
      const path = (orgId: string | undefined) => `/v1/orgs/${orgId}/checkout`;
      const first = orgIds[next++];
      return {
        path: path(first),
        method: "POST",
        headers: {
          ...json,
          authorization: `Bearer ${token}`,
          "idempotency-key": crypto.randomUUID(),
          ...(etags.get(first ?? "") ? { "if-match": etags.get(first ?? "") ?? "" } : {}),
        },
        body: JSON.stringify({
          paymentTerms: "net30",
          shippingAddress: {
            name: "Bench",
            line1: "1 Bench St",
            city: "Berlin",
            postalCode: "10115",
            country: "DE",
          },
        }),
        vary: (request) => {
          const orgId = orgIds[next++ % orgIds.length];
          request.path = path(orgId);
          request.headers["idempotency-key"] = crypto.randomUUID();
          const etag = etags.get(orgId ?? "");
          if (etag) request.headers["if-match"] = etag;
        },
      };
    },
  };
}

/**
 * The bench account's organisation as a seller: it takes over 200 published EUR listings of the generated
 * catalogue (whose organisation ids the seed derives, and which are not RFC 4122 ids the API accepts).
 */
async function benchSeller(baseUrl: string, db: pg.Client) {
  const { token, email, orgId } = await benchAccount(baseUrl, db);
  const { rows } = await db.query<{ user_id: string; variant_id: string }>(
    `with moved as (update listings set org_id = $2 where id in (select id from listings
         where status = 'published' and currency = 'EUR' and org_id <> $2 order by id desc limit 200)
         and not exists (select 1 from listings where org_id = $2 and status = 'published' and currency = 'EUR')
         returning id)
     select (select id from users where email_normalized = $1) as user_id,
       coalesce((select v.id from listing_variants v where v.listing_id in (select id from moved) order by v.id limit 1),
         (select v.id from listing_variants v join listings l on l.id = v.listing_id
          where l.org_id = $2 and l.status = 'published' and l.currency = 'EUR' order by v.id limit 1)) as variant_id`,
    [email, orgId],
  );
  const row = rows[0];
  if (!row?.variant_id) throw new Error("bench setup: no published EUR listing for the bench seller");
  return { token, sellerOrgId: orgId, userId: row.user_id, variantId: row.variant_id };
}

const quoteBody = (variantId: string) =>
  JSON.stringify({
    lines: [
      { variantId, quantity: 100, unitPriceMinor: 450 },
      { title: "Pallet", quantity: 1, unitPriceMinor: 2500 },
    ],
    validUntil: new Date(Date.now() + 20 * 86_400_000).toISOString(),
    leadTimeDays: 7,
    paymentTerms: "net30",
  });

export const benchEndpoints: BenchEndpoint[] = [
  { name: "GET /health", prepare: async () => ({ path: "/health" }) },
  { name: "GET /ready", prepare: async () => ({ path: "/ready" }) },
  {
    name: "GET /v1/me",
    prepare: async ({ baseUrl, db }) => {
      const { token } = await benchAccount(baseUrl, db);
      return { path: "/v1/me", headers: { authorization: `Bearer ${token}` } };
    },
  },
  {
    name: "GET /v1/orgs/{id}",
    prepare: async ({ baseUrl, db }) => {
      const { token, orgId } = await benchAccount(baseUrl, db);
      return { path: `/v1/orgs/${orgId}`, headers: { authorization: `Bearer ${token}` } };
    },
  },
  {
    name: "PATCH /v1/orgs/{id}",
    kind: "write",
    prepare: async ({ baseUrl, db }) => {
      const { token, orgId } = await benchAccount(baseUrl, db);
      return {
        path: `/v1/orgs/${orgId}`,
        method: "PATCH",
        headers: { ...json, authorization: `Bearer ${token}` },
        body: JSON.stringify({ website: "https://bench.example" }),
      };
    },
  },
  {
    name: "GET /v1/listings (text + filters + facets)",
    prepare: async () => ({
      path: "/v1/listings?q=stainless&category=industrial-supplies&maxPrice=50000&limit=20",
    }),
  },
  {
    name: "GET /v1/listings (category browse, newest)",
    prepare: async () => ({ path: "/v1/listings?category=packaging&limit=20" }),
  },
  {
    name: "GET /v1/listings/{id} (edge cache warm)",
    prepare: async ({ db }) => {
      const { rows } = await db.query<{ id: string }>(
        "select id from listings where status = 'published' limit 1",
      );
      return { path: `/v1/listings/${rows[0]?.id}` };
    },
  },
  {
    name: "GET /search page (text + category, anonymous)",
    prepare: async () => ({ path: "/search?q=stainless&category=industrial-supplies" }),
  },
  {
    name: "GET /listings/{id} page (edge cache warm, anonymous)",
    prepare: async ({ db }) => {
      const { rows } = await db.query<{ id: string }>(
        "select id from listings where status = 'published' order by id desc limit 1",
      );
      return { path: `/listings/${rows[0]?.id}` };
    },
  },
  {
    name: "PATCH /v1/orgs/{id}/listings/{id} (If-Match)",
    kind: "write",
    prepare: async ({ baseUrl, db }) => {
      const { token, orgId } = await benchAccount(baseUrl, db);
      // Hands the bench seller a slice of the catalogue at version 1: each request edits the next one.
      const { rows } = await db.query<{ id: string }>(
        `update listings set org_id = $1, version = 1 where id in (
           select id from listings where status = 'published' order by id limit 20000) returning id`,
        [orgId],
      );
      const ids = rows.map((r) => r.id);
      let next = 0;
      const path = (id: string | undefined) => `/v1/orgs/${orgId}/listings/${id}`;
      return {
        path: path(ids[next++]),
        method: "PATCH",
        headers: { ...json, authorization: `Bearer ${token}`, "if-match": '"1"' },
        body: JSON.stringify({ leadTimeDays: 7 }),
        vary: (request) => {
          request.path = path(ids[next++ % ids.length]);
        },
      };
    },
  },
  checkoutEndpoint("POST /v1/orgs/{id}/checkout (2 lines, hot: all buy the same 2 variants)", "hot"),
  checkoutEndpoint("POST /v1/orgs/{id}/checkout (2 lines from 2 sellers, uncontended)", "spread"),
  {
    name: "PUT /v1/orgs/{id}/cart/lines/{variantId}",
    kind: "write",
    prepare: async ({ baseUrl, db }) => {
      const { token, email } = await benchAccount(baseUrl, db);
      // One buyer organisation per 50 requests, each setting lines of its own cart.
      const { rows: orgs } = await db.query<{ org_id: string }>(
        `with buyer as (select id from users where email_normalized = $1),
           made as (insert into organizations (name, kind) select 'Bench Cart ' || n, 'buyer' from generate_series(1, 500) n returning id)
         insert into memberships (org_id, user_id, role) select made.id, buyer.id, 'owner' from made, buyer returning org_id`,
        [email],
      );
      const { rows: variants } = await db.query<{ id: string; moq: number }>(
        `select v.id, l.min_order_quantity as moq from listing_variants v join listings l on l.id = v.listing_id
         where l.status = 'published' and l.currency = 'EUR' order by v.id limit 50`,
      );
      let next = 0;
      const at = (n: number) => {
        const variant = variants[n % variants.length];
        const org = orgs[Math.floor(n / variants.length) % orgs.length];
        return { path: `/v1/orgs/${org?.org_id}/cart/lines/${variant?.id}`, quantity: variant?.moq ?? 1 };
      };
      const first = at(next++);
      return {
        path: first.path,
        method: "PUT",
        headers: { ...json, authorization: `Bearer ${token}` },
        body: JSON.stringify({ quantity: first.quantity }),
        vary: (request) => {
          const line = at(next++);
          request.path = line.path;
          request.body = JSON.stringify({ quantity: line.quantity });
        },
      };
    },
  },
  {
    name: "GET /v1/orgs/{id}/orders (seller side)",
    prepare: async ({ baseUrl, db }) => {
      const { token } = await benchAccount(baseUrl, db);
      const { rows } = await db.query<{ seller: string }>(
        "select seller_org_id as seller from orders group by seller_org_id order by count(*) desc limit 1",
      );
      // The bench user joins the busiest seller to read its incoming orders.
      await db.query(
        `insert into memberships (org_id, user_id, role) select $1, u.id, 'viewer' from users u
         where u.email_normalized like 'bench.%' on conflict do nothing`,
        [rows[0]?.seller],
      );
      return {
        path: `/v1/orgs/${rows[0]?.seller}/orders?side=seller&limit=20`,
        headers: { authorization: `Bearer ${token}` },
      };
    },
  },
  {
    name: "POST /v1/orgs/{id}/rfqs/{id}/quotes (create quote)",
    kind: "write",
    prepare: async ({ baseUrl, db }) => {
      const { token, sellerOrgId, userId, variantId } = await benchSeller(baseUrl, db);
      const { rfqIds } = await arrangeNegotiations(db, { userId, sellerOrgId, count: 3000, quoted: false });
      let next = 0;
      const path = (rfqId: string | undefined) => `/v1/orgs/${sellerOrgId}/rfqs/${rfqId}/quotes`;
      return {
        path: path(rfqIds[next++]),
        method: "POST",
        headers: { ...json, authorization: `Bearer ${token}` },
        body: quoteBody(variantId),
        vary: (request) => {
          request.path = path(rfqIds[next++ % rfqIds.length]);
        },
      };
    },
  },
  {
    name: "POST /v1/orgs/{id}/quotes/{id}/accept (order placed at quoted prices)",
    kind: "write",
    prepare: async ({ baseUrl, db }) => {
      const { token, sellerOrgId, userId } = await benchSeller(baseUrl, db);
      const { rfqIds, quoteIds } = await arrangeNegotiations(db, {
        userId,
        sellerOrgId,
        count: 3000,
        quoted: true,
      });
      const { rows } = await db.query<{ id: string; buyer_org_id: string }>(
        "select id, buyer_org_id from quotes where id = any($1::uuid[])",
        [quoteIds],
      );
      let next = 0;
      const path = (n: number) => {
        const quote = rows[n % rows.length];
        return `/v1/orgs/${quote?.buyer_org_id}/quotes/${quote?.id}/accept`;
      };
      if (rows.length !== rfqIds.length) throw new Error("bench setup: quotes missing");
      return {
        path: path(next++),
        method: "POST",
        headers: { ...json, authorization: `Bearer ${token}`, "idempotency-key": crypto.randomUUID() },
        body: JSON.stringify({
          version: 1,
          shippingAddress: {
            name: "Bench",
            line1: "1 Bench St",
            city: "Berlin",
            postalCode: "10115",
            country: "DE",
          },
        }),
        vary: (request) => {
          request.path = path(next++);
          request.headers["idempotency-key"] = crypto.randomUUID();
        },
      };
    },
  },
  {
    name: "GET /v1/orgs/{id}/threads (seller inbox, unread counts)",
    prepare: async ({ baseUrl, db }) => {
      const { token, sellerOrgId, userId } = await benchSeller(baseUrl, db);
      await arrangeThreads(db, { userId, sellerOrgId, count: 200 });
      return {
        path: `/v1/orgs/${sellerOrgId}/threads?limit=20`,
        headers: { authorization: `Bearer ${token}` },
      };
    },
  },
  {
    name: "POST /v1/orgs/{id}/threads/{id}/messages (post message)",
    kind: "write",
    prepare: async ({ baseUrl, db }) => {
      const { token, sellerOrgId, userId } = await benchSeller(baseUrl, db);
      // Messages are limited per person (30 a minute) and per organisation (500 an hour): each request
      // posts as the API key of another buyer organisation, so the figure is the write's cost, not a 429.
      const threads = await arrangeThreads(db, { userId, sellerOrgId, count: 300 });
      const keys: string[] = [];
      for (const { orgId } of threads) {
        const res = await fetch(`${baseUrl}/v1/orgs/${orgId}/api-keys`, {
          method: "POST",
          headers: { ...json, authorization: `Bearer ${token}`, "cf-connecting-ip": randomIp() },
          body: JSON.stringify({ name: "bench", scopes: ["orders:read", "orders:write"] }),
        });
        if (!res.ok) throw new Error(`bench setup api key: ${res.status} ${await res.text()}`);
        keys.push(((await res.json()) as { key: string }).key);
      }
      let next = 0;
      const at = (n: number) => {
        const i = n % threads.length;
        return {
          path: `/v1/orgs/${threads[i]?.orgId}/threads/${threads[i]?.threadId}/messages`,
          authorization: `Bearer ${keys[i]}`,
        };
      };
      const first = at(next++);
      return {
        path: first.path,
        method: "POST",
        headers: { ...json, authorization: first.authorization },
        body: JSON.stringify({ body: "Confirmed: 5,000 units, delivery in week 11." }),
        vary: (request) => {
          const target = at(next++);
          request.path = target.path;
          request.headers.authorization = target.authorization;
        },
      };
    },
  },
  {
    name: "POST /v1/auth/login",
    kind: "write",
    prepare: async ({ baseUrl, db }) => {
      const { email } = await benchAccount(baseUrl, db);
      return {
        path: "/v1/auth/login",
        method: "POST",
        headers: json,
        body: JSON.stringify({ email, password: PASSWORD }),
        vary: (request) => {
          request.headers["cf-connecting-ip"] = randomIp();
        },
      };
    },
  },
  {
    name: "POST /v1/auth/login (unknown email)",
    kind: "write",
    prepare: async () => ({
      path: "/v1/auth/login",
      method: "POST",
      headers: json,
      body: JSON.stringify({ email: "nobody@bench.example", password: PASSWORD }),
      vary: (request) => {
        request.headers["cf-connecting-ip"] = randomIp();
        request.body = JSON.stringify({
          email: `nobody.${crypto.randomUUID()}@bench.example`,
          password: PASSWORD,
        });
      },
    }),
  },
];
