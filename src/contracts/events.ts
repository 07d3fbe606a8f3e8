/**
 * The event catalogue: every event the API appends to `events` (inside the write batch that caused it, so
 * an event exists exactly when its change committed), declared once: name, version, the entity it is about
 * and its payload. `services/events.ts` builds the one statement that appends them; the OpenAPI document
 * lists each as a webhook (what delivery will POST). A change to a payload is a new version.
 */
import { z } from "zod";

const groupTotals = z.object({ totalMinor: z.number().int(), currency: z.string() });
const orderMove = z.object({ action: z.string() });
const newOrder = z.object({ groupId: z.uuid(), buyerOrgId: z.uuid(), subtotalMinor: z.number().int() });
const empty = z.object({});

const rfqMove = z.object({ action: z.string() });
const quoteMove = z.object({ rfqId: z.uuid(), action: z.string(), version: z.number().int() });
const messagePosted = z.object({ threadId: z.uuid(), senderOrgId: z.uuid() });
const reviewFigures = z.object({ orderId: z.uuid(), rating: z.number().int() });

type Entity =
  | "order_group"
  | "order"
  | "invoice"
  | "rfq"
  | "quote"
  | "message"
  | "review"
  | "webhook_endpoint";
interface EventSpec {
  version: number;
  entity: Entity;
  /** Who receives it: the organisations on each side. */
  audience: string;
  description: string;
  payload: z.ZodObject;
}

const orderEvent = (description: string): EventSpec => ({
  version: 1,
  entity: "order",
  audience: "buyer and seller organisations",
  description,
  payload: orderMove,
});

const quoteEvent = (description: string, audience = "buyer and seller organisations"): EventSpec => ({
  version: 1,
  entity: "quote",
  audience,
  description,
  payload: quoteMove,
});

