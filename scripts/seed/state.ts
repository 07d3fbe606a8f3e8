/**
 * What of the demo data a database lacks, read from the database itself: `npm run dev` seeds whenever
 * something is missing (a new, dropped or emptied database at any URL) and never otherwise.
 */
import pg from "pg";
import { demoAccounts, demoOrgs } from "./identity.ts";

export interface DemoDataState {
  /** Accounts, organisations or the demo catalogue are missing: the (idempotent) seed steps must run. */
  rows: boolean;
  /** Demo listings without an image: images must be uploaded through the running Worker. */
  images: boolean;
}

export async function demoDataState(databaseUrl: string): Promise<DemoDataState> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const sellers = demoOrgs.filter((org) => org.kind === "seller").map((org) => org.id);
    const { rows } = await client.query<{ accounts: number; orgs: number; listings: number; bare: number }>(
      `select
         (select count(*)::int from users where email_normalized = any($1::text[])) as accounts,
         (select count(*)::int from organizations where id = any($2::uuid[])) as orgs,
         (select count(*)::int from listings where org_id = any($3::uuid[])) as listings,
         (select count(*)::int from listings l where l.org_id = any($3::uuid[])
            and not exists (select 1 from listing_images i where i.listing_id = l.id)) as bare`,
      [demoAccounts.map((account) => account.email), demoOrgs.map((org) => org.id), sellers],
    );
    const state = rows[0] ?? { accounts: 0, orgs: 0, listings: 0, bare: 0 };
    return {
      rows: state.accounts < demoAccounts.length || state.orgs < demoOrgs.length || state.listings === 0,
      images: state.listings === 0 || state.bare > 0,
    };
  } finally {
    await client.end();
  }
}
