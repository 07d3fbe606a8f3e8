import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { guardFailure, postgresError } from "../db/atomic.ts";
import { ConfigError } from "../env.ts";
import type { AppEnv } from "../types.ts";
import { redactSecrets } from "./logger.ts";

/** Every error the API answers with, by code. The code is the last part of the problem `type`. */
export const problemCodes = {
  bad_request: { status: 400, title: "Bad request" },
  malformed_json: { status: 400, title: "Malformed JSON" },
  validation_failed: { status: 400, title: "Validation failed" },
  unauthorized: { status: 401, title: "Authentication required" },
  forbidden: { status: 403, title: "Forbidden" },
  not_found: { status: 404, title: "Not found" },
  method_not_allowed: { status: 405, title: "Method not allowed" },
  conflict: { status: 409, title: "Conflict" },
  gone: { status: 410, title: "Gone" },
  precondition_failed: { status: 412, title: "Precondition failed" },
  payload_too_large: { status: 413, title: "Payload too large" },
  precondition_required: { status: 428, title: "Precondition required" },
  unsupported_media_type: { status: 415, title: "Unsupported media type" },
  unprocessable: { status: 422, title: "Unprocessable request" },
  rate_limited: { status: 429, title: "Too many requests" },
  internal: { status: 500, title: "Internal server error" },
  misconfigured: { status: 500, title: "Server misconfigured" },
  service_unavailable: { status: 503, title: "Service unavailable" },
} as const satisfies Record<string, { status: ContentfulStatusCode; title: string }>;

export type ProblemCode = keyof typeof problemCodes;

export const PROBLEM_CONTENT_TYPE = "application/problem+json";

export interface FieldError {
  field: string;
  message: string;
}

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

export type Problem = z.infer<typeof problemSchema>;

/**
 * An error a handler or service throws to answer with a problem. `extra` adds members to the body
 * (e.g. the allowed actions of a state machine); `headers` adds response headers (e.g. Retry-After).
 */
export class ApiError extends HTTPException {
  readonly code: ProblemCode;
  readonly detail?: string;
  readonly errors?: FieldError[];
  readonly extra?: Record<string, unknown>;
  readonly headers?: Record<string, string>;

  constructor(
    code: ProblemCode,
    detail?: string,
    options: {
      errors?: FieldError[];
      extra?: Record<string, unknown>;
      headers?: Record<string, string>;
    } = {},
  ) {
    super(problemCodes[code].status, { message: detail ?? problemCodes[code].title });
    this.code = code;
    this.detail = detail;
    this.errors = options.errors;
    this.extra = options.extra;
    this.headers = options.headers;
  }
}

export function problemBody(code: ProblemCode, requestId: string | undefined, detail?: string): Problem {
  const { status, title } = problemCodes[code];
  const body: Problem = { type: `urn:problem:${code}`, title, status };
  if (detail) body.detail = detail;
  if (requestId) body.requestId = requestId;
  return body;
}

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

/** Field errors from a zod error, with dotted paths (`items.0.quantity`). */
export function fieldErrors(error: z.ZodError, prefix?: string): FieldError[] {
  return error.issues.map((issue) => {
    const path = issue.path.map(String).join(".");
    return { field: [prefix, path].filter(Boolean).join(".") || "(root)", message: issue.message };
  });
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
