import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { problem, roundTrips } from "../support/app.ts";
import { sql } from "../support/db.ts";
import { addMember, api, json, type TestUser } from "../support/identity.ts";
import {
  type Buyer,
  cartEtag,
  checkout,
  checkoutBody,
  type GroupBody,
  type LimitBody,
  limitedPurchaser,
  newBuyer,
  newSeller,
  product,
  putLine,
  setMemberLimits,
} from "../support/orders.ts";

type Seller = Awaited<ReturnType<typeof newSeller>>;

/** Puts one unit of a new product priced `totalMinor` in the cart and checks out as `token`'s holder. */
async function buy(buyer: Buyer, seller: Seller, token: string, totalMinor: number, currency = "EUR") {
  const { variantId } = await product(seller, { price: totalMinor, currency, moq: 1, increment: 1 });
  const put = await putLine(buyer, variantId, 1, token);
  if (put.status !== 200) throw new Error(`putLine: ${put.status} ${await put.text()}`);
  const res = await checkout(buyer, checkoutBody, crypto.randomUUID(), token);
  if (res.status !== 201) throw new Error(`checkout: ${res.status} ${await res.text()}`);
  return json<GroupBody>(res);
}

async function apiKey(buyer: Buyer) {
  const res = await api(`/v1/orgs/${buyer.orgId}/api-keys`, {
    token: buyer.owner.token,
    body: { name: "ERP", scopes: ["orders:read", "orders:write"] },
  });
  if (res.status !== 201) throw new Error(`api key: ${res.status} ${await res.text()}`);
  return (await json<{ key: string }>(res)).key;
}

const setApiKeyLimits = (buyer: Buyer, limits: LimitBody[], token = buyer.owner.token) =>
  api(`/v1/orgs/${buyer.orgId}/spending-limits/api-keys`, { method: "PUT", token, body: { limits } });

const decide = (buyer: Buyer, groupId: string, decision: "approve" | "decline", token: string) =>
  api(`/v1/orgs/${buyer.orgId}/order-groups/${groupId}/${decision}`, { method: "POST", token });

