/**
 * Local stand-in for Neon's proxy: serves both protocols of `@neondatabase/serverless` on one loopback port.
 *
 * - `POST /sql`: Neon's SQL-over-HTTP (one query, or a batch run as one transaction), answered from a
 *   `pg` pool against the backend. See shared/notes/neon-http-protocol.md.
 * - WebSocket upgrade on any path: the raw Postgres wire protocol, piped to the backend over TCP.
 *
 * The backend is any Postgres reachable over TCP: a real server or embedded PGlite (see backend.ts).
 * The database and user come from the client's connection string; host and port are always the backend's.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createRequire } from "node:module";
import { connect, type Socket } from "node:net";
import pg from "pg";
import type { WebSocket, WebSocketServer as WebSocketServerType } from "ws";
import { FrontendMessageTracker } from "./wire.ts";

export interface DbProxyOptions {
  /** Backend Postgres host and port (TCP). */
  backendHost: string;
  backendPort: number;
  /** Port to listen on; 0 picks a free one. */
  port?: number;
  host?: string;
  /** Largest accepted HTTP body, in bytes. */
  maxBodyBytes?: number;
  log?: (line: string) => void;
}

export interface DbProxy {
  /** Base URL, e.g. http://127.0.0.1:5499 (HTTP endpoint is `${url}/sql`). */
  url: string;
  port: number;
  /** Backend TCP connections currently open for WebSocket clients. */
  openConnections(): number;
  close(): Promise<void>;
}

interface HttpQuery {
  query: string;
  params?: unknown[];
}

// Loaded through require: bundlers that prefer the "browser" condition (Vite, in vitest's global setup)
// would otherwise resolve ws to its client-only stub.
const { WebSocketServer } = createRequire(import.meta.url)("ws") as {
  WebSocketServer: typeof WebSocketServerType;
};

const ERROR_FIELDS = [
  "message",
  "code",
  "detail",
  "hint",
  "position",
  "internalPosition",
  "internalQuery",
  "severity",
  "where",
  "table",
  "column",
  "schema",
  "dataType",
  "constraint",
  "file",
  "line",
  "routine",
] as const;

const ISOLATION_LEVELS: Record<string, string> = {
  ReadUncommitted: "READ UNCOMMITTED",
  ReadCommitted: "READ COMMITTED",
  RepeatableRead: "REPEATABLE READ",
  Serializable: "SERIALIZABLE",
};

/** Every value comes back as Postgres text output; the client parses by type OID. */
const rawTextTypes = { getTypeParser: () => (value: string) => value };

/** A batch failed and its connection could not even roll back: `reason` is the batch's error. */
class BrokenConnection extends Error {
  readonly reason: unknown;
  constructor(reason: unknown) {
    super("connection broken after a failed batch");
    this.reason = reason;
  }
}

class ProxyError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export async function startDbProxy(options: DbProxyOptions): Promise<DbProxy> {
  const log = options.log ?? (() => {});
  const maxBodyBytes = options.maxBodyBytes ?? 16 * 1024 * 1024;
  const pools = new Map<string, pg.Pool>();
  const sockets = new Set<Socket>();