export const eventCatalogue = {
  "order_group.placed": {
    version: 1,
    entity: "order_group",
    audience: "buyer organisation",
    description: "A checkout placed its orders (within the buyer's spending limits).",
    payload: groupTotals,
  },
  "order_group.pending_approval": {
    version: 1,
    entity: "order_group",
    audience: "buyer organisation",
    description: "A checkout above a spending limit holds its stock, waiting for an approver.",
    payload: groupTotals,
  },
  "order_group.approved": {
    version: 1,
    entity: "order_group",
    audience: "buyer organisation",
    description: "An approver approved a held checkout: its orders are placed.",
    payload: empty,
  },
  "order_group.declined": {
    version: 1,
    entity: "order_group",
    audience: "buyer organisation",
    description: "An approver declined a held checkout: its stock is released.",
    payload: empty,
  },
  "order.placed": {
    version: 1,
    entity: "order",
    audience: "seller organisation",
    description: "A buyer's checkout placed an order with this seller.",
    payload: newOrder,
  },
  "order.pending_approval": {
    version: 1,
    entity: "order",
    audience: "seller organisation",
    description: "A buyer's checkout holds stock of this seller while the buyer's approver decides.",
    payload: newOrder,
  },
  "order.accepted": orderEvent("The seller accepted the order."),
  "order.rejected": orderEvent("The seller rejected the order (stock released)."),
  "order.shipped": orderEvent("The seller shipped the order (carrier and tracking on the order)."),
  "order.delivered": orderEvent("The buyer confirmed delivery; the invoice is issued."),
  "order.completed": orderEvent("The order is complete."),
  "order.cancelled": orderEvent("The buyer cancelled the order (stock released)."),
  "order.expired": orderEvent("Nobody acted in time; the order expired (stock released)."),
  "invoice.paid": {
    version: 1,
    entity: "invoice",
    audience: "buyer and seller organisations",
    description: "The seller marked the invoice paid.",
    payload: empty,
  },
  "rfq.created": {
    version: 1,
    entity: "rfq",
    audience: "buyer organisation, and the seller it is addressed to (open RFQs: none)",
    description: "A buyer asked for quotes.",
    payload: rfqMove,
  },
  "rfq.awarded": {
    version: 1,
    entity: "rfq",
    audience: "buyer organisation",
    description: "The buyer accepted a quote: the RFQ is awarded and its order placed.",
    payload: rfqMove,
  },
  "rfq.closed": {
    version: 1,
    entity: "rfq",
    audience: "buyer organisation and every seller that quoted",
    description: "The buyer closed the RFQ without an award.",
    payload: rfqMove,
  },
  "rfq.withdrawn": {
    version: 1,
    entity: "rfq",
    audience: "buyer organisation, and the seller it is addressed to",
    description: "The buyer withdrew the RFQ before any quote.",
    payload: rfqMove,
  },
  "rfq.expired": {
    version: 1,
    entity: "rfq",
    audience: "buyer organisation, the seller it is addressed to, and every seller that quoted",
    description: "Nobody was awarded by the RFQ's response date.",
    payload: rfqMove,
  },
  "quote.sent": quoteEvent("The seller sent a quote, or a revised version of it.", "buyer organisation"),
  "quote.countered": quoteEvent("The buyer countered with prices of its own.", "seller organisation"),
  "quote.accepted": quoteEvent(
    "The buyer accepted the quote: an order was placed at its prices (or waits for the buyer's approver).",
  ),
  "quote.declined": quoteEvent(
    "The buyer declined the quote (or its approver declined the order accepting it).",
    "seller organisation",
  ),
  "quote.withdrawn": quoteEvent("The seller withdrew the quote.", "buyer organisation"),
  "quote.expired": quoteEvent("The quote's validity ran out."),
  "quote.closed": quoteEvent("The RFQ was awarded to another quote or closed.", "seller organisation"),
  "message.posted": {
    version: 1,
    entity: "message",
    audience: "the other organisation of the thread",
    description: "A message was posted in a conversation.",
    payload: messagePosted,
  },
  "review.posted": {
    version: 1,
    entity: "review",
    audience: "seller organisation",
    description: "A buyer reviewed the seller after a completed order (or edited its review).",
    payload: reviewFigures,
  },
  "review.replied": {
    version: 1,
    entity: "review",
    audience: "buyer organisation",
    description: "The seller replied to the buyer's review.",
    payload: reviewFigures,
  },
  "webhook.ping": {
    version: 1,
    entity: "webhook_endpoint",
    audience: "the one endpoint it was asked for",
    description:
      "A test delivery asked for from the endpoint's page or `POST …/webhooks/{endpointId}/pings`: sent to that endpoint only, subscribed or not.",
    payload: z.object({ endpointId: z.uuid(), requestedBy: z.uuid() }),
  },
} as const satisfies Record<string, EventSpec>;

export type EventType = keyof typeof eventCatalogue;
export const eventTypes = Object.keys(eventCatalogue) as EventType[];
/** The types an endpoint subscribes to (a ping goes to the endpoint it was asked for, whatever it takes). */
export type SubscribableEventType = Exclude<EventType, "webhook.ping">;
export const subscribableEventTypes = eventTypes.filter(
  (type): type is SubscribableEventType => type !== "webhook.ping",
);

/** An event as stored and as webhook delivery will send it. */
export const eventEnvelope = (type: EventType) =>
  z
    .object({
      id: z.uuid(),
      type: z.literal(type),
      version: z.literal(eventCatalogue[type].version),
      orgId: z.uuid().meta({ description: "The organisation this copy of the event is for" }),
      entityType: z.literal(eventCatalogue[type].entity),
      entityId: z.uuid(),
      payload: eventCatalogue[type].payload,
      createdAt: z.iso.datetime(),
    })
    .meta({ description: `${eventCatalogue[type].description} For: ${eventCatalogue[type].audience}.` });

/** The OpenAPI component name of an event's envelope: `order.accepted` → `EventOrderAccepted`. */
export function eventSchemaId(type: EventType): string {
  return `Event${type
    .split(/[._]/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join("")}`;
}

/** Every event's envelope schema, named (built once per isolate: zod ids are global). */
export const eventEnvelopes = Object.fromEntries(
  eventTypes.map((type) => [type, eventEnvelope(type).meta({ id: eventSchemaId(type) })]),
) as Record<EventType, ReturnType<typeof eventEnvelope>>;
