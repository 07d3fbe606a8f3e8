/**
 * What of the demo data a database lacks, read from the database itself: `npm run dev` seeds whenever
 * something is missing (a new, dropped or emptied database at any URL) and never otherwise.
 */
import pg from "pg";
import { demoListings } from "./demo-catalog.ts";
import { DEMO_RFQ_TITLE } from "./demo-negotiation.ts";
import { demoOrderScenarios, NORTHWIND } from "./demo-orders.ts";
import { demoAccounts, demoMembers, demoOrgs } from "./identity.ts";

export interface DemoDataState {
  /** Accounts, organisations, memberships or curated listings are missing: the (idempotent) seed steps must run. */
  rows: boolean;
  /** Curated listings without an image: images must be uploaded through the running Worker. */
  images: boolean;
  /** PO numbers of the demo checkouts Northwind lacks: placed through the running Worker. */
  orders: string[];
  /** Northwind has not negotiated yet: the demo RFQs, quotes, messages and review go through the Worker. */
  negotiation: boolean;
}

export async function demoDataState(databaseUrl: string): Promise<DemoDataState> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const curated = demoListings.map((listing) => `${listing.seller}/${listing.title}`);
    const poNumbers = demoOrderScenarios.map((scenario) => scenario.poNumber);
    const { rows } = await client.query<{
      accounts: number;
      orgs: number;
      members: number;
      listings: number;
      bare: number;
      orders: string[];
      negotiated: boolean;
    }>(
      `with curated as (select l.id from listings l where l.org_id::text || '/' || l.title = any($4::text[]))
       select
         (select count(*)::int from users where email_normalized = any($1::text[])) as accounts,
         (select count(*)::int from organizations where id = any($2::uuid[])) as orgs,
         (select count(*)::int from memberships m join users u on u.id = m.user_id
            where m.org_id::text || '/' || u.email_normalized = any($3::text[])) as members,
         (select count(*)::int from curated) as listings,
         (select count(*)::int from curated c
            where not exists (select 1 from listing_images i where i.listing_id = c.id)) as bare,
         (select coalesce(array_agg(po_number), '{}') from order_groups
            where buyer_org_id = $5 and po_number = any($6::text[])) as orders,
         exists (select 1 from rfqs where buyer_org_id = $5 and title = $7) as negotiated`,
      [
        demoAccounts.map((account) => account.email),
        demoOrgs.map((org) => org.id),
        demoMembers.map((member) => `${member.orgId}/${member.email}`),
        curated,
        NORTHWIND,
        poNumbers,
        DEMO_RFQ_TITLE,
      ],
    );
    const state = rows[0];
    const listingsMissing = (state?.listings ?? 0) < curated.length;
    return {
      rows:
        !state ||
        state.accounts < demoAccounts.length ||
        state.orgs < demoOrgs.length ||
        state.members < demoMembers.length ||
        listingsMissing,
      images: !state || listingsMissing || state.bare > 0,
      orders: poNumbers.filter((po) => !state?.orders.includes(po)),
      negotiation: !state?.negotiated,
    };
  } finally {
    await client.end();
  }
}
