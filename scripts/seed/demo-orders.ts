/**
 * Demo orders and invoices for Northwind Procurement, made through the real API of the running Worker:
 * the buyers fill the cart and check out (PO number, payment terms, Idempotency-Key, If-Match), the
 * sellers accept, ship and deliver, an invoice is marked paid, and a member above their spending limit
 * leaves a checkout waiting for approval. Each scenario is keyed by its PO number, so a database that has
 * it is never given it twice (./state.ts reads which are missing).
 */
import pg from "pg";
import { type DemoApi, sellerListings } from "./api.ts";
import { ACME, BALTIC, RHINE } from "./demo-catalog.ts";
import { demoOrgs } from "./identity.ts";

export const NORTHWIND = "00000000-0000-4000-8000-00000000b001";
const BUYER = "buyer@demo.example";
const PURCHASER = "purchasing@demo.example";
/** Pat Purchaser's limit: checkouts above it wait for an owner's approval. */
const PURCHASER_LIMIT_MINOR = 150_000;

/** How far a seller's order is taken after checkout. */
type Outcome = "placed" | "accepted" | "shipped" | "delivered" | "paid" | "completed";

export interface DemoOrderScenario {
  poNumber: string;
  placedBy: typeof BUYER | typeof PURCHASER;
  paymentTerms: "prepaid" | "net30" | "net60";
  notes?: string;
  lines: [sku: string, quantity: number][];
  /** Per seller; a checkout held for approval stays as it is. */
  outcomes: Partial<Record<string, Outcome>>;
  /** The whole history is moved this many days into the past, so the order lists read like weeks of buying. */
  daysAgo: number;
}

export const demoOrderScenarios: DemoOrderScenario[] = [
  {
    poNumber: "4500012871",
    placedBy: BUYER,
    paymentTerms: "net30",
    lines: [
      ["DIN933-M8X40-ZP", 2000],
      ["DIN934-M8-A2", 2000],
      ["DIN125-M8-A2", 2000],
      ["GLV-NBR-4131-09", 120],
    ],
    outcomes: { [ACME]: "paid" },
    daysAgo: 26,
  },
  {
    poNumber: "4500012904",
    placedBy: BUYER,
    paymentTerms: "net30",
    notes: "Deliver to gate 3, goods receiving open 07:00–15:00.",
    lines: [
      ["RSC-305215150-B", 500],
      ["PPT-48X66-BR-LN", 144],
      ["SF-H-500-300-23", 24],
      ["EPAL1-NEW-HT", 30],
    ],
    outcomes: { [BALTIC]: "delivered" },
    daysAgo: 15,
  },
  {
    poNumber: "4500012958",
    placedBy: BUYER,
    paymentTerms: "net60",
    lines: [
      ["DD18-BL-2X2AH", 4],
      ["HLM-397-YEL", 20],
      ["HV-20471-Y-XL", 50],
      ["TC-MESH-SYN-BK", 2],
    ],
    outcomes: { [ACME]: "shipped", [RHINE]: "accepted" },
    daysAgo: 4,
  },
  {
    poNumber: "4500012986",
    placedBy: BUYER,
    paymentTerms: "prepaid",
    lines: [
      ["CP-A4-80-5R", 20],
      ["HT-IF-2P-3000", 10],
      ["HS-5L-MILD", 8],
      ["CUP-DW-8OZ-PLA", 5000],
    ],
    outcomes: { [BALTIC]: "completed" },
    daysAgo: 9,
  },
  {
    poNumber: "4500013077",
    placedBy: BUYER,
    paymentTerms: "net30",
    lines: [
      ["PSU-DIN-24V-120W", 4],
      ["TB-2.5-GY", 200],
      ["TB-2.5-BU", 50],
    ],
    outcomes: { [ACME]: "placed" },
    daysAgo: 0,
  },
  {
    poNumber: "4500013101",
    placedBy: PURCHASER,
    paymentTerms: "net30",
    notes: "Sit-stand desks for the new planning team on floor 4.",
    lines: [
      ["SSD-1608-OAK", 4],
      ["TC-MESH-SYN-BK", 4],
    ],
    outcomes: {},
    daysAgo: 0,
  },
];

const shippingAddress = {
  name: "Northwind Procurement GmbH, goods receiving",
  line1: "Am Sandtorkai 41",
  city: "Hamburg",
  postalCode: "20457",
  country: "DE",
};

const carriers: Record<string, [string, string]> = {
  [ACME]: ["DHL Freight", "JJD000390007781296"],
  [BALTIC]: ["DSV Road", "LT-KLP-2026-118342"],
  [RHINE]: ["DB Schenker", "DE-HAM-4471902"],
};

const steps: Record<Outcome, string[]> = {
  placed: [],
  accepted: ["accept"],
  shipped: ["accept", "ship"],
  delivered: ["accept", "ship", "deliver"],
  paid: ["accept", "ship", "deliver"],
  completed: ["accept", "ship", "deliver", "complete"],
};

interface Group {
  id: string;
  status: string;
  orders: { id: string; seller: { id: string } }[];
}

