import { z } from "zod";
import { groupStatus, invoiceStatus, orderStatus, paymentTerms } from "../db/schema/orders.ts";
import { minor, orgRef, timestamp } from "./common.ts";

export const orderLine = z
  .object({
    id: z.uuid(),
    listingId: z
      .uuid()
      .nullable()
      .meta({ description: "Null for a quoted free-text item, or a deleted listing" }),
    variantId: z
      .uuid()
      .nullable()
      .meta({ description: "Null for a quoted free-text item, or a deleted variant" }),
    sku: z.string(),
    title: z.string(),
    quantity: z.number().int(),
    tierMinQuantity: z.number().int().meta({ description: "The price tier the line was priced at" }),
    unitPriceMinor: minor,
    lineTotalMinor: minor,
  })
  .meta({ id: "OrderLine", description: "A line as ordered: title and price snapshotted at checkout" });

export const shippingAddress = z
  .object({
    name: z.string(),
    line1: z.string(),
    line2: z.string().optional(),
    city: z.string(),
    postalCode: z.string(),
    region: z.string().optional(),
    country: z.string(),
  })
  .meta({ id: "ShippingAddress" });
export type ShippingAddress = z.infer<typeof shippingAddress>;

export const order = z
  .object({
    id: z.uuid(),
    groupId: z.uuid(),
    status: z.enum(orderStatus.enumValues),
    version: z.number().int(),
    buyer: orgRef,
    seller: orgRef,
    paymentTerms: z.enum(paymentTerms.enumValues),
    currency: z.string(),
    subtotalMinor: minor,
    carrier: z.string().nullable(),
    trackingNumber: z.string().nullable(),
    poNumber: z
      .string()
      .nullable()
      .meta({ description: "The buyer's purchase order number, from the checkout" }),
    shippingAddress,
    createdAt: timestamp,
    updatedAt: timestamp,
    deliveredAt: timestamp.nullable(),
    lines: z.array(orderLine),
  })
  .meta({ id: "Order", description: "One seller's part of a checkout" });
export type Order = z.infer<typeof order>;

export const transition = z
  .object({
    action: z.string(),
    from: z.enum(orderStatus.enumValues).nullable(),
    to: z.enum(orderStatus.enumValues),
    actorUserId: z.uuid().nullable(),
    actorKind: z.enum(["user", "api_key", "system"]),
    at: timestamp,
  })
  .meta({ id: "Transition", description: "One step of an order's history" });

export const orderWithHistory = order
  .extend({ transitions: z.array(transition) })
  .meta({ id: "OrderWithHistory", description: "An order and every transition it went through" });
export type OrderWithHistory = z.infer<typeof orderWithHistory>;

export const orderGroup = z
  .object({
    id: z.uuid(),
    buyerOrgId: z.uuid(),
    status: z.enum(groupStatus.enumValues),
    poNumber: z.string().nullable(),
    paymentTerms: z.enum(paymentTerms.enumValues),
    shippingAddress,
    notes: z.string().nullable(),
    currency: z.string(),
    totalMinor: minor,
    approvalExpiresAt: timestamp.nullable(),
    createdAt: timestamp,
    orders: z.array(order),
  })
  .meta({ id: "OrderGroup", description: "A checkout: one order per seller" });
export type OrderGroup = z.infer<typeof orderGroup>;

export const invoice = z
  .object({
    id: z.uuid(),
    orderId: z.uuid(),
    sellerOrgId: z.uuid(),
    buyerOrgId: z.uuid(),
    currency: z.string(),
    amountMinor: minor,
    status: z.enum(invoiceStatus.enumValues),
    issuedAt: timestamp,
    dueAt: timestamp,
    paidAt: timestamp.nullable(),
  })
  .meta({ id: "Invoice", description: "Issued on delivery, due by the order's payment terms" });
export type Invoice = z.infer<typeof invoice>;

export const orderPage = z
  .object({ items: z.array(order), nextCursor: z.string().nullable() })
  .meta({ id: "OrderPage" });
export const invoiceList = z.object({ items: z.array(invoice) }).meta({ id: "InvoiceList" });
