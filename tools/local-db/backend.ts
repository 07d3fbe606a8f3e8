/**
 * The Postgres behind the local proxy: the server named by a URL when one is given, else embedded PGlite
 * persisted in a folder (Postgres in WebAssembly, served over TCP by pglite-socket).
 */
import { mkdirSync } from "node:fs";
import pg from "pg";

export interface Backend {
  kind: "postgres" | "pglite";
  /** Connection string for a plain `pg` client (migrations, seeding, the proxy's target). */
  url: string;
  host: string;
  port: number;
  close(): Promise<void>;
}

/** Uses the Postgres at `databaseUrl`; fails with a clear message when it cannot be reached. */
export async function usePostgres(databaseUrl: string): Promise<Backend> {
  const url = new URL(databaseUrl);
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(`cannot reach Postgres at ${redact(databaseUrl)}: ${(error as Error).message}`);
  } finally {
    await client.end().catch(() => {});
  }
  return {
    kind: "postgres",
    url: databaseUrl,
    host: url.hostname,
    port: Number(url.port || 5432),
    close: async () => {},
  };
}

/**
 * Starts PGlite persisted in `dataDir` (or in memory when omitted) and serves it on a loopback port.
 * PGlite runs one connection at a time; extra connections queue.
 */
export async function startPglite(dataDir?: string): Promise<Backend> {
  const [{ PGlite }, { PGLiteSocketServer }] = await Promise.all([
    import("@electric-sql/pglite"),
    import("@electric-sql/pglite-socket"),
  ]);
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const db = dataDir ? await PGlite.create(dataDir) : await PGlite.create();
  const port = await freePort();
  const server = new PGLiteSocketServer({ db, host: "127.0.0.1", port, maxConnections: 32 });
  await server.start();
  return {
    kind: "pglite",
    url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    host: "127.0.0.1",
    port,
    async close() {
      await server.stop();
      await db.close();
    },
  };
}

/** True when a Postgres answers at `databaseUrl` within a short time. */
export async function isReachable(databaseUrl: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 1500 });
  try {
    await client.connect();
    await client.query("select 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/** A connection string with its password replaced, safe to print. */
export function redact(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    if (url.password) url.password = "***";
    return url.toString();
  } catch {
    return "<invalid connection string>";
  }
}

export async function freePort(): Promise<number> {
  const { createServer } = await import("node:net");
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
