import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, problem, roundTrips } from "../support/app.ts";
import { sql } from "../support/db.ts";
import { api, createOrg, invitationToken, json, signUp, uniqueEmail } from "../support/identity.ts";

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
    const mailbox = await json<{ messages: { body: string }[] }>(
      await api(`/v1/dev/mailbox?to=${encodeURIComponent(email)}`),
    );
    const body = mailbox.messages[0]?.body ?? "";
    expect(body).not.toContain("attacker.example");
    expect(env.PUBLIC_URL).toMatch(/^https?:\/\/[^/]+$/);
    expect(body).toContain(`POST ${env.PUBLIC_URL}/v1/invitations/${await invitationToken(email)}/accept\n`);
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
