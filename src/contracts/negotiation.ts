import { z } from "zod";
import { quoteSide, quoteStatus, rfqStatus } from "../db/schema/negotiation.ts";
import { paymentTerms } from "../db/schema/orders.ts";
import { minor, orgRef, timestamp } from "./common.ts";

export const rfqItem = z
  .object({
    position: z.number().int(),
    variantId: z.uuid().nullable(),
    description: z.string(),
    quantity: z.number().int(),
    targetUnitPriceMinor: minor.nullable(),
  })
  .meta({ id: "RfqItem" });

export const rfqAttachment = z
  .object({ id: z.uuid(), filename: z.string(), contentType: z.string(), contentLength: z.number().int() })
  .meta({ id: "RfqAttachment" });

export const quoteLine = z
  .object({
    position: z.number().int(),
    variantId: z.uuid().nullable().meta({ description: "Null for a free-text item (no stock is reserved)" }),
    listingId: z.uuid().nullable(),
    sku: z.string().nullable(),
    title: z.string(),
    quantity: z.number().int(),
    unitPriceMinor: minor,
    lineTotalMinor: minor,
  })
  .meta({ id: "QuoteLine" });

export const quoteVersion = z
  .object({
    version: z.number().int(),
    side: z
      .enum(quoteSide.enumValues)
      .meta({ description: "seller: an offer or revision; buyer: a counter" }),
    currency: z.string(),
    totalMinor: minor,
    validUntil: timestamp,
    leadTimeDays: z.number().int(),
    paymentTerms: z.enum(paymentTerms.enumValues),
    notes: z.string().nullable(),
    createdAt: timestamp,
    lines: z.array(quoteLine),
  })
  .meta({ id: "QuoteVersion", description: "One immutable version of a quote" });

export const quote = z
  .object({
    id: z.uuid(),
    rfqId: z.uuid(),
    rfqTitle: z.string(),
    deliveryCountry: z.string().meta({ description: "Where the RFQ asked for delivery" }),
    status: z.enum(quoteStatus.enumValues),
    currentVersion: z.number().int().meta({ description: "Only this version may be accepted" }),
    expiresAt: timestamp,
    buyer: orgRef,
    seller: orgRef,
    orderGroupId: z.uuid().nullable().meta({ description: "The order group its acceptance placed" }),
    createdAt: timestamp,
    updatedAt: timestamp,
    latest: quoteVersion,
  })
  .meta({ id: "Quote" });

export const quoteWithVersions = quote
  .extend({ versions: z.array(quoteVersion).meta({ description: "Every version, oldest first" }) })
  .meta({ id: "QuoteWithVersions" });

export const quotePage = z
  .object({ items: z.array(quote), nextCursor: z.string().nullable() })
  .meta({ id: "QuotePage" });

export const rfq = z
  .object({
    id: z.uuid(),
    status: z.enum(rfqStatus.enumValues),
    title: z.string(),
    buyer: orgRef,
    seller: orgRef
      .nullable()
      .meta({ description: "The seller it is addressed to; null: open to a category" }),
    listingId: z.uuid().nullable(),
    categoryId: z.uuid().nullable(),
    category: z
      .object({ id: z.uuid(), name: z.string() })
      .nullable()
      .meta({ description: "The category an open RFQ is addressed to" }),
    currency: z.string(),
    deliveryCountry: z.string(),
    neededBy: z.iso.date(),
    respondBy: timestamp,
    notes: z.string().nullable(),
    internalNotes: z
      .string()
      .nullable()
      .meta({ description: "The buyer's own notes: null for everyone else, always" }),
    awardedQuoteId: z.uuid().nullable(),
    quoteCount: z.number().int().meta({ description: "Quotes the caller may see" }),
    version: z.number().int(),
    createdAt: timestamp,
    updatedAt: timestamp,
    items: z.array(rfqItem),
    attachments: z.array(rfqAttachment).meta({
      description: "Documents for the sellers: download each through …/rfqs/{rfqId}/attachments/{fileId}/url",
    }),
  })
  .meta({ id: "Rfq" });

export const rfqWithQuotes = rfq
  .extend({
    quotes: z
      .array(quoteWithVersions)
      .meta({ description: "With every version: the buyer sees every quote; a seller only its own" }),
  })
  .meta({ id: "RfqWithQuotes" });

export const rfqPage = z
  .object({ items: z.array(rfq), nextCursor: z.string().nullable() })
  .meta({ id: "RfqPage" });

export type Rfq = z.infer<typeof rfq>;
export type RfqWithQuotes = z.infer<typeof rfqWithQuotes>;
export type Quote = z.infer<typeof quote>;
export type QuoteWithVersions = z.infer<typeof quoteWithVersions>;