/** Places the scenarios named by `missing` (all of them by default). Returns how many it placed. */
export async function addDemoOrders(
  api: DemoApi,
  databaseUrl: string,
  missing: string[] = demoOrderScenarios.map((s) => s.poNumber),
): Promise<number> {
  const scenarios = demoOrderScenarios.filter((scenario) => missing.includes(scenario.poNumber));
  if (scenarios.length === 0) return 0;
  const variants = new Map<string, string>();
  for (const org of demoOrgs.filter((o) => o.kind === "seller")) {
    for (const listing of await sellerListings(api, org.owner, org.id))
      for (const variant of listing.variants) variants.set(variant.sku, variant.id);
  }
  const owners = new Map<string, string>(demoOrgs.map((org) => [org.id, org.owner]));
  const placed: { group: Group; scenario: DemoOrderScenario }[] = [];

  if (scenarios.some((scenario) => scenario.placedBy === PURCHASER)) {
    const purchaser = await api.json<{ id: string }>(PURCHASER, "GET", "/v1/me");
    await api.json(BUYER, "PUT", `/v1/orgs/${NORTHWIND}/members/${purchaser.id}/spending-limits`, {
      limits: [{ currency: "EUR", perOrderMinor: PURCHASER_LIMIT_MINOR }],
    });
  }

  for (const scenario of scenarios) {
    const who = scenario.placedBy;
    // The cart is the organisation's, shared by its buyers: start from an empty one.
    const cart = await api.json<{ sellers: { lines: { variantId: string }[] }[] }>(
      who,
      "GET",
      `/v1/orgs/${NORTHWIND}/cart`,
    );
    for (const line of cart.sellers.flatMap((seller) => seller.lines))
      await api.json(who, "DELETE", `/v1/orgs/${NORTHWIND}/cart/lines/${line.variantId}`);
    let etag = "";
    for (const [sku, quantity] of scenario.lines) {
      const variantId = variants.get(sku);
      if (!variantId) throw new Error(`demo orders: no variant with SKU ${sku}`);
      const res = await api.request(who, "PUT", `/v1/orgs/${NORTHWIND}/cart/lines/${variantId}`, {
        quantity,
      });
      etag = res.headers.get("etag") ?? "";
    }
    const { body: group } = await api.request<Group>(
      who,
      "POST",
      `/v1/orgs/${NORTHWIND}/checkout`,
      {
        poNumber: scenario.poNumber,
        paymentTerms: scenario.paymentTerms,
        shippingAddress,
        ...(scenario.notes ? { notes: scenario.notes } : {}),
      },
      { "idempotency-key": `demo-checkout-${scenario.poNumber}`, "if-match": etag },
    );
    for (const order of group.orders) {
      const outcome = scenario.outcomes[order.seller.id] ?? "placed";
      const seller = owners.get(order.seller.id) ?? "";
      for (const action of steps[outcome]) {
        const [carrier, trackingNumber] = carriers[order.seller.id] ?? ["DHL Freight", "JJD0000000000"];
        const buyerSide = action === "complete";
        await api.json(
          buyerSide ? BUYER : seller,
          "POST",
          `/v1/orgs/${buyerSide ? NORTHWIND : order.seller.id}/orders/${order.id}/transitions`,
          action === "ship" ? { action, carrier, trackingNumber } : { action },
        );
      }
      if (outcome === "paid") {
        const invoices = await api.json<{ items: { id: string; orderId: string }[] }>(
          seller,
          "GET",
          `/v1/orgs/${order.seller.id}/invoices?side=seller`,
        );
        const invoice = invoices.items.find((item) => item.orderId === order.id);
        if (!invoice) throw new Error(`demo orders: no invoice for order ${order.id}`);
        await api.json(seller, "POST", `/v1/orgs/${order.seller.id}/invoices/${invoice.id}/mark-paid`);
      }
    }
    placed.push({ group, scenario });
  }
  await backdate(
    databaseUrl,
    placed.filter(({ scenario }) => scenario.daysAgo > 0),
  );
  return placed.length;
}

/**
 * Moves each group's history into the past: the checkout `daysAgo` days back and each order's later steps
 * spread evenly from there towards today (an invoice is issued at delivery and keeps its terms; a paid one
 * was paid halfway from then to today). Only groups whose orders moved on are given: placed orders and approval holds
 * keep their real deadlines. Events move with their checkout.
 */
async function backdate(databaseUrl: string, groups: { group: Group; scenario: DemoOrderScenario }[]) {
  if (groups.length === 0) return;
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query("begin");
    for (const { group, scenario } of groups) {
      const params = [group.id, scenario.daysAgo];
      const ago = "make_interval(days => $2)";
      const orders = "(select id from orders where group_id = $1)";
      await client.query(`update order_groups set created_at = created_at - ${ago} where id = $1`, params);
      await client.query(
        `with steps as (
           select id, row_number() over (partition by order_id order by created_at, id) as step,
             count(*) over (partition by order_id) as steps
           from order_transitions where order_id in ${orders})
         update order_transitions t set created_at = t.created_at - ${ago} + s.step * (${ago} / (s.steps + 1))
         from steps s where s.id = t.id`,
        params,
      );
      await client.query(
        `update orders o set created_at = o.created_at - ${ago},
           updated_at = coalesce((select max(created_at) from order_transitions where order_id = o.id), o.updated_at - ${ago}),
           delivered_at = (select max(created_at) from order_transitions where order_id = o.id and to_status = 'delivered')
         where o.group_id = $1`,
        params,
      );
      await client.query(
        `update invoices i set issued_at = o.delivered_at, due_at = o.delivered_at + (i.due_at - i.issued_at),
           paid_at = case when i.paid_at is not null then o.delivered_at + (now() - o.delivered_at) / 2 end
         from orders o where o.id = i.order_id and o.group_id = $1`,
        [group.id],
      );
      await client.query(
        `update events set created_at = created_at - ${ago}
         where entity_id = $1 or entity_id in ${orders}
           or entity_id in (select id from invoices where order_id in ${orders})`,
        params,
      );
    }
    await client.query("commit");
  } catch (error) {
    await client.query("rollback");
    throw error;
  } finally {
    // Left open, the connection outlives the seed: dropping the database then kills it, and the
    // unhandled error crashes the process that seeded (the browser tests' teardown).
    await client.end();
  }
}
