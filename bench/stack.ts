/**
 * The benchmark's local stack: a fresh Postgres database (or embedded PGlite when no server answers), the
 * local Neon proxy in a process of its own (so its CPU can be told apart), the API on `wrangler dev`, and
 * the bare Hono baseline Worker (bench/hello) on a second `wrangler dev`, all started the same way.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findTestServer, freshDatabaseUrl } from "../test/global-setup.ts";
import { startWranglerDev, type WranglerDev } from "../tools/dev/wrangler.ts";
import { freePort } from "../tools/local-db/backend.ts";
import { dropDatabase } from "../tools/local-db/migrate.ts";
import { type LocalStack, startLocalStack } from "../tools/local-db/stack.ts";
import { type ProcessGroup, processesNamed, processTree, wranglerGroups } from "./processes.ts";

export interface BenchWorker extends WranglerDev {
  inspectorPort: number;
}

export interface BenchStack {
  databaseUrl: string;
  describe: string;
  api: BenchWorker;
  hello: BenchWorker;
  /** The same bare Worker behind a static-assets directory, like the API: the platform's own cost. */
  helloAssets: BenchWorker;
  /** Where CPU and memory go: Postgres, the proxy, each wrangler and its workerd processes. */
  groups: ProcessGroup[];
  close(): Promise<void>;
}

/** The local Neon proxy (scripts/db-proxy.ts) in a process of its own, in front of `databaseUrl`. */
export async function startProxyProcess(databaseUrl: string): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, ["--no-warnings", "scripts/db-proxy.ts"], {
    env: { ...process.env, DATABASE_URL: databaseUrl, DB_PROXY_PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`db proxy did not start:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (/proxy:\s+http/.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => reject(new Error(`db proxy exited (${code}):\n${output}`)));
  });
  return { url: `http://127.0.0.1:${port}`, child };
}

export async function startBenchStack(options: {
  name: string;
  vars?: Record<string, string>;
}): Promise<BenchStack> {
  const server = await findTestServer();
  const persistTo = mkdtempSync(join(tmpdir(), `marketplace-${options.name}-`));
  let databaseUrl: string;
  let proxyUrl: string;
  let describe: string;
  let proxyChild: ChildProcess | undefined;
  let inProcess: LocalStack | undefined;
  if (server) {
    databaseUrl = freshDatabaseUrl(server).replace("marketplace_test_", `marketplace_${options.name}_`);
    const proxy = await startProxyProcess(databaseUrl);
    proxyChild = proxy.child;
    proxyUrl = proxy.url;
    describe = "Postgres (fresh database), proxy in its own process";
  } else {
    inProcess = await startLocalStack({});
    databaseUrl = inProcess.databaseUrl;
    proxyUrl = inProcess.proxy.url;
    describe = "embedded PGlite in memory (proxy in the bench process)";
  }
  const apiInspector = await freePort();
  const api = await startWranglerDev({
    port: await freePort(),
    inspectorPort: apiInspector,
    persistTo: join(persistTo, "api"),
    ownProcessGroup: true,
    vars: {
      DATABASE_URL: databaseUrl,
      LOCAL_DB_PROXY: proxyUrl,
      SERVER_TIMING: "on",
      LOG_LEVEL: "warn",
      ...options.vars,
    },
  });
  const helloInspector = await freePort();
  const hello = await startWranglerDev({
    port: await freePort(),
    inspectorPort: helloInspector,
    persistTo: join(persistTo, "hello"),
    config: "bench/hello/wrangler.toml",
    ownProcessGroup: true,
  });
  const helloAssetsInspector = await freePort();
  const helloAssets = await startWranglerDev({
    port: await freePort(),
    inspectorPort: helloAssetsInspector,
    persistTo: join(persistTo, "hello-assets"),
    config: "bench/hello/wrangler.assets.toml",
    ownProcessGroup: true,
  });
  const groups: ProcessGroup[] = [
    { label: "postgres", list: () => processesNamed(/^postgres/) },
    ...(proxyChild?.pid
      ? [{ label: "db proxy", list: () => processTree(proxyChild?.pid ?? -1) }]
      : [
          {
            label: "bench + proxy",
            list: () => processTree(process.pid).filter((p) => p.pid === process.pid),
          },
        ]),
    ...wranglerGroups("api", api.process.pid ?? -1),
    ...wranglerGroups("hello", hello.process.pid ?? -1),
    ...wranglerGroups("hello+assets", helloAssets.process.pid ?? -1),
  ];
  return {
    databaseUrl,
    describe,
    api: Object.assign(api, { inspectorPort: apiInspector }),
    hello: Object.assign(hello, { inspectorPort: helloInspector }),
    helloAssets: Object.assign(helloAssets, { inspectorPort: helloAssetsInspector }),
    groups,
    async close() {
      await Promise.allSettled([api.stop(), hello.stop(), helloAssets.stop()]);
      if (proxyChild && proxyChild.exitCode === null) {
        const exited = new Promise((resolve) => proxyChild?.once("exit", resolve));
        proxyChild.kill("SIGTERM");
        await exited;
      }
      await inProcess?.close();
      if (server) await dropDatabase(databaseUrl).catch(() => {});
      rmSync(persistTo, { recursive: true, force: true });
    },
  };
}
