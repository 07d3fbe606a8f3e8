import type { QuoteWithVersions, RfqWithQuotes } from "../../src/contracts/negotiation.ts";
import type { Seller } from "./catalog.ts";
import { newAdmin, publishListing } from "./catalog.ts";
import { sql } from "./db.ts";
import { api, json, type TestUser } from "./identity.ts";
import { type Buyer, checkoutBody } from "./orders.ts";

const DAY = 86_400_000;
export const inDays = (days: number) => new Date(Date.now() + days * DAY).toISOString();

/** A valid RFQ body addressed as `to` says, with one free-text item unless `items` are given. */
export function rfqBody(to: Record<string, unknown>, overrides: Record<string, unknown> = {}) {
  return {
    title: "Hex bolts for the Q3 line",
    currency: "EUR",
    deliveryCountry: "DE",
    neededBy: inDays(30).slice(0, 10),
    notes: "Palletised, please.\nDelivery to dock 4.",
    internalNotes: "Budget ceiling 4.10 per unit; current supplier quoted 4.30.",
    items: [{ description: "M8 x 40 hex bolts, A4", quantity: 5000, targetUnitPriceMinor: 400 }],
    ...to,
    ...overrides,
  };
}

export async function createRfq(buyer: Buyer, body: Record<string, unknown>, token = buyer.owner.token) {
  const res = await api(`/v1/orgs/${buyer.orgId}/rfqs`, { token, body });
  if (res.status !== 201) throw new Error(`createRfq: ${res.status} ${await res.text()}`);
  return json<RfqWithQuotes>(res);
}

/** A valid quote (or version) body: `lines` priced by the caller. */
export function quoteBody(lines: Record<string, unknown>[], overrides: Record<string, unknown> = {}) {
  return {
    lines,
    validUntil: inDays(10),
    leadTimeDays: 14,
    paymentTerms: "net30",
    notes: "Prices include palletising.",
    ...overrides,
  };
}

export async function sendQuote(seller: Seller, rfqId: string, body: Record<string, unknown>) {
  const res = await api(`/v1/orgs/${seller.orgId}/rfqs/${rfqId}/quotes`, { token: seller.owner.token, body });
  if (res.status !== 201) throw new Error(`sendQuote: ${res.status} ${await res.text()}`);
  return json<QuoteWithVersions>(res);
}

/** Accepts `version` of a quote as `token`'s holder (the buyer's owner by default). */
export function accept(
  buyer: Buyer,
  quoteId: string,
  version: number,
  key: string = crypto.randomUUID(),
  token = buyer.owner.token,
) {
  const { paymentTerms: _terms, ...rest } = checkoutBody;
  return api(`/v1/orgs/${buyer.orgId}/quotes/${quoteId}/accept`, {
    token,
    body: { ...rest, version },
    headers: { "idempotency-key": key },
  });
}

/** A fresh category (no other seller sells in it) and a seller's published listing in it. */
export async function categoryWithSeller(seller: Seller, admin?: TestUser) {
  const slug = `rfq-${crypto.randomUUID().slice(0, 8)}`;
  const [category] = (await sql().query("insert into categories (slug, name) values ($1, $2) returning id", [
    slug,
    `RFQ test ${slug}`,
  ])) as { id: string }[];
  const listing = await publishListing(seller, admin ?? (await newAdmin()), {
    category: slug,
    attributes: {},
    title: `Custom part ${slug}`,
  });
  return { categoryId: category?.id ?? "", slug, listingId: listing.id };
}

export async function stockOf(variantId: string): Promise<number> {
  const [row] = (await sql().query("select stock from listing_variants where id = $1", [variantId])) as {
    stock: number;
  }[];
  return row?.stock ?? -1;
}

export async function eventsOf(entityId: string) {
  return (await sql().query(
    "select type, org_id from events where entity_id = $1 order by created_at, type",
    [entityId],
  )) as { type: string; org_id: string }[];
}
