/**
 * Node-side setup for the Workers test project: a fresh database for this run (on real Postgres when one
 * is reachable, else on in-memory PGlite), migrated, behind the local Neon proxy. The Worker receives the
 * proxy URL and connection string through `inject()` (see vitest.config.ts).
 */
import type { TestProject } from "vitest/node";
import { isReachable } from "../tools/local-db/backend.ts";
import { dropDatabase } from "../tools/local-db/migrate.ts";
import { type LocalStack, startLocalStack } from "../tools/local-db/stack.ts";
import { startWebhookReceiver } from "./webhook-receiver.ts";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
    dbProxyUrl: string;
    databaseKind: "postgres" | "pglite";
    webhookReceiverUrl: string;
  }
}

/** The Postgres server tests use when one is reachable: TEST_DATABASE_URL, DATABASE_URL, then localhost. */
export async function findTestServer(): Promise<string | undefined> {
  const candidates = [
    process.env.TEST_DATABASE_URL,
    process.env.DATABASE_URL,
    "postgres://postgres@127.0.0.1:5432/postgres",
  ].filter((url): url is string => Boolean(url));
  for (const url of candidates) if (await isReachable(url)) return url;
  if (process.env.TEST_DATABASE_URL)
    throw new Error("TEST_DATABASE_URL is set but its Postgres is unreachable");
  return undefined;
}

export function freshDatabaseUrl(serverUrl: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/marketplace_test_${Date.now()}_${process.pid}_${Math.floor(Math.random() * 1e6)}`;
  return url.toString();
}

export default async function setup(project: TestProject) {
  const server = await findTestServer();
  const databaseUrl = server ? freshDatabaseUrl(server) : undefined;
  const stack: LocalStack = await startLocalStack({ databaseUrl });
  console.log(`[test] database: ${stack.describe()}; proxy ${stack.proxy.url}`);
  project.provide("databaseUrl", stack.databaseUrl);
  project.provide("dbProxyUrl", stack.proxy.url);
  project.provide("databaseKind", stack.backend.kind);
  const receiver = await startWebhookReceiver();
  project.provide("webhookReceiverUrl", receiver.url);
  return async () => {
    await receiver.close();
    await stack.close();
    if (databaseUrl) await dropDatabase(databaseUrl).catch(() => {});
  };
}
