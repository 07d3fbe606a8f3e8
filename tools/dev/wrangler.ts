/**
 * Starts `wrangler dev` as a child process (the wrangler node process itself, so signals reach it),
 * waits until the Worker answers, and stops it on request. Used by `npm run dev`, the benchmark and the
 * tests that kill and restart the Worker.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

export const OFFLINE_ENV = {
  WRANGLER_SEND_METRICS: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  WRANGLER_HIDE_BANNER: "true",
} as const;

export interface WranglerDevOptions {
  port: number;
  inspectorPort: number;
  /** Folder for local KV/R2 state; share it between runs to keep data. */
  persistTo: string;
  /** Extra vars for the Worker (`--var KEY:VALUE`). */
  vars?: Record<string, string>;
  /** Print wrangler's own output (dev does, tests and bench don't). */
  inheritOutput?: boolean;
  cwd?: string;
  /** Another Worker's wrangler config (the benchmark's bare baseline); default: the project's. */
  config?: string;
  startTimeoutMs?: number;
  /**
   * Run wrangler in its own process group, so `kill()` takes its workerd child down with it (a SIGKILL
   * to wrangler alone leaves workerd serving). Off for `npm run dev`, where Ctrl-C reaches the group.
   */
  ownProcessGroup?: boolean;
}

export interface WranglerDev {
  url: string;
  process: ChildProcess;
  /** Graceful stop (SIGTERM), resolved when the process has exited. */
  stop(): Promise<void>;
  /** Kills at once (SIGKILL), with workerd when in its own process group: a vanished server. */
  kill(): Promise<void>;
}

async function portTaken(port: number): Promise<boolean> {
  const { connect } = await import("node:net");
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

export async function startWranglerDev(options: WranglerDevOptions): Promise<WranglerDev> {
  // Otherwise the readiness poll below could be answered by whatever already listens there.
  if (await portTaken(options.port))
    throw new Error(`port ${options.port} is already in use (is another npm run dev running?)`);
  const require = createRequire(import.meta.url);
  // wrangler's bin script only re-spawns this file; running it directly means our signals reach wrangler.
  const wranglerCli = join(dirname(require.resolve("wrangler/package.json")), "wrangler-dist", "cli.js");
  const args = [
    "--no-warnings",
    wranglerCli,
    "dev",
    "--ip",
    "127.0.0.1",
    "--port",
    String(options.port),
    "--inspector-port",
    String(options.inspectorPort),
    "--persist-to",
    options.persistTo,
    "--show-interactive-dev-session=false",
  ];
  if (options.config) args.push("--config", options.config);
  // Presigned URLs and email links must point at this instance: its own port and local S3 endpoint.
  const vars = {
    R2_S3_ENDPOINT: `http://127.0.0.1:${options.port}/cdn-cgi/local/r2/s3`,
    PUBLIC_URL: `http://127.0.0.1:${options.port}`,
    ...options.vars,
  };
  for (const [key, value] of Object.entries(vars)) args.push("--var", `${key}:${value}`);

  const child = spawn(process.execPath, args, {
    cwd: options.cwd ?? process.cwd(),
    env: { ...process.env, ...OFFLINE_ENV },
    stdio: options.inheritOutput ? ["ignore", "inherit", "inherit"] : ["ignore", "pipe", "pipe"],
    detached: options.ownProcessGroup ?? false,
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-8000);
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-8000);
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));

  const url = `http://127.0.0.1:${options.port}`;
  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  let ready = false;
  while (Date.now() < deadline && child.exitCode === null) {
    try {
      const res = await fetch(`${url}/health`);
      if (res.status < 500) {
        ready = true;
        break;
      }
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  if (!ready) {
    child.kill("SIGKILL");
    await exited;
    throw new Error(`wrangler dev did not become ready on ${url}:\n${output}`);
  }

  const signal = async (name: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) {
      if (options.ownProcessGroup && child.pid) process.kill(-child.pid, name);
      else child.kill(name);
    }
    await exited;
  };
  return { url, process: child, stop: () => signal("SIGTERM"), kill: () => signal("SIGKILL") };
}
