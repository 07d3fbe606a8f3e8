import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, problem, roundTrips } from "../support/app.ts";
import { one, sql } from "../support/db.ts";
import {
  addMember,
  api,
  createOrg,
  invitationToken,
  json,
  signUp,
  type TestUser,
  uniqueEmail,
} from "../support/identity.ts";
import { emailsTo } from "../support/mail.ts";

async function invite(orgOwnerToken: string, orgId: string, email: string, role = "buyer") {
  return api(`/v1/orgs/${orgId}/invitations`, { token: orgOwnerToken, body: { email, role } });
}

describe("invitations", () => {
  it("sends a single-use token by email and adds the invitee with the role", async () => {
    const owner = await signUp();
    const org = await createOrg(owner);
    const invitee = await signUp();
    const res = await invite(owner.token, org.id, invitee.email.toUpperCase(), "seller");
    expect(res.status).toBe(201);
    expect(roundTrips(res)).toBe(1);
    const body = await json<{ email: string; role: string; expiresAt: string }>(res);
    expect(body).toMatchObject({ email: invitee.email, role: "seller" });
    expect(JSON.stringify(body)).not.toMatch(/[\w-]{43}/);
    const days = (Date.parse(body.expiresAt) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.99);
    expect(days).toBeLessThan(7.01);

    const token = await invitationToken(invitee.email);
    const stored = await sql().query("select token_hash from invitations where org_id = $1", [org.id]);
    expect(JSON.stringify(stored)).not.toContain(token);

    const accept = await api(`/v1/invitations/${token}/accept`, { method: "POST", token: invitee.token });
    expect(accept.status).toBe(200);
    expect(roundTrips(accept)).toBe(1);
    expect(await json(accept)).toEqual({ orgId: org.id, role: "seller" });
    const me = await json<{ memberships: { orgId: string; role: string }[] }>(
      await api("/v1/me", { token: invitee.token }),
    );
    expect(me.memberships).toEqual([expect.objectContaining({ orgId: org.id, role: "seller" })]);
  });

  it("links to the configured PUBLIC_URL, whatever Host the request named", async () => {
    const owner = await signUp();
    const org = await createOrg(owner);
    const email = uniqueEmail("host");
    const res = await api(`/v1/orgs/${org.id}/invitations`, {
      token: owner.token,
      body: { email, role: "buyer" },
      origin: "https://attacker.example",
    });
    expect(res.status).toBe(201);
    const [sent] = await emailsTo(email, "invitation");
    expect(JSON.stringify(sent?.data)).not.toContain("attacker.example");
    expect(env.PUBLIC_URL).toMatch(/^https?:\/\/[^/]+$/);
    const token = await invitationToken(email);
    expect(sent?.data).toMatchObject({
      acceptUrl: `${env.PUBLIC_URL}/invitations/accept?token=${token}`,
      apiAcceptUrl: `${env.PUBLIC_URL}/v1/invitations/${token}/accept`,
    });
  });

  it.each([
    ["missing", undefined],
    ["not a URL", "api.example.com"],
    ["not an origin", "https://api.example.com/v1?x=1"],
  ])("refuses a PUBLIC_URL that is %s, naming it", async (_, value) => {
    const res = await call("/health", {}, { env: { PUBLIC_URL: value } });
    expect(res.status).toBe(500);
    const body = await problem(res);
    expect(body.type).toBe("urn:problem:misconfigured");
    expect(body.errors?.map((e) => e.field)).toEqual(["PUBLIC_URL"]);
  });

  it("lets an invitee who signs up later accept", async () => {
    const owner = await signUp();
    const org = await createOrg(owner);
    const email = uniqueEmail("later");
    expect((await invite(owner.token, org.id, email)).status).toBe(201);
    const newcomer = await signUp({ email });
    const accept = await api(`/v1/invitations/${await invitationToken(email)}/accept`, {
      method: "POST",
      token: newcomer.token,
    });
    expect(accept.status).toBe(200);
  });

  it("refuses a reused token with 410", async () => {
    const owner = await signUp();
    const org = await createOrg(owner);
    const invitee = await signUp();
    await invite(owner.token, org.id, invitee.email);
    const token = await invitationToken(invitee.email);
    expect(
      (await api(`/v1/invitations/${token}/accept`, { method: "POST", token: invitee.token })).status,
    ).toBe(200);
    const again = await api(`/v1/invitations/${token}/accept`, { method: "POST", token: invitee.token });
    expect(again.status).toBe(410);
    expect((await problem(again)).detail).toBe("This invitation has already been used.");
  });

  it("refuses an expired token with 410", async () => {
    const owner = await signUp();
    const org = await createOrg(owner);
    const invitee = await signUp();
    await invite(owner.token, org.id, invitee.email);
    const token = await invitationToken(invitee.email);
    await sql().query("update invitations set expires_at = now() - interval '1 second' where org_id = $1", [
      org.id,
    ]);
    const res = await api(`/v1/invitations/${token}/accept`, { method: "POST", token: invitee.token });
    expect(res.status).toBe(410);
    expect((await problem(res)).detail).toContain("expired");
    expect((await api(`/v1/orgs/${org.id}`, { token: invitee.token })).status).toBe(404);
  });

  it("refuses the wrong user with 403 and leaves the invitation usable", async () => {
    const owner = await signUp();
    const org = await createOrg(owner);
    const invitee = await signUp();
    const intruder = await signUp();
    await invite(owner.token, org.id, invitee.email);
    const token = await invitationToken(invitee.email);
    const res = await api(`/v1/invitations/${token}/accept`, { method: "POST", token: intruder.token });
    expect(res.status).toBe(403);
    expect((await api(`/v1/orgs/${org.id}`, { token: intruder.token })).status).toBe(404);
    expect(
      (await api(`/v1/invitations/${token}/accept`, { method: "POST", token: invitee.token })).status,
    ).toBe(200);
  });

  it("answers an unknown token with 404, a malformed one with 400, anonymous with 401", async () => {
    const user = await signUp();
    const unknown = "A".repeat(43);
    expect(
      (await api(`/v1/invitations/${unknown}/accept`, { method: "POST", token: user.token })).status,
    ).toBe(404);
    expect((await api("/v1/invitations/short/accept", { method: "POST", token: user.token })).status).toBe(
      400,
    );
    expect((await api(`/v1/invitations/${unknown}/accept`, { method: "POST" })).status).toBe(401);
  });

  it("refuses to invite existing members and lets only owners invite owners", async () => {
    const owner = await signUp();
    const org = await createOrg(owner);
    const member = await signUp();
    await invite(owner.token, org.id, member.email, "admin");
    await api(`/v1/invitations/${await invitationToken(member.email)}/accept`, {
      method: "POST",
      token: member.token,
    });
    expect((await invite(owner.token, org.id, member.email)).status).toBe(409);
    expect((await invite(member.token, org.id, uniqueEmail(), "owner")).status).toBe(403);
    expect((await invite(member.token, org.id, uniqueEmail(), "admin")).status).toBe(201);
    expect((await invite(owner.token, org.id, uniqueEmail(), "owner")).status).toBe(201);
  });

  it.each([
    ["a bad email", { email: "nope", role: "buyer" }, ["body.email"]],
    ["an unknown role", { email: "a@b.example", role: "king" }, ["body.role"]],
    ["extra fields", { email: "a@b.example", role: "buyer", token: "x" }, ["body"]],
  ])("answers %s with 400", async (_, body, fields) => {
    const owner = await signUp();
    const org = await createOrg(owner);
    const res = await api(`/v1/orgs/${org.id}/invitations`, { token: owner.token, body });
    expect(res.status).toBe(400);
    expect((await problem(res)).errors?.map((e) => e.field)).toEqual(fields);
  });

  it("hides the dev mailbox unless DEV_MAILBOX is on", async () => {
    expect((await call("/v1/dev/mailbox")).status).toBe(200);
    const off = await call("/v1/dev/mailbox", {}, { env: { DEV_MAILBOX: "off" } });
    expect(off.status).toBe(404);
  });
});

