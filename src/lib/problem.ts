/**
 * Errors the API answers with, as plain data: services throw {@link ApiError}; the HTTP edge
 * (src/http/problem.ts) renders it as RFC 9457 problem+json. Nothing here knows about HTTP frameworks.
 */
import type { z } from "zod";

/** Every error the API answers with, by code. The code is the last part of the problem `type`. */
export const problemCodes = {
  bad_request: { status: 400, title: "Bad request" },
  malformed_json: { status: 400, title: "Malformed JSON" },
  validation_failed: { status: 400, title: "Validation failed" },
  unauthorized: { status: 401, title: "Authentication required" },
  forbidden: { status: 403, title: "Forbidden" },
  /** The signed-in user has not verified their email address yet (checkout, invitations, publishing wait for it). */
  email_unverified: { status: 403, title: "Email address not verified" },
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
} as const satisfies Record<string, { status: number; title: string }>;

export type ProblemCode = keyof typeof problemCodes;

export const PROBLEM_CONTENT_TYPE = "application/problem+json";

/** An RFC 9457 problem body as this API writes it (its schema: src/http/problem.ts). */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  requestId?: string;
  errors?: FieldError[];
  [member: string]: unknown;
}

export interface FieldError {
  field: string;
  message: string;
}

/**
 * An error a handler or service throws to answer with a problem. `extra` adds members to the body
 * (e.g. the allowed actions of a state machine); `headers` adds response headers (e.g. Retry-After).
 */
export class ApiError extends Error {
  readonly status: (typeof problemCodes)[ProblemCode]["status"];
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
    super(detail ?? problemCodes[code].title);
    this.name = "ApiError";
    this.status = problemCodes[code].status;
    this.code = code;
    this.detail = detail;
    this.errors = options.errors;
    this.extra = options.extra;
    this.headers = options.headers;
  }
}

/** Field errors from a zod error, with dotted paths (`items.0.quantity`). */
export function fieldErrors(error: z.ZodError, prefix?: string): FieldError[] {
  return error.issues.map((issue) => {
    const path = issue.path.map(String).join(".");
    return { field: [prefix, path].filter(Boolean).join(".") || "(root)", message: issue.message };
  });
}

export function problemBody(code: ProblemCode, requestId: string | undefined, detail?: string): Problem {
  const { status, title } = problemCodes[code];
  const body: Problem = { type: `urn:problem:${code}`, title, status };
  if (detail) body.detail = detail;
  if (requestId) body.requestId = requestId;
  return body;
}
