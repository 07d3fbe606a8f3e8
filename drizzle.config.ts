import { defineConfig } from "drizzle-kit";

// `npm run db:generate` needs no database. Migrations are applied by `npm run db:migrate` (scripts/db-migrate.ts).
export default defineConfig({
  dialect: "postgresql",
  schema: "./src/db/schema/index.ts",
  out: "./drizzle",
  casing: "snake_case",
  dbCredentials: { url: process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/marketplace" },
});
