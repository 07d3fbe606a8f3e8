import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import type { PublicReview, Review, SellerReviewPage } from "../../src/contracts/reviews.ts";
import { call, problem, roundTrips } from "../support/app.ts";
import { newAdmin } from "../support/catalog.ts";
import { one, sql } from "../support/db.ts";
import { api, json, type TestUser } from "../support/identity.ts";
import { type Buyer, newBuyer, newSeller, placeOrder } from "../support/orders.ts";
import { completedOrder } from "../support/reviews.ts";

type Seller = Awaited<ReturnType<typeof newSeller>>;
const DAY = 86_400_000;

const putReview = (orgId: string, orderId: string, token: string | undefined, body: unknown) =>
  api(`/v1/orgs/${orgId}/orders/${orderId}/review`, { method: "PUT", token, body });

const reply = (orgId: string, reviewId: string, token: string, body: unknown) =>
  api(`/v1/orgs/${orgId}/reviews/${reviewId}/reply`, { token, body });

const moderate = (reviewId: string, action: "hide" | "unhide", token: string, body?: unknown) =>
  api(`/v1/admin/reviews/${reviewId}/${action}`, { method: "POST", token, body });

/** Posts a review and returns it (fails the test on anything but 201). */
async function review(buyer: Buyer, orderId: string, rating: number, body = "Good supplier.") {
  const res = await putReview(buyer.orgId, orderId, buyer.owner.token, { rating, body });
  if (res.status !== 201) throw new Error(`review: ${res.status} ${await res.text()}`);
  return json<Review>(res);
}

async function storedRating(sellerId: string) {
  return one<{ rating_sum: string; rating_count: number } | undefined>(
    "select rating_sum, rating_count from seller_ratings where seller_org_id = $1",
    [sellerId],
  );
}

/** The rating the catalogue should show, computed here from the reviews the test posted. */
function expectedRating(ratings: number[]) {
  if (ratings.length === 0) return { average: null, count: 0 };
  const sum = ratings.reduce((a, b) => a + b, 0);
  return { average: Math.round((sum / ratings.length) * 10) / 10, count: ratings.length };
}

async function apiKey(buyer: Buyer) {
  const res = await api(`/v1/orgs/${buyer.orgId}/api-keys`, {
    token: buyer.owner.token,
    body: { name: "ERP", scopes: ["orders:read", "orders:write"] },
  });
  if (res.status !== 201) throw new Error(`api key: ${res.status} ${await res.text()}`);
  return (await json<{ key: string }>(res)).key;
}

