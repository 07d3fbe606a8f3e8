import { sql } from "drizzle-orm";
import {
  bigserial,
  boolean,
  check,
  index,
  integer,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { organizations, users } from "./identity.ts";
import { events } from "./orders.ts";

const createdAt = () => timestamp({ withTimezone: true }).notNull().defaultNow();

/**
 * Webhook endpoints of an organisation: where its events are POSTed, signed per Standard Webhooks.
 * `failingSince` / `consecutiveFailures` drive automatic disabling after sustained failure.
 */
export const webhookEndpoints = pgTable(
  "webhook_endpoints",
  {
    id: uuid().primaryKey().defaultRandom(),
    orgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    url: text().notNull(),
    description: text().notNull().default(""),
    /** Catalogued event types (src/contracts/events.ts) this endpoint receives. */
    eventTypes: text().array().notNull(),
    enabled: boolean().notNull().default(true),
    /** Why it is disabled: `manual` (an admin) or `failing` (automatic, after sustained failure). */
    disabledReason: text(),
    consecutiveFailures: integer().notNull().default(0),
    failingSince: timestamp({ withTimezone: true }),
    createdBy: uuid().references(() => users.id, { onDelete: "set null" }),
    version: integer().notNull().default(1),
    createdAt: createdAt(),
    updatedAt: createdAt(),
  },
  (t) => [
    index("webhook_endpoints_org_idx").on(t.orgId, t.createdAt),
    check("webhook_endpoints_disabled_reason", sql`disabled_reason in ('manual', 'failing')`),
  ],
);

/**
 * Signing secrets, encrypted at rest (AES-GCM under WEBHOOK_SECRETS_KEY): a signature needs the secret
 * itself, so it cannot be stored as a hash. A rotation gives the old secret an `expiresAt`; until then
 * deliveries carry a signature by each.
 */
export const webhookSecrets = pgTable(
  "webhook_secrets",
  {
    id: uuid().primaryKey().defaultRandom(),
    endpointId: uuid()
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: "cascade" }),
    ciphertext: text().notNull(),
    createdAt: createdAt(),
    expiresAt: timestamp({ withTimezone: true }),
  },
  (t) => [index("webhook_secrets_endpoint_idx").on(t.endpointId, t.createdAt)],
);

/** One event for one endpoint: created once (unique), attempted until delivered or dead. */
export const webhookDeliveries = pgTable(
  "webhook_deliveries",
  {
    id: uuid().primaryKey().defaultRandom(),
    endpointId: uuid()
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: "cascade" }),
    eventId: uuid()
      .notNull()
      .references(() => events.id, { onDelete: "cascade" }),
    /** pending | delivered | failed (retrying) | dead (no retry left; manual redelivery only) */
    status: text().notNull().default("pending"),
    attempts: integer().notNull().default(0),
    lastStatusCode: integer(),
    lastError: text(),
    lastDurationMs: integer(),
    nextAttemptAt: timestamp({ withTimezone: true }),
    deliveredAt: timestamp({ withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: createdAt(),
  },
  (t) => [
    uniqueIndex("webhook_deliveries_endpoint_event_key").on(t.endpointId, t.eventId),
    index("webhook_deliveries_endpoint_idx").on(t.endpointId, t.createdAt.desc(), t.id),
    check("webhook_deliveries_status", sql`status in ('pending', 'delivered', 'failed', 'dead')`),
  ],
);

/** Every attempt at a delivery, kept for the delivery log. */
export const webhookAttempts = pgTable(
  "webhook_attempts",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    deliveryId: uuid()
      .notNull()
      .references(() => webhookDeliveries.id, { onDelete: "cascade" }),
    attempt: integer().notNull(),
    startedAt: timestamp({ withTimezone: true }).notNull(),
    durationMs: integer().notNull(),
    statusCode: integer(),
    error: text(),
    ok: boolean().notNull(),
    manual: boolean().notNull().default(false),
  },
  (t) => [index("webhook_attempts_delivery_idx").on(t.deliveryId, t.id)],
);

/** What the development email provider "sent" (GET /v1/dev/mailbox): never used in production. */
export const devMailbox = pgTable(
  "dev_mailbox",
  {
    id: uuid().primaryKey(),
    toEmail: text().notNull(),
    template: text().notNull(),
    subject: text().notNull(),
    text: text().notNull(),
    html: text().notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("dev_mailbox_to_idx").on(t.toEmail, t.createdAt.desc())],
);

/** Single-use account tokens (password reset, email verification): only their SHA-256 is kept. */
export const accountTokens = pgTable(
  "account_tokens",
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    purpose: text().notNull(),
    tokenHash: text().notNull(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    usedAt: timestamp({ withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("account_tokens_hash_key").on(t.tokenHash),
    index("account_tokens_user_idx").on(t.userId, t.purpose, t.createdAt),
    check("account_tokens_purpose", sql`purpose in ('password_reset', 'email_verification')`),
  ],
);

/** Throttle of emails a request can make us send to an address (reset, verification, sign-up notices). */
export const emailRequests = pgTable(
  "email_requests",
  {
    emailNormalized: text().notNull(),
    purpose: text().notNull(),
    requestedAt: createdAt(),
  },
  (t) => [index("email_requests_idx").on(t.emailNormalized, t.purpose, t.requestedAt)],
);
