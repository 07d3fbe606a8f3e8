import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { problem, roundTrips } from "../support/app.ts";
import { addMember, api, createOrg, json, signUp, type TestUser } from "../support/identity.ts";

describe("organisations", () => {
  it("makes the creator owner, in one round trip", async () => {
    const user = await signUp();
    const res = await api("/v1/orgs", {
      token: user.token,
      body: { name: "Nordic Fasteners", kind: "seller", country: "SE", website: "https://fasteners.example" },
    });
    expect(res.status).toBe(201);
    expect(roundTrips(res)).toBe(1);
    const org = await json<{ id: string; role: string; kind: string; country: string }>(res);
    expect(org).toMatchObject({ role: "owner", kind: "seller", country: "SE" });
    const me = await json<{ memberships: { orgId: string; role: string }[] }>(
      await api("/v1/me", { token: user.token }),
    );
    expect(me.memberships).toEqual([
      { orgId: org.id, orgName: "Nordic Fasteners", orgKind: "seller", role: "owner", unreadMessages: 0 },
    ]);
  });

  it("reads an organisation in one round trip and edits it", async () => {
    const user = await signUp();
    const org = await createOrg(user);
    const read = await api(`/v1/orgs/${org.id}`, { token: user.token });
    expect(read.status).toBe(200);
    expect(roundTrips(read)).toBe(1);
    const edit = await api(`/v1/orgs/${org.id}`, {
      method: "PATCH",
      token: user.token,
      body: { name: "Acme Industrial", taxId: "SE556677889901" },
    });
    expect(edit.status).toBe(200);
    expect(roundTrips(edit)).toBe(1);
    expect(await json(edit)).toMatchObject({
      name: "Acme Industrial",
      taxId: "SE556677889901",
      kind: "both",
    });
  });

  it.each([
    ["a missing name", { kind: "buyer" }, ["body.name"]],
    ["an unknown kind", { name: "X", kind: "wholesaler" }, ["body.kind"]],
    ["a lower-case country", { name: "X", kind: "buyer", country: "se" }, ["body.country"]],
    ["a script URL", { name: "X", kind: "buyer", website: "javascript:alert(1)" }, ["body.website"]],
    ["a huge name", { name: "x".repeat(500), kind: "buyer" }, ["body.name"]],
    ["extra fields", { name: "X", kind: "buyer", ownerId: "someone" }, ["body"]],
  ])("refuses %s with 400", async (_, body, fields) => {
    const user = await signUp();
    const res = await api("/v1/orgs", { token: user.token, body });
    expect(res.status).toBe(400);
    expect((await problem(res)).errors?.map((e) => e.field).sort()).toEqual(fields);
  });

  it("refuses an empty edit and a malformed id", async () => {
    const user = await signUp();
    const org = await createOrg(user);
    expect((await api(`/v1/orgs/${org.id}`, { method: "PATCH", token: user.token, body: {} })).status).toBe(
      400,
    );
    expect((await api("/v1/orgs/not-a-uuid", { token: user.token })).status).toBe(400);
  });

  it("limits how many organisations one user owns", async () => {
    const user = await signUp();
    for (let i = 0; i < 20; i++) await createOrg(user, "buyer", `Org ${i}`);
    const res = await api("/v1/orgs", { token: user.token, body: { name: "One too many", kind: "buyer" } });
    expect(res.status).toBe(409);
  });

  it("needs a user", async () => {
    expect((await api("/v1/orgs", { body: { name: "X", kind: "buyer" } })).status).toBe(401);
  });
});

type Actor = "owner" | "admin" | "buyer" | "seller" | "viewer" | "outsider" | "anonymous";
const actors: Actor[] = ["owner", "admin", "buyer", "seller", "viewer", "outsider", "anonymous"];
const everyone: Actor[] = ["owner", "admin", "buyer", "seller", "viewer"];
const admins: Actor[] = ["owner", "admin"];

interface Fixture {
  orgId: string;
  users: Record<Exclude<Actor, "anonymous">, TestUser>;
}

let fixture: Fixture;
beforeAll(async () => {
  const owner = await signUp();
  const org = await createOrg(owner, "both", "Matrix Co");
  const users = { owner, outsider: await signUp() } as Fixture["users"];
  for (const role of ["admin", "buyer", "seller", "viewer"] as const)
    users[role] = await addMember(owner, org.id, role);
  fixture = { orgId: org.id, users };
});

/** A fresh viewer to act on, so no case depends on another. */
async function target() {
  return addMember(fixture.users.owner, fixture.orgId, "viewer");
}

