/**
 * Demo data for local development. Every step is idempotent (upserts keyed by natural keys), so running
 * the seed twice changes nothing the second time. Steps are added by the issues that add tables.
 */
import pg from "pg";
import { demoCatalogSeed } from "./catalog.ts";
import { identitySeed } from "./identity.ts";

export interface SeedStep {
  name: string;
  /** Applies the step; returns how many rows it inserted or updated. */
  run(client: pg.Client): Promise<number>;
}

export const seedSteps: SeedStep[] = [identitySeed, demoCatalogSeed];

export async function runSeed(databaseUrl: string, log: (line: string) => void = console.log): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    for (const [index, step] of seedSteps.entries()) {
      const started = Date.now();
      log(`seed: [${index + 1}/${seedSteps.length}] ${step.name} …`);
      await client.query("begin");
      try {
        const rows = await step.run(client);
        await client.query("commit");
        log(
          `seed: [${index + 1}/${seedSteps.length}] ${step.name}: ${rows} rows in ${Date.now() - started} ms`,
        );
      } catch (error) {
        await client.query("rollback");
        throw error;
      }
    }
  } finally {
    await client.end();
  }
}
