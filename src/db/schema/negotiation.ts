import { sql } from "drizzle-orm";
import {
  bigint,
  char,
  check,
  date,
  index,
  integer,
  pgEnum,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  unique,
  uuid,
} from "drizzle-orm/pg-core";
import { categories, files, listings, listingVariants } from "./catalog.ts";
import { apiKeys, organizations, users } from "./identity.ts";
import { orderGroups, orders, paymentTerms } from "./orders.ts";

const createdAt = () => timestamp({ withTimezone: true }).notNull().defaultNow();

export const rfqStatus = pgEnum("rfq_status", [
  "open",
  "quoted",
  "awarded",
  "closed",
  "expired",
  "withdrawn",
]);
export const quoteStatus = pgEnum("quote_status", [
  "sent",
  "countered",
  "accepted",
  "declined",
  "expired",
  "withdrawn",
  "closed",
]);
export const quoteSide = pgEnum("quote_side", ["buyer", "seller"]);

/**
 * A request for quotes: addressed to one seller (`sellerOrgId`, usually about one of its listings) or open
 * to the sellers of a category (`categoryId`). `internalNotes` are the buyer's own and never leave it.
 */
export const rfqs = pgTable(
  "rfqs",
  {
    id: uuid().primaryKey().defaultRandom(),
    buyerOrgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: "restrict" }),
    sellerOrgId: uuid().references(() => organizations.id, { onDelete: "restrict" }),
    listingId: uuid().references(() => listings.id, { onDelete: "set null" }),
    categoryId: uuid().references(() => categories.id, { onDelete: "restrict" }),
    status: rfqStatus().notNull().default("open"),
    title: text().notNull(),
    currency: char({ length: 3 }).notNull(),
    /** ISO 3166-1 alpha-2 */
    deliveryCountry: char({ length: 2 }).notNull(),
    neededBy: date({ mode: "string" }).notNull(),
    /** Sellers answer by then; the cron expires the RFQ (and its live quotes) after it. */
    respondBy: timestamp({ withTimezone: true }).notNull(),
    notes: text(),
    internalNotes: text(),
    createdBy: uuid().references(() => users.id, { onDelete: "set null" }),
    /** The quote that won it (status awarded). */
    awardedQuoteId: uuid(),
    version: integer().notNull().default(1),
    createdAt: createdAt(),
    updatedAt: createdAt(),
  },
  (t) => [
    check("rfqs_audience", sql`(${t.sellerOrgId} is null) <> (${t.categoryId} is null)`),
    index("rfqs_buyer_idx").on(t.buyerOrgId, t.createdAt.desc(), t.id),
    index("rfqs_seller_idx").on(t.sellerOrgId, t.createdAt.desc(), t.id),
    index("rfqs_open_category_idx")
      .on(t.categoryId, t.createdAt.desc(), t.id)
      .where(sql`status in ('open', 'quoted')`),
    index("rfqs_live_respond_idx").on(t.respondBy).where(sql`status in ('open', 'quoted')`),
  ],
);

/** What the buyer asks for: a variant of a listing or a free-text item, a quantity, a target price. */
export const rfqItems = pgTable(
  "rfq_items",
  {
    rfqId: uuid()
      .notNull()
      .references(() => rfqs.id, { onDelete: "cascade" }),
    position: smallint().notNull(),
    variantId: uuid().references(() => listingVariants.id, { onDelete: "set null" }),
    description: text().notNull(),
    quantity: integer().notNull(),
    targetUnitPriceMinor: bigint({ mode: "number" }),
  },
  (t) => [primaryKey({ columns: [t.rfqId, t.position] })],
);