describe("reviewing a seller after a completed order", () => {
  it("posts the buyer's review in one round trip (201), then edits it (200), each telling the seller", async () => {
    const buyer = await newBuyer();
    const seller = await newSeller();
    const { order } = await completedOrder(buyer, seller);
    const posted = await putReview(buyer.orgId, order.id, buyer.owner.token, {
      rating: 4,
      body: "  Well packed, one carton dented.\nWould order again.  ",
    });
    expect(posted.status).toBe(201);
    expect(roundTrips(posted)).toBe(1);
    const created = await json<Review>(posted);
    expect(created).toMatchObject({
      orderId: order.id,
      buyerOrgId: buyer.orgId,
      sellerOrgId: seller.orgId,
      rating: 4,
      body: "Well packed, one carton dented.\nWould order again.",
      reply: null,
      hidden: null,
    });
    expect(Date.parse(created.editableUntil) - Date.parse(created.createdAt)).toBe(30 * DAY);

    const edited = await putReview(buyer.orgId, order.id, buyer.owner.token, {
      rating: 5,
      body: "Excellent.",
    });
    expect(edited.status).toBe(200);
    expect(roundTrips(edited)).toBe(1);
    expect(await json(edited)).toMatchObject({ id: created.id, rating: 5, body: "Excellent." });

    const events = await sql().query(
      "select type, org_id, payload from events where entity_id = $1 order by created_at",
      [created.id],
    );
    expect(events).toEqual([
      { type: "review.posted", org_id: seller.orgId, payload: { orderId: order.id, rating: 4 } },
      { type: "review.posted", org_id: seller.orgId, payload: { orderId: order.id, rating: 5 } },
    ]);

    for (const [orgId, token] of [
      [buyer.orgId, buyer.owner.token],
      [seller.orgId, seller.owner.token],
    ] as const) {
      const read = await api(`/v1/orgs/${orgId}/orders/${order.id}/review`, { token });
      expect(read.status).toBe(200);
      expect(roundTrips(read)).toBe(1);
      expect(await json(read)).toMatchObject({ id: created.id, rating: 5 });
    }
  });

  it("refuses an order that is not completed (403: only verified purchases are reviewed)", async () => {
    const buyer = await newBuyer();
    const seller = await newSeller();
    const { order } = await placeOrder(buyer, seller);
    const res = await putReview(buyer.orgId, order.id, buyer.owner.token, { rating: 5, body: "Fast!" });
    expect(res.status).toBe(403);
    const body = await problem(res);
    expect(body.detail).toContain("Only verified purchases may be reviewed");
    expect(body.orderStatus).toBe("placed");
    expect(await one("select count(*)::int as n from reviews where order_id = $1", [order.id])).toEqual({
      n: 0,
    });
  });

  it("answers 404 for another organisation's order, 401 without a session, 403 to the order's own seller", async () => {
    const buyer = await newBuyer();
    const seller = await newSeller();
    const { order } = await completedOrder(buyer, seller);
    const stranger = await newBuyer("Initech Purchasing");
    const body = { rating: 1, body: "Never ordered here." };
    const foreign = await putReview(stranger.orgId, order.id, stranger.owner.token, body);
    expect(foreign.status).toBe(404);
    expect((await problem(foreign)).detail).toBe("Order not found.");
    // The stranger's token on the buyer's organisation: not a member, so the organisation does not exist.
    expect((await putReview(buyer.orgId, order.id, stranger.owner.token, body)).status).toBe(404);
    const anonymous = await putReview(buyer.orgId, order.id, undefined, body);
    expect(anonymous.status).toBe(401);
    await problem(anonymous);
    const own = await putReview(seller.orgId, order.id, seller.owner.token, {
      rating: 5,
      body: "We are great.",
    });
    expect(own.status).toBe(403);
    expect((await problem(own)).detail).toContain("Only the buying organisation reviews an order");
    const read = await api(`/v1/orgs/${stranger.orgId}/orders/${order.id}/review`, {
      token: stranger.owner.token,
    });
    expect(read.status).toBe(404);
    expect(await one("select count(*)::int as n from reviews where order_id = $1", [order.id])).toEqual({
      n: 0,
    });
  });

  it("keeps exactly one review when first PUTs race (the others become edits)", async () => {
    const buyer = await newBuyer();
    const seller = await newSeller();
    const { order } = await completedOrder(buyer, seller);
    const results = await Promise.all(
      [1, 2, 3, 4, 5].map((rating) =>
        putReview(buyer.orgId, order.id, buyer.owner.token, { rating, body: `Rated ${rating}` }),
      ),
    );
    expect(results.map((res) => res.status).sort()).toEqual([200, 200, 200, 200, 201]);
    const rows = await sql().query("select rating from reviews where order_id = $1", [order.id]);
    expect(rows).toHaveLength(1);
    const stored = await storedRating(seller.orgId);
    expect(stored).toEqual({ rating_sum: String(rows[0]?.rating), rating_count: 1 });
  });

  it("may be edited for 30 days after posting, then 409 naming the window", async () => {
    const buyer = await newBuyer();
    const seller = await newSeller();
    const { order } = await completedOrder(buyer, seller);
    // An API key, which no idle timeout ends: the clock below jumps weeks ahead.
    const key = await apiKey(buyer);
    const clock = { now: Date.now() };
    const app = createApp({ now: () => clock.now });
    const send = (rating: number) =>
      call(
        `/v1/orgs/${buyer.orgId}/orders/${order.id}/review`,
        {
          method: "PUT",
          headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
          body: JSON.stringify({ rating, body: `Now ${rating} stars` }),
        },
        { app },
      );
    expect((await send(3)).status).toBe(201);
    clock.now += 29 * DAY;
    expect((await send(4)).status).toBe(200);
    clock.now += 2 * DAY;
    const late = await send(5);
    expect(late.status).toBe(409);
    const body = await problem(late);
    expect(body.detail).toContain("30 days");
    expect(body.editableUntil).toEqual(expect.any(String));
    expect(await one("select rating from reviews where order_id = $1", [order.id])).toEqual({ rating: 4 });
  });

  it("answers 404 when the order has no review yet", async () => {
    const buyer = await newBuyer();
    const seller = await newSeller();
    const { order } = await completedOrder(buyer, seller);
    const res = await api(`/v1/orgs/${buyer.orgId}/orders/${order.id}/review`, { token: buyer.owner.token });
    expect(res.status).toBe(404);
    expect((await problem(res)).detail).toBe("This order has no review.");
  });
});

