/**
 * The email catalogue: every email the marketplace sends, by template, with the data its outbox row
 * carries (`email_outbox.template`, `email_outbox.data`). Rows are written in the batch of the change
 * that causes them (or by the delivery consumer, for an event's notifications) and rendered to subject,
 * text and HTML only when sent (src/services/email/templates.ts). URLs in the data are absolute, built
 * from PUBLIC_URL, never from a request's Host header.
 */
import { z } from "zod";

/** Links in emails: absolute http(s) only (a javascript: or data: URL is refused when the email is rendered). */
const url = z.url({ protocol: /^https?$/ });
const money = { amountMinor: z.number().int(), currency: z.string().length(3) };

export const emailCatalogue = {
  /** An owner or admin invited an address into an organisation. */
  invitation: z.object({
    inviterName: z.string(),
    orgName: z.string(),
    role: z.string(),
    acceptUrl: url,
    apiAcceptUrl: url,
    expiresAt: z.iso.datetime({ offset: true }),
  }),
  /** To the seller's order handlers: a buyer placed an order with them. */
  order_placed: z.object({
    orderId: z.uuid(),
    buyerName: z.string(),
    sellerName: z.string(),
    ...money,
    lineCount: z.number().int(),
    url,
  }),
  /** To whoever placed the order: the seller (or the clock) moved it. */
  order_status: z.object({
    orderId: z.uuid(),
    sellerName: z.string(),
    /** The order's new status: accepted, rejected, shipped, delivered, completed, cancelled, expired. */
    status: z.string(),
    url,
  }),
  /** To the buyer organisation's approvers: a checkout above a spending limit waits for them. */
  approval_needed: z.object({
    groupId: z.uuid(),
    purchaserName: z.string(),
    orgName: z.string(),
    ...money,
    holdUntil: z.iso.datetime({ offset: true }).nullable(),
    url,
  }),
  /** To the buyer organisation's owners and admins: an unpaid invoice falls due soon. */
  invoice_due: z.object({
    invoiceId: z.uuid(),
    sellerName: z.string(),
    buyerName: z.string(),
    ...money,
    dueAt: z.iso.datetime({ offset: true }),
    url,
  }),
  /** A password reset was requested for this address (single-use link, 30 minutes). */
  password_reset: z.object({ name: z.string(), resetUrl: url, expiresMinutes: z.number().int() }),
  /** A new account (or a changed address) must prove it owns the address. */
  email_verification: z.object({ name: z.string(), verifyUrl: url, expiresHours: z.number().int() }),
  /** Someone signed up with an address that already has an account (sign-up never tells the caller). */
  account_exists: z.object({ name: z.string(), signInUrl: url, resetUrl: url }),
  /** To the organisation's owners: a webhook endpoint kept failing and was disabled. */
  webhook_disabled: z.object({
    orgName: z.string(),
    endpointUrl: z.string(),
    failingSince: z.iso.datetime({ offset: true }).nullable(),
    lastError: z.string().nullable(),
    url,
  }),
} as const;

export type EmailTemplate = keyof typeof emailCatalogue;
export type EmailData<T extends EmailTemplate> = z.infer<(typeof emailCatalogue)[T]>;

/** Fields of a row's data that hold a secret link: blanked once the email is sent (the hash stays in its table). */
export const SECRET_EMAIL_FIELDS = ["acceptUrl", "apiAcceptUrl", "resetUrl", "verifyUrl"] as const;

/** A rendered email, ready for a provider. */
export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}
