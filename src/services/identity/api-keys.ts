import { and, eq, isNull, sql } from "drizzle-orm";
import { guard } from "../../db/atomic.ts";
import { apiKeys } from "../../db/schema/index.ts";
import { randomToken, sha256Hex } from "../../lib/crypto.ts";
import { ApiError } from "../../lib/problem.ts";
import type { ServiceContext } from "../context.ts";
import { write } from "../write.ts";
import { API_KEY_PREFIX, type ApiKeyRecord, apiKeyKvKey } from "./api-keys-auth.ts";
import { assertRole, memberRoleSql, orgRoleGuard, unverifiedEmail } from "./org-access.ts";
import { type ApiKeyScope, type Principal, principalGuard, verifiedEmailGuard } from "./principal.ts";

type UserPrincipal = Extract<Principal, { kind: "user" }>;

export const MAX_ACTIVE_KEYS = 50;

export interface ApiKeyView {
  id: string;
  name: string;
  prefix: string;
  scopes: ApiKeyScope[];
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

function keyView(row: typeof apiKeys.$inferSelect): ApiKeyView {
  return {
    id: row.id,
    name: row.name,
    prefix: `${API_KEY_PREFIX}${row.publicId}`,
    scopes: row.scopes as ApiKeyScope[],
    createdAt: row.createdAt.toISOString(),
    expiresAt: row.expiresAt?.toISOString() ?? null,
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
  };
}

/** Creates an API key (owners and admins). The secret is returned once; only its hash is kept. */
export async function createApiKey(
  ctx: ServiceContext,
  principal: UserPrincipal,
  orgId: string,
  input: { name: string; scopes: ApiKeyScope[]; expiresInDays?: number },
): Promise<ApiKeyView & { key: string }> {
  const publicId = randomToken(12);
  const secret = randomToken(32);
  const secretHash = await sha256Hex(secret);
  const expiresAt = input.expiresInDays ? new Date(ctx.now + input.expiresInDays * 86_400_000) : null;
  const scopes = [...new Set(input.scopes)].sort();
  const { row } = await write(ctx.db, "manage API keys", {
    email_unverified: () => unverifiedEmail("create API keys"),
    key_limit: () =>
      new ApiError("conflict", `An organisation may have at most ${MAX_ACTIVE_KEYS} active keys.`),
  })
    .add(
      principalGuard(ctx.db, principal, new Date(ctx.now)),
      orgRoleGuard(ctx.db, orgId, principal.userId, "api-keys:manage"),
      // A key acts for the organisation with no person behind each request: only a proven person makes one.
      verifiedEmailGuard(ctx.db, principal),
      guard(
        ctx.db,
        "key_limit",
        sql`(select count(*) from api_keys where org_id = ${orgId} and revoked_at is null) < ${MAX_ACTIVE_KEYS}`,
      ),
    )
    .one(
      "row",
      ctx.db
        .insert(apiKeys)
        .values({
          orgId,
          name: input.name,
          publicId,
          secretHash,
          scopes,
          createdBy: principal.userId,
          expiresAt,
        })
        .returning(),
      (rows) => rows[0],
      "Organisation not found.",
    )
    .commit();
  const record: ApiKeyRecord = {
    v: 1,
    keyId: row.id,
    orgId,
    secretHash,
    scopes: scopes as ApiKeyScope[],
    expiresAt: expiresAt?.getTime() ?? null,
    lastUsedAt: null,
  };
  try {
    await ctx.kv.put(
      apiKeyKvKey(publicId),
      JSON.stringify(record),
      expiresAt ? { expiration: Math.ceil(expiresAt.getTime() / 1000) + 60 } : undefined,
    );
  } catch {
    throw new ApiError("service_unavailable", "The key could not be activated; try again.", {
      headers: { "Retry-After": "5" },
    });
  }
  return { ...keyView(row), key: `${API_KEY_PREFIX}${publicId}.${secret}` };
}

/** The organisation's keys, without secrets (owners and admins). One round trip. */
export async function listApiKeys(ctx: ServiceContext, principal: UserPrincipal, orgId: string) {
  const { rows } = await ctx.db.execute<{
    role: string | null;
    keys: (typeof apiKeys.$inferSelect)[] | null;
  }>(sql`
    select ${memberRoleSql(orgId, principal.userId)} as role,
      (select json_agg(k order by k."createdAt" desc) from (
        select id, name, public_id as "publicId", scopes, created_at as "createdAt", expires_at as "expiresAt",
          last_used_at as "lastUsedAt", revoked_at as "revokedAt"
        from api_keys where org_id = ${orgId} order by created_at desc limit 200) k) as keys`);
  const row = rows[0];
  assertRole(row?.role, "api-keys:manage", "manage API keys");
  return (row?.keys ?? []).map((key) =>
    keyView({
      ...key,
      createdAt: new Date(key.createdAt),
      expiresAt: key.expiresAt ? new Date(key.expiresAt) : null,
      lastUsedAt: key.lastUsedAt ? new Date(key.lastUsedAt) : null,
      revokedAt: key.revokedAt ? new Date(key.revokedAt) : null,
    }),
  );
}

/** Revokes a key at once in Postgres (writes stop now) and removes it from KV. One round trip. */
export async function revokeApiKey(
  ctx: ServiceContext,
  principal: UserPrincipal,
  orgId: string,
  keyId: string,
) {
  const { key } = await write(ctx.db, "manage API keys")
    .add(
      principalGuard(ctx.db, principal, new Date(ctx.now)),
      orgRoleGuard(ctx.db, orgId, principal.userId, "api-keys:manage"),
    )
    .one(
      "key",
      ctx.db
        .update(apiKeys)
        .set({ revokedAt: new Date(ctx.now) })
        .where(and(eq(apiKeys.id, keyId), eq(apiKeys.orgId, orgId), isNull(apiKeys.revokedAt)))
        .returning({ publicId: apiKeys.publicId }),
      (rows) => rows[0],
      "API key not found.",
    )
    .commit();
  await ctx.kv.delete(apiKeyKvKey(key.publicId));
}
