import { type SQL, sql } from "drizzle-orm";
import type { SellerRating } from "../../contracts/catalog.ts";
import { isoTime } from "../../db/json.ts";
import type { PriceTier } from "../../db/schema/index.ts";
import { sellerRatingJson } from "./ratings.ts";

export type ListingStatus = "draft" | "pending_review" | "published" | "rejected" | "archived";
type Attributes = Record<string, string | number | boolean>;

export interface ListingView {
  id: string;
  orgId: string;
  seller: { id: string; name: string; country: string | null; rating: SellerRating };
  category: { slug: string; name: string };
  title: string;
  description: string;
  status: ListingStatus;
  rejectionReason: string | null;
  currency: string;
  priceTiers: PriceTier[];
  minUnitPriceMinor: number;
  minOrderQuantity: number;
  orderIncrement: number;
  leadTimeDays: number;
  attributes: Attributes;
  version: number;
  variants: { id: string; sku: string; attributes: Attributes; stock: number; weightGrams: number | null }[];
  images: { id: string; url: string }[];
  createdAt: string;
  updatedAt: string;
  publishedAt: string | null;
}

/**
 * One listing as JSON, built inside Postgres (variants, images, seller and category included), so any
 * read or write batch can return the full view without another round trip. `l` must be in scope.
 */
export const listingJson: SQL = sql`json_build_object(
  'id', l.id, 'orgId', l.org_id,
  'seller', (select json_build_object('id', o.id, 'name', o.name, 'country', o.country, 'rating', ${sellerRatingJson(sql`o.id`)})
    from organizations o where o.id = l.org_id),
  'category', (select json_build_object('slug', c.slug, 'name', c.name) from categories c where c.id = l.category_id),
  'title', l.title, 'description', l.description, 'status', l.status, 'rejectionReason', l.rejection_reason,
  'currency', l.currency, 'priceTiers', l.price_tiers, 'minUnitPriceMinor', l.min_unit_price_minor,
  'minOrderQuantity', l.min_order_quantity, 'orderIncrement', l.order_increment, 'leadTimeDays', l.lead_time_days,
  'attributes', l.attributes, 'version', l.version,
  'variants', coalesce((select json_agg(json_build_object('id', v.id, 'sku', v.sku, 'attributes', v.attributes,
      'stock', v.stock, 'weightGrams', v.weight_grams) order by v.position, v.sku)
    from listing_variants v where v.listing_id = l.id), '[]'::json),
  'images', coalesce((select json_agg(json_build_object('id', i.file_id, 'url', '/v1/files/' || i.file_id) order by i.position)
    from listing_images i where i.listing_id = l.id), '[]'::json),
  'createdAt', ${isoTime(sql`l.created_at`)}, 'updatedAt', ${isoTime(sql`l.updated_at`)}, 'publishedAt', ${isoTime(sql`l.published_at`)})`;

/** A listing read from Postgres JSON: bigint minor amounts arrive as numbers or strings. */
export function normaliseListing(raw: ListingView): ListingView {
  return { ...raw, minUnitPriceMinor: Number(raw.minUnitPriceMinor) };
}

/**
 * The ETag of a published listing's public view: its version, and once its seller is rated, the rating as
 * shown (`"7.12.4.5"`: version 7, 12 reviews, 4.5), so a review that moves the rating changes the tag and a
 * client revalidating never keeps a stale rating. The version part still works in If-Match (see
 * {@link versionFromIfMatch}).
 */
export function publishedListingEtag(listing: Pick<ListingView, "version" | "seller">): string {
  const { average, count } = listing.seller.rating;
  return count > 0 ? `"${listing.version}.${count}.${average}"` : listingEtag(listing.version);
}

/** The ETag of a listing version: strong, so If-Match can compare it. */
export function listingEtag(version: number): string {
  return `"${version}"`;
}

/** The version an If-Match header names, or undefined when it names none we issued. */
export function versionFromIfMatch(header: string): number | undefined {
  // A public view's tag may carry the seller's rating after the version (publishedListingEtag).
  const match = /^\s*(?:W\/)?"(\d{1,9})(?:\.\d{1,9}\.\d(?:\.\d)?)?"\s*$/.exec(header);
  return match?.[1] ? Number(match[1]) : undefined;
}