  function poolFor(connectionString: string): pg.Pool {
    let parsed: URL;
    try {
      parsed = new URL(connectionString);
    } catch {
      throw new ProxyError(400, "Neon-Connection-String is not a valid URL");
    }
    const user = decodeURIComponent(parsed.username) || "postgres";
    const password = decodeURIComponent(parsed.password);
    const database = decodeURIComponent(parsed.pathname.replace(/^\//, "")) || user;
    const key = `${user}\u0000${password}\u0000${database}`;
    let pool = pools.get(key);
    if (!pool) {
      pool = new pg.Pool({
        host: options.backendHost,
        port: options.backendPort,
        user,
        password,
        database,
        max: 20,
        idleTimeoutMillis: 10_000,
        connectionTimeoutMillis: 5_000,
        // Batches write all their statements at once (see runBatch).
        pipeline: true,
      } as pg.PoolConfig);
      pool.on("error", () => {});
      pools.set(key, pool);
    }
    return pool;
  }

  function checkQuery(q: HttpQuery): void {
    if (typeof q?.query !== "string") throw new ProxyError(400, "each query needs a string `query`");
  }

  /** Sends one statement (extended protocol: Parse, Bind, Describe, Execute, Sync) and maps its result. */
  async function runOne(client: pg.PoolClient, q: HttpQuery) {
    checkQuery(q);
    const result = await client.query({
      text: q.query,
      values: Array.isArray(q.params) ? q.params : [],
      rowMode: "array",
      types: rawTextTypes,
    });
    return {
      fields: result.fields.map((f) => ({
        name: f.name,
        dataTypeID: f.dataTypeID,
        tableID: f.tableID,
        columnID: f.columnID,
        dataTypeSize: f.dataTypeSize,
        dataTypeModifier: f.dataTypeModifier,
        format: "text",
      })),
      command: result.command,
      rowCount: result.rowCount,
      rows: result.rows,
      rowAsArray: true,
    };
  }

  /**
   * A batch as one transaction, pipelined: BEGIN, every statement and COMMIT are written to the backend at
   * once (the pool's clients run in pg's pipeline mode) and their answers read back in order, instead of one
   * backend round trip per statement. Each statement still has its own Sync, so it runs exactly as when sent
   * alone; after a failing one, Postgres refuses the rest (25P02, transaction aborted) and COMMIT only rolls
   * back. The first failure is the batch's error, as on Neon; nothing is committed.
   */
  async function runBatch(client: pg.PoolClient, begin: string, queries: HttpQuery[]) {
    for (const q of queries) checkQuery(q);
    const begun = client.query(begin);
    const statements = queries.map((q) => runOne(client, q));
    const committed = client.query("COMMIT");
    const settled = await Promise.allSettled([begun, ...statements, committed]);
    const failure = settled.find((outcome) => outcome.status === "rejected");
    if (failure) {
      // COMMIT of an aborted transaction rolls back already; ROLLBACK makes sure of it (the transaction is
      // gone either way when it fails: the connection is then dropped).
      await client.query("ROLLBACK").catch(() => {
        throw new BrokenConnection((failure as PromiseRejectedResult).reason);
      });
      throw (failure as PromiseRejectedResult).reason;
    }
    return settled
      .slice(1, -1)
      .map((outcome) => (outcome as PromiseFulfilledResult<Awaited<ReturnType<typeof runOne>>>).value);
  }

  function beginStatement(req: IncomingMessage): string {
    const parts = ["BEGIN"];
    const isolation = header(req, "neon-batch-isolation-level");
    if (isolation !== undefined) {
      const level = ISOLATION_LEVELS[isolation];
      if (!level) throw new ProxyError(400, `invalid Neon-Batch-Isolation-Level: ${isolation}`);
      parts.push("ISOLATION LEVEL", level);
    }
    const readOnly = header(req, "neon-batch-read-only");
    if (readOnly !== undefined) parts.push(readOnly === "true" ? "READ ONLY" : "READ WRITE");
    const deferrable = header(req, "neon-batch-deferrable");
    if (deferrable !== undefined) parts.push(deferrable === "true" ? "DEFERRABLE" : "NOT DEFERRABLE");
    return parts.join(" ");
  }

  async function handleSql(req: IncomingMessage, res: ServerResponse) {
    const connectionString = header(req, "neon-connection-string");
    if (!connectionString) throw new ProxyError(400, "missing Neon-Connection-String header");
    const body = await readBody(req, maxBodyBytes);
    let payload: { query?: string; params?: unknown[]; queries?: HttpQuery[] };
    try {
      payload = JSON.parse(body);
    } catch {
      throw new ProxyError(400, "request body is not valid JSON");
    }
    const pool = poolFor(connectionString);
    const begin = Array.isArray(payload.queries) ? beginStatement(req) : "";
    const client = await pool.connect();
    let broken = false;
    try {
      if (Array.isArray(payload.queries)) {
        let results: Awaited<ReturnType<typeof runOne>>[];
        try {
          results = await runBatch(client, begin, payload.queries);
        } catch (error) {
          if (!(error instanceof BrokenConnection)) throw error;
          broken = true;
          throw error.reason;
        }
        const echoed: Record<string, string> = {};
        for (const name of ["Neon-Batch-Isolation-Level", "Neon-Batch-Read-Only", "Neon-Batch-Deferrable"]) {
          const value = header(req, name.toLowerCase());
          if (value !== undefined) echoed[name] = value;
        }
        sendJson(res, 200, { results }, echoed);
      } else {
        sendJson(res, 200, await runOne(client, payload as HttpQuery));
      }
    } catch (error) {
      if (!(error instanceof pg.DatabaseError)) broken = true;
      throw error;
    } finally {
      client.release(broken);
    }
  }

  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method !== "POST" || path !== "/sql") {
      sendJson(res, 404, { message: "not found: the local database proxy serves POST /sql and WebSockets" });
      return;
    }
    handleSql(req, res).catch((error: unknown) => {
      if (res.headersSent) return;
      if (error instanceof ProxyError) {
        sendJson(res, error.status, { message: error.message });
      } else if (error instanceof pg.DatabaseError) {
        const fields: Record<string, unknown> = {};
        for (const name of ERROR_FIELDS)
          fields[name] = (error as unknown as Record<string, unknown>)[name] ?? null;
        sendJson(res, 400, fields);
      } else {
        const message = error instanceof Error ? error.message : String(error);
        log(`db-proxy: backend error: ${message}`);
        sendJson(res, 502, { message: `local database proxy: backend unavailable: ${message}` });
      }
    });
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 * 1024 });
  server.on("upgrade", (req, socket, head) => {
    wss.handleUpgrade(req, socket, head, (ws) => pipeToBackend(ws));
  });

  function pipeToBackend(ws: WebSocket) {
    const tcp = connect({ host: options.backendHost, port: options.backendPort });
    sockets.add(tcp);
    tcp.setNoDelay(true);
    const tracker = new FrontendMessageTracker();
    ws.on("message", (data: Buffer, isBinary) => {
      if (!isBinary) return;
      const terminated = tracker.push(data);
      tcp.write(data);
      // The driver sends Terminate but never closes its WebSocket; some backends (PGlite) never hang up.
      if (terminated) tcp.end();
    });
    tcp.on("data", (chunk) => {
      if (ws.readyState === ws.OPEN) ws.send(chunk, { binary: true });
    });
    // Hang up without a Close frame: workerd reports a server Close as "Network connection lost".
    const hangUp = () => {
      sockets.delete(tcp);
      if (ws.readyState !== ws.CLOSED) ws.terminate();
    };
    tcp.on("close", hangUp);
    tcp.on("error", (error) => {
      log(`db-proxy: backend socket error: ${error.message}`);
      hangUp();
    });
    ws.on("close", () => tcp.destroy());
    ws.on("error", () => tcp.destroy());
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("db-proxy: no TCP address");
  const host = options.host ?? "127.0.0.1";

  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    openConnections: () => sockets.size,
    async close() {
      for (const client of wss.clients) client.terminate();
      for (const socket of sockets) socket.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all([...pools.values()].map((pool) => pool.end().catch(() => {})));
    },
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new ProxyError(413, `request body larger than ${limit} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}
