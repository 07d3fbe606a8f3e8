/** One autocannon run against a prepared request, with the database time each response reports. */
import autocannon from "autocannon";
import type { BenchRequest } from "./endpoints.ts";

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  /** Responses that were not 2xx/3xx, and socket errors/timeouts. */
  errors: number;
  /** Of those, 5xx responses (never expected). */
  serverErrors: number;
  /** Database time per request from Server-Timing (ms): mean and p95; null when none reported. */
  dbMean: number | null;
  dbP95: number | null;
}

function randomClientIp() {
  const octet = () => 1 + Math.floor(Math.random() * 250);
  return `10.${octet()}.${octet()}.${octet()}`;
}

const quantile = (sorted: number[], q: number) =>
  sorted.length ? (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0) : 0;

/** Sends one request as the load would (a fresh client address each time, so per-IP limits stay out). */
export function sendOnce(baseUrl: string, request: BenchRequest) {
  const copy = {
    path: request.path,
    headers: { ...request.headers, "cf-connecting-ip": randomClientIp() },
    body: request.body,
  };
  request.vary?.(copy);
  return fetch(`${baseUrl}${copy.path}`, {
    method: request.method ?? "GET",
    headers: copy.headers,
    body: copy.body,
  });
}

export async function load(
  baseUrl: string,
  request: BenchRequest,
  options: { connections: number; seconds: number; overallRate?: number },
): Promise<LoadResult> {
  const dbTimes: number[] = [];
  let serverErrors = 0;
  const result = await autocannon({
    url: `${baseUrl}${request.path}`,
    method: (request.method ?? "GET") as "GET",
    headers: request.headers,
    body: request.body,
    connections: options.connections,
    duration: options.seconds,
    ...(options.overallRate ? { overallRate: options.overallRate } : {}),
    requests: [
      {
        setupRequest: (req) => {
          const next = {
            path: (req.path as string | undefined) ?? request.path,
            headers: { ...(req.headers as Record<string, string>), "cf-connecting-ip": randomClientIp() },
            body: req.body as string,
          };
          request.vary?.(next);
          return { ...req, path: next.path, headers: next.headers, body: next.body };
        },
        onResponse: (status, _body, _context, headers) => {
          if (status >= 500) serverErrors++;
          const timing = Object.entries(headers ?? {}).find(
            ([k]) => k.toLowerCase() === "server-timing",
          )?.[1];
          const dur = /db;dur=([\d.]+)/.exec(String(timing ?? ""))?.[1];
          if (dur !== undefined) dbTimes.push(Number(dur));
        },
      },
    ],
  });
  dbTimes.sort((a, b) => a - b);
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    errors: result.errors + result.timeouts + result.non2xx,
    serverErrors,
    dbMean: dbTimes.length ? dbTimes.reduce((a, b) => a + b, 0) / dbTimes.length : null,
    dbP95: dbTimes.length ? quantile(dbTimes, 0.95) : null,
  };
}
