import { sql } from "drizzle-orm";
import {
  boolean,
  check,
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

const createdAt = () => timestamp({ withTimezone: true }).notNull().defaultNow();

export const orgKind = pgEnum("org_kind", ["buyer", "seller", "both"]);
export const memberRole = pgEnum("member_role", ["owner", "admin", "buyer", "seller", "viewer", "approver"]);

export const users = pgTable(
  "users",
  {
    id: uuid().primaryKey().defaultRandom(),
    /** As typed by the user; `emailNormalized` (trimmed, lower case) is what is unique and looked up. */
    email: text().notNull(),
    emailNormalized: text().notNull(),
    name: text().notNull(),
    /** `scrypt$N=…,r=…,p=…$salt$hash`: algorithm and parameters travel with each hash. */
    passwordHash: text().notNull(),
    /** Set by `npm run admin:grant`, never by an endpoint. */
    platformAdmin: boolean().notNull().default(false),
    /** Set when the owner of the address opened the verification link; checkout, invitations and publishing wait for it. */
    emailVerifiedAt: timestamp({ withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: createdAt(),
  },
  (t) => [uniqueIndex("users_email_normalized_key").on(t.emailNormalized)],
);

export const organizations = pgTable("organizations", {
  id: uuid().primaryKey().defaultRandom(),
  name: text().notNull(),
  kind: orgKind().notNull(),
  legalName: text(),
  taxId: text(),
  /** ISO 3166-1 alpha-2 */
  country: text(),
  website: text(),
  createdAt: createdAt(),
  updatedAt: createdAt(),
});

export const memberships = pgTable(
  "memberships",
  {
    orgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    role: memberRole().notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.userId] }), index("memberships_user_idx").on(t.userId)],
);

/**
 * The exact index of sessions. KV holds the session itself (0 round trips to authenticate); this table
 * makes listing and revoking exact, and every write checks `revoked_at is null` here in its own batch.
 */
export const sessions = pgTable(
  "sessions",
  {
    id: text().primaryKey(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    revokedAt: timestamp({ withTimezone: true }),
    userAgent: text(),
  },
  (t) => [index("sessions_user_idx").on(t.userId, t.createdAt)],
);

export const invitations = pgTable(
  "invitations",
  {
    id: uuid().primaryKey().defaultRandom(),
    orgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    emailNormalized: text().notNull(),
    role: memberRole().notNull(),
    /** SHA-256 of the token; the token itself exists only in the email. */
    tokenHash: text().notNull(),
    invitedBy: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    acceptedAt: timestamp({ withTimezone: true }),
    acceptedBy: uuid().references(() => users.id, { onDelete: "set null" }),
    /** Set by an owner or admin (`DELETE …/invitations/{id}`); a revoked invitation cannot be accepted. */
    revokedAt: timestamp({ withTimezone: true }),
    revokedBy: uuid().references(() => users.id, { onDelete: "set null" }),
  },
  (t) => [
    uniqueIndex("invitations_token_hash_key").on(t.tokenHash),
    index("invitations_org_idx").on(t.orgId),
  ],
);

export const apiKeys = pgTable(
  "api_keys",
  {
    id: uuid().primaryKey().defaultRandom(),
    orgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    name: text().notNull(),
    /** Public part of the key (also its KV key); the secret is stored only as a SHA-256 hash. */
    publicId: text().notNull(),
    secretHash: text().notNull(),
    scopes: text().array().notNull().default(sql`'{}'::text[]`),
    createdBy: uuid().references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    expiresAt: timestamp({ withTimezone: true }),
    lastUsedAt: timestamp({ withTimezone: true }),
    revokedAt: timestamp({ withTimezone: true }),
  },
  (t) => [uniqueIndex("api_keys_public_id_key").on(t.publicId), index("api_keys_org_idx").on(t.orgId)],
);

/**
 * Exact per-account count of consecutive failed password checks, for backoff (cleared by a correct
 * password). Counted per client: `device` is '' for every client without a valid device cookie for the
 * account, else that cookie's device id, so failures from elsewhere never block a browser that signed in
 * before (and a stolen device cookie is limited on its own).
 */
export const loginFailures = pgTable(
  "login_failures",
  {
    emailNormalized: text().notNull(),
    device: text().notNull().default(""),
    failures: integer().notNull().default(0),
    lastFailureAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.emailNormalized, t.device] })],
);

/**
 * Outgoing email, written in the same batch as the change that causes it (or by the delivery consumer for
 * an event's notifications): a template name and its data, rendered when sent. The relay enqueues each row
 * (`enqueuedAt`; `relayLeaseUntil` while an isolate holds it), the consumer sends it through the provider.
 * `dedupeKey` makes a notification appear once however often its event is consumed.
 */
export const emailOutbox = pgTable(
  "email_outbox",
  {
    id: uuid().primaryKey().defaultRandom(),
    toEmail: text().notNull(),
    template: text().notNull(),
    data: jsonb().notNull().default({}),
    dedupeKey: text(),
    createdAt: createdAt(),
    relayLeaseUntil: timestamp({ withTimezone: true }),
    enqueuedAt: timestamp({ withTimezone: true }),
    /** pending | sent | dead (every attempt failed) */
    status: text().notNull().default("pending"),
    attempts: integer().notNull().default(0),
    lastError: text(),
    sentAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    index("email_outbox_unrelayed_idx").on(t.createdAt).where(sql`enqueued_at is null`),
    uniqueIndex("email_outbox_dedupe_key").on(t.dedupeKey),
    check("email_outbox_status", sql`status in ('pending', 'sent', 'dead')`),
  ],
);
