/**
 * HTML forms in, service calls out: form fields are read as text (bounded), validated with the same zod
 * schemas the API uses, and a service's ApiError becomes field errors the page shows next to the fields.
 */
import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { z } from "zod";
import { ApiError } from "../lib/problem.ts";
import type { AppEnv } from "../types.ts";
import type { FieldErrors } from "./components.tsx";
import type { WebContext } from "./context.ts";

/** Largest form body accepted (no file ever passes through a form: uploads go straight to R2). */
export const MAX_FORM_BYTES = 64 * 1024;
const FORM_TYPE = /^application\/x-www-form-urlencoded\s*(;|$)/i;

/** Page requests with a body must be url-encoded forms, at most MAX_FORM_BYTES. */
export function formGuards(): MiddlewareHandler<AppEnv> {
  const limit = bodyLimit({
    maxSize: MAX_FORM_BYTES,
    onError: () => {
      throw new ApiError("payload_too_large", "That form is larger than we accept.");
    },
  });
  return async (c, next) => {
    const length = c.req.header("content-length");
    const hasBody = length !== undefined ? length !== "0" : c.req.raw.body !== null;
    if (!hasBody) return next();
    if (!FORM_TYPE.test(c.req.header("content-type") ?? "")) {
      throw new ApiError("unsupported_media_type", "Pages accept HTML form posts only.");
    }
    return limit(c, next);
  };
}

export type Form = URLSearchParams;

/** The posted form (empty for a body-less POST). */
export async function readForm(c: WebContext): Promise<Form> {
  // Decoded from bytes: workerd warns when .text() reads a body whose type is not text/*.
  const text = new TextDecoder().decode(await c.req.arrayBuffer());
  return new URLSearchParams(text);
}

/** One field as trimmed text ("" when missing). */
export function field(form: Form, name: string): string {
  return (form.get(name) ?? "").trim();
}

/** A whole-number field, or undefined when it is empty or not a whole number. */
export function intField(form: Form, name: string): number | undefined {
  const text = field(form, name);
  return /^-?\d{1,15}$/.test(text) ? Number(text) : undefined;
}

/** Field errors from an API error: `body.email` and `json.items.0.qty` become `email` and `items.0.qty`. */
export function errorsOf(error: ApiError): FieldErrors {
  const errors: FieldErrors = {};
  for (const { field: name, message } of error.errors ?? []) {
    const key = name.replace(/^(body|json|query|param)\./, "");
    errors[key] ??= message;
  }
  return errors;
}

/** zod issues as field errors keyed by dotted path. */
export function zodErrors(error: z.ZodError): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of error.issues) errors[issue.path.join(".") || "form"] ??= issue.message;
  return errors;
}

/**
 * Runs a form's action: on an ApiError that a person can fix (validation, conflict, forbidden, not found,
 * rate limit) `onProblem` re-renders the form with what was typed and the problem; anything else throws
 * to the error page.
 */
export async function attempt<T>(
  action: () => Promise<T>,
  onProblem: (problem: {
    message: string;
    errors: FieldErrors;
    status: number;
  }) => Response | Promise<Response>,
  /** Sign-in: a 401 is the form's own answer (wrong password), not an expired session. */
  options: { unauthorizedIsProblem?: boolean } = {},
): Promise<T | Response> {
  try {
    return await action();
  } catch (error) {
    const fixable = error instanceof ApiError && error.status >= 400 && error.status < 500;
    if (fixable && (error.status !== 401 || options.unauthorizedIsProblem)) {
      return onProblem({
        message: error.detail ?? error.message,
        errors: errorsOf(error),
        status: error.status,
      });
    }
    throw error;
  }
}