const orgRoutes: {
  name: string;
  allowed: Actor[];
  ok: number;
  send: (token: string | undefined) => Promise<Response>;
}[] = [
  {
    name: "GET org",
    allowed: everyone,
    ok: 200,
    send: (token) => api(`/v1/orgs/${fixture.orgId}`, { token }),
  },
  {
    name: "PATCH org",
    allowed: admins,
    ok: 200,
    send: (token) =>
      api(`/v1/orgs/${fixture.orgId}`, {
        method: "PATCH",
        token,
        body: { website: "https://matrix.example" },
      }),
  },
  {
    name: "GET members",
    allowed: everyone,
    ok: 200,
    send: (token) => api(`/v1/orgs/${fixture.orgId}/members`, { token }),
  },
  {
    name: "PATCH member",
    allowed: admins,
    ok: 200,
    send: async (token) =>
      api(`/v1/orgs/${fixture.orgId}/members/${(await target()).id}`, {
        method: "PATCH",
        token,
        body: { role: "buyer" },
      }),
  },
  {
    name: "DELETE member",
    allowed: admins,
    ok: 204,
    send: async (token) =>
      api(`/v1/orgs/${fixture.orgId}/members/${(await target()).id}`, { method: "DELETE", token }),
  },
  {
    name: "POST invitation",
    allowed: admins,
    ok: 201,
    send: (token) =>
      api(`/v1/orgs/${fixture.orgId}/invitations`, {
        token,
        body: { email: `new.${crypto.randomUUID()}@test.example`, role: "buyer" },
      }),
  },
  {
    name: "POST api-key",
    allowed: admins,
    ok: 201,
    send: (token) =>
      api(`/v1/orgs/${fixture.orgId}/api-keys`, { token, body: { name: "ERP", scopes: ["org:read"] } }),
  },
  {
    name: "GET api-keys",
    allowed: admins,
    ok: 200,
    send: (token) => api(`/v1/orgs/${fixture.orgId}/api-keys`, { token }),
  },
];

describe("roles matrix: every role on every organisation route", () => {
  const cases = orgRoutes.flatMap((route) => actors.map((actor) => ({ route, actor })));
  it.each(cases.map((c) => [c.route.name, c.actor, c] as const))("%s as %s", async (_, actor, { route }) => {
    const token = actor === "anonymous" ? undefined : fixture.users[actor].token;
    const res = await route.send(token);
    const expected =
      actor === "anonymous"
        ? 401
        : actor === "outsider"
          ? 404
          : route.allowed.includes(actor)
            ? route.ok
            : 403;
    if (res.status !== expected)
      throw new Error(`expected ${expected}, got ${res.status}: ${await res.text()}`);
    if (expected >= 400) expect(res.headers.get("content-type")).toContain("application/problem+json");
  });
});

