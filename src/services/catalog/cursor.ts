import { z } from "@hono/zod-openapi";
import { base64url, fromBase64url } from "../../lib/crypto.ts";
import { ApiError } from "../../lib/problem.ts";

/**
 * Opaque keyset cursors: the sort key of the last item seen plus a fingerprint of the query it belongs
 * to, base64url-encoded JSON. A cursor from another query, or a tampered one, is a 400, never a 500.
 */
const cursorSchema = z.object({
  f: z.string(),
  k: z
    .array(z.union([z.string(), z.number()]))
    .min(1)
    .max(4),
});

export function encodeCursor(fingerprint: string, key: (string | number)[]): string {
  return base64url(new TextEncoder().encode(JSON.stringify({ f: fingerprint, k: key })));
}

export function decodeCursor(cursor: string, fingerprint: string): (string | number)[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(fromBase64url(cursor)));
  } catch {
    throw invalid();
  }
  const result = cursorSchema.safeParse(parsed);
  if (!result.success || result.data.f !== fingerprint) throw invalid();
  return result.data.k;
}

function invalid() {
  return new ApiError("validation_failed", "The cursor is invalid or belongs to another query.", {
    errors: [{ field: "query.cursor", message: "invalid cursor" }],
  });
}

/** A short, stable fingerprint of the query parameters a cursor is valid for. */
export async function fingerprint(parts: unknown): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(JSON.stringify(parts)));
  return base64url(new Uint8Array(digest).slice(0, 9));
}
