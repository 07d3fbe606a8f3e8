import { sql } from "drizzle-orm";
import {
  bigint,
  char,
  check,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
  uuid,
} from "drizzle-orm/pg-core";
import { listings, listingVariants } from "./catalog.ts";
import { apiKeys, organizations, users } from "./identity.ts";

const createdAt = () => timestamp({ withTimezone: true }).notNull().defaultNow();

/** One cart per buyer organisation, shared by its buyers. */
export const cartLines = pgTable(
  "cart_lines",
  {
    orgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    variantId: uuid()
      .notNull()
      .references(() => listingVariants.id, { onDelete: "cascade" }),
    quantity: integer().notNull(),
    addedBy: uuid().references(() => users.id, { onDelete: "set null" }),
    updatedAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.variantId] })],
);

/**
 * Spending limits, one row per currency: for a member (`userId`), or with `userId` null for all of the
 * organisation's API keys together. Per order and/or per calendar month (UTC). Checkouts above a limit,
 * or in a currency without a row (for members: once they have any row), wait for an approver.
 */
export const spendingLimits = pgTable(
  "spending_limits",
  {
    id: uuid().primaryKey().defaultRandom(),
    orgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    userId: uuid().references(() => users.id, { onDelete: "cascade" }),
    currency: char({ length: 3 }).notNull(),
    perOrderMinor: bigint({ mode: "number" }),
    perMonthMinor: bigint({ mode: "number" }),
    updatedBy: uuid().references(() => users.id, { onDelete: "set null" }),
    updatedAt: createdAt(),
  },
  (t) => [
    unique("spending_limits_subject_currency_key").on(t.orgId, t.userId, t.currency).nullsNotDistinct(),
    check(
      "spending_limits_amounts",
      sql`(${t.perOrderMinor} is not null or ${t.perMonthMinor} is not null) and ${t.perOrderMinor} >= 0 and ${t.perMonthMinor} >= 0`,
    ),
  ],
);

export const paymentTerms = pgEnum("payment_terms", ["prepaid", "net30", "net60"]);
export const groupStatus = pgEnum("order_group_status", [
  "placed",
  "pending_approval",
  "declined",
  "approval_expired",
]);
export const orderStatus = pgEnum("order_status", [
  "pending_approval",
  "placed",
  "accepted",
  "rejected",
  "shipped",
  "delivered",
  "completed",
  "cancelled",
  "expired",
  "declined",
]);

/** One checkout: the buyer's view, split into one order per seller. */
export const orderGroups = pgTable(
  "order_groups",
  {
    id: uuid().primaryKey(),
    buyerOrgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: "restrict" }),
    status: groupStatus().notNull(),
    poNumber: text(),
    paymentTerms: paymentTerms().notNull(),
    shippingAddress: jsonb().notNull(),
    notes: text(),
    currency: char({ length: 3 }).notNull(),
    totalMinor: bigint({ mode: "number" }).notNull(),
    placedBy: uuid().references(() => users.id, { onDelete: "set null" }),
    /** The API key that checked out (null when a member did): API-key spend is counted by this. */
    placedByKeyId: uuid().references(() => apiKeys.id),
    approvalExpiresAt: timestamp({ withTimezone: true }),
    decidedBy: uuid().references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  (t) => [index("order_groups_buyer_idx").on(t.buyerOrgId, t.createdAt.desc())],
);

export const orders = pgTable(
  "orders",
  {
    id: uuid().primaryKey().defaultRandom(),
    groupId: uuid()
      .notNull()
      .references(() => orderGroups.id, { onDelete: "restrict" }),
    buyerOrgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: "restrict" }),
    sellerOrgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: "restrict" }),
    status: orderStatus().notNull(),
    paymentTerms: paymentTerms().notNull(),
    currency: char({ length: 3 }).notNull(),
    subtotalMinor: bigint({ mode: "number" }).notNull(),
    carrier: text(),
    trackingNumber: text(),
    version: integer().notNull().default(1),
    createdAt: createdAt(),
    updatedAt: createdAt(),
    deliveredAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    index("orders_buyer_idx").on(t.buyerOrgId, t.createdAt.desc(), t.id),
    index("orders_seller_idx").on(t.sellerOrgId, t.createdAt.desc(), t.id),
    index("orders_group_idx").on(t.groupId),
    index("orders_placed_idx").on(t.createdAt).where(sql`status = 'placed'`),
  ],
);

