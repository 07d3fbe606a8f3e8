import { Client, neon, neonConfig } from "@neondatabase/serverless";
import { afterAll, beforeAll } from "vitest";
import ws from "ws";
import { dropDatabase } from "../../tools/local-db/migrate.ts";
import { type LocalStack, startLocalStack } from "../../tools/local-db/stack.ts";
import { findTestServer, freshDatabaseUrl } from "../global-setup.ts";
import { type ConformanceTarget, conformanceSuite } from "../support/conformance.ts";

neonConfig.webSocketConstructor = ws;
neonConfig.useSecureWebSocket = false;
neonConfig.pipelineTLS = false;
neonConfig.pipelineConnect = false;

function nodeTarget(stack: () => LocalStack): () => ConformanceTarget {
  return () => {
    const { proxy, databaseUrl, backend } = stack();
    neonConfig.fetchEndpoint = () => `${proxy.url}/sql`;
    neonConfig.wsProxy = () => `${new URL(proxy.url).host}/v2`;
    return {
      kind: backend.kind,
      http: () => neon(databaseUrl),
      async connect(applicationName) {
        const url = new URL(databaseUrl);
        if (applicationName) url.searchParams.set("application_name", applicationName);
        const client = new Client(url.toString());
        await client.connect();
        return client;
      },
      openConnections: () => proxy.openConnections(),
    };
  };
}

let pglite: LocalStack;
beforeAll(async () => {
  pglite = await startLocalStack({});
});
afterAll(() => pglite?.close());
conformanceSuite(
  "node → proxy → PGlite",
  nodeTarget(() => pglite),
);

let postgres: LocalStack | undefined;
let postgresUrl: string | undefined;
beforeAll(async () => {
  const server = await findTestServer();
  if (!server) return;
  postgresUrl = freshDatabaseUrl(server);
  postgres = await startLocalStack({ databaseUrl: postgresUrl });
});
afterAll(async () => {
  await postgres?.close();
  if (postgresUrl) await dropDatabase(postgresUrl);
});
conformanceSuite("node → proxy → Postgres", () => {
  if (!postgres) throw new Error("no Postgres server reachable for this run");
  const stack = postgres;
  return nodeTarget(() => stack)();
});