const accept = (token: string, user: TestUser) =>
  api(`/v1/invitations/${token}/accept`, { method: "POST", token: user.token });

describe("an invitation is only as good as its author's rights at acceptance", () => {
  it.each([
    [
      "removed",
      (ownerToken: string, orgId: string, adminId: string) =>
        api(`/v1/orgs/${orgId}/members/${adminId}`, { method: "DELETE", token: ownerToken }),
    ],
    [
      "demoted to buyer",
      (ownerToken: string, orgId: string, adminId: string) =>
        api(`/v1/orgs/${orgId}/members/${adminId}`, {
          method: "PATCH",
          token: ownerToken,
          body: { role: "buyer" },
        }),
    ],
  ])("refuses an admin's invitation once the admin is %s (410), and grants nothing", async (_, demote) => {
    const owner = await signUp();
    const org = await createOrg(owner);
    const admin = await addMember(owner, org.id, "admin");
    const invitee = await signUp();
    expect((await invite(admin.token, org.id, invitee.email, "admin")).status).toBe(201);
    const token = await invitationToken(invitee.email);
    const change = await demote(owner.token, org.id, admin.id);
    expect(change.status).toBeLessThan(300);

    const res = await accept(token, invitee);
    expect(res.status).toBe(410);
    expect((await problem(res)).detail).toBe(
      "This invitation is no longer valid: whoever sent it may no longer grant this role. Ask for a new one.",
    );
    expect((await api(`/v1/orgs/${org.id}`, { token: invitee.token })).status).toBe(404);
  });

  it("refuses an owner invitation once its author is no longer an owner, and keeps admins' others valid", async () => {
    const founder = await signUp();
    const org = await createOrg(founder);
    const coOwner = await addMember(founder, org.id, "owner");
    const ownerInvitee = await signUp();
    const buyerInvitee = await signUp();
    await invite(coOwner.token, org.id, ownerInvitee.email, "owner");
    await invite(coOwner.token, org.id, buyerInvitee.email, "buyer");
    const change = await api(`/v1/orgs/${org.id}/members/${coOwner.id}`, {
      method: "PATCH",
      token: founder.token,
      body: { role: "admin" },
    });
    expect(change.status).toBe(200);
    expect((await accept(await invitationToken(ownerInvitee.email), ownerInvitee)).status).toBe(410);
    const buyer = await accept(await invitationToken(buyerInvitee.email), buyerInvitee);
    expect(buyer.status).toBe(200);
    expect(await json(buyer)).toEqual({ orgId: org.id, role: "buyer" });
  });
});

