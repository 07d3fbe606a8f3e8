import type { OrderGroup } from "../../src/contracts/orders.ts";
import { newAdmin, newSeller, publishListing, type Seller } from "./catalog.ts";
import { addMember, api, createOrg, json, signUp, type TestUser } from "./identity.ts";

export interface Buyer {
  owner: TestUser;
  orgId: string;
}

export async function newBuyer(name = "Northwind Procurement"): Promise<Buyer> {
  const owner = await signUp();
  const org = await createOrg(owner, "buyer", name);
  return { owner, orgId: org.id };
}

let admin: TestUser | undefined;
/** A published listing with one variant: returns its variant id. */
export async function product(
  seller: Seller,
  overrides: {
    stock?: number;
    price?: number;
    currency?: string;
    moq?: number;
    increment?: number;
    title?: string;
  } = {},
) {
  admin ??= await newAdmin();
  const moq = overrides.moq ?? 10;
  const price = overrides.price ?? 500;
  const listing = await publishListing(seller, admin, {
    title: overrides.title ?? `Part ${crypto.randomUUID().slice(0, 8)}`,
    currency: overrides.currency ?? "EUR",
    minOrderQuantity: moq,
    orderIncrement: overrides.increment ?? 5,
    priceTiers: [
      { minQuantity: moq, unitPriceMinor: price },
      { minQuantity: moq * 10, unitPriceMinor: Math.floor(price * 0.9) },
    ],
    variants: [{ sku: `SKU-${crypto.randomUUID().slice(0, 8)}`, stock: overrides.stock ?? 1000 }],
  });
  const variants = listing.variants as { id: string }[];
  return { listingId: listing.id, variantId: variants[0]?.id ?? "" };
}

export async function putLine(buyer: Buyer, variantId: string, quantity: number, token = buyer.owner.token) {
  return api(`/v1/orgs/${buyer.orgId}/cart/lines/${variantId}`, { method: "PUT", token, body: { quantity } });
}

export const checkoutBody = {
  paymentTerms: "net30",
  poNumber: "PO-1001",
  shippingAddress: {
    name: "Goods In",
    line1: "Dock 4, Hafenstraße 1",
    city: "Hamburg",
    postalCode: "20457",
    country: "DE",
  },
};

/** The cart's current ETag (read with the owner's token, who may always see the cart). */
export async function cartEtag(buyer: Buyer): Promise<string | null> {
  const res = await api(`/v1/orgs/${buyer.orgId}/cart`, { token: buyer.owner.token });
  await res.body?.cancel();
  return res.headers.get("etag");
}

/**
 * Checks out with `If-Match` naming the cart as it is now, unless `ifMatch` is given (null: send none).
 */
export async function checkout(
  buyer: Buyer,
  body: Record<string, unknown> = checkoutBody,
  key = crypto.randomUUID(),
  token = buyer.owner.token,
  ifMatch?: string | null,
) {
  const etag = ifMatch === undefined ? await cartEtag(buyer) : ifMatch;
  const headers: Record<string, string> = { "idempotency-key": key };
  if (etag) headers["if-match"] = etag;
  return api(`/v1/orgs/${buyer.orgId}/checkout`, { token, body, headers });
}

/** A checkout's response body: the API's own contract, not a copy of it. */
export type GroupBody = OrderGroup;

export interface LimitBody {
  currency: string;
  perOrderMinor?: number | null;
  perMonthMinor?: number | null;
}

/** Replaces a member's spending limits, by the buyer organisation's owner (or `token`). */
export async function setMemberLimits(
  buyer: Buyer,
  userId: string,
  limits: LimitBody[],
  token = buyer.owner.token,
) {
  return api(`/v1/orgs/${buyer.orgId}/members/${userId}/spending-limits`, {
    method: "PUT",
    token,
    body: { limits },
  });
}

/** A new member (buyer role unless given) with a per-order EUR limit: checkouts above it wait for approval. */
export async function limitedPurchaser(buyer: Buyer, limitMinor = 0, role = "buyer"): Promise<TestUser> {
  const purchaser = await addMember(buyer.owner, buyer.orgId, role);
  const res = await setMemberLimits(buyer, purchaser.id, [{ currency: "EUR", perOrderMinor: limitMinor }]);
  if (res.status !== 200) throw new Error(`spending limits: ${res.status} ${await res.text()}`);
  return purchaser;
}

/** Checks out one new product: as the owner (placed), or as `token`'s holder (e.g. a limited purchaser). */
export async function placeOrder(
  buyer: Buyer,
  seller: Seller,
  quantity = 20,
  stock = 1000,
  token = buyer.owner.token,
) {
  const { variantId } = await product(seller, { stock });
  await putLine(buyer, variantId, quantity, token);
  const res = await checkout(buyer, checkoutBody, crypto.randomUUID(), token);
  if (res.status !== 201) throw new Error(`checkout: ${res.status} ${await res.text()}`);
  const group = await json<GroupBody>(res);
  return { group, order: group.orders[0] as GroupBody["orders"][number], variantId };
}

export { newSeller };
