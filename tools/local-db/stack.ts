/**
 * The local database stack shared by `npm run dev`, the tests and the benchmark:
 * a Postgres backend (the server at DATABASE_URL, or embedded PGlite), migrated, behind the Neon proxy.
 */
import { type Backend, redact, startPglite, usePostgres } from "./backend.ts";
import { applyMigrations, ensureDatabase } from "./migrate.ts";
import { type DbProxy, startDbProxy } from "./proxy.ts";

export interface LocalStack {
  backend: Backend;
  proxy: DbProxy;
  /** What the Worker gets as DATABASE_URL (its host and port are replaced by the proxy's backend). */
  databaseUrl: string;
  describe(): string;
  close(): Promise<void>;
}

export interface LocalStackOptions {
  /** Use this Postgres server (database created if missing); otherwise embedded PGlite. */
  databaseUrl?: string;
  /** PGlite data folder (persisted); omitted means in memory. */
  pgliteDir?: string;
  proxyPort?: number;
  log?: (line: string) => void;
}

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  let backend: Backend;
  if (options.databaseUrl) {
    await ensureDatabase(options.databaseUrl).catch((error: Error) => {
      throw new Error(`cannot prepare database ${redact(options.databaseUrl ?? "")}: ${error.message}`);
    });
    backend = await usePostgres(options.databaseUrl);
  } else {
    backend = await startPglite(options.pgliteDir);
  }
  try {
    await applyMigrations(backend.url);
    const proxy = await startDbProxy({
      backendHost: backend.host,
      backendPort: backend.port,
      port: options.proxyPort ?? 0,
      log: options.log,
    });
    return {
      backend,
      proxy,
      databaseUrl: backend.url,
      describe: () =>
        backend.kind === "pglite"
          ? `embedded PGlite${options.pgliteDir ? ` (${options.pgliteDir})` : " (in memory)"}`
          : `Postgres ${redact(backend.url)}`,
      async close() {
        await proxy.close();
        await backend.close();
      },
    };
  } catch (error) {
    await backend.close();
    throw error;
  }
}
