import { env } from "cloudflare:workers";
import { neonHttp, webSocketClient } from "../src/db/client.ts";
import { conformanceSuite } from "./support/conformance.ts";
import { testConfig } from "./support/env.ts";

conformanceSuite(`workerd → proxy → ${env.DATABASE_KIND}`, () => ({
  kind: env.DATABASE_KIND as "postgres" | "pglite",
  http: () => neonHttp(testConfig()),
  async connect(applicationName) {
    const client = webSocketClient(testConfig(), applicationName);
    await client.connect();
    return client;
  },
}));
