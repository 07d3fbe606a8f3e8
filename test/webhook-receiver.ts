/**
 * A real webhook receiver for the tests (Node side, started by the global setup): every endpoint a test
 * registers under /hooks/<name> verifies signatures with the `standardwebhooks` package (an implementation
 * of the spec independent of ours), records each request, and answers with the status codes it was told
 * to (in order; the last repeats).
 *
 * Control API (JSON): PUT /control/<name> {secrets, statuses?, redirectTo?, delayMs?, answer?}; GET
 * /control/<name> → {received: [...]}. `answer` makes a misbehaving receiver: `endless` sends its status,
 * then a byte every 50 ms and never ends; `huge` sends 16 MiB; `early-hints` sends a 103 before its status.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";

export interface Received {
  id: string | undefined;
  timestamp: string | undefined;
  signature: string | undefined;
  body: string;
  /** Which registered secret verified the signature (index), or -1 when none did. */
  verifiedWith: number;
  /** Every registered secret that verified it. */
  verifiedBy: number[];
  status: number;
  /** For `answer: huge | endless`: whether the client read the whole body or let go of it first. */
  bodyRead?: "whole" | "cut";
}

interface Endpoint {
  secrets: string[];
  statuses: number[];
  delayMs: number;
  redirectTo?: string;
  answer?: "endless" | "huge" | "early-hints";
  received: Received[];
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export async function startWebhookReceiver(): Promise<{ url: string; close: () => Promise<void> }> {
  const endpoints = new Map<string, Endpoint>();
  const server: Server = createServer(async (request, response) => {
    const url = new URL(request.url ?? "/", "http://receiver");
    const [, area, name] = url.pathname.split("/");
    const body = await readBody(request);
    if (area === "control" && name) {
      if (request.method === "PUT") {
        const config = JSON.parse(body) as Partial<Endpoint>;
        endpoints.set(name, {
          secrets: config.secrets ?? [],
          statuses: config.statuses ?? [200],
          delayMs: config.delayMs ?? 0,
          redirectTo: config.redirectTo,
          answer: config.answer,
          received: endpoints.get(name)?.received ?? [],
        });
        response.writeHead(204).end();
        return;
      }
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify({ received: endpoints.get(name)?.received ?? [] }));
      return;
    }
    const endpoint = name ? endpoints.get(name) : undefined;
    if (area !== "hooks" || !endpoint || request.method !== "POST") {
      response.writeHead(404).end();
      return;
    }
    const headers = {
      "webhook-id": String(request.headers["webhook-id"] ?? ""),
      "webhook-timestamp": String(request.headers["webhook-timestamp"] ?? ""),
      "webhook-signature": String(request.headers["webhook-signature"] ?? ""),
    };
    const verifiedBy = endpoint.secrets.flatMap((secret, index) => {
      try {
        new Webhook(secret).verify(body, headers);
        return [index];
      } catch {
        return [];
      }
    });
    const status = endpoint.statuses[Math.min(endpoint.received.length, endpoint.statuses.length - 1)] ?? 200;
    const record: Received = {
      id: request.headers["webhook-id"] as string | undefined,
      timestamp: request.headers["webhook-timestamp"] as string | undefined,
      signature: request.headers["webhook-signature"] as string | undefined,
      body,
      verifiedWith: verifiedBy[0] ?? -1,
      verifiedBy,
      status,
    };
    endpoint.received.push(record);
    if (endpoint.delayMs) await new Promise((resolve) => setTimeout(resolve, endpoint.delayMs));
    if (endpoint.redirectTo) {
      response.writeHead(307, { location: endpoint.redirectTo }).end();
      return;
    }
    if (endpoint.answer === "early-hints") response.writeEarlyHints({ link: "</style.css>; rel=preload" });
    if (endpoint.answer === "endless" || endpoint.answer === "huge") {
      response.writeHead(status, { "content-type": "application/octet-stream" });
      if (endpoint.answer === "huge") {
        const chunk = Buffer.alloc(64 * 1024, 120);
        for (let sent = 0; sent < 256 && !response.destroyed; sent++) {
          if (!response.write(chunk))
            await new Promise((resolve) => response.once("drain", resolve).once("close", resolve));
        }
        if (response.destroyed) record.bodyRead = "cut";
        else response.end(() => (record.bodyRead = "whole"));
        return;
      }
      const timer = setInterval(() => response.write("."), 50);
      response.on("close", () => {
        clearInterval(timer);
        record.bodyRead = "cut";
      });
      return;
    }
    response.writeHead(status, { "content-type": "text/plain" }).end(status < 300 ? "ok" : "nope");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
