/**
 * Demo negotiations for Northwind Procurement, made through the real API of the running Worker like the
 * demo orders: an RFQ to Acme about its hex bolts, quoted, countered and revised (ready to accept); an RFQ
 * open to the packaging sellers; a conversation about an order on its way; a review of a completed order
 * with the seller's reply. Keyed by the RFQ's title (./state.ts reads whether it is there).
 */
import pg from "pg";
import { type DemoApi, sellerListings } from "./api.ts";
import { ACME, BALTIC } from "./demo-catalog.ts";
import { NORTHWIND } from "./demo-orders.ts";

export const DEMO_RFQ_TITLE = "Hex bolts M8 × 40 for the 2027 framework agreement";
const BUYER = "buyer@demo.example";
const ACME_OWNER = "seller@demo.example";
const BALTIC_OWNER = "packaging@demo.example";
const DAY = 86_400_000;
const inDays = (days: number) => new Date(Date.now() + days * DAY).toISOString();

interface Quote {
  id: string;
  currentVersion: number;
}
interface Order {
  id: string;
  seller: { id: string };
  status: string;
}

/** Adds the demo negotiations; returns how many RFQs it asked. */
export async function addDemoNegotiation(api: DemoApi, databaseUrl: string): Promise<number> {
  const listing = (await sellerListings(api, ACME_OWNER, ACME)).find((l) =>
    l.variants.some((v) => v.sku === "DIN933-M8X40-ZP"),
  );
  const variant = listing?.variants.find((v) => v.sku === "DIN933-M8X40-ZP");
  if (!listing || !variant) throw new Error("demo negotiation: Acme's M8 × 40 hex bolts are missing");

  const rfq = await api.json<{ id: string }>(BUYER, "POST", `/v1/orgs/${NORTHWIND}/rfqs`, {
    title: DEMO_RFQ_TITLE,
    listingId: listing.id,
    currency: "EUR",
    deliveryCountry: "DE",
    neededBy: inDays(45).slice(0, 10),
    respondBy: inDays(14),
    notes: "Call-offs of 10,000 per month from February; zinc plated, boxed per 500.",
    internalNotes: "Current supplier at 0.071 €/unit; target 0.062.",
    items: [
      {
        variantId: variant.id,
        description: "DIN 933 M8 × 40, 8.8, zinc plated",
        quantity: 50_000,
        targetUnitPriceMinor: 6,
      },
    ],
  });
  const terms = { validUntil: inDays(21), leadTimeDays: 10, paymentTerms: "net30" };
  const line = (price: number) => [{ variantId: variant.id, quantity: 50_000, unitPriceMinor: price }];
  const quote = await api.json<Quote>(ACME_OWNER, "POST", `/v1/orgs/${ACME}/rfqs/${rfq.id}/quotes`, {
    lines: line(8),
    ...terms,
    notes: "Framework price for 50,000 units, delivered in call-offs.",
  });
  const countered = await api.json<Quote>(
    BUYER,
    "POST",
    `/v1/orgs/${NORTHWIND}/quotes/${quote.id}/counters`,
    {
      lines: line(6),
      ...terms,
      basedOnVersion: quote.currentVersion,
      notes: "We can commit to the full volume at 0.06.",
    },
  );
  await api.json(ACME_OWNER, "POST", `/v1/orgs/${ACME}/quotes/${quote.id}/revisions`, {
    lines: line(7),
    ...terms,
    basedOnVersion: countered.currentVersion,
    notes: "0.07 with free delivery on every call-off.",
  });

  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const packaging = await client
    .query<{ id: string }>(
      "select id from categories where slug in ('packaging', 'boxes-cartons') order by slug = 'packaging' desc limit 1",
    )
    .finally(() => client.end());
  const categoryId = packaging.rows[0]?.id;
  if (categoryId) {
    await api.json(BUYER, "POST", `/v1/orgs/${NORTHWIND}/rfqs`, {
      title: "Printed shipping cartons, 600 × 400 × 300",
      categoryId,
      currency: "EUR",
      deliveryCountry: "DE",
      neededBy: inDays(60).slice(0, 10),
      items: [
        {
          description: "Double-wall carton with our logo, two colours",
          quantity: 8_000,
          targetUnitPriceMinor: 95,
        },
        { description: "Matching dividers, 12 cells", quantity: 8_000 },
      ],
    });
  }

  const orders = await api.json<{ items: Order[] }>(BUYER, "GET", `/v1/orgs/${NORTHWIND}/orders?limit=100`);
  const shipped = orders.items.find((o) => o.seller.id === ACME && o.status === "shipped");
  if (shipped) {
    const { thread } = await api.json<{ thread: { id: string } }>(
      BUYER,
      "POST",
      `/v1/orgs/${NORTHWIND}/threads`,
      {
        subjectType: "order",
        subjectId: shipped.id,
        body: "Could your carrier deliver before 14:00? Goods in closes early on Fridays.",
      },
    );
    await api.json(ACME_OWNER, "POST", `/v1/orgs/${ACME}/threads/${thread.id}/messages`, {
      body: "Yes: I have asked DHL Freight for a morning slot and will confirm it here.",
    });
  }
  const completed = orders.items.find((o) => o.seller.id === BALTIC && o.status === "completed");
  if (completed) {
    const review = await api.json<{ id: string }>(
      BUYER,
      "PUT",
      `/v1/orgs/${NORTHWIND}/orders/${completed.id}/review`,
      {
        rating: 5,
        body: "Complete delivery a day early, pallets well wrapped, invoice matched the PO.",
      },
    );
    await api.json(BALTIC_OWNER, "POST", `/v1/orgs/${BALTIC}/reviews/${review.id}/reply`, {
      body: "Thank you, Northwind: we look forward to the next call-off.",
    });
  }
  return categoryId ? 2 : 1;
}
