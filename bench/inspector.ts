/**
 * Reads the Worker isolate's JS heap through the DevTools protocol that `wrangler dev --inspector-port`
 * exposes (`Runtime.getHeapUsage`). Garbage collection is asked for first (`HeapProfiler.collectGarbage`);
 * wrangler's inspector proxy may leave that unanswered, so it is awaited only briefly.
 */
import WebSocket from "ws";

export interface HeapUsage {
  usedBytes: number;
  totalBytes: number;
  collected: boolean;
}

export async function isolateHeap(inspectorPort: number, timeoutMs = 5000): Promise<HeapUsage> {
  const targets = (await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json()) as {
    webSocketDebuggerUrl?: string;
  }[];
  const url = targets.find((t) => t.webSocketDebuggerUrl)?.webSocketDebuggerUrl;
  if (!url) throw new Error(`no inspector target on port ${inspectorPort}`);
  const socket = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    socket.once("open", () => resolve());
    socket.once("error", reject);
  });
  let nextId = 1;
  const pending = new Map<number, (result: Record<string, unknown>) => void>();
  socket.on("message", (data) => {
    const message = JSON.parse(String(data)) as { id?: number; result?: Record<string, unknown> };
    if (message.id !== undefined) pending.get(message.id)?.(message.result ?? {});
  });
  const call = (method: string, waitMs: number) =>
    new Promise<Record<string, unknown> | undefined>((resolve) => {
      const id = nextId++;
      const timer = setTimeout(() => resolve(undefined), waitMs);
      pending.set(id, (result) => {
        clearTimeout(timer);
        resolve(result);
      });
      socket.send(JSON.stringify({ id, method }));
    });
  try {
    const collected = (await call("HeapProfiler.collectGarbage", 1000)) !== undefined;
    const usage = await call("Runtime.getHeapUsage", timeoutMs);
    if (!usage) throw new Error("Runtime.getHeapUsage got no answer");
    return { usedBytes: Number(usage.usedSize), totalBytes: Number(usage.totalSize), collected };
  } finally {
    socket.close();
  }
}
