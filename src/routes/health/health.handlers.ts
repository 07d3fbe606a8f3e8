import { sql } from "drizzle-orm";
import { replayed } from "../../http/edge-cache.ts";
import { problemResponse } from "../../http/problem.ts";
import type { AppRouteHandler, RouteResult } from "../../types.ts";
import type { liveness, readiness } from "./health.routes.ts";

const CHECK_TIMEOUT_MS = 3000;
/** A key that never exists: reading it proves the store answers without touching real data. */
const PROBE_KEY = "__readiness_probe__";

interface CheckResult {
  ok: boolean;
  ms: number;
  error?: "unreachable" | "timeout";
  cause?: string;
}

async function check(probe: () => Promise<unknown>): Promise<CheckResult> {
  const started = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), CHECK_TIMEOUT_MS);
  });
  try {
    const outcome = await Promise.race([probe().then(() => "ok" as const), timeout]);
    const ms = Math.round((performance.now() - started) * 10) / 10;
    return outcome === "ok" ? { ok: true, ms } : { ok: false, ms, error: "timeout" };
  } catch (error) {
    const ms = Math.round((performance.now() - started) * 10) / 10;
    return { ok: false, ms, error: "unreachable", cause: error instanceof Error ? error.name : "error" };
  } finally {
    clearTimeout(timer);
  }
}

export const livenessHandler: AppRouteHandler<typeof liveness> = (c) =>
  c.json({ status: "ok" as const }, 200);

export const readinessHandler: AppRouteHandler<typeof readiness> = async (c) => {
  const [postgres, kv, r2] = await Promise.all([
    check(() => c.var.db.execute(sql`select 1`)),
    check(() => c.env.SESSIONS.get(PROBE_KEY)),
    check(() => c.env.FILES.head(PROBE_KEY)),
  ]);
  const results = { postgres, kv, r2 };
  const failed = Object.entries(results).filter(([, result]) => !result.ok);
  const checks = Object.fromEntries(
    Object.entries(results).map(([name, { cause: _cause, ...result }]) => [name, result]),
  ) as { postgres: CheckResult; kv: CheckResult; r2: CheckResult };
  c.header("Cache-Control", "no-store");
  if (failed.length === 0) return c.json({ status: "ok" as const, checks }, 200);

  for (const [name, result] of failed) {
    c.var.logger.warn("readiness check failed", {
      dependency: name,
      error: result.error,
      cause: result.cause,
    });
  }
  const names = failed.map(([name]) => name);
  return replayed<RouteResult<typeof readiness>>(
    problemResponse(c, "service_unavailable", `Unavailable: ${names.join(", ")}.`, {
      extra: { checks },
      headers: { "Retry-After": "5", "Cache-Control": "no-store" },
    }),
  );
};