/** Documents the buyer attached to its RFQ (uploads of purpose `rfq-attachment`): its sellers may read them. */
export const rfqAttachments = pgTable(
  "rfq_attachments",
  {
    rfqId: uuid()
      .notNull()
      .references(() => rfqs.id, { onDelete: "cascade" }),
    fileId: uuid()
      .notNull()
      .references(() => files.id, { onDelete: "restrict" }),
    position: smallint().notNull(),
  },
  (t) => [primaryKey({ columns: [t.rfqId, t.fileId] })],
);

/** One seller's answer to an RFQ; its terms live in immutable versions, the latest one current. */
export const quotes = pgTable(
  "quotes",
  {
    id: uuid().primaryKey().defaultRandom(),
    rfqId: uuid()
      .notNull()
      .references(() => rfqs.id, { onDelete: "cascade" }),
    sellerOrgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: "restrict" }),
    buyerOrgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: "restrict" }),
    status: quoteStatus().notNull().default("sent"),
    /** The latest version's number: the only one that may be accepted. */
    currentVersion: integer().notNull().default(1),
    /** The latest version's validity, kept here for the expiry cron's index. */
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    orderGroupId: uuid().references(() => orderGroups.id, { onDelete: "restrict" }),
    createdAt: createdAt(),
    updatedAt: createdAt(),
  },
  (t) => [
    unique("quotes_rfq_seller_key").on(t.rfqId, t.sellerOrgId),
    index("quotes_seller_idx").on(t.sellerOrgId, t.createdAt.desc(), t.id),
    index("quotes_buyer_idx").on(t.buyerOrgId, t.createdAt.desc(), t.id),
    index("quotes_order_group_idx").on(t.orderGroupId).where(sql`order_group_id is not null`),
    index("quotes_live_expiry_idx").on(t.expiresAt).where(sql`status in ('sent', 'countered')`),
  ],
);

/** Every version of a quote, as sent (seller) or countered (buyer). Never updated. */
export const quoteVersions = pgTable(
  "quote_versions",
  {
    quoteId: uuid()
      .notNull()
      .references(() => quotes.id, { onDelete: "cascade" }),
    version: integer().notNull(),
    side: quoteSide().notNull(),
    authorUserId: uuid().references(() => users.id, { onDelete: "set null" }),
    currency: char({ length: 3 }).notNull(),
    totalMinor: bigint({ mode: "number" }).notNull(),
    validUntil: timestamp({ withTimezone: true }).notNull(),
    leadTimeDays: integer().notNull(),
    paymentTerms: paymentTerms().notNull(),
    notes: text(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.quoteId, t.version] })],
);

/** A version's lines: a variant (stock is reserved on acceptance) or a free-text item, at a unit price. */
export const quoteLines = pgTable(
  "quote_lines",
  {
    quoteId: uuid().notNull(),
    version: integer().notNull(),
    position: smallint().notNull(),
    variantId: uuid().references(() => listingVariants.id, { onDelete: "set null" }),
    listingId: uuid().references(() => listings.id, { onDelete: "set null" }),
    sku: text(),
    title: text().notNull(),
    quantity: integer().notNull(),
    unitPriceMinor: bigint({ mode: "number" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.quoteId, t.version, t.position] })],
);

/** Every state change of an RFQ or a quote: who, when, from, to (like order_transitions). */
export const negotiationTransitions = pgTable(
  "negotiation_transitions",
  {
    id: uuid().primaryKey().defaultRandom(),
    entityType: text().notNull(),
    entityId: uuid().notNull(),
    action: text().notNull(),
    fromStatus: text().notNull(),
    toStatus: text().notNull(),
    actorUserId: uuid().references(() => users.id, { onDelete: "set null" }),
    actorOrgId: uuid(),
    createdAt: createdAt(),
  },
  (t) => [index("negotiation_transitions_entity_idx").on(t.entityId, t.createdAt)],
);

export const threadSubject = pgEnum("thread_subject", ["rfq", "order", "listing"]);

