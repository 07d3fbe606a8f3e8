import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      {
        // Route and service tests, run inside workerd against the real local KV, R2 and Postgres.
        plugins: [
          cloudflareTest(({ inject }) => ({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              bindings: {
                ENVIRONMENT: "test",
                LOG_LEVEL: "warn",
                // Cheap scrypt for the thousands of test sign-ups; production refuses it (test/app.test.ts).
                PASSWORD_HASH_COST: process.env.PASSWORD_HASH_COST ?? "test",
                DATABASE_URL: inject("databaseUrl"),
                LOCAL_DB_PROXY: inject("dbProxyUrl"),
                DATABASE_KIND: inject("databaseKind"),
                // Tests drive the outbox relay and the queue consumer themselves (test/support/delivery.ts).
                OUTBOX_RELAY: "off",
                WEBHOOK_ALLOW_LOOPBACK: "on",
                TEST_WEBHOOK_RECEIVER: inject("webhookReceiverUrl"),
              },
            },
          })),
        ],
        test: {
          name: "workers",
          include: ["test/**/*.test.ts"],
          exclude: ["test/node/**", "test/browser/**"],
          globalSetup: ["./test/global-setup.ts"],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        // Node-side tools: the local Neon proxy, against real Postgres and embedded PGlite.
        test: {
          name: "node",
          environment: "node",
          include: ["test/node/**/*.test.ts"],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        // The web app in real Chromium against the whole local stack (`npm run dev`'s), started once.
        test: {
          name: "browser",
          environment: "node",
          include: ["test/browser/**/*.test.ts"],
          globalSetup: ["./test/browser/global-setup.ts"],
          // One browser, one stack: files run one after another (and after the parallel projects).
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
