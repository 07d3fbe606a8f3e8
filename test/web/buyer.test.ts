import { describe, expect, it } from "vitest";
import type { OrderGroup } from "../../src/contracts/orders.ts";
import { api, json, signUp, type TestUser } from "../support/identity.ts";
import {
  type Buyer,
  limitedPurchaser,
  newBuyer,
  newSeller,
  placeOrder,
  product,
  putLine,
} from "../support/orders.ts";
import { webPage } from "../support/web.ts";

/** A page request as a browser sends it: the session cookie, same-origin forms, no redirect following. */
function browse(path: string, user?: TestUser, form?: Record<string, string>, cookies: string[] = []) {
  return webPage(path, { cookies: [user?.cookie, ...cookies], form });
}

async function html(res: Response) {
  return res.text();
}

/** The cart as the API sees it. */
async function apiCart(buyer: Buyer) {
  const res = await api(`/v1/orgs/${buyer.orgId}/cart`, { token: buyer.owner.token });
  return json<{ totalMinor: number; sellers: { lines: { variantId: string; quantity: number }[] }[] }>(res);
}

/** The hidden fields of the checkout form (its idempotency key and the cart version it shows). */
async function checkoutForm(user: TestUser) {
  const res = await browse("/checkout", user);
  expect(res.status).toBe(200);
  const body = await html(res);
  const key = /name="idempotencyKey" value="([^"]+)"/.exec(body)?.[1];
  const version = /name="cartVersion" value="([^"]+)"/.exec(body)?.[1];
  if (!key || !version) throw new Error("no checkout form");
  return { body, fields: { idempotencyKey: key, cartVersion: version.replaceAll("&quot;", '"') } };
}

const address = {
  "shippingAddress.name": "Goods In, Northwind",
  "shippingAddress.line1": "Dock 4, Hafenstraße 1",
  "shippingAddress.city": "Hamburg",
  "shippingAddress.postalCode": "20457",
  "shippingAddress.country": "DE",
};

/** A buyer with one line of a fresh product (MOQ 10, step 5) in the cart, through the web form. */
async function buyerWithLine(quantity = 20) {
  const [buyer, seller] = await Promise.all([newBuyer(), newSeller("Hanse Fasteners")]);
  const item = await product(seller, { moq: 10, increment: 5, price: 250, title: "Zinc-plated washer M10" });
  const res = await browse("/cart/lines", buyer.owner, {
    listingId: item.listingId,
    variantId: item.variantId,
    quantity: String(quantity),
    next: `/listings/${item.listingId}`,
  });
  expect(res.status).toBe(303);
  expect(res.headers.get("location")).toBe("/cart?notice=cart-updated");
  return { buyer, seller, item };
}

function groupIdOf(location: string | null) {
  const id = /^\/orders\/groups\/([0-9a-f-]{36})\?notice=/.exec(location ?? "")?.[1];
  if (!id) throw new Error(`not a group redirect: ${location}`);
  return id;
}