describe("listing and revoking pending invitations", () => {
  async function orgWithInvitations() {
    const owner = await signUp();
    const org = await createOrg(owner);
    const admin = await addMember(owner, org.id, "admin");
    const pending = uniqueEmail("pending");
    const created = await json<{ id: string; expiresAt: string }>(
      await invite(admin.token, org.id, pending, "seller"),
    );
    return { owner, org, admin, pending, created };
  }

  it("lists pending invitations to owners and admins, never the token, in one round trip", async () => {
    const { owner, org, admin, pending, created } = await orgWithInvitations();
    const expired = uniqueEmail("expired");
    const { id: expiredId } = await json<{ id: string }>(await invite(owner.token, org.id, expired));
    await sql().query("update invitations set expires_at = now() - interval '1 second' where id = $1", [
      expiredId,
    ]);
    // Accepted ones are no longer pending (addMember accepted the admin's invitation).
    for (const caller of [owner, admin]) {
      const res = await api(`/v1/orgs/${org.id}/invitations`, { token: caller.token });
      expect(res.status).toBe(200);
      expect(roundTrips(res)).toBe(1);
      const text = await res.clone().text();
      expect(text).not.toContain(await invitationToken(pending));
      const stored = await one<{ token_hash: string }>("select token_hash from invitations where id = $1", [
        created.id,
      ]);
      expect(text).not.toContain(stored.token_hash);
      const body = await json<{ invitations: Record<string, unknown>[] }>(res);
      expect(body.invitations).toEqual([
        {
          id: created.id,
          orgId: org.id,
          email: pending,
          role: "seller",
          invitedBy: admin.id,
          createdAt: expect.any(String),
          expiresAt: created.expiresAt,
        },
      ]);
    }
  });

  it("revokes an invitation: it is no longer listed and can no longer be accepted", async () => {
    const { owner, org, pending, created } = await orgWithInvitations();
    const invitee = await signUp({ email: pending });
    const token = await invitationToken(pending);
    const res = await api(`/v1/orgs/${org.id}/invitations/${created.id}`, {
      method: "DELETE",
      token: owner.token,
    });
    expect(res.status).toBe(204);
    expect(roundTrips(res)).toBe(1);
    const list = await json<{ invitations: unknown[] }>(
      await api(`/v1/orgs/${org.id}/invitations`, { token: owner.token }),
    );
    expect(list.invitations).toEqual([]);
    const accepted = await accept(token, invitee);
    expect(accepted.status).toBe(410);
    expect((await problem(accepted)).detail).toBe("This invitation has been revoked.");
    expect((await api(`/v1/orgs/${org.id}`, { token: invitee.token })).status).toBe(404);
    const again = await api(`/v1/orgs/${org.id}/invitations/${created.id}`, {
      method: "DELETE",
      token: owner.token,
    });
    expect(again.status).toBe(404);
  });

  it.skipIf(env.DATABASE_KIND !== "postgres")(
    "never lets a concurrent accept and revoke both succeed (real Postgres)",
    async () => {
      for (let round = 0; round < 4; round++) {
        const { owner, org, pending, created } = await orgWithInvitations();
        const invitee = await signUp({ email: pending });
        const token = await invitationToken(pending);
        const [accepted, revoked] = await Promise.all([
          accept(token, invitee),
          api(`/v1/orgs/${org.id}/invitations/${created.id}`, { method: "DELETE", token: owner.token }),
        ]);
        const member = (await api(`/v1/orgs/${org.id}`, { token: invitee.token })).status === 200;
        if (accepted.status === 200) {
          expect(revoked.status).toBe(409);
          expect(member).toBe(true);
        } else {
          expect([accepted.status, revoked.status]).toEqual([410, 204]);
          expect(member).toBe(false);
        }
      }
    },
  );

  it("refuses to revoke an accepted invitation (409)", async () => {
    const { owner, org, pending, created } = await orgWithInvitations();
    const invitee = await signUp({ email: pending });
    expect((await accept(await invitationToken(pending), invitee)).status).toBe(200);
    const res = await api(`/v1/orgs/${org.id}/invitations/${created.id}`, {
      method: "DELETE",
      token: owner.token,
    });
    expect(res.status).toBe(409);
  });

  it("lets only owners revoke owner invitations", async () => {
    const { owner, org, admin } = await orgWithInvitations();
    const { id } = await json<{ id: string }>(await invite(owner.token, org.id, uniqueEmail(), "owner"));
    const byAdmin = await api(`/v1/orgs/${org.id}/invitations/${id}`, {
      method: "DELETE",
      token: admin.token,
    });
    expect(byAdmin.status).toBe(403);
    const byOwner = await api(`/v1/orgs/${org.id}/invitations/${id}`, {
      method: "DELETE",
      token: owner.token,
    });
    expect(byOwner.status).toBe(204);
  });

  it("answers other roles 403, other tenants and outsiders 404, anonymous 401, API keys 403", async () => {
    const { owner, org, created } = await orgWithInvitations();
    const other = await signUp();
    const otherOrg = await createOrg(other, "both", "Other Co");
    const list = `/v1/orgs/${org.id}/invitations`;
    const revoke = `/v1/orgs/${org.id}/invitations/${created.id}`;
    for (const role of ["buyer", "seller", "viewer", "approver"]) {
      const member = await addMember(owner, org.id, role);
      expect((await api(list, { token: member.token })).status).toBe(403);
      expect((await api(revoke, { method: "DELETE", token: member.token })).status).toBe(403);
    }
    expect((await api(list, { token: other.token })).status).toBe(404);
    expect((await api(revoke, { method: "DELETE", token: other.token })).status).toBe(404);
    // Another organisation's owner cannot reach this invitation through their own organisation either.
    const viaOther = await api(`/v1/orgs/${otherOrg.id}/invitations/${created.id}`, {
      method: "DELETE",
      token: other.token,
    });
    expect(viaOther.status).toBe(404);
    expect(
      (
        await json<{ invitations: unknown[] }>(
          await api(`/v1/orgs/${otherOrg.id}/invitations`, { token: other.token }),
        )
      ).invitations,
    ).toEqual([]);
    expect((await api(list)).status).toBe(401);
    expect((await api(revoke, { method: "DELETE" })).status).toBe(401);
    const key = await json<{ key: string }>(
      await api(`/v1/orgs/${org.id}/api-keys`, {
        token: owner.token,
        body: { name: "ci", scopes: ["org:read", "members:read"] },
      }),
    );
    expect((await api(list, { token: key.key })).status).toBe(403);
    expect((await api(revoke, { method: "DELETE", token: key.key })).status).toBe(403);
    // Still pending after all that.
    const still = await json<{ invitations: { id: string }[] }>(await api(list, { token: owner.token }));
    expect(still.invitations.map((i) => i.id)).toEqual([created.id]);
    expect(
      (await api(`/v1/orgs/${org.id}/invitations/not-a-uuid`, { method: "DELETE", token: owner.token }))
        .status,
    ).toBe(400);
  });
});
