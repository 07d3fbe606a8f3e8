import { Client, neon, neonConfig } from "@neondatabase/serverless";
import { afterAll, beforeAll, describe } from "vitest";
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

// A machine without a Postgres server runs only the PGlite half; CI must have one.
const server = await findTestServer();
if (!server && process.env.CI) throw new Error("CI needs a reachable Postgres server (127.0.0.1:5432)");
describe.skipIf(!server)("with a Postgres server", () => {
  let postgres: LocalStack;
  const postgresUrl = server ? freshDatabaseUrl(server) : "";
  beforeAll(async () => {
    postgres = await startLocalStack({ databaseUrl: postgresUrl });
  });
  afterAll(async () => {
    await postgres?.close();
    await dropDatabase(postgresUrl);
  });
  conformanceSuite(
    "node → proxy → Postgres",
    nodeTarget(() => postgres),
  );
});