describe("members and the owner role", () => {
  let owner: TestUser;
  let orgId: string;
  beforeAll(async () => {
    owner = await signUp();
    orgId = (await createOrg(owner)).id;
  });

  it("lists members with roles", async () => {
    const buyer = await addMember(owner, orgId, "buyer");
    const { members } = await json<{ members: { userId: string; role: string }[] }>(
      await api(`/v1/orgs/${orgId}/members`, { token: buyer.token }),
    );
    expect(members).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ userId: owner.id, role: "owner" }),
        expect.objectContaining({ userId: buyer.id, role: "buyer" }),
      ]),
    );
  });

  it("keeps the last owner: no demotion, no leaving", async () => {
    const solo = await signUp();
    const org = await createOrg(solo);
    const demote = await api(`/v1/orgs/${org.id}/members/${solo.id}`, {
      method: "PATCH",
      token: solo.token,
      body: { role: "admin" },
    });
    expect(demote.status).toBe(409);
    const leave = await api(`/v1/orgs/${org.id}/members/${solo.id}`, { method: "DELETE", token: solo.token });
    expect(leave.status).toBe(409);
    expect((await problem(leave)).detail).toContain("at least one owner");
  });

  it("lets only owners grant or remove the owner role", async () => {
    const admin = await addMember(owner, orgId, "admin");
    const buyer = await addMember(owner, orgId, "buyer");
    const grant = await api(`/v1/orgs/${orgId}/members/${buyer.id}`, {
      method: "PATCH",
      token: admin.token,
      body: { role: "owner" },
    });
    expect(grant.status).toBe(403);
    const demoteOwner = await api(`/v1/orgs/${orgId}/members/${owner.id}`, {
      method: "PATCH",
      token: admin.token,
      body: { role: "viewer" },
    });
    expect(demoteOwner.status).toBe(403);
    const removeOwner = await api(`/v1/orgs/${orgId}/members/${owner.id}`, {
      method: "DELETE",
      token: admin.token,
    });
    expect(removeOwner.status).toBe(403);
  });

  it("lets an owner hand over and then leave", async () => {
    const first = await signUp();
    const org = await createOrg(first);
    const second = await addMember(first, org.id, "admin");
    const promote = await api(`/v1/orgs/${org.id}/members/${second.id}`, {
      method: "PATCH",
      token: first.token,
      body: { role: "owner" },
    });
    expect(promote.status).toBe(200);
    expect(await json(promote)).toMatchObject({ userId: second.id, role: "owner" });
    expect(
      (await api(`/v1/orgs/${org.id}/members/${first.id}`, { method: "DELETE", token: first.token })).status,
    ).toBe(204);
    expect((await api(`/v1/orgs/${org.id}`, { token: first.token })).status).toBe(404);
  });

  it("lets any member leave", async () => {
    const viewer = await addMember(owner, orgId, "viewer");
    expect(
      (await api(`/v1/orgs/${orgId}/members/${viewer.id}`, { method: "DELETE", token: viewer.token })).status,
    ).toBe(204);
    expect((await api(`/v1/orgs/${orgId}`, { token: viewer.token })).status).toBe(404);
  });

  it("answers an unknown member with 404 and a bad role with 400", async () => {
    const stranger = await signUp();
    const res = await api(`/v1/orgs/${orgId}/members/${stranger.id}`, {
      method: "PATCH",
      token: owner.token,
      body: { role: "buyer" },
    });
    expect(res.status).toBe(404);
    const bad = await api(`/v1/orgs/${orgId}/members/${stranger.id}`, {
      method: "PATCH",
      token: owner.token,
      body: { role: "emperor" },
    });
    expect(bad.status).toBe(400);
  });

  it.skipIf(env.DATABASE_KIND !== "postgres")(
    "never ends with zero owners when two owners demote each other at once",
    async () => {
      const a = await signUp();
      const org = await createOrg(a);
      const b = await addMember(a, org.id, "admin");
      await api(`/v1/orgs/${org.id}/members/${b.id}`, {
        method: "PATCH",
        token: a.token,
        body: { role: "owner" },
      });
      const results = await Promise.all([
        api(`/v1/orgs/${org.id}/members/${b.id}`, {
          method: "PATCH",
          token: a.token,
          body: { role: "viewer" },
        }),
        api(`/v1/orgs/${org.id}/members/${a.id}`, {
          method: "PATCH",
          token: b.token,
          body: { role: "viewer" },
        }),
      ]);
      // The loser either hits the last-owner rule or is no longer an owner by then.
      const [first, second] = results.map((r) => r.status).sort();
      expect(first).toBe(200);
      expect([403, 409]).toContain(second);
      const { members } = await json<{ members: { role: string }[] }>(
        await api(`/v1/orgs/${org.id}/members`, { token: a.token }),
      );
      expect(members.filter((m) => m.role === "owner")).toHaveLength(1);
    },
  );
});

describe("tenancy", () => {
  it("never shows or changes another organisation: 404, not 403", async () => {
    const alice = await signUp();
    const mallory = await signUp();
    const aliceOrg = await createOrg(alice, "seller", "Alice Metals");
    await createOrg(mallory, "buyer", "Mallory Trading");
    for (const res of [
      await api(`/v1/orgs/${aliceOrg.id}`, { token: mallory.token }),
      await api(`/v1/orgs/${aliceOrg.id}`, {
        method: "PATCH",
        token: mallory.token,
        body: { name: "Pwned" },
      }),
      await api(`/v1/orgs/${aliceOrg.id}/members`, { token: mallory.token }),
      await api(`/v1/orgs/${aliceOrg.id}/members/${alice.id}`, { method: "DELETE", token: mallory.token }),
      await api(`/v1/orgs/${aliceOrg.id}/api-keys`, { token: mallory.token }),
    ]) {
      expect(res.status).toBe(404);
    }
    expect(await json(await api(`/v1/orgs/${aliceOrg.id}`, { token: alice.token }))).toMatchObject({
      name: "Alice Metals",
    });
  });

  it("answers an organisation that does not exist like one that is not yours", async () => {
    const user = await signUp();
    const res = await api(`/v1/orgs/${crypto.randomUUID()}`, { token: user.token });
    expect(res.status).toBe(404);
    expect((await problem(res)).detail).toBe("Organisation not found.");
  });
});
