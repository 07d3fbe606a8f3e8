/**
 * The typed client a TypeScript consumer gets from `hc<AppType>` (hono/client), one call per resource,
 * through the real Worker entry. `npm run typecheck` covers this file: a field renamed or retyped in a
 * response schema breaks the build here, not in a consumer's code.
 */
import { exports } from "cloudflare:workers";
import { hc } from "hono/client";
import { describe, expect, it } from "vitest";
import type { AppType } from "../src/app.ts";
import { newBuyer, newSeller, placeOrder } from "./support/orders.ts";

function client(token?: string) {
  return hc<AppType>("http://api.test", {
    fetch: (input: RequestInfo | URL, init?: RequestInit) => exports.default.fetch(input, init),
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
}

describe("the typed client (hc<AppType>)", () => {
  it("reads health, categories and search anonymously, typed", async () => {
    const api = client();
    const health = await api.health.$get();
    expect(health.status).toBe(200);
    if (health.status === 200) expect((await health.json()).status).toBe("ok");

    const categories = await api.v1.categories.$get();
    if (categories.status !== 200) throw new Error(`categories: ${categories.status}`);
    const tree = (await categories.json()).categories;
    expect(tree.length).toBeGreaterThan(0);
    const first: string | undefined = tree[0]?.slug;
    expect(typeof first).toBe("string");

    const search = await api.v1.listings.$get({ query: { q: "bolt", limit: "5" } });
    if (search.status !== 200) throw new Error(`search: ${search.status}`);
    const result = await search.json();
    const total: number = result.total;
    expect(total).toBeGreaterThanOrEqual(0);
  });

  it("walks me, orgs, cart, orders, groups, invoices and spending limits with a bearer session", async () => {
    const buyer = await newBuyer();
    const seller = await newSeller();
    const { group, order } = await placeOrder(buyer, seller);
    const api = client(buyer.owner.token);

    const me = await api.v1.me.$get();
    if (me.status !== 200) throw new Error(`me: ${me.status}`);
    const email: string = (await me.json()).email;
    expect(email).toBe(buyer.owner.email);

    const members = await api.v1.orgs[":orgId"].members.$get({ param: { orgId: buyer.orgId } });
    if (members.status !== 200) throw new Error(`members: ${members.status}`);
    expect((await members.json()).members.map((m) => m.role)).toContain("owner");

    const cart = await api.v1.orgs[":orgId"].cart.$get({ param: { orgId: buyer.orgId } });
    if (cart.status !== 200) throw new Error(`cart: ${cart.status}`);
    const totalMinor: number = (await cart.json()).totalMinor;
    expect(totalMinor).toBe(0);

    const orders = await api.v1.orgs[":orgId"].orders.$get({
      param: { orgId: buyer.orgId },
      query: { side: "buyer" },
    });
    if (orders.status !== 200) throw new Error(`orders: ${orders.status}`);
    const page = await orders.json();
    const first = page.items[0];
    expect(first?.id).toBe(order.id);
    expect(first?.lines[0]?.lineTotalMinor).toBe(order.lines[0]?.lineTotalMinor);
    expect(first?.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

    const one = await api.v1.orgs[":orgId"].orders[":orderId"].$get({
      param: { orgId: buyer.orgId, orderId: order.id },
    });
    if (one.status !== 200) throw new Error(`order: ${one.status}`);
    const detail = await one.json();
    expect(detail.status).toBe("placed");
    // A new order has no transitions yet: the first is the seller's accept or reject.
    const history: { action: string; at: string }[] = detail.transitions;
    expect(history).toEqual([]);

    const groupRes = await api.v1.orgs[":orgId"]["order-groups"][":groupId"].$get({
      param: { orgId: buyer.orgId, groupId: group.id },
    });
    if (groupRes.status !== 200) throw new Error(`group: ${groupRes.status}`);
    const groupBody = await groupRes.json();
    expect(groupBody.shippingAddress.country).toBe("DE");
    expect(groupBody.orders).toHaveLength(1);

    const invoices = await api.v1.orgs[":orgId"].invoices.$get({
      param: { orgId: buyer.orgId },
      query: { side: "buyer" },
    });
    if (invoices.status !== 200) throw new Error(`invoices: ${invoices.status}`);
    expect((await invoices.json()).items).toEqual([]);

    const limits = await api.v1.orgs[":orgId"]["spending-limits"]["api-keys"].$get({
      param: { orgId: buyer.orgId },
    });
    if (limits.status !== 200) throw new Error(`limits: ${limits.status}`);
    expect((await limits.json()).limits).toEqual([]);
  });

  it("lists the seller's own listings and API keys", async () => {
    const seller = await newSeller();
    const api = client(seller.owner.token);
    const listings = await api.v1.orgs[":orgId"].listings.$get({ param: { orgId: seller.orgId }, query: {} });
    if (listings.status !== 200) throw new Error(`listings: ${listings.status}`);
    const items = (await listings.json()).items;
    expect(items).toEqual([]);

    const keys = await api.v1.orgs[":orgId"]["api-keys"].$get({ param: { orgId: seller.orgId } });
    if (keys.status !== 200) throw new Error(`api keys: ${keys.status}`);
    expect((await keys.json()).apiKeys).toEqual([]);
  });
});