describe("the seller's reply", () => {
  it("is posted once by the reviewed seller and tells the buyer; a second reply is 409", async () => {
    const buyer = await newBuyer();
    const seller = await newSeller();
    const { order } = await completedOrder(buyer, seller);
    const posted = await review(buyer, order.id, 2, "Late by a week.");
    const first = await reply(seller.orgId, posted.id, seller.owner.token, {
      body: " Sorry: a carrier strike. ",
    });
    expect(first.status).toBe(200);
    expect(roundTrips(first)).toBe(1);
    const replied = await json<Review>(first);
    expect(replied.reply?.body).toBe("Sorry: a carrier strike.");
    const again = await reply(seller.orgId, posted.id, seller.owner.token, { body: "And another thing." });
    expect(again.status).toBe(409);
    expect((await problem(again)).detail).toContain("already has the seller's reply");
    const events = await sql().query("select type, org_id from events where entity_id = $1 and type = $2", [
      posted.id,
      "review.replied",
    ]);
    expect(events).toEqual([{ type: "review.replied", org_id: buyer.orgId }]);
  });

  it("keeps exactly one of concurrent replies", async () => {
    const buyer = await newBuyer();
    const seller = await newSeller();
    const { order } = await completedOrder(buyer, seller);
    const posted = await review(buyer, order.id, 3);
    const results = await Promise.all(
      ["one", "two", "three", "four"].map((text) =>
        reply(seller.orgId, posted.id, seller.owner.token, { body: `Reply ${text}` }),
      ),
    );
    expect(results.map((res) => res.status).sort()).toEqual([200, 409, 409, 409]);
    const winner = await json<Review>(results.find((res) => res.status === 200) as Response);
    expect(await one("select reply from reviews where id = $1", [posted.id])).toEqual({
      reply: winner.reply?.body,
    });
  });

  it("is refused to the buyer (403) and to other sellers (404)", async () => {
    const buyer = await newBuyer();
    const seller = await newSeller();
    const { order } = await completedOrder(buyer, seller);
    const posted = await review(buyer, order.id, 5);
    const other = await newSeller("Globex Fasteners");
    expect((await reply(other.orgId, posted.id, other.owner.token, { body: "Hi" })).status).toBe(404);
    // The buyer organisation of this test is a buyer-kind org whose owner holds reviews:reply by role.
    const own = await reply(buyer.orgId, posted.id, buyer.owner.token, { body: "Replying to myself" });
    expect(own.status).toBe(403);
    expect((await problem(own)).detail).toContain("Only the reviewed seller replies");
  });
});

describe("moderation", () => {
  it("lets a platform admin hide a review with a reason and show it again; the rating follows; others get 403", async () => {
    const buyer = await newBuyer();
    const seller = await newSeller();
    const [first, second] = [await completedOrder(buyer, seller), await completedOrder(buyer, seller)];
    const kept = await review(buyer, first.order.id, 5);
    const abusive = await review(buyer, second.order.id, 1, "Insults.");
    expect(await storedRating(seller.orgId)).toEqual({ rating_sum: "6", rating_count: 2 });

    for (const token of [buyer.owner.token, seller.owner.token]) {
      const refused = await moderate(abusive.id, "hide", token, { reason: "Abusive language" });
      expect(refused.status).toBe(403);
      expect((await problem(refused)).detail).toBe("Only platform admins moderate reviews.");
    }
    const admin: TestUser = await newAdmin();
    const hidden = await moderate(abusive.id, "hide", admin.token, { reason: "Abusive language" });
    expect(hidden.status).toBe(200);
    expect(roundTrips(hidden)).toBe(1);
    expect((await json<Review>(hidden)).hidden).toMatchObject({ reason: "Abusive language" });
    expect(await one("select hidden_by, hidden_reason from reviews where id = $1", [abusive.id])).toEqual({
      hidden_by: admin.id,
      hidden_reason: "Abusive language",
    });
    expect(await storedRating(seller.orgId)).toEqual({ rating_sum: "5", rating_count: 1 });

    const page = await json<SellerReviewPage>(await api(`/v1/sellers/${seller.orgId}/reviews`));
    expect(page.items.map((item) => item.id)).toEqual([kept.id]);
    expect(page.seller.rating).toEqual({ average: 5, count: 1 });

    expect((await moderate(abusive.id, "hide", admin.token, { reason: "Again" })).status).toBe(409);
    const edit = await putReview(buyer.orgId, second.order.id, buyer.owner.token, {
      rating: 2,
      body: "Nicer.",
    });
    expect(edit.status).toBe(409);
    expect((await problem(edit)).detail).toContain("hid this review");

    expect((await moderate(abusive.id, "unhide", seller.owner.token)).status).toBe(403);
    const shown = await moderate(abusive.id, "unhide", admin.token);
    expect(shown.status).toBe(200);
    expect((await json<Review>(shown)).hidden).toBeNull();
    expect(await storedRating(seller.orgId)).toEqual({ rating_sum: "6", rating_count: 2 });
    expect((await moderate(abusive.id, "unhide", admin.token)).status).toBe(409);
    expect((await moderate(crypto.randomUUID(), "hide", admin.token, { reason: "x" })).status).toBe(404);
  });
});

