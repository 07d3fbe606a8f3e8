import { z } from "@hono/zod-openapi";
import { usableText } from "../lib/text.ts";
import { uuidInput } from "../lib/uuid.ts";
import { apiKeyScopes, memberRoles } from "../services/identity/principal.ts";

/** Single-line human text: trimmed, no control characters or lone surrogates (usableText). */
export const text = (min: number, max: number) => usableText(z.string().trim().min(min).max(max));

export const email = z
  .string()
  .trim()
  .pipe(z.email().max(254))
  .openapi({ type: "string", format: "email", example: "buyer@acme.example" });
/** Length rules (8–256 characters) and the common-password check are applied by the service. */
export const password = usableText(z.string().min(1).max(1024)).openapi({
  example: "correct horse battery staple",
});

/** A UUID path parameter, canonicalised to lower case (see {@link uuidInput}). */
export const uuidParam = (name: string) =>
  uuidInput().openapi({ param: { name, in: "path" }, example: "0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9" });

export const role = z.enum(memberRoles).openapi("MemberRole");
export const scope = z.enum(apiKeyScopes).openapi("ApiKeyScope");

export const userSchema = z
  .object({ id: z.uuid(), email: z.string(), name: z.string(), createdAt: z.iso.datetime() })
  .openapi("User");

export const issuedSessionSchema = z
  .object({
    id: z.string(),
    token: z
      .string()
      .openapi({ description: "Bearer token for API clients; shown once. Browsers use the cookie." }),
    expiresAt: z.iso.datetime(),
  })
  .openapi("IssuedSession");

export const jsonBody = <T extends z.ZodType>(schema: T, description?: string) => ({
  required: true,
  description,
  content: { "application/json": { schema } },
});

export const jsonResponse = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

/** Security requirement for routes that take a session (cookie or bearer) or an API key. */
export const authenticated: Record<string, string[]>[] = [{ sessionCookie: [] }, { bearer: [] }];

/** Security requirement of public routes: none (declared, so clients and linters know it is deliberate). */
export const publicAccess: Record<string, string[]>[] = [];

/** Page size: 1–100, default 20 (out-of-range values are clamped, not refused). */
export const limitParam = z.coerce
  .number()
  .int()
  .catch(20)
  .transform((n) => Math.min(100, Math.max(1, n)))
  .optional()
  .openapi({ type: "integer", minimum: 1, maximum: 100, default: 20 });

export const cursorParam = z.string().max(512).optional();
