import type pg from "pg";
import { hashPassword } from "../../src/services/identity/password.ts";
import type { SeedStep } from "./run.ts";

/** Demo sign-ins printed by `npm run dev`. Local data only: never seed these into a shared database. */
export const DEMO_PASSWORD = "demo-marketplace-2026";

export const demoAccounts = [
  { email: "buyer@demo.example", name: "Bea Buyer", platformAdmin: false },
  { email: "seller@demo.example", name: "Sam Seller", platformAdmin: false },
  { email: "packaging@demo.example", name: "Pia Packaging", platformAdmin: false },
  { email: "office@demo.example", name: "Otto Office", platformAdmin: false },
  { email: "purchasing@demo.example", name: "Pat Purchaser", platformAdmin: false },
  { email: "admin@demo.example", name: "Ada Admin", platformAdmin: true },
] as const;

export const demoOrgs = [
  {
    id: "00000000-0000-4000-8000-00000000b001",
    name: "Northwind Procurement",
    kind: "buyer",
    country: "DE",
    owner: "buyer@demo.example",
  },
  {
    id: "00000000-0000-4000-8000-00000000c001",
    name: "Acme Industrial Supply",
    kind: "seller",
    country: "NL",
    owner: "seller@demo.example",
  },
  {
    id: "00000000-0000-4000-8000-00000000c002",
    name: "Baltic Packaging Co",
    kind: "seller",
    country: "LT",
    owner: "packaging@demo.example",
  },
  {
    id: "00000000-0000-4000-8000-00000000c003",
    name: "Rhine Office & Catering",
    kind: "seller",
    country: "DE",
    owner: "office@demo.example",
  },
] as const;

/** Members besides the owners: a Northwind buyer whose spending limit sends big checkouts for approval. */
export const demoMembers = [
  { orgId: "00000000-0000-4000-8000-00000000b001", email: "purchasing@demo.example", role: "buyer" },
] as const;

export const identitySeed: SeedStep = {
  name: "demo accounts and organisations",
  async run(client: pg.Client) {
    let rows = 0;
    const { rows: existing } = await client.query<{ email: string }>(
      "select email_normalized as email from users where email_normalized = any($1::text[])",
      [demoAccounts.map((account) => account.email)],
    );
    const present = new Set(existing.map((row) => row.email));
    for (const account of demoAccounts) {
      // Hashing is deliberately slow: only for accounts that are missing.
      if (present.has(account.email)) continue;
      const result = await client.query(
        // Demo accounts are verified: their addresses are made up, and they check out, invite and publish.
        `insert into users (email, email_normalized, name, password_hash, platform_admin, email_verified_at)
         values ($1, $1, $2, $3, $4, now()) on conflict (email_normalized) do nothing`,
        [account.email, account.name, await hashPassword(DEMO_PASSWORD), account.platformAdmin],
      );
      rows += result.rowCount ?? 0;
    }
    for (const org of demoOrgs) {
      const created = await client.query(
        `insert into organizations (id, name, kind, country) values ($1, $2, $3, $4) on conflict (id) do nothing`,
        [org.id, org.name, org.kind, org.country],
      );
      const member = await client.query(
        `insert into memberships (org_id, user_id, role)
         select $1, id, 'owner' from users where email_normalized = $2
         on conflict (org_id, user_id) do nothing`,
        [org.id, org.owner],
      );
      rows += (created.rowCount ?? 0) + (member.rowCount ?? 0);
    }
    for (const member of demoMembers) {
      const result = await client.query(
        `insert into memberships (org_id, user_id, role)
         select $1, id, $3 from users where email_normalized = $2
         on conflict (org_id, user_id) do nothing`,
        [member.orgId, member.email, member.role],
      );
      rows += result.rowCount ?? 0;
    }
    return rows;
  },
};
