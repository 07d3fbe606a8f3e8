import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { sessions } from "../../db/schema/index.ts";
import { constantTimeEqual, randomToken, sha256Hex } from "../../lib/crypto.ts";
import { ApiError } from "../../lib/problem.ts";

/**
 * Sessions live in Workers KV so any isolate can authenticate a request with zero database round trips.
 *
 * Token: `ses_<id>.<secret>`: a 128-bit random id (names the KV entry) and a 256-bit secret, of which KV
 * stores only the SHA-256. Postgres keeps an index row per session (list, revoke, and the revocation
 * check each write makes inside its own batch).
 */
export const SESSION_TOKEN_PREFIX = "ses_";
/** Sent as `__Host-session` (Hono adds the prefix): Secure, Path=/, no Domain. */
export const SESSION_COOKIE = "session";
/** "Last seen" is written back to KV at most this often (KV takes 1 write/s per key, and writes cost). */
export const TOUCH_INTERVAL_MS = 5 * 60 * 1000;
/** How long a KV delete may take to reach every location (Cloudflare documents up to 60 s). */
export const KV_PROPAGATION_SECONDS = 60;

export interface SessionPolicy {
  idleMs: number;
  absoluteMs: number;
}

export interface SessionRecord {
  v: 1;
  userId: string;
  secretHash: string;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
  userAgent: string | null;
}

export interface IssuedSession {
  id: string;
  token: string;
  expiresAt: Date;
  record: SessionRecord;
}

const kvKey = (id: string) => `session:${id}`;

export function policyFromConfig(config: {
  SESSION_IDLE_MINUTES: number;
  SESSION_MAX_DAYS: number;
}): SessionPolicy {
  return { idleMs: config.SESSION_IDLE_MINUTES * 60_000, absoluteMs: config.SESSION_MAX_DAYS * 86_400_000 };
}

/** Makes a new session (nothing stored yet): insert `sessionRow(...)` in the batch, then `storeSession`. */
export async function newSession(
  userId: string,
  userAgent: string | null,
  now: number,
  policy: SessionPolicy,
) {
  const id = randomToken(16);
  const secret = randomToken(32);
  const record: SessionRecord = {
    v: 1,
    userId,
    secretHash: await sha256Hex(secret),
    createdAt: now,
    lastSeenAt: now,
    expiresAt: now + policy.absoluteMs,
    userAgent: userAgent ? userAgent.slice(0, 256) : null,
  };
  return {
    id,
    token: `${SESSION_TOKEN_PREFIX}${id}.${secret}`,
    expiresAt: new Date(record.expiresAt),
    record,
  };
}

export function insertSessionRow(db: Db, session: IssuedSession) {
  return db.insert(sessions).values({
    id: session.id,
    userId: session.record.userId,
    createdAt: new Date(session.record.createdAt),
    expiresAt: session.expiresAt,
    userAgent: session.record.userAgent,
  });
}

/** Writes the session to KV, expiring with its absolute lifetime. KV down means no session: fail closed. */
export async function storeSession(kv: KVNamespace, session: IssuedSession): Promise<void> {
  const expiration = Math.max(Math.ceil(session.record.expiresAt / 1000), Math.ceil(Date.now() / 1000) + 60);
  try {
    await kv.put(kvKey(session.id), JSON.stringify(session.record), { expiration });
  } catch {
    throw new ApiError("service_unavailable", "Sessions are unavailable right now; try again shortly.", {
      headers: { "Retry-After": "5" },
    });
  }
}

export type SessionCheck =
  | { ok: true; id: string; record: SessionRecord; touch: boolean }
  | { ok: false; reason: "malformed" | "unknown" | "expired" | "idle" };

/**
 * Checks a session token against KV: 0 database round trips. Throws 503 when KV cannot be read (never
 * treats an unreadable session as valid). `touch` says "last seen" is due to be written back.
 */
export async function checkSession(
  kv: KVNamespace,
  token: string,
  now: number,
  policy: SessionPolicy,
): Promise<SessionCheck> {
  const match = /^ses_([\w-]{22})\.([\w-]{43})$/.exec(token);
  if (!match) return { ok: false, reason: "malformed" };
  const [, id, secret] = match as unknown as [string, string, string];
  let record: SessionRecord | null;
  try {
    record = await kv.get<SessionRecord>(kvKey(id), "json");
  } catch {
    throw new ApiError("service_unavailable", "Sessions are unavailable right now; try again shortly.", {
      headers: { "Retry-After": "5" },
    });
  }
  if (record?.v !== 1) return { ok: false, reason: "unknown" };
  if (!constantTimeEqual(await sha256Hex(secret), record.secretHash)) return { ok: false, reason: "unknown" };
  if (now >= record.expiresAt) return { ok: false, reason: "expired" };
  if (now - record.lastSeenAt >= policy.idleMs) return { ok: false, reason: "idle" };
  return { ok: true, id, record, touch: now - record.lastSeenAt >= TOUCH_INTERVAL_MS };
}

/** Records "last seen" (run in waitUntil; losing one is harmless). */
export async function touchSession(kv: KVNamespace, id: string, record: SessionRecord, now: number) {
  const updated: SessionRecord = { ...record, lastSeenAt: now };
  const expiration = Math.max(Math.ceil(record.expiresAt / 1000), Math.ceil(now / 1000) + 60);
  await kv.put(kvKey(id), JSON.stringify(updated), { expiration });
}

/** Removes sessions from KV. Other locations may still see them for up to KV_PROPAGATION_SECONDS. */
export async function forgetSessions(kv: KVNamespace, ids: string[]): Promise<void> {
  await Promise.all(ids.map((id) => kv.delete(kvKey(id))));
}

/** Marks a user's sessions revoked (all, or the given ids), returning the ids that were live. */
export function revokeSessionRows(
  db: Db,
  userId: string,
  now: Date,
  only?: { ids?: string[]; exceptId?: string },
) {
  const conditions = [eq(sessions.userId, userId), isNull(sessions.revokedAt)];
  if (only?.ids) conditions.push(inArray(sessions.id, only.ids));
  if (only?.exceptId) conditions.push(sql`${sessions.id} <> ${only.exceptId}`);
  return db
    .update(sessions)
    .set({ revokedAt: now })
    .where(and(...conditions))
    .returning({ id: sessions.id });
}