/** A conversation between one buyer organisation and one seller organisation about one subject. */
export const threads = pgTable(
  "threads",
  {
    id: uuid().primaryKey().defaultRandom(),
    buyerOrgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: "restrict" }),
    sellerOrgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: "restrict" }),
    subjectType: threadSubject().notNull(),
    subjectId: uuid().notNull(),
    createdBy: uuid().references(() => users.id, { onDelete: "set null" }),
    messageCount: integer().notNull().default(0),
    lastMessageAt: timestamp({ withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    unique("threads_parties_subject_key").on(t.buyerOrgId, t.sellerOrgId, t.subjectType, t.subjectId),
    index("threads_buyer_idx").on(t.buyerOrgId, t.lastMessageAt.desc(), t.id),
    index("threads_seller_idx").on(t.sellerOrgId, t.lastMessageAt.desc(), t.id),
  ],
);

/** Plain text only: no HTML is ever rendered from a message. */
export const messages = pgTable(
  "messages",
  {
    id: uuid().primaryKey().defaultRandom(),
    threadId: uuid()
      .notNull()
      .references(() => threads.id, { onDelete: "cascade" }),
    senderOrgId: uuid().notNull(),
    senderUserId: uuid().references(() => users.id, { onDelete: "set null" }),
    /** The API key that posted it (null when a member did): a key's own rate is counted by this. */
    senderKeyId: uuid().references(() => apiKeys.id, { onDelete: "set null" }),
    body: text().notNull(),
    /** Uploaded files (documents, images) of the sender's organisation. */
    attachmentIds: uuid().array().notNull().default(sql`'{}'::uuid[]`),
    hiddenAt: timestamp({ withTimezone: true }),
    hiddenBy: uuid().references(() => users.id, { onDelete: "set null" }),
    hiddenReason: text(),
    createdAt: createdAt(),
  },
  (t) => [index("messages_thread_idx").on(t.threadId, t.createdAt.desc(), t.id)],
);

/** Per member read state: everything in the thread up to `lastReadAt` is read. */
export const threadReads = pgTable(
  "thread_reads",
  {
    threadId: uuid()
      .notNull()
      .references(() => threads.id, { onDelete: "cascade" }),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    lastReadAt: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.threadId, t.userId] })],
);

/** One review of the seller per completed order, by the buyer organisation; one reply by the seller. */
export const reviews = pgTable(
  "reviews",
  {
    id: uuid().primaryKey().defaultRandom(),
    orderId: uuid()
      .notNull()
      .references(() => orders.id, { onDelete: "restrict" }),
    buyerOrgId: uuid().notNull(),
    sellerOrgId: uuid().notNull(),
    authorUserId: uuid().references(() => users.id, { onDelete: "set null" }),
    rating: smallint().notNull(),
    body: text().notNull(),
    editableUntil: timestamp({ withTimezone: true }).notNull(),
    reply: text(),
    repliedBy: uuid().references(() => users.id, { onDelete: "set null" }),
    repliedAt: timestamp({ withTimezone: true }),
    hiddenAt: timestamp({ withTimezone: true }),
    hiddenBy: uuid().references(() => users.id, { onDelete: "set null" }),
    hiddenReason: text(),
    createdAt: createdAt(),
    updatedAt: createdAt(),
  },
  (t) => [
    unique("reviews_order_key").on(t.orderId),
    check("reviews_rating_range", sql`${t.rating} between 1 and 5`),
    index("reviews_seller_idx").on(t.sellerOrgId, t.createdAt.desc(), t.id),
  ],
);

/**
 * Each seller's rating over its visible reviews, kept current by a trigger on `reviews` (see the
 * migration), so listing detail, search and the seller profile never aggregate reviews per request.
 */
export const sellerRatings = pgTable("seller_ratings", {
  sellerOrgId: uuid()
    .primaryKey()
    .references(() => organizations.id, { onDelete: "cascade" }),
  ratingSum: bigint({ mode: "number" }).notNull().default(0),
  ratingCount: integer().notNull().default(0),
});