describe("spending limits fail closed", () => {
  it("holds a checkout in a currency the member has no limit for", async () => {
    const buyer = await newBuyer();
    const purchaser = await limitedPurchaser(buyer, 5_000);
    const seller = await newSeller();
    const group = await buy(buyer, seller, purchaser.token, 1_000_000, "USD");
    expect(group).toMatchObject({ currency: "USD", status: "pending_approval" });
    // A limit in that currency, too, makes it a matter of amounts again.
    const both = await setMemberLimits(buyer, purchaser.id, [
      { currency: "EUR", perOrderMinor: 5_000 },
      { currency: "USD", perOrderMinor: 2_000_000 },
    ]);
    expect(await json(both)).toEqual({
      userId: purchaser.id,
      limits: [
        { currency: "EUR", perOrderMinor: 5_000, perMonthMinor: null },
        { currency: "USD", perOrderMinor: 2_000_000, perMonthMinor: null },
      ],
    });
    expect((await buy(buyer, seller, purchaser.token, 1_000_000, "USD")).status).toBe("placed");
    expect((await buy(buyer, seller, purchaser.token, 6_000, "EUR")).status).toBe("pending_approval");
  });

  it("holds an API key's checkout unless the owner set an API-key limit it fits", async () => {
    const buyer = await newBuyer();
    const approver = await addMember(buyer.owner, buyer.orgId, "approver");
    const key = await apiKey(buyer);
    const seller = await newSeller();
    const unlimited = await buy(buyer, seller, key, 5_000);
    expect(unlimited.status).toBe("pending_approval");
    // The key placed it: any approver but the key's creator (here the owner) may decide it.
    expect((await decide(buyer, unlimited.id, "approve", approver.token)).status).toBe(200);

    const set = await setApiKeyLimits(buyer, [
      { currency: "EUR", perOrderMinor: 10_000, perMonthMinor: 20_000 },
    ]);
    expect(set.status).toBe(200);
    expect(roundTrips(set)).toBe(1);
    expect((await buy(buyer, seller, key, 10_000)).status).toBe("placed");
    expect((await buy(buyer, seller, key, 10_001)).status).toBe("pending_approval");
    // The month so far: 5,000 approved + 10,000 placed + 10,001 pending, all by API keys.
    expect((await buy(buyer, seller, key, 100)).status).toBe("pending_approval");
    expect((await buy(buyer, seller, key, 100, "USD")).status).toBe("pending_approval");
    // Members' own checkouts are not counted against the keys' limits.
    expect((await buy(buyer, seller, buyer.owner.token, 50_000)).status).toBe("placed");
    const read = await api(`/v1/orgs/${buyer.orgId}/spending-limits/api-keys`, { token: buyer.owner.token });
    expect(await json(read)).toEqual({
      limits: [{ currency: "EUR", perOrderMinor: 10_000, perMonthMinor: 20_000 }],
    });
  });

  it("lets only owners set the API-key limits (an admin can create keys)", async () => {
    const buyer = await newBuyer();
    const admin = await addMember(buyer.owner, buyer.orgId, "admin");
    const key = await apiKey(buyer);
    const limits = [{ currency: "EUR", perOrderMinor: 1_000_000 }];
    expect((await setApiKeyLimits(buyer, limits, admin.token)).status).toBe(403);
    expect((await setApiKeyLimits(buyer, limits, key)).status).toBe(403);
    expect((await setApiKeyLimits(buyer, limits, (await newBuyer("Other")).owner.token)).status).toBe(404);
    expect(
      (await api(`/v1/orgs/${buyer.orgId}/spending-limits/api-keys`, { token: admin.token })).status,
    ).toBe(200);
  });

  it("refuses the API-key limits to an owner held to a spending limit of their own (403)", async () => {
    const buyer = await newBuyer();
    const limited = await addMember(buyer.owner, buyer.orgId, "owner");
    expect(
      (await setMemberLimits(buyer, limited.id, [{ currency: "EUR", perOrderMinor: 1_000 }])).status,
    ).toBe(200);
    const loose = [{ currency: "EUR", perOrderMinor: 1_000_000 }];
    const refused = await setApiKeyLimits(buyer, loose, limited.token);
    expect(refused.status).toBe(403);
    expect((await problem(refused)).detail).toContain("spending limit of their own");
    const read = await api(`/v1/orgs/${buyer.orgId}/spending-limits/api-keys`, { token: buyer.owner.token });
    expect(await json(read)).toEqual({ limits: [] });
    // An owner without limits may; and once the limited owner's limit is lifted, so may they.
    expect((await setApiKeyLimits(buyer, loose)).status).toBe(200);
    expect((await setMemberLimits(buyer, limited.id, [])).status).toBe(200);
    expect((await setApiKeyLimits(buyer, loose, limited.token)).status).toBe(200);
  });

  it("refuses anyone setting their own limits, even owners and admins (403), and leaves them as they were", async () => {
    const buyer = await newBuyer();
    const admin = await limitedPurchaser(buyer, 5_000, "admin");
    const own = await setMemberLimits(buyer, admin.id, [], admin.token);
    expect(own.status).toBe(403);
    expect((await problem(own)).detail).toContain("own spending limits");
    const raise = await setMemberLimits(
      buyer,
      admin.id,
      [{ currency: "EUR", perOrderMinor: 9e15 }],
      admin.token,
    );
    expect(raise.status).toBe(403);
    expect(
      (await setMemberLimits(buyer, buyer.owner.id, [{ currency: "EUR", perOrderMinor: 1 }])).status,
    ).toBe(403);
    const mine = await api(`/v1/orgs/${buyer.orgId}/members/${admin.id}/spending-limits`, {
      token: admin.token,
    });
    expect(await json(mine)).toEqual({
      userId: admin.id,
      limits: [{ currency: "EUR", perOrderMinor: 5_000, perMonthMinor: null }],
    });
    // The owner may change the admin's limits; the admin may set a buyer's.
    expect((await setMemberLimits(buyer, admin.id, [])).status).toBe(200);
    const purchaser = await addMember(buyer.owner, buyer.orgId, "buyer");
    expect(
      (await setMemberLimits(buyer, purchaser.id, [{ currency: "EUR", perMonthMinor: 100 }], admin.token))
        .status,
    ).toBe(200);
  });

  it("shows a member's limits to owners, admins and the member only", async () => {
    const buyer = await newBuyer();
    const purchaser = await limitedPurchaser(buyer, 5_000);
    const colleague = await addMember(buyer.owner, buyer.orgId, "buyer");
    const path = `/v1/orgs/${buyer.orgId}/members/${purchaser.id}/spending-limits`;
    expect((await api(path, { token: purchaser.token })).status).toBe(200);
    expect((await api(path, { token: buyer.owner.token })).status).toBe(200);
    expect((await api(path, { token: colleague.token })).status).toBe(403);
    expect((await api(path, { token: (await newBuyer("Other")).owner.token })).status).toBe(404);
    const unknown = `/v1/orgs/${buyer.orgId}/members/${crypto.randomUUID()}/spending-limits`;
    expect((await api(unknown, { token: buyer.owner.token })).status).toBe(404);
    expect((await setMemberLimits(buyer, crypto.randomUUID(), [])).status).toBe(404);
  });

  it.each([
    [
      "two limits in one currency",
      [
        { currency: "EUR", perOrderMinor: 1 },
        { currency: "EUR", perMonthMinor: 2 },
      ],
    ],
    ["a limit without amounts", [{ currency: "EUR" }]],
    ["an amount past 2^53 − 1", [{ currency: "EUR", perOrderMinor: 2 ** 53 }]],
    ["a negative amount", [{ currency: "EUR", perMonthMinor: -1 }]],
    ["a lower-case currency", [{ currency: "eur", perOrderMinor: 1 }]],
  ])("answers %s with 400", async (_, limits) => {
    const buyer = await newBuyer();
    const res = await setMemberLimits(buyer, crypto.randomUUID(), limits as LimitBody[]);
    expect(res.status).toBe(400);
    expect((await problem(res)).errors?.length).toBeGreaterThan(0);
  });
});

