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
                DATABASE_URL: inject("databaseUrl"),
                LOCAL_DB_PROXY: inject("dbProxyUrl"),
                DATABASE_KIND: inject("databaseKind"),
              },
            },
          })),
        ],
        test: {
          name: "workers",
          include: ["test/**/*.test.ts"],
          exclude: ["test/node/**"],
          globalSetup: ["./test/global-setup.ts"],
          // Password hashing is deliberately slow (scrypt, ~200 ms of CPU each): tests that sign in many
          // times need more than the default 5 s on a loaded 2-core machine.
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
    ],
  },
});
