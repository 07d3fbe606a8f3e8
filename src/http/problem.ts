/**
 * problem+json at the HTTP edge: the schema for the OpenAPI document, the response builder, and the one
 * `onError` that maps every thrown error (ApiError, Hono's own, configuration, guard and Postgres errors).
 */
import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { guardFailure, postgresError } from "../db/atomic.ts";
import { ConfigError } from "../env.ts";
import { redactSecrets } from "../lib/logger.ts";
import {
  ApiError,
  type FieldError,
  PROBLEM_CONTENT_TYPE,
  type Problem,
  type ProblemCode,
  problemBody,
  problemCodes,
} from "../lib/problem.ts";
import type { AppEnv } from "../types.ts";

export const problemSchema = z
  .object({
    type: z.string().openapi({ example: "urn:problem:validation_failed" }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    requestId: z.string().optional(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .catchall(z.unknown())
  .openapi("Problem", { description: "RFC 9457 problem details" });

export function problemResponse(
  c: Context<AppEnv>,
  code: ProblemCode,
  detail?: string,
  options: { errors?: FieldError[]; extra?: Record<string, unknown>; headers?: Record<string, string> } = {},
): Response {
  const body: Problem = { ...problemBody(code, c.get("requestId"), detail), ...options.extra };
  if (options.errors?.length) body.errors = options.errors;
  const headers = new Headers(options.headers);
  headers.set("content-type", PROBLEM_CONTENT_TYPE);
  return new Response(JSON.stringify(body), { status: body.status, headers });
}

/** Status codes Hono's own middleware throw, mapped to our codes. */
function codeForStatus(status: number): ProblemCode {
  const found = Object.entries(problemCodes).find(([, value]) => value.status === status);
  return (found?.[0] as ProblemCode | undefined) ?? (status >= 500 ? "internal" : "bad_request");
}

/**
 * SQLSTATEs that mean "this transaction lost a race and was rolled back whole; retrying is safe":
 * deadlock detected, serialization failure, lock wait timeout. Answered 503 with Retry-After, never 500.
 */
const TRANSIENT_SQLSTATES = new Set(["40P01", "40001", "55P03"]);

/** The one `onError`: every thrown error becomes a problem; internals never reach the client. */
export function handleError(error: Error, c: Context<AppEnv>): Response {
  if (error instanceof ApiError) {
    return problemResponse(c, error.code, error.detail, error);
  }
  if (error instanceof HTTPException) {
    const code = /malformed json/i.test(error.message) ? "malformed_json" : codeForStatus(error.status);
    return problemResponse(c, code, error.message);
  }
  if (error instanceof ConfigError) {
    c.var.logger?.error("invalid configuration", { detail: error.message });
    return problemResponse(c, "misconfigured", error.message, { errors: error.problems.map(toFieldError) });
  }
  const guard = guardFailure(error);
  if (guard) {
    // A guard no service translated: still a conflict with current state, not a server fault.
    return problemResponse(c, "conflict", `The request conflicts with current state (${guard.guard}).`);
  }
  const pg = postgresError(error);
  if (pg?.code && TRANSIENT_SQLSTATES.has(pg.code)) {
    // Postgres rolled the whole batch back and the request may simply be sent again: not a server fault.
    c.var.logger?.warn("transient database conflict", { sqlstate: pg.code });
    return problemResponse(
      c,
      "service_unavailable",
      "The database was busy with a conflicting change; retry shortly.",
      {
        headers: { "Retry-After": "1" },
      },
    );
  }
  c.var.logger?.error("unhandled error", {
    errorName: error.name,
    errorMessage: redactSecrets(safeMessage(error, pg)),
    sqlstate: pg?.code,
    constraint: pg?.constraint,
  });
  return problemResponse(
    c,
    "internal",
    "An unexpected error occurred. Quote the requestId when reporting it.",
  );
}

/**
 * What of an error may be logged. Drizzle's query errors carry the SQL and its parameters (which may hold
 * hashes, tokens or personal data): only the underlying driver or Postgres message is kept.
 */
function safeMessage(error: Error, pg: { message?: string } | undefined): string {
  if (pg?.message) return pg.message;
  if ("query" in error && "params" in error) {
    const cause = error.cause;
    return cause instanceof Error ? `${cause.name}: ${cause.message}` : "database query failed";
  }
  return error.message;
}

function toFieldError(problem: { variable: string; message: string }): FieldError {
  return { field: problem.variable, message: problem.message };
}

/** Standard error responses for route definitions; spread into every route's `responses`. */
export function problemResponses<const S extends readonly ProblemStatus[]>(...statuses: S) {
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      {
        description: problemDescriptions[status],
        content: { [PROBLEM_CONTENT_TYPE]: { schema: problemSchema } },
      },
    ]),
  ) as {
    [K in S[number]]: {
      description: string;
      content: { [PROBLEM_CONTENT_TYPE]: { schema: typeof problemSchema } };
    };
  };
}

const problemDescriptions = {
  400: "The request is malformed or fails validation",
  401: "Authentication is required",
  403: "The caller may not do this",
  404: "Not found",
  409: "Conflicts with the current state",
  410: "No longer available",
  412: "The resource changed since the version given",
  413: "The request body is too large",
  415: "The request body must be JSON",
  422: "The request is well-formed but cannot be processed",
  428: "If-Match is required",
  429: "Too many requests",
  500: "Internal error",
  503: "A dependency is unavailable",
} as const;

export type ProblemStatus = keyof typeof problemDescriptions;