/** Lines snapshot what was bought: title, SKU, tier and price at checkout, whatever the listing does later. */
export const orderLines = pgTable(
  "order_lines",
  {
    id: uuid().primaryKey().defaultRandom(),
    orderId: uuid()
      .notNull()
      .references(() => orders.id, { onDelete: "cascade" }),
    listingId: uuid().references(() => listings.id, { onDelete: "set null" }),
    variantId: uuid().references(() => listingVariants.id, { onDelete: "set null" }),
    sku: text().notNull(),
    title: text().notNull(),
    quantity: integer().notNull(),
    tierMinQuantity: integer().notNull(),
    unitPriceMinor: bigint({ mode: "number" }).notNull(),
    lineTotalMinor: bigint({ mode: "number" }).notNull(),
  },
  (t) => [index("order_lines_order_idx").on(t.orderId)],
);

/** Every state change of an order: who, when, from, to. */
export const orderTransitions = pgTable(
  "order_transitions",
  {
    id: uuid().primaryKey().defaultRandom(),
    orderId: uuid()
      .notNull()
      .references(() => orders.id, { onDelete: "cascade" }),
    action: text().notNull(),
    fromStatus: orderStatus().notNull(),
    toStatus: orderStatus().notNull(),
    actorUserId: uuid().references(() => users.id, { onDelete: "set null" }),
    actorOrgId: uuid(),
    actorKind: text().notNull(),
    details: jsonb().notNull().default({}),
    createdAt: createdAt(),
  },
  (t) => [index("order_transitions_order_idx").on(t.orderId, t.createdAt)],
);

export const invoiceStatus = pgEnum("invoice_status", ["open", "paid"]);

export const invoices = pgTable(
  "invoices",
  {
    id: uuid().primaryKey().defaultRandom(),
    orderId: uuid()
      .notNull()
      .references(() => orders.id, { onDelete: "restrict" }),
    sellerOrgId: uuid().notNull(),
    buyerOrgId: uuid().notNull(),
    currency: char({ length: 3 }).notNull(),
    amountMinor: bigint({ mode: "number" }).notNull(),
    status: invoiceStatus().notNull().default("open"),
    issuedAt: createdAt(),
    dueAt: timestamp({ withTimezone: true }).notNull(),
    paidAt: timestamp({ withTimezone: true }),
    /** When the "invoice due" reminder went into the outbox (once per invoice). */
    dueReminderAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    index("invoices_seller_idx").on(t.sellerOrgId, t.issuedAt.desc()),
    index("invoices_buyer_idx").on(t.buyerOrgId, t.issuedAt.desc()),
  ],
);

/** The outbox: every order change appends here in the same batch; the base for webhooks. */
export const events = pgTable(
  "events",
  {
    id: uuid().primaryKey().defaultRandom(),
    type: text().notNull(),
    /** The catalogue version of the type's payload (src/contracts/events.ts). */
    version: integer().notNull().default(1),
    orgId: uuid().notNull(),
    entityType: text().notNull(),
    entityId: uuid().notNull(),
    payload: jsonb().notNull().default({}),
    createdAt: createdAt(),
    /** Set while an isolate holds the row between reading it and enqueueing it (the relay's lease). */
    relayLeaseUntil: timestamp({ withTimezone: true }),
    /** Set once the row is on the delivery queue; the cron sweeps rows still without it. */
    enqueuedAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    index("events_org_idx").on(t.orgId, t.createdAt),
    index("events_unrelayed_idx").on(t.createdAt).where(sql`enqueued_at is null`),
  ],
);

/** Checkout retries: the first response per (buyer org, Idempotency-Key) is replayed for 24 h. */
export const idempotencyKeys = pgTable(
  "idempotency_keys",
  {
    orgId: uuid().notNull(),
    key: text().notNull(),
    requestHash: text().notNull(),
    responseStatus: integer().notNull(),
    responseBody: jsonb().notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.key] })],
);
