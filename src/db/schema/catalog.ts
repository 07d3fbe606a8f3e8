import { type SQL, sql } from "drizzle-orm";
import {
  type AnyPgColumn,
  bigint,
  char,
  customType,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { organizations, users } from "./identity.ts";

const tsvector = customType<{ data: string }>({ dataType: () => "tsvector" });
const createdAt = () => timestamp({ withTimezone: true }).notNull().defaultNow();

/** A typed attribute a category's listings carry (e.g. material: enum, voltage: number with unit V). */
export interface AttributeDefinition {
  key: string;
  label: string;
  type: "text" | "number" | "boolean" | "enum";
  unit?: string;
  options?: string[];
  /** Shown as a search facet. */
  facet?: boolean;
}

export const categories = pgTable(
  "categories",
  {
    id: uuid().primaryKey().defaultRandom(),
    slug: text().notNull(),
    name: text().notNull(),
    parentId: uuid().references((): AnyPgColumn => categories.id, { onDelete: "restrict" }),
    position: integer().notNull().default(0),
    attributes: jsonb().$type<AttributeDefinition[]>().notNull().default([]),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("categories_slug_key").on(t.slug), index("categories_parent_idx").on(t.parentId)],
);

export const listingStatus = pgEnum("listing_status", [
  "draft",
  "pending_review",
  "published",
  "rejected",
  "archived",
]);

/** One volume price tier: from `minQuantity` units on, each costs `unitPriceMinor`. */
export interface PriceTier {
  minQuantity: number;
  unitPriceMinor: number;
}

export const listings = pgTable(
  "listings",
  {
    id: uuid().primaryKey().defaultRandom(),
    orgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    categoryId: uuid()
      .notNull()
      .references(() => categories.id, { onDelete: "restrict" }),
    title: text().notNull(),
    description: text().notNull().default(""),
    status: listingStatus().notNull().default("draft"),
    rejectionReason: text(),
    /** ISO 4217 */
    currency: char({ length: 3 }).notNull(),
    /** Ascending by minQuantity; the first tier starts at the minimum order quantity. */
    priceTiers: jsonb().$type<PriceTier[]>().notNull(),
    /** The lowest unit price over all tiers: what price filters, sorting and facets use. */
    minUnitPriceMinor: bigint({ mode: "number" }).notNull(),
    minOrderQuantity: integer().notNull().default(1),
    orderIncrement: integer().notNull().default(1),
    leadTimeDays: integer().notNull().default(0),
    attributes: jsonb().$type<Record<string, string | number | boolean>>().notNull().default({}),
    /** Optimistic concurrency: every update must name the version it edits (If-Match). */
    version: integer().notNull().default(1),
    search: tsvector().generatedAlwaysAs(
      (): SQL =>
        sql`setweight(to_tsvector('english', ${listings.title}), 'A') || setweight(to_tsvector('english', ${listings.description}), 'B')`,
    ),
    createdBy: uuid().references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    updatedAt: createdAt(),
    publishedAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    index("listings_search_idx").using("gin", t.search),
    index("listings_attributes_idx").using("gin", sql`${t.attributes} jsonb_path_ops`),
    index("listings_published_newest_idx")
      .on(t.publishedAt.desc(), t.id.desc())
      .where(sql`status = 'published'`),
    index("listings_published_price_idx").on(t.minUnitPriceMinor, t.id).where(sql`status = 'published'`),
    index("listings_published_category_idx")
      .on(t.categoryId, t.publishedAt.desc())
      .where(sql`status = 'published'`),
    index("listings_org_idx").on(t.orgId, t.updatedAt.desc(), t.id),
    index("listings_pending_idx").on(t.updatedAt, t.id).where(sql`status = 'pending_review'`),
  ],
);

/**
 * Published listings per category and price band (`listing_price_band()`, the search's PRICE_BANDS), kept
 * exact by statement triggers on `listings` in the writing transaction (migration 0009): browse pages read
 * their totals and facets here instead of counting listings per request. Rows at 0 stay.
 */
export const listingFacetCounts = pgTable(
  "listing_facet_counts",
  {
    categoryId: uuid()
      .notNull()
      .references(() => categories.id, { onDelete: "cascade" }),
    priceBand: bigint({ mode: "number" }).notNull(),
    listings: bigint({ mode: "number" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.categoryId, t.priceBand] })],
);

/** Published listings per category and attribute value (`jsonb_each_text`), kept like listing_facet_counts. */
export const listingAttributeCounts = pgTable(
  "listing_attribute_counts",
  {
    categoryId: uuid()
      .notNull()
      .references(() => categories.id, { onDelete: "cascade" }),
    key: text().notNull(),
    value: text().notNull(),
    listings: bigint({ mode: "number" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.categoryId, t.key, t.value] })],
);

export const listingVariants = pgTable(
  "listing_variants",
  {
    id: uuid().primaryKey().defaultRandom(),
    listingId: uuid()
      .notNull()
      .references(() => listings.id, { onDelete: "cascade" }),
    sku: text().notNull(),
    attributes: jsonb().$type<Record<string, string | number | boolean>>().notNull().default({}),
    stock: integer().notNull().default(0),
    weightGrams: integer(),
    position: integer().notNull().default(0),
  },
  (t) => [uniqueIndex("listing_variants_sku_key").on(t.listingId, t.sku)],
);

export const filePurpose = pgEnum("file_purpose", ["image", "document", "rfq-attachment"]);
export const fileStatus = pgEnum("file_status", ["pending", "ready"]);

/** Uploads: the bytes live in R2 under `key`; this row says whose they are and whether they were verified. */
export const files = pgTable(
  "files",
  {
    id: uuid().primaryKey().defaultRandom(),
    orgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    purpose: filePurpose().notNull(),
    key: text().notNull(),
    contentType: text().notNull(),
    contentLength: integer().notNull(),
    filename: text().notNull(),
    status: fileStatus().notNull().default("pending"),
    createdBy: uuid().references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    completedAt: timestamp({ withTimezone: true }),
    /**
     * When the cron deleted the upload key of a completed upload, after its presigned PUT expired: bytes
     * PUT there after `complete` are referenced by nothing else (the file now lives at `key`, verified).
     */
    rawSweptAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    uniqueIndex("files_key_key").on(t.key),
    index("files_pending_idx").on(t.createdAt).where(sql`status = 'pending'`),
    index("files_raw_unswept_idx").on(t.createdAt).where(sql`status = 'ready' and raw_swept_at is null`),
  ],
);

export const listingImages = pgTable(
  "listing_images",
  {
    listingId: uuid()
      .notNull()
      .references(() => listings.id, { onDelete: "cascade" }),
    fileId: uuid()
      .notNull()
      .references(() => files.id, { onDelete: "restrict" }),
    position: integer().notNull(),
  },
  (t) => [primaryKey({ columns: [t.listingId, t.fileId] })],
);