describe("the seller rating", () => {
  it("matches the visible reviews exactly through posts, edits and hides, everywhere it is shown", async () => {
    const buyer = await newBuyer();
    const seller = await newSeller();
    const orders = [];
    for (let i = 0; i < 4; i++) orders.push(await completedOrder(buyer, seller));
    const ratings = [5, 4, 2, 5];
    const posted = [];
    for (const [i, { order }] of orders.entries())
      posted.push(await review(buyer, order.id, ratings[i] ?? 1));
    // Edit 2 → 3, hide the first 5.
    await putReview(buyer.orgId, orders[2]?.order.id ?? "", buyer.owner.token, {
      rating: 3,
      body: "Better.",
    });
    const admin = await newAdmin();
    await moderate(posted[0]?.id ?? "", "hide", admin.token, { reason: "Off-topic" });
    const visible = [4, 3, 5];
    const expected = expectedRating(visible);

    const stored = await storedRating(seller.orgId);
    expect(stored).toEqual({ rating_sum: String(4 + 3 + 5), rating_count: 3 });
    const fromReviews = await one<{ average: string; count: number }>(
      "select round(avg(rating), 1)::text as average, count(*)::int as count from reviews where seller_org_id = $1 and hidden_at is null",
      [seller.orgId],
    );
    expect({ average: Number(fromReviews.average), count: fromReviews.count }).toEqual(expected);

    const listingId = (
      await one<{ listing_id: string }>("select v.listing_id from listing_variants v where v.id = $1", [
        orders[0]?.variantId,
      ])
    ).listing_id;
    const detail = await api(`/v1/listings/${listingId}`);
    const shown = await json<{ version: number; seller: { rating: unknown } }>(detail);
    expect(shown.seller.rating).toEqual(expected);
    // The rating is part of the detail's ETag: a client revalidating sees a new rating, never a 304 on the old.
    expect(detail.headers.get("etag")).toBe(`"${shown.version}.3.4"`);
    const search = await json<{ hits: { seller: { id: string; rating: unknown } }[] }>(
      await api(`/v1/listings?seller=${seller.orgId}`),
    );
    expect(search.hits.length).toBeGreaterThan(0);
    for (const hit of search.hits) expect(hit.seller.rating).toEqual(expected);
    const page = await json<SellerReviewPage>(await api(`/v1/sellers/${seller.orgId}/reviews`));
    expect(page.seller.rating).toEqual(expected);
  });

  it("sorts search by rating (then review count) and filters by minRating, with keyset pages", async () => {
    const word = `ratedpart${crypto.randomUUID().slice(0, 8).replace(/-/g, "")}`;
    const buyer = await newBuyer();
    // top: 5.0 from two reviews; topSingle: 5.0 from one; middle: 3.5; unrated: none.
    const sellers = {
      top: await newSeller("Top Rated Ltd"),
      topSingle: await newSeller("Single Review Ltd"),
      middle: await newSeller("Middle Ltd"),
      unrated: await newSeller("Newcomer Ltd"),
    };
    const reviewsBy: Record<keyof typeof sellers, number[]> = {
      top: [5, 5],
      topSingle: [5],
      middle: [4, 3],
      unrated: [],
    };
    const listingOf: Record<string, string> = {};
    for (const [name, seller] of Object.entries(sellers) as [keyof typeof sellers, Seller][]) {
      const { order, variantId } = await completedOrder(buyer, seller);
      const row = await one<{ listing_id: string }>("select listing_id from listing_variants where id = $1", [
        variantId,
      ]);
      listingOf[name] = row.listing_id;
      await sql().query("update listings set title = $1 where id = $2", [
        `${word} from ${name}`,
        row.listing_id,
      ]);
      const [firstRating, ...more] = reviewsBy[name];
      if (firstRating) await review(buyer, order.id, firstRating);
      for (const rating of more) await review(buyer, (await completedOrder(buyer, seller)).order.id, rating);
    }

    type Hits = { hits: { id: string; seller: { rating: unknown } }[]; nextCursor: string | null };
    const sorted = await json<Hits>(await api(`/v1/listings?q=${word}&sort=rating`));
    expect(sorted.hits.map((hit) => hit.id)).toEqual([
      listingOf.top,
      listingOf.topSingle,
      listingOf.middle,
      listingOf.unrated,
    ]);
    expect(sorted.hits.map((hit) => hit.seller.rating)).toEqual([
      { average: 5, count: 2 },
      { average: 5, count: 1 },
      { average: 3.5, count: 2 },
      { average: null, count: 0 },
    ]);

    // The same order one hit a page, following the cursors.
    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await api(
        `/v1/listings?q=${word}&sort=rating&limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
      );
      expect(res.status).toBe(200);
      const page: Hits = await json<Hits>(res);
      paged.push(...page.hits.map((hit) => hit.id));
      cursor = page.nextCursor;
    } while (cursor && paged.length < 10);
    expect(paged).toEqual(sorted.hits.map((hit) => hit.id));

    const atLeast4 = await json<Hits>(await api(`/v1/listings?q=${word}&minRating=4`));
    expect(atLeast4.hits.map((hit) => hit.id).sort()).toEqual([listingOf.top, listingOf.topSingle].sort());
    const atLeast3 = await json<Hits & { total: number }>(
      await api(`/v1/listings?q=${word}&minRating=3.5&sort=rating`),
    );
    expect(atLeast3.hits.map((hit) => hit.id)).toEqual([
      listingOf.top,
      listingOf.topSingle,
      listingOf.middle,
    ]);
    expect(atLeast3.total).toBe(3);
  });
});

describe("a seller's public reviews", () => {
  it("lists visible reviews newest first for anyone, with replies, keyset pages and a star filter, never the author", async () => {
    const buyer = await newBuyer("Northwind Procurement Services");
    const seller = await newSeller();
    const posted: Review[] = [];
    for (const rating of [5, 3, 5]) {
      const { order } = await completedOrder(buyer, seller);
      posted.push(await review(buyer, order.id, rating, `Stars: ${rating}`));
    }
    await reply(seller.orgId, posted[0]?.id ?? "", seller.owner.token, { body: "Thank you!" });

    const res = await api(`/v1/sellers/${seller.orgId}/reviews`);
    expect(res.status).toBe(200);
    expect(roundTrips(res)).toBe(1);
    const page = await json<SellerReviewPage>(res);
    expect(page.seller).toMatchObject({ id: seller.orgId, rating: { average: 4.3, count: 3 } });
    expect(page.items.map((item) => item.id)).toEqual([...posted].reverse().map((r) => r.id));
    const first = page.items.at(-1) as PublicReview;
    expect(first).toMatchObject({ rating: 5, reviewer: "Northwind P. S.", reply: { body: "Thank you!" } });
    const text = JSON.stringify(page);
    expect(text).not.toContain(buyer.owner.email);
    expect(text).not.toContain("Test User");
    expect(text).not.toContain(buyer.orgId);

    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const next: SellerReviewPage = await json<SellerReviewPage>(
        await api(
          `/v1/sellers/${seller.orgId}/reviews?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
        ),
      );
      ids.push(...next.items.map((item) => item.id));
      cursor = next.nextCursor;
    } while (cursor && ids.length < 10);
    expect(ids).toEqual(page.items.map((item) => item.id));

    const fives = await json<SellerReviewPage>(await api(`/v1/sellers/${seller.orgId}/reviews?rating=5`));
    expect(fives.items.map((item) => item.rating)).toEqual([5, 5]);
  });

  it("answers 404 for an unknown seller or a buyer organisation", async () => {
    const buyer = await newBuyer();
    for (const id of [crypto.randomUUID(), buyer.orgId]) {
      const res = await api(`/v1/sellers/${id}/reviews`);
      expect(res.status).toBe(404);
      await problem(res);
    }
  });
});