describe("buyer pages", () => {
  it("sends anonymous visitors to sign in and back", async () => {
    for (const path of ["/cart", "/checkout", "/orders", "/approvals", "/invoices"]) {
      const res = await browse(`${path}?x=1`);
      expect(res.status).toBe(303);
      expect(res.headers.get("location")).toBe(`/signin?next=${encodeURIComponent(`${path}?x=1`)}`);
    }
  });

  it("explains how to set up buying to a visitor without a buyer organisation", async () => {
    const res = await browse("/cart", await signUp());
    expect(res.status).toBe(200);
    const body = await html(res);
    expect(body).toContain("Set up a buyer organisation");
    expect(body).toContain('href="/org/new"');
  });

  it("adds the MOQ to the cart and shows it grouped by seller with tier prices and the next tier", async () => {
    const { buyer, item } = await buyerWithLine(10);
    // The org cookie lets the cart read run beside the account read; the page is the same.
    const res = await browse("/cart", buyer.owner, undefined, [`__Host-org=${buyer.orgId}`]);
    expect(res.status).toBe(200);
    const body = await html(res);
    expect(body).toContain("Hanse Fasteners");
    expect(body).toContain("Zinc-plated washer M10");
    expect(body).toContain(`href="/listings/${item.listingId}"`);
    expect(body).toMatch(
      /Subtotal from Hanse Fasteners\s*<\/td><td class="num" data-label="Subtotal">€25\.00/,
    );
    expect(body).toContain('min="10" step="5"');
    // 10 units at €2.50; the tier from 100 units costs €2.25.
    expect(body).toContain("Add 90 more for €2.25 each");
    expect(body).toContain('href="/checkout"');
    expect((await apiCart(buyer)).sellers[0]?.lines[0]?.quantity).toBe(10);
  });

  it("sets (not adds) the quantity, as the API does", async () => {
    const { buyer, item } = await buyerWithLine(20);
    const res = await browse(`/cart/lines/${item.variantId}`, buyer.owner, { quantity: "35" });
    expect(res.status).toBe(303);
    expect((await apiCart(buyer)).sellers[0]?.lines[0]?.quantity).toBe(35);
  });

  it("refuses a quantity below the MOQ with a readable error naming the listing, changing nothing", async () => {
    const { buyer, item } = await buyerWithLine(20);
    const res = await browse("/cart/lines", buyer.owner, {
      listingId: item.listingId,
      variantId: item.variantId,
      quantity: "7",
      next: `/listings/${item.listingId}`,
    });
    expect(res.status).toBe(422);
    const body = await html(res);
    expect(body).toContain("“Zinc-plated washer M10” was not changed.");
    expect(body).toContain("Quantities must be at least 10 and step by 5.");
    expect(body).toContain(`href="/listings/${item.listingId}"`);
    expect((await apiCart(buyer)).sellers[0]?.lines[0]?.quantity).toBe(20);
    // Off the increment, through the cart's own form: the same.
    const off = await browse(`/cart/lines/${item.variantId}`, buyer.owner, { quantity: "22" });
    expect(off.status).toBe(422);
    expect(await html(off)).toContain("step by 5");
  });

  it("refuses a cart form posted from another site", async () => {
    const { buyer, item } = await buyerWithLine(20);
    const res = await webPage(`/cart/lines/${item.variantId}`, {
      cookies: [buyer.owner.cookie],
      form: { quantity: "500" },
      headers: { origin: "https://evil.example" },
    });
    expect(res.status).toBe(403);
    expect((await apiCart(buyer)).sellers[0]?.lines[0]?.quantity).toBe(20);
  });

  it("removes a line and shows the empty cart", async () => {
    const { buyer, item } = await buyerWithLine(20);
    const res = await browse(`/cart/lines/${item.variantId}/remove`, buyer.owner, {});
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/cart?notice=cart-line-removed");
    const page = await html(await browse("/cart?notice=cart-line-removed", buyer.owner));
    expect(page).toContain("Line removed from your cart.");
    expect(page).toContain("Your cart is empty");
    expect((await apiCart(buyer)).sellers).toHaveLength(0);
  });

  it("checks out with a PO and net 30 once, however often the form is sent", async () => {
    const { buyer } = await buyerWithLine(20);
    const { body: form, fields } = await checkoutForm(buyer.owner);
    expect(form).toContain("Hanse Fasteners");
    expect(form).toContain('<option value="net30" selected="">');
    const submit = { ...fields, ...address, poNumber: "PO-7781", paymentTerms: "net30" };
    const first = await browse("/checkout", buyer.owner, submit);
    expect(first.status).toBe(303);
    const groupId = groupIdOf(first.headers.get("location"));
    expect(first.headers.get("location")).toContain("notice=order-placed");

    const again = await browse("/checkout", buyer.owner, submit);
    expect(again.status).toBe(303);
    expect(groupIdOf(again.headers.get("location"))).toBe(groupId);

    const orders = await json<{ items: { groupId: string }[] }>(
      await api(`/v1/orgs/${buyer.orgId}/orders`, { token: buyer.owner.token }),
    );
    expect(orders.items.map((o) => o.groupId)).toEqual([groupId]);

    const group = await html(await browse(`/orders/groups/${groupId}?notice=order-placed`, buyer.owner));
    expect(group).toContain("Order placed.");
    expect(group).toContain("<h1>PO-7781</h1>");
    expect(group).toContain("Net 30 days");
    expect(group).toContain("Hafenstraße 1");
    expect(group).toContain("Germany");

    const list = await html(await browse("/orders", buyer.owner));
    expect(list).toContain("PO-7781");
    expect(list).toContain("Hanse Fasteners");
    expect(list).toContain("€50.00");
  });

  it("keeps what was typed and names the fields when the checkout form is incomplete", async () => {
    const { buyer } = await buyerWithLine(20);
    const { fields } = await checkoutForm(buyer.owner);
    const res = await browse("/checkout", buyer.owner, {
      ...fields,
      ...address,
      "shippingAddress.city": "",
      poNumber: "PO-1",
      paymentTerms: "net30",
    });
    expect(res.status).toBe(422);
    const body = await html(res);
    expect(body).toContain('href="#f-shippingAddress-city"');
    expect(body).toContain('value="Dock 4, Hafenstraße 1"');
    expect((await apiCart(buyer)).sellers).toHaveLength(1);
  });

  it("shows an order with only the actions the machine allows the buyer, and runs them", async () => {
    const [buyer, seller] = await Promise.all([newBuyer(), newSeller("Baltic Packaging")]);
    const { order } = await placeOrder(buyer, seller);
    const placed = await html(await browse(`/orders/${order.id}`, buyer.owner));
    expect(placed).toContain("Baltic Packaging");
    expect(placed).toContain('value="cancel"');
    expect(placed).not.toContain('value="deliver"');
    expect(placed).not.toContain('value="accept"');

    // The seller accepts and ships; the buyer may now mark it delivered (and not cancel).
    for (const body of [
      { action: "accept" },
      { action: "ship", carrier: "DHL Freight", trackingNumber: "JD0002" },
    ]) {
      const res = await api(`/v1/orgs/${seller.orgId}/orders/${order.id}/transitions`, {
        token: seller.owner.token,
        body,
      });
      expect(res.status).toBe(200);
    }
    const shipped = await html(await browse(`/orders/${order.id}`, buyer.owner));
    expect(shipped).toContain('value="deliver"');
    expect(shipped).not.toContain('value="cancel"');
    expect(shipped).toContain("DHL Freight");

    const cancel = await browse(`/orders/${order.id}/actions`, buyer.owner, { action: "cancel" });
    expect(cancel.status).toBe(409);
    expect(await html(cancel)).toContain("cannot cancel");

    const deliver = await browse(`/orders/${order.id}/actions`, buyer.owner, { action: "deliver" });
    expect(deliver.status).toBe(303);
    expect(deliver.headers.get("location")).toBe(`/orders/${order.id}?notice=order-updated`);
    const delivered = await html(await browse(`/orders/${order.id}`, buyer.owner));
    expect(delivered).toContain("Marked delivered</strong> by you");
    expect(delivered).toContain('value="complete"');

    // Net 30: delivery issued the invoice, listed and printable.
    const invoices = await html(await browse("/invoices", buyer.owner));
    const invoiceId = /href="\/invoices\/([0-9a-f-]{36})"/.exec(invoices)?.[1];
    expect(invoiceId).toBeDefined();
    expect(invoices).toContain("Baltic Packaging");
    const invoice = await html(await browse(`/invoices/${invoiceId}`, buyer.owner));
    expect(invoice).toContain("PO-1001");
    expect(invoice).toContain("Total due");

    // Another organisation sees none of it.
    const other = await newBuyer("Elsewhere GmbH");
    for (const path of [`/orders/${order.id}`, `/orders/groups/${order.groupId}`, `/invoices/${invoiceId}`]) {
      const res = await browse(path, other.owner);
      expect(res.status, path).toBe(404);
      expect(await html(res)).not.toContain("Baltic Packaging");
    }
  });

  it("holds a checkout above the purchaser's limit until an approver approves it in the queue", async () => {
    const [buyer, seller] = await Promise.all([newBuyer(), newSeller("Rhein Tools")]);
    const purchaser = await limitedPurchaser(buyer, 1000);
    const item = await product(seller, { moq: 10, increment: 5, price: 500 });
    expect((await putLine(buyer, item.variantId, 20, purchaser.token)).status).toBe(200);

    const cart = await html(await browse("/cart", purchaser));
    expect(cart).toContain("Needs approval.");
    expect(cart).toContain("€10.00");

    const { fields } = await checkoutForm(purchaser);
    const res = await browse("/checkout", purchaser, { ...fields, ...address, paymentTerms: "net60" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toContain("notice=order-pending-approval");
    const groupId = groupIdOf(res.headers.get("location"));

    // The purchaser sees the hold but may not decide; the queue shows it read-only.
    const held = await html(await browse(`/orders/groups/${groupId}`, purchaser));
    expect(held).toContain("Waiting for approval.");
    expect(held).not.toContain(`action="/approvals/${groupId}"`);
    const queueForPurchaser = await html(await browse("/approvals", purchaser));
    expect(queueForPurchaser).toContain("can see them but not decide");

    const refused = await browse(`/approvals/${groupId}`, purchaser, {
      decision: "approve",
      back: "/approvals",
    });
    expect(refused.status).toBe(403);

    const queue = await html(await browse("/approvals", buyer.owner));
    expect(queue).toContain(`action="/approvals/${groupId}"`);
    expect(queue).toContain("Rhein Tools");
    expect(queue).toContain("€100.00");

    const decided = await browse(`/approvals/${groupId}`, buyer.owner, {
      decision: "approve",
      back: "/approvals",
    });
    expect(decided.status).toBe(303);
    expect(decided.headers.get("location")).toBe("/approvals?notice=approved");
    const group = await json<OrderGroup>(
      await api(`/v1/orgs/${buyer.orgId}/order-groups/${groupId}`, { token: buyer.owner.token }),
    );
    expect(group.status).toBe("placed");
    expect(await html(await browse("/approvals", buyer.owner))).toContain("Nothing waiting for approval");
  });
});
