import { describe, expect, it } from "vitest";
import type { Review } from "../../src/contracts/reviews.ts";
import { api, json, type TestUser } from "../support/identity.ts";
import { newBuyer, newSeller, placeOrder } from "../support/orders.ts";
import { completedOrder } from "../support/reviews.ts";
import { escaped, webPage } from "../support/web.ts";

/** A page request as a browser sends it: the session cookie, same-origin forms, no redirect following. */
function browse(path: string, user?: TestUser, form?: Record<string, string>) {
  return webPage(path, { cookies: [user?.cookie], form });
}

async function reviewOf(orgId: string, orderId: string, token: string) {
  const res = await api(`/v1/orgs/${orgId}/orders/${orderId}/review`, { token });
  return res.status === 200 ? json<Review>(res) : null;
}

describe("reviews in the web app", () => {
  it("lets the buyer review the seller from the completed order page with a plain form (POST → 303), then edit it", async () => {
    const [buyer, seller] = await Promise.all([newBuyer(), newSeller("Baltic Packaging")]);
    const { order } = await completedOrder(buyer, seller);
    const before = await (await browse(`/orders/${order.id}`, buyer.owner)).text();
    expect(before).toContain(`action="/orders/${order.id}/review"`);
    expect(before.match(/type="radio" name="rating"/g)).toHaveLength(5);
    expect(before).toContain('name="body"');

    const posted = await browse(`/orders/${order.id}/review`, buyer.owner, {
      rating: "4",
      body: "Cartons arrived on time.\nOne pallet wrap was torn.",
    });
    expect(posted.status).toBe(303);
    expect(posted.headers.get("location")).toBe(`/orders/${order.id}?notice=review-posted`);
    expect(await reviewOf(buyer.orgId, order.id, buyer.owner.token)).toMatchObject({
      rating: 4,
      body: "Cartons arrived on time.\nOne pallet wrap was torn.",
    });

    const after = await (await browse(`/orders/${order.id}?notice=review-posted`, buyer.owner)).text();
    expect(after).toContain("your review is posted");
    expect(after).toContain("Cartons arrived on time.");
    expect(after).toContain("Edit your review");
    // The edit form comes filled in with the review as it is.
    expect(after).toMatch(/name="rating" value="4"[^>]*checked/);

    const edited = await browse(`/orders/${order.id}/review`, buyer.owner, {
      rating: "5",
      body: "All good.",
    });
    expect(edited.status).toBe(303);
    expect(edited.headers.get("location")).toBe(`/orders/${order.id}?notice=review-saved`);
    expect(await reviewOf(buyer.orgId, order.id, buyer.owner.token)).toMatchObject({
      rating: 5,
      body: "All good.",
    });
  });

  it("keeps what was typed and points at the field when the review form is incomplete", async () => {
    const [buyer, seller] = await Promise.all([newBuyer(), newSeller()]);
    const { order } = await completedOrder(buyer, seller);
    const noStars = await browse(`/orders/${order.id}/review`, buyer.owner, {
      body: "Typed <before> choosing",
    });
    expect(noStars.status).toBe(422);
    const page = await noStars.text();
    expect(page).toContain('id="f-rating-error"');
    expect(page).toContain("Choose from 1 to 5 stars");
    expect(page).toContain(escaped("Typed <before> choosing"));

    const noText = await browse(`/orders/${order.id}/review`, buyer.owner, { rating: "2", body: "   " });
    expect(noText.status).toBe(422);
    const again = await noText.text();
    expect(again).toContain('id="f-body-error"');
    expect(again).toMatch(/name="rating" value="2"[^>]*checked/);
    expect(await reviewOf(buyer.orgId, order.id, buyer.owner.token)).toBeNull();
  });

  it("offers no review form before the order is completed, and refuses a forged post (403)", async () => {
    const [buyer, seller] = await Promise.all([newBuyer(), newSeller()]);
    const { order } = await placeOrder(buyer, seller);
    const open = await (await browse(`/orders/${order.id}`, buyer.owner)).text();
    expect(open).not.toContain(`action="/orders/${order.id}/review"`);
    const forged = await browse(`/orders/${order.id}/review`, buyer.owner, {
      rating: "1",
      body: "Too early",
    });
    expect(forged.status).toBe(403);
    expect(await forged.text()).toContain("Only verified purchases may be reviewed");
    const stranger = await newBuyer("Elsewhere GmbH");
    expect(
      (await browse(`/orders/${order.id}/review`, stranger.owner, { rating: "1", body: "x" })).status,
    ).toBe(404);
  });

  it("lets the seller reply once from its order page", async () => {
    const [buyer, seller] = await Promise.all([newBuyer("Harbour Works GmbH"), newSeller("Rhein Tools")]);
    const { order } = await completedOrder(buyer, seller);
    const before = await (await browse(`/seller/orders/${order.id}`, seller.owner)).text();
    expect(before).not.toContain("The buyer's review");
    await browse(`/orders/${order.id}/review`, buyer.owner, {
      rating: "2",
      body: "Two drills were missing.",
    });

    const withReview = await (await browse(`/seller/orders/${order.id}`, seller.owner)).text();
    expect(withReview).toContain("Two drills were missing.");
    expect(withReview).toContain(`action="/seller/orders/${order.id}/reply"`);

    const empty = await browse(`/seller/orders/${order.id}/reply`, seller.owner, { reply: "" });
    expect(empty.status).toBe(422);
    expect(await empty.text()).toContain('id="f-reply-error"');

    const replied = await browse(`/seller/orders/${order.id}/reply`, seller.owner, {
      reply: "Sorry: they are on their way.",
    });
    expect(replied.status).toBe(303);
    expect(replied.headers.get("location")).toBe(`/seller/orders/${order.id}?notice=review-replied`);
    const after = await (await browse(`/seller/orders/${order.id}`, seller.owner)).text();
    expect(after).toContain("Sorry: they are on their way.");
    expect(after).not.toContain(`action="/seller/orders/${order.id}/reply"`);

    const twice = await browse(`/seller/orders/${order.id}/reply`, seller.owner, { reply: "And again." });
    expect(twice.status).toBe(409);
    expect(await twice.text()).toContain("already has the seller");
    // The buyer sees the reply under its review.
    expect(await (await browse(`/orders/${order.id}`, buyer.owner)).text()).toContain(
      "Sorry: they are on their way.",
    );
  });

  it("shows stars and count on listing pages, search hits and the seller page, which lists reviews with replies", async () => {
    const [buyer, seller] = await Promise.all([
      newBuyer("Northwind Procurement"),
      newSeller("Hanse Fasteners"),
    ]);
    const first = await completedOrder(buyer, seller);
    const second = await completedOrder(buyer, seller);
    await browse(`/orders/${first.order.id}/review`, buyer.owner, {
      rating: "5",
      body: "<b>Spotless</b> delivery",
    });
    await browse(`/orders/${second.order.id}/review`, buyer.owner, { rating: "4", body: "Good." });
    await browse(`/seller/orders/${first.order.id}/reply`, seller.owner, { reply: "Thank you, Northwind!" });

    const sellerPage = await (await browse(`/sellers/${seller.orgId}`)).text();
    expect(sellerPage).toContain('id="reviews"');
    expect(sellerPage).toMatch(/<strong>4\.5<\/strong>/);
    expect(sellerPage).toContain("(2 reviews)");
    expect(sellerPage).toContain(escaped("<b>Spotless</b> delivery"));
    expect(sellerPage).not.toContain("<b>Spotless</b>");
    expect(sellerPage).toContain("Thank you, Northwind!");
    expect(sellerPage).toContain("Northwind P. · verified purchase");
    expect(sellerPage).not.toContain("Northwind Procurement");
    expect(sellerPage).not.toContain(buyer.owner.email);

    const { hits } = await json<{ hits: { id: string }[] }>(
      await api(`/v1/listings?seller=${seller.orgId}&limit=1`),
    );
    const listing = { id: hits[0]?.id ?? "" };
    const listingPage = await (await browse(`/listings/${listing.id}`)).text();
    expect(listingPage).toMatch(/<strong>4\.5<\/strong>/);
    expect(listingPage).toContain("(2 reviews)");
    expect(listingPage).toContain(`href="/sellers/${seller.orgId}#reviews"`);

    const search = await (await browse(`/search?seller=${seller.orgId}&sort=rating`)).text();
    expect(search).toContain("(2 reviews)");
    expect(search).toContain('<option value="rating" selected');
    const filtered = await (await browse(`/search?seller=${seller.orgId}&minRating=4.5`)).text();
    expect(filtered).toContain("Seller rating: 4.5+ stars");
    expect(filtered).toContain("(2 reviews)");
  });
});
