import { constantTimeEqual, sha256Hex } from "../../lib/crypto.ts";
import { ApiError } from "../../lib/problem.ts";
import type { ApiKeyScope } from "./principal.ts";

/**
 * API keys: `mk_<publicId>.<secret>`. KV holds `apikey:<publicId>` → the key's org, scopes and the
 * SHA-256 of its secret, so checking a key costs no database round trip either.
 */
export const API_KEY_PREFIX = "mk_";
/** "Last used" is written to Postgres at most this often per key. */
export const API_KEY_TOUCH_INTERVAL_MS = 10 * 60 * 1000;

export interface ApiKeyRecord {
  v: 1;
  keyId: string;
  orgId: string;
  secretHash: string;
  scopes: ApiKeyScope[];
  expiresAt: number | null;
  lastUsedAt: number | null;
}

export const apiKeyKvKey = (publicId: string) => `apikey:${publicId}`;

export type ApiKeyCheck =
  | { ok: true; publicId: string; record: ApiKeyRecord; touch: boolean }
  | { ok: false; reason: "malformed" | "unknown" | "expired" };

export async function checkApiKey(kv: KVNamespace, token: string, now: number): Promise<ApiKeyCheck> {
  const match = /^mk_([\w-]{16})\.([\w-]{43})$/.exec(token);
  if (!match) return { ok: false, reason: "malformed" };
  const [, publicId, secret] = match as unknown as [string, string, string];
  let record: ApiKeyRecord | null;
  try {
    record = await kv.get<ApiKeyRecord>(apiKeyKvKey(publicId), "json");
  } catch {
    throw new ApiError("service_unavailable", "Authentication is unavailable right now; try again shortly.", {
      headers: { "Retry-After": "5" },
    });
  }
  if (record?.v !== 1) return { ok: false, reason: "unknown" };
  if (!constantTimeEqual(await sha256Hex(secret), record.secretHash)) return { ok: false, reason: "unknown" };
  if (record.expiresAt !== null && now >= record.expiresAt) return { ok: false, reason: "expired" };
  const touch = record.lastUsedAt === null || now - record.lastUsedAt >= API_KEY_TOUCH_INTERVAL_MS;
  return { ok: true, publicId, record, touch };
}