describe("monthly limits", () => {
  it("counts the member's placed and pending checkouts of this calendar month (UTC) in the currency", async () => {
    const buyer = await newBuyer();
    const approver = await addMember(buyer.owner, buyer.orgId, "approver");
    const purchaser = await addMember(buyer.owner, buyer.orgId, "buyer");
    expect(
      (await setMemberLimits(buyer, purchaser.id, [{ currency: "EUR", perMonthMinor: 5_000 }])).status,
    ).toBe(200);
    const seller = await newSeller();
    // Three orders of 40 against a month of 50: only the first fits.
    const first = await buy(buyer, seller, purchaser.token, 4_000);
    const second = await buy(buyer, seller, purchaser.token, 4_000);
    const third = await buy(buyer, seller, purchaser.token, 4_000);
    expect([first.status, second.status, third.status]).toEqual([
      "placed",
      "pending_approval",
      "pending_approval",
    ]);
    // Pending checkouts count until they are declined; declined ones free the month again.
    expect((await buy(buyer, seller, purchaser.token, 1_000)).status).toBe("pending_approval");
    const pending = await sql().query(
      "select id from order_groups where buyer_org_id = $1 and status = 'pending_approval'",
      [buyer.orgId],
    );
    for (const { id } of pending as { id: string }[]) {
      expect((await decide(buyer, id, "decline", approver.token)).status).toBe(200);
    }
    expect((await buy(buyer, seller, purchaser.token, 1_000)).status).toBe("placed");
    expect((await buy(buyer, seller, purchaser.token, 100)).status).toBe("pending_approval");
    // Last month's orders do not count this month.
    await sql().query(
      `update order_groups set created_at = date_trunc('month', now() at time zone 'UTC') at time zone 'UTC' - interval '1 second'
       where buyer_org_id = $1`,
      [buyer.orgId],
    );
    expect((await buy(buyer, seller, purchaser.token, 5_000)).status).toBe("placed");
  });

  it.skipIf(env.DATABASE_KIND !== "postgres")(
    "never lets concurrent checkouts of one member together pass the monthly limit",
    async () => {
      const buyer = await newBuyer();
      const purchasers: TestUser[] = [];
      for (const role of ["buyer", "admin"]) purchasers.push(await addMember(buyer.owner, buyer.orgId, role));
      for (const member of purchasers) {
        const res = await setMemberLimits(buyer, member.id, [{ currency: "EUR", perMonthMinor: 5_000 }]);
        expect(res.status).toBe(200);
      }
      const seller = await newSeller();
      const { variantId } = await product(seller, { price: 400, stock: 1_000 });
      for (let round = 0; round < 3; round++) {
        const member = purchasers[round % purchasers.length] as TestUser;
        await putLine(buyer, variantId, 10, member.token);
        const etag = await cartEtag(buyer);
        const results = await Promise.all(
          [0, 1, 2].map(() => checkout(buyer, checkoutBody, crypto.randomUUID(), member.token, etag)),
        );
        const placed = results.filter((r) => r.status === 201);
        expect(placed).toHaveLength(1);
        // The others find the cart changed (412) or, arriving after, empty (422).
        for (const r of results) expect([201, 412, 422]).toContain(r.status);
      }
      // Per member: at most 5,000 placed this month; the rest waits for approval.
      const spent = await sql().query(
        `select placed_by, status, sum(total_minor)::int as total from order_groups where buyer_org_id = $1
         group by placed_by, status order by placed_by, status`,
        [buyer.orgId],
      );
      for (const row of spent as { status: string; total: number }[]) {
        if (row.status === "placed") expect(row.total).toBeLessThanOrEqual(5_000);
      }
    },
  );
});