describe("bad input", () => {
  it("answers every route's bad input with a 4xx problem, never a 500", async () => {
    const buyer = await newBuyer();
    const seller = await newSeller();
    const { order } = await completedOrder(buyer, seller);
    const posted = await review(buyer, order.id, 4);
    const admin = await newAdmin();
    const b = buyer.owner.token;
    const s = seller.owner.token;
    const cases: [string, Promise<Response>][] = [
      ["rating 0", putReview(buyer.orgId, order.id, b, { rating: 0, body: "x" })],
      ["rating 6", putReview(buyer.orgId, order.id, b, { rating: 6, body: "x" })],
      ["rating 4.5", putReview(buyer.orgId, order.id, b, { rating: 4.5, body: "x" })],
      ["rating as text", putReview(buyer.orgId, order.id, b, { rating: "5", body: "x" })],
      ["no rating", putReview(buyer.orgId, order.id, b, { body: "x" })],
      ["blank body", putReview(buyer.orgId, order.id, b, { rating: 5, body: "   " })],
      ["long body", putReview(buyer.orgId, order.id, b, { rating: 5, body: "x".repeat(4001) })],
      ["NUL in body", putReview(buyer.orgId, order.id, b, { rating: 5, body: "a\u0000b" })],
      ["unknown field", putReview(buyer.orgId, order.id, b, { rating: 5, body: "x", stars: 5 })],
      [
        "not JSON",
        api(`/v1/orgs/${buyer.orgId}/orders/${order.id}/review`, {
          method: "PUT",
          token: b,
          headers: { "content-type": "application/json" },
        }),
      ],
      ["order id", putReview(buyer.orgId, "not-a-uuid", b, { rating: 5, body: "x" })],
      ["get: order id", api(`/v1/orgs/${buyer.orgId}/orders/nope/review`, { token: b })],
      ["reply: empty", reply(seller.orgId, posted.id, s, { body: "" })],
      ["reply: long", reply(seller.orgId, posted.id, s, { body: "x".repeat(4001) })],
      ["reply: no body", reply(seller.orgId, posted.id, s, {})],
      ["reply: review id", reply(seller.orgId, "123", s, { body: "Thanks" })],
      ["hide: no reason", moderate(posted.id, "hide", admin.token, {})],
      ["hide: empty reason", moderate(posted.id, "hide", admin.token, { reason: " " })],
      ["hide: long reason", moderate(posted.id, "hide", admin.token, { reason: "x".repeat(501) })],
      ["hide: review id", moderate("x", "hide", admin.token, { reason: "Spam" })],
      ["unhide: review id", moderate("x", "unhide", admin.token)],
      ["list: seller id", api("/v1/sellers/nope/reviews")],
      ["list: rating 9", api(`/v1/sellers/${seller.orgId}/reviews?rating=9`)],
      ["list: rating text", api(`/v1/sellers/${seller.orgId}/reviews?rating=five`)],
      ["list: cursor", api(`/v1/sellers/${seller.orgId}/reviews?cursor=forged.cursor`)],
      ["search: minRating 0", api("/v1/listings?minRating=0")],
      ["search: minRating 6", api("/v1/listings?minRating=6")],
      ["search: minRating text", api("/v1/listings?minRating=high")],
      ["search: sort", api("/v1/listings?sort=stars")],
      ["search: rating cursor", api("/v1/listings?sort=rating&cursor=abc.def")],
    ];
    for (const [name, pending] of cases) {
      const res = await pending;
      expect(res.status >= 400 && res.status < 500, `${name}: ${res.status}`).toBe(true);
      expect(res.headers.get("content-type"), name).toContain("application/problem+json");
      await res.body?.cancel();
    }
    // Nothing above changed the review.
    expect(await one("select rating, reply, hidden_at from reviews where id = $1", [posted.id])).toEqual({
      rating: 4,
      reply: null,
      hidden_at: null,
    });
  });
});
