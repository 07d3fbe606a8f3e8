import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import { call, problem, roundTrips } from "../support/app.ts";
import { one } from "../support/db.ts";
import { api, createOrg, json, signUp, type TestUser } from "../support/identity.ts";
import { kvWithDelayedDeletes } from "../support/kv.ts";

async function newKey(owner: TestUser, orgId: string, scopes: string[], extra: Record<string, unknown> = {}) {
  const res = await api(`/v1/orgs/${orgId}/api-keys`, {
    token: owner.token,
    body: { name: "ERP sync", scopes, ...extra },
  });
  if (res.status !== 201) throw new Error(`key: ${res.status} ${await res.text()}`);
  return json<{ id: string; key: string; prefix: string; scopes: string[] }>(res);
}

describe("API keys", () => {
  it("shows the secret once and stores only its hash", async () => {
    const owner = await signUp();
    const org = await createOrg(owner);
    const created = await newKey(owner, org.id, ["org:read", "members:read", "org:read"]);
    expect(created.key).toMatch(/^mk_[\w-]{16}\.[\w-]{43}$/);
    expect(created.key.startsWith(created.prefix)).toBe(true);
    expect(created.scopes).toEqual(["members:read", "org:read"]);
    const list = await json<{ apiKeys: Record<string, unknown>[] }>(
      await api(`/v1/orgs/${org.id}/api-keys`, { token: owner.token }),
    );
    expect(list.apiKeys).toEqual([
      expect.objectContaining({ id: created.id, prefix: created.prefix, revokedAt: null }),
    ]);
    expect(JSON.stringify(list)).not.toContain(created.key.split(".")[1]);
    const row = await one<{ secret_hash: string }>("select secret_hash from api_keys where id = $1", [
      created.id,
    ]);
    expect(row.secret_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("acts for its organisation within its scopes, with 0 round trips to authenticate", async () => {
    const owner = await signUp();
    const org = await createOrg(owner);
    const reader = await newKey(owner, org.id, ["org:read"]);
    const read = await api(`/v1/orgs/${org.id}`, { token: reader.key });
    expect(read.status).toBe(200);
    expect(roundTrips(read)).toBe(1);
    expect(await json(read)).toMatchObject({ id: org.id, role: null });
    const write = await api(`/v1/orgs/${org.id}`, {
      method: "PATCH",
      token: reader.key,
      body: { name: "Nope" },
    });
    expect(write.status).toBe(403);
    expect((await problem(write)).detail).toBe("This API key lacks the org:write scope.");
    expect((await api(`/v1/orgs/${org.id}/members`, { token: reader.key })).status).toBe(403);

    const writer = await newKey(owner, org.id, ["org:write", "members:read"]);
    expect(
      (await api(`/v1/orgs/${org.id}`, { method: "PATCH", token: writer.key, body: { name: "Renamed" } }))
        .status,
    ).toBe(200);
    expect((await api(`/v1/orgs/${org.id}/members`, { token: writer.key })).status).toBe(200);
  });

  it("never reaches another organisation (404) or user-only routes (403)", async () => {
    const owner = await signUp();
    const org = await createOrg(owner);
    const other = await createOrg(await signUp());
    const key = await newKey(owner, org.id, ["org:read", "org:write", "members:read"]);
    expect((await api(`/v1/orgs/${other.id}`, { token: key.key })).status).toBe(404);
    expect((await api(`/v1/orgs/${other.id}/members`, { token: key.key })).status).toBe(404);
    for (const res of [
      await api("/v1/me", { token: key.key }),
      await api("/v1/orgs", { token: key.key, body: { name: "X", kind: "buyer" } }),
      await api(`/v1/orgs/${org.id}/api-keys`, { token: key.key }),
      await api(`/v1/orgs/${org.id}/invitations`, {
        token: key.key,
        body: { email: "a@b.example", role: "owner" },
      }),
    ]) {
      expect(res.status).toBe(403);
    }
  });

  it("stops working when revoked; writes stop at once even while KV lags", async () => {
    const owner = await signUp();
    const org = await createOrg(owner);
    const key = await newKey(owner, org.id, ["org:read", "org:write"]);
    const staleKv = kvWithDelayedDeletes(env.SESSIONS);
    const revoke = await call(
      `/v1/orgs/${org.id}/api-keys/${key.id}`,
      { method: "DELETE", headers: { authorization: `Bearer ${owner.token}` } },
      { env: { SESSIONS: staleKv } },
    );
    expect(revoke.status).toBe(204);
    const write = await call(
      `/v1/orgs/${org.id}`,
      {
        method: "PATCH",
        headers: { authorization: `Bearer ${key.key}`, "content-type": "application/json" },
        body: JSON.stringify({ name: "After revocation" }),
      },
      { env: { SESSIONS: staleKv } },
    );
    expect(write.status).toBe(401);
    expect((await problem(write)).detail).toBe("The API key has been revoked.");

    // Where KV has caught up, the key is simply unknown.
    await env.SESSIONS.delete(`apikey:${key.prefix.slice(3)}`);
    expect((await api(`/v1/orgs/${org.id}`, { token: key.key })).status).toBe(401);
    const again = await api(`/v1/orgs/${org.id}/api-keys/${key.id}`, {
      method: "DELETE",
      token: owner.token,
    });
    expect(again.status).toBe(404);
  });

  it("expires", async () => {
    const owner = await signUp();
    const org = await createOrg(owner);
    const key = await newKey(owner, org.id, ["org:read"], { expiresInDays: 1 });
    const later = createApp({ now: () => Date.now() + 2 * 86_400_000 });
    const res = await call(
      `/v1/orgs/${org.id}`,
      { headers: { authorization: `Bearer ${key.key}` } },
      { app: later },
    );
    expect(res.status).toBe(401);
    expect((await problem(res)).detail).toBe("The API key has expired.");
  });

  it("records last use, at most every ten minutes", async () => {
    const owner = await signUp();
    const org = await createOrg(owner);
    const key = await newKey(owner, org.id, ["org:read"]);
    const headers = { authorization: `Bearer ${key.key}` };
    const start = Date.now();
    await call(`/v1/orgs/${org.id}`, { headers }, { app: createApp({ now: () => start }) });
    const first = await one<{ last_used_at: string }>("select last_used_at from api_keys where id = $1", [
      key.id,
    ]);
    expect(Date.parse(first.last_used_at)).toBe(start);
    await call(`/v1/orgs/${org.id}`, { headers }, { app: createApp({ now: () => start + 5 * 60_000 }) });
    const second = await one<{ last_used_at: string }>("select last_used_at from api_keys where id = $1", [
      key.id,
    ]);
    expect(Date.parse(second.last_used_at)).toBe(start);
    await call(`/v1/orgs/${org.id}`, { headers }, { app: createApp({ now: () => start + 11 * 60_000 }) });
    const third = await one<{ last_used_at: string }>("select last_used_at from api_keys where id = $1", [
      key.id,
    ]);
    expect(Date.parse(third.last_used_at)).toBe(start + 11 * 60_000);
  });

  it.each([
    ["no scopes", { name: "k", scopes: [] }, ["body.scopes"]],
    ["an unknown scope", { name: "k", scopes: ["everything"] }, ["body.scopes.0"]],
    ["a zero lifetime", { name: "k", scopes: ["org:read"], expiresInDays: 0 }, ["body.expiresInDays"]],
    ["a missing name", { scopes: ["org:read"] }, ["body.name"]],
  ])("answers %s with 400", async (_, body, fields) => {
    const owner = await signUp();
    const org = await createOrg(owner);
    const res = await api(`/v1/orgs/${org.id}/api-keys`, { token: owner.token, body });
    expect(res.status).toBe(400);
    expect((await problem(res)).errors?.map((e) => e.field)).toEqual(fields);
  });

  it("rejects a forged or malformed key", async () => {
    const owner = await signUp();
    const org = await createOrg(owner);
    const key = await newKey(owner, org.id, ["org:read"]);
    const forged = `${key.key.split(".")[0]}.${"A".repeat(43)}`;
    expect((await api(`/v1/orgs/${org.id}`, { token: forged })).status).toBe(401);
    expect((await api(`/v1/orgs/${org.id}`, { token: "mk_short.x" })).status).toBe(401);
    const cookieKey = await api(`/v1/orgs/${org.id}`, { headers: { cookie: `__Host-session=${key.key}` } });
    expect(cookieKey.status).toBe(401);
  });
});
