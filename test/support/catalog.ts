import { sql } from "./db.ts";
import { api, createOrg, json, signUp, type TestUser } from "./identity.ts";

export const validListing = (overrides: Record<string, unknown> = {}) => ({
  title: "Stainless hex bolt M8 x 40",
  description: "A4 stainless steel hex bolts for marine and food-processing use.",
  category: "fasteners",
  currency: "EUR",
  priceTiers: [
    { minQuantity: 100, unitPriceMinor: 42 },
    { minQuantity: 1000, unitPriceMinor: 39 },
    { minQuantity: 10000, unitPriceMinor: 35 },
  ],
  minOrderQuantity: 100,
  orderIncrement: 100,
  leadTimeDays: 3,
  attributes: { material: "stainless-steel", thread: "M8", length_mm: 40 },
  variants: [{ sku: "HB-M8-40-A4", attributes: {}, stock: 50000, weightGrams: 21 }],
  ...overrides,
});

export interface Seller {
  owner: TestUser;
  orgId: string;
}

export async function newSeller(name = "Acme Industrial"): Promise<Seller> {
  const owner = await signUp();
  const org = await createOrg(owner, "seller", name);
  return { owner, orgId: org.id };
}

export async function newAdmin(): Promise<TestUser> {
  const admin = await signUp();
  await sql().query("update users set platform_admin = true where id = $1", [admin.id]);
  return admin;
}

export interface ListingBody {
  id: string;
  version: number;
  status: string;
  [key: string]: unknown;
}

export async function createListing(
  seller: Seller,
  overrides: Record<string, unknown> = {},
): Promise<ListingBody> {
  const res = await api(`/v1/orgs/${seller.orgId}/listings`, {
    token: seller.owner.token,
    body: validListing(overrides),
  });
  if (res.status !== 201) throw new Error(`createListing: ${res.status} ${await res.text()}`);
  return json<ListingBody>(res);
}

/** Creates, submits and approves a listing: it is then in the public catalogue. */
export async function publishListing(
  seller: Seller,
  admin: TestUser,
  overrides: Record<string, unknown> = {},
) {
  const listing = await createListing(seller, overrides);
  const submit = await api(`/v1/orgs/${seller.orgId}/listings/${listing.id}/submit`, {
    method: "POST",
    token: seller.owner.token,
  });
  if (submit.status !== 200) throw new Error(`submit: ${submit.status} ${await submit.text()}`);
  const approve = await api(`/v1/admin/listings/${listing.id}/approve`, {
    method: "POST",
    token: admin.token,
  });
  if (approve.status !== 200) throw new Error(`approve: ${approve.status} ${await approve.text()}`);
  return json<ListingBody>(approve);
}
