import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { createApp } from "../../src/app.ts";
import type { Bindings } from "../../src/env.ts";

type AppLike = { request: ReturnType<typeof createApp>["request"] };

/**
 * Sends a request through an app instance with the test bindings, optionally overridden, and waits for
 * its `waitUntil` work. Use `exports.default.fetch` for the real Worker entry; this for variations of env.
 */
export async function call(
  path: string,
  init: RequestInit = {},
  options: { env?: Partial<Record<keyof Bindings, unknown>>; app?: AppLike } = {},
): Promise<Response> {
  const app = options.app ?? createApp();
  const ctx = createExecutionContext();
  const bindings = { ...env, ...options.env } as Bindings;
  const res = await app.request(`http://api.test${path}`, init, bindings, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

/** Reads a problem+json body, checking the content type on the way. */
export async function problem(res: Response) {
  if (!res.headers.get("content-type")?.startsWith("application/problem+json")) {
    throw new Error(
      `expected application/problem+json, got ${res.headers.get("content-type")}: ${await res.text()}`,
    );
  }
  return (await res.json()) as {
    type: string;
    title: string;
    status: number;
    detail?: string;
    requestId?: string;
    errors?: { field: string; message: string }[];
    [key: string]: unknown;
  };
}

/** Round trips reported in Server-Timing (`db;dur=…;desc="<n> round trips"`). */
export function roundTrips(res: Response): number {
  const match = /desc="(\d+) round trips"/.exec(res.headers.get("server-timing") ?? "");
  if (!match) throw new Error(`no db round trips in Server-Timing: ${res.headers.get("server-timing")}`);
  return Number(match[1]);
}
