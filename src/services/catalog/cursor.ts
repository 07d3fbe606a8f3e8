import { z } from "zod";
import { base64url, fromBase64url } from "../../lib/crypto.ts";
import { ApiError } from "../../lib/problem.ts";

/**
 * Opaque keyset cursors, signed: `<payload>.<mac>`, where the payload is base64url JSON of the sort key of
 * the last item seen and the MAC is HMAC-SHA256 under CURSOR_SECRET over the query's scope (route and
 * filters) and that payload. Only this server can mint one, and one minted for another query does not
 * verify. The key's types are still checked before it reaches SQL. Anything else is a 400, never a 500.
 */
export interface CursorContext {
  /** CURSOR_SECRET (validated in env.ts). */
  cursorSecret: string;
}

const encoder = new TextEncoder();
let imported: { secret: string; key: Promise<CryptoKey> } | undefined;

/** The HMAC key, imported once per isolate (the secret cannot change during an isolate's life). */
function signingKey(secret: string): Promise<CryptoKey> {
  if (imported?.secret !== secret) {
    const key = crypto.subtle.importKey(
      "raw",
      encoder.encode(secret),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign", "verify"],
    );
    imported = { secret, key };
  }
  return imported.key;
}

function signedBytes(scope: readonly unknown[], payload: string): Uint8Array {
  return encoder.encode(`cursor:v1\n${JSON.stringify(scope)}\n${payload}`);
}

/** timestamptz::text, e.g. `2026-11-26 12:34:56.789+00`. */
const timestamp = z
  .string()
  .regex(
    /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01]) ([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,6})?[+-]\d{2}(:\d{2}){0,2}$/,
  );
const id = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);

/** Parts of sort keys as Postgres writes them with `::text`, checked again before any cast in SQL. */
export const cursorKeys = {
  timestamp,
  id,
  /** A non-negative bigint amount. */
  amount: z.string().regex(/^\d{1,18}$/),
  /** A relevance rank rounded to 6 decimals. */
  rank: z.string().regex(/^\d{1,9}(\.\d{1,6})?$/),
  /** (timestamp, id): the key of newest-first lists. */
  timeAndId: z.tuple([timestamp, id]),
};

export type CursorKey = [string, ...string[]];

export async function encodeCursor(
  ctx: CursorContext,
  scope: readonly unknown[],
  key: readonly string[],
): Promise<string> {
  const payload = base64url(encoder.encode(JSON.stringify(key)));
  const mac = await crypto.subtle.sign(
    "HMAC",
    await signingKey(ctx.cursorSecret),
    signedBytes(scope, payload),
  );
  return `${payload}.${base64url(new Uint8Array(mac))}`;
}

/**
 * The sort key of a cursor minted by encodeCursor() for the same scope, checked against `key` (a tuple of
 * cursorKeys parts). The MAC is checked first, by WebCrypto's verify (constant time).
 */
export async function decodeCursor<T extends z.ZodType<CursorKey>>(
  ctx: CursorContext,
  cursor: string,
  scope: readonly unknown[],
  key: T,
): Promise<z.infer<T>> {
  const match = /^([\w-]{1,400})\.([\w-]{43})$/.exec(cursor);
  if (!match?.[1] || !match[2]) throw invalid();
  const [, payload, mac] = match;
  let parsed: unknown;
  try {
    const signature = fromBase64url(mac);
    const valid = await crypto.subtle.verify(
      "HMAC",
      await signingKey(ctx.cursorSecret),
      signature,
      signedBytes(scope, payload),
    );
    if (!valid) throw invalid();
    parsed = JSON.parse(new TextDecoder().decode(fromBase64url(payload)));
  } catch {
    throw invalid();
  }
  const result = key.safeParse(parsed);
  if (!result.success) throw invalid();
  return result.data;
}

function invalid() {
  return new ApiError("validation_failed", "The cursor is invalid or belongs to another query.", {
    errors: [{ field: "query.cursor", message: "invalid cursor" }],
  });
}
