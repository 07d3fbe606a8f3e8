import { describe, expect, it } from "vitest";
import {
  addMember,
  api,
  createOrg,
  invitationToken,
  json,
  logIn,
  PASSWORD,
  signUp,
  signUpUnverified,
  type TestUser,
  uniqueEmail,
  verifyEmail,
} from "../support/identity.ts";
import { emailLink, emailsTo } from "../support/mail.ts";
import { orgCookie, setCookie, webPage } from "../support/web.ts";

async function membersOf(orgId: string, user: TestUser) {
  const res = await api(`/v1/orgs/${orgId}/members`, { token: user.token });
  expect(res.status).toBe(200);
  return (await json<{ members: { userId: string; role: string }[] }>(res)).members;
}

describe("organisation pages for anonymous visitors", () => {
  it.each(["/org", "/org/new", "/org/members", "/org/api-keys", "/org/limits", "/account"])(
    "GET %s sends them to sign in and back",
    async (path) => {
      const res = await webPage(path);
      expect(res.status).toBe(303);
      expect(res.headers.get("location")).toBe(`/signin?next=${encodeURIComponent(path)}`);
    },
  );

  it("a posted form sends them to sign in without changing anything", async () => {
    const owner = await signUp();
    const org = await createOrg(owner);
    const res = await webPage(`/org/members/${owner.id}/remove`, { form: { orgId: org.id } });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toMatch(/^\/signin\?next=/);
    expect(await membersOf(org.id, owner)).toHaveLength(1);
  });
});

describe("creating an organisation", () => {
  it("welcomes a new account, creates the organisation, acts for it and shows it", async () => {
    const user = await signUp({ name: "Dana Whitfield" });
    const welcome = await webPage("/org/new", { cookies: [user.cookie] });
    expect(welcome.status).toBe(200);
    const html = await welcome.text();
    expect(html).toContain("Create your company");
    expect(html).toContain("ask a colleague to invite you");

    const res = await webPage("/org/new", {
      cookies: [user.cookie],
      form: { name: "Harbour Logistics", kind: "both", country: "NL", taxId: "NL123456789B01" },
    });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/org?notice=org-created");
    const cookie = setCookie(res, "__Host-org");
    expect(cookie).toMatch(/^__Host-org=[0-9a-f-]{36}$/);

    const overview = await webPage("/org?notice=org-created", { cookies: [user.cookie, cookie] });
    expect(overview.status).toBe(200);
    const page = await overview.text();
    expect(page).toContain("Organisation created.");
    expect(page).toContain("Harbour Logistics");
    expect(page).toContain("Netherlands");
    expect(page).toContain("NL123456789B01");
    expect(page).toContain("Buyer and seller");
    expect(page).toMatch(/<dt>Your role<\/dt>\s*<dd>Owner<\/dd>/);
    // Owners see every tab and the edit form.
    for (const tab of ["/org/members", "/org/invitations", "/org/api-keys", "/org/webhooks", "/org/limits"]) {
      expect(page).toContain(`href="${tab}"`);
    }
    expect(page).toContain('action="/org"');
  });

  it("keeps what was typed and explains a missing name", async () => {
    const user = await signUp();
    const res = await webPage("/org/new", {
      cookies: [user.cookie],
      form: { name: "", kind: "seller", country: "FR" },
    });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toMatch(/id="f-name"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="f-name"/);
    expect(html).toMatch(/<option value="FR" selected/);
    expect(
      (await api("/v1/me", { token: user.token }).then((r) => json<{ memberships: unknown[] }>(r)))
        .memberships,
    ).toEqual([]);
  });

  it("lets owners edit the details; viewers see them without the form", async () => {
    const owner = await signUp();
    const org = await createOrg(owner, "buyer", "Old Name Ltd");
    const saved = await webPage("/org", {
      cookies: [owner.cookie, orgCookie(org.id)],
      form: {
        orgId: org.id,
        name: "New Name Ltd",
        kind: "buyer",
        country: "IE",
        website: "https://new.example",
      },
    });
    expect(saved.status).toBe(303);
    const read = await json<{ name: string; country: string; website: string }>(
      await api(`/v1/orgs/${org.id}`, { token: owner.token }),
    );
    expect(read).toMatchObject({ name: "New Name Ltd", country: "IE", website: "https://new.example" });

    const viewer = await addMember(owner, org.id, "viewer");
    const page = await (await webPage("/org", { cookies: [viewer.cookie, orgCookie(org.id)] })).text();
    expect(page).toContain("New Name Ltd");
    expect(page).not.toContain('action="/org"');
    expect(page).not.toContain('href="/org/api-keys"');
    expect(page).not.toContain('href="/org/webhooks"');
    expect(page).not.toContain('href="/org/invitations"');
    const refused = await webPage("/org", {
      cookies: [viewer.cookie, orgCookie(org.id)],
      form: { orgId: org.id, name: "Hijacked", kind: "buyer" },
    });
    expect(refused.status).toBe(403);
    expect((await json<{ name: string }>(await api(`/v1/orgs/${org.id}`, { token: owner.token }))).name).toBe(
      "New Name Ltd",
    );
  });
});

describe("members", () => {
  it("an owner changes a role and removes a member", async () => {
    const owner = await signUp();
    const org = await createOrg(owner);
    const buyer = await addMember(owner, org.id, "buyer");
    const seller = await addMember(owner, org.id, "seller");
    const cookies = [owner.cookie, orgCookie(org.id)];

    const page = await (await webPage("/org/members", { cookies })).text();
    expect(page).toContain(buyer.email);
    expect(page).toContain(`action="/org/members/${buyer.id}/role"`);

    const changed = await webPage(`/org/members/${buyer.id}/role`, {
      cookies,
      form: { orgId: org.id, role: "approver" },
    });
    expect(changed.status).toBe(303);
    expect(changed.headers.get("location")).toBe("/org/members?notice=member-updated");
    const removed = await webPage(`/org/members/${seller.id}/remove`, { cookies, form: { orgId: org.id } });
    expect(removed.status).toBe(303);

    const members = await membersOf(org.id, owner);
    expect(members.find((m) => m.userId === buyer.id)?.role).toBe("approver");
    expect(members.some((m) => m.userId === seller.id)).toBe(false);
  });

  it("the last owner cannot be demoted: the page says why", async () => {
    const owner = await signUp();
    const org = await createOrg(owner);
    const admin = await addMember(owner, org.id, "admin");
    const res = await webPage(`/org/members/${owner.id}/role`, {
      cookies: [admin.cookie, orgCookie(org.id)],
      form: { orgId: org.id, role: "buyer" },
    });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain("Only an owner may grant, change or remove the owner role.");
    expect((await membersOf(org.id, owner)).find((m) => m.userId === owner.id)?.role).toBe("owner");
  });

  it("a viewer sees the members without controls and is refused a change", async () => {
    const owner = await signUp();
    const org = await createOrg(owner);
    const viewer = await addMember(owner, org.id, "viewer");
    const buyer = await addMember(owner, org.id, "buyer");
    const cookies = [viewer.cookie, orgCookie(org.id)];
    const page = await (await webPage("/org/members", { cookies })).text();
    expect(page).toContain(buyer.email);
    expect(page).not.toContain(`action="/org/members/${buyer.id}/role"`);

    const res = await webPage(`/org/members/${buyer.id}/role`, {
      cookies,
      form: { orgId: org.id, role: "owner" },
    });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain("You do not have access");
    expect((await membersOf(org.id, owner)).find((m) => m.userId === buyer.id)?.role).toBe("buyer");
  });

  it("another organisation's members cannot be changed (IDOR)", async () => {
    const intruder = await signUp();
    const ownOrg = await createOrg(intruder);
    const victim = await signUp();
    const victimOrg = await createOrg(victim);
    const member = await addMember(victim, victimOrg.id, "buyer");
    const cookies = [intruder.cookie, orgCookie(ownOrg.id)];

    for (const orgId of [victimOrg.id, ownOrg.id]) {
      const role = await webPage(`/org/members/${member.id}/role`, {
        cookies,
        form: { orgId, role: "viewer" },
      });
      expect([403, 404]).toContain(role.status);
      const remove = await webPage(`/org/members/${member.id}/remove`, { cookies, form: { orgId } });
      expect([403, 404]).toContain(remove.status);
    }
    const members = await membersOf(victimOrg.id, victim);
    expect(members.find((m) => m.userId === member.id)?.role).toBe("buyer");
    // Not even a look at the other organisation's pages through a forged org cookie.
    const peek = await (
      await webPage("/org/members", { cookies: [intruder.cookie, orgCookie(victimOrg.id)] })
    ).text();
    expect(peek).not.toContain(member.email);
  });
});

describe("invitations", () => {
  it("invite → email link → accept page → member", async () => {
    const owner = await signUp();
    const org = await createOrg(owner, "buyer", "Northwind Test Traders");
    const email = uniqueEmail("invitee");
    const cookies = [owner.cookie, orgCookie(org.id)];

    const sent = await webPage("/org/invitations", {
      cookies,
      form: { orgId: org.id, email, role: "approver" },
    });
    expect(sent.status).toBe(303);
    const location = sent.headers.get("location") ?? "";
    expect(location).toMatch(/^\/org\/invitations\?sent=[0-9a-f-]{36}&notice=invitation-sent$/);
    const listed = await (await webPage(location, { cookies })).text();
    expect(listed).toContain(`Invitation sent to ${email}.`);

    const link = await emailLink(email, "invitation");
    expect(link.origin).toBe("http://127.0.0.1:8787");
    expect(link.pathname).toBe("/invitations/accept");
    const acceptPath = `${link.pathname}${link.search}`;

    // Anonymous: what is offered, and sign in / sign up with the way back here.
    const anonymous = await (await webPage(acceptPath)).text();
    expect(anonymous).toContain("Join Northwind Test Traders");
    expect(anonymous).toContain(`/signin?next=${encodeURIComponent(acceptPath)}`);
    expect(anonymous).toContain(`/signup?next=${encodeURIComponent(acceptPath)}`);

    const invitee = await signUp({ email });
    const offer = await webPage(acceptPath, { cookies: [invitee.cookie] });
    expect(offer.status).toBe(200);
    const offerHtml = await offer.text();
    expect(offerHtml).toContain("as <strong>approver</strong>");
    expect(offerHtml).toMatch(/<button[^>]*type="submit"[^>]*>\s*Join Northwind Test Traders/);

    const token = acceptPath.split("token=")[1] ?? "";
    const accepted = await webPage("/invitations/accept", { cookies: [invitee.cookie], form: { token } });
    expect(accepted.status).toBe(303);
    expect(accepted.headers.get("location")).toBe("/org?notice=invitation-accepted");
    expect(setCookie(accepted, "__Host-org")).toBe(orgCookie(org.id));
    expect((await membersOf(org.id, owner)).find((m) => m.userId === invitee.id)?.role).toBe("approver");

    // Used: the link now says so.
    const again = await webPage(acceptPath, { cookies: [invitee.cookie] });
    expect(again.status).toBe(410);
  });

  it("someone signed in with another address is told, and cannot join", async () => {
    const owner = await signUp();
    const org = await createOrg(owner);
    const email = uniqueEmail("invitee");
    await webPage("/org/invitations", {
      cookies: [owner.cookie, orgCookie(org.id)],
      form: { orgId: org.id, email, role: "buyer" },
    });
    const token = await invitationToken(email);
    const other = await signUp();
    const page = await webPage(`/invitations/accept?token=${token}`, { cookies: [other.cookie] });
    expect(page.status).toBe(410);
    expect(await page.text()).toContain("This invitation is for another address");
    const post = await webPage("/invitations/accept", { cookies: [other.cookie], form: { token } });
    expect(post.status).toBe(403);
    expect((await membersOf(org.id, owner)).some((m) => m.userId === other.id)).toBe(false);
  });

  it("an owner whose address is not verified is told to verify it first, and nothing is sent", async () => {
    const owner = await signUpUnverified();
    const org = await createOrg(owner, "buyer", "Unproven Inviters");
    const email = uniqueEmail("spammed");
    const res = await webPage("/org/invitations", {
      cookies: [owner.cookie, orgCookie(org.id)],
      form: { orgId: org.id, email, role: "buyer" },
    });
    expect(res.status).toBe(403);
    const html = await res.text();
    expect(html).toContain("Verify your email address before you send invitations");
    expect(html).toContain(`value="${email}"`);
    expect(await emailsTo(email)).toHaveLength(0);

    const verified = await verifyEmail(owner);
    const sent = await webPage("/org/invitations", {
      cookies: [verified.cookie, orgCookie(org.id)],
      form: { orgId: org.id, email, role: "buyer" },
    });
    expect(sent.status).toBe(303);
    expect(await emailsTo(email, "invitation")).toHaveLength(1);
  });

  it("a pending invitation is revoked from the list", async () => {
    const owner = await signUp();
    const org = await createOrg(owner);
    const email = uniqueEmail("invitee");
    const cookies = [owner.cookie, orgCookie(org.id)];
    const sent = await webPage("/org/invitations", {
      cookies,
      form: { orgId: org.id, email, role: "buyer" },
    });
    const id = /sent=([0-9a-f-]{36})/.exec(sent.headers.get("location") ?? "")?.[1];
    const revoked = await webPage(`/org/invitations/${id}/revoke`, { cookies, form: { orgId: org.id } });
    expect(revoked.status).toBe(303);
    expect(await (await webPage("/org/invitations", { cookies })).text()).not.toContain(email);
  });

  it("a bad address is shown next to the field", async () => {
    const owner = await signUp();
    const org = await createOrg(owner);
    const res = await webPage("/org/invitations", {
      cookies: [owner.cookie, orgCookie(org.id)],
      form: { orgId: org.id, email: "not-an-email", role: "buyer" },
    });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain('id="f-email-error"');
    expect(html).toContain('value="not-an-email"');
  });
});

describe("API keys", () => {
  it("shows the secret once, on the create response only; it works until revoked", async () => {
    const owner = await signUp();
    const org = await createOrg(owner);
    const cookies = [owner.cookie, orgCookie(org.id)];
    const res = await webPage("/org/api-keys", {
      cookies,
      form: { orgId: org.id, name: "ERP sync", scopes: ["org:read", "orders:read"], expiresInDays: "30" },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const html = await res.text();
    expect(html).toContain("Copy it now, it will not be shown again.");
    const secret = /class="secret"[^>]*>([^<]+)</.exec(html)?.[1]?.trim() ?? "";
    expect(secret.length).toBeGreaterThan(40);
    expect((await api(`/v1/orgs/${org.id}`, { token: secret })).status).toBe(200);

    const list = await (await webPage("/org/api-keys", { cookies })).text();
    expect(list).toContain("ERP sync");
    expect(list).not.toContain(secret);
    expect(list).not.toContain(secret.split(".")[1]);

    const keyId = /action="\/org\/api-keys\/([0-9a-f-]{36})\/revoke"/.exec(list)?.[1];
    const revoked = await webPage(`/org/api-keys/${keyId}/revoke`, { cookies, form: { orgId: org.id } });
    expect(revoked.status).toBe(303);
    expect((await api(`/v1/orgs/${org.id}`, { token: secret })).status).toBe(401);
  });

  it("asks for a scope, keeping the name", async () => {
    const owner = await signUp();
    const org = await createOrg(owner);
    const res = await webPage("/org/api-keys", {
      cookies: [owner.cookie, orgCookie(org.id)],
      form: { orgId: org.id, name: "No scopes", expiresInDays: "" },
    });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain("Choose at least one scope.");
    expect(html).toContain('value="No scopes"');
    expect(html).not.toContain('class="secret"');
  });

  it("a buyer cannot open the keys page", async () => {
    const owner = await signUp();
    const org = await createOrg(owner);
    const buyer = await addMember(owner, org.id, "buyer");
    expect((await webPage("/org/api-keys", { cookies: [buyer.cookie, orgCookie(org.id)] })).status).toBe(403);
  });
});

describe("spending limits", () => {
  it("an owner sets a member's limits through the form", async () => {
    const owner = await signUp();
    const org = await createOrg(owner, "buyer");
    const buyer = await addMember(owner, org.id, "buyer");
    const cookies = [owner.cookie, orgCookie(org.id)];
    const overview = await (await webPage("/org/limits", { cookies })).text();
    expect(overview).toContain(`href="/org/limits/${buyer.id}"`);

    const bad = await webPage(`/org/limits/${buyer.id}`, {
      cookies,
      form: { orgId: org.id, "currency.0": "EUR", "perOrder.0": "lots", "perMonth.0": "" },
    });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain('id="f-perOrder-0-error"');

    const saved = await webPage(`/org/limits/${buyer.id}`, {
      cookies,
      form: {
        orgId: org.id,
        "currency.0": "eur",
        "perOrder.0": "2500",
        "perMonth.0": "10000.50",
        "currency.1": "",
        "perOrder.1": "",
        "perMonth.1": "",
      },
    });
    expect(saved.status).toBe(303);
    const limits = await json<{ limits: unknown[] }>(
      await api(`/v1/orgs/${org.id}/members/${buyer.id}/spending-limits`, { token: owner.token }),
    );
    expect(limits.limits).toEqual([{ currency: "EUR", perOrderMinor: 250_000, perMonthMinor: 1_000_050 }]);
    expect(await (await webPage("/org/limits", { cookies })).text()).toContain("€2,500.00 per order");
  });
});

describe("account", () => {
  it("changing the password signs out the other sessions and keeps this one", async () => {
    const user = await signUp();
    const other = await logIn(user);
    const res = await webPage("/account/password", {
      cookies: [user.cookie],
      form: {
        currentPassword: PASSWORD,
        newPassword: "a brand new passphrase 2026",
        confirmPassword: "a brand new passphrase 2026",
      },
    });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/account?notice=password-changed");
    const fresh = setCookie(res, "__Host-session");
    expect(fresh).toBeDefined();
    expect((await api("/v1/me", { cookie: other.cookie })).status).toBe(401);
    expect((await api("/v1/me", { cookie: user.cookie })).status).toBe(401);
    const page = await webPage("/account?notice=password-changed", { cookies: [fresh] });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Other sessions have been signed out.");
  });

  it("a wrong current password is said next to the field", async () => {
    const user = await signUp();
    const res = await webPage("/account/password", {
      cookies: [user.cookie],
      form: {
        currentPassword: "not my password at all",
        newPassword: "another long passphrase",
        confirmPassword: "another long passphrase",
      },
    });
    expect(res.status).toBe(403);
    const html = await res.text();
    expect(html).toContain('id="f-currentPassword-error"');
    expect((await api("/v1/me", { cookie: user.cookie })).status).toBe(200);
  });

  it("lists sessions, revokes one, then every other", async () => {
    const user = await signUp();
    const second = await logIn(user);
    const third = await logIn(user);
    const page = await (await webPage("/account", { cookies: [user.cookie] })).text();
    expect(page).toContain("This session");
    expect(page).toContain(`action="/account/sessions/${second.sessionId}/revoke"`);
    expect(page).not.toContain(`action="/account/sessions/${user.sessionId}/revoke"`);

    const revoked = await webPage(`/account/sessions/${second.sessionId}/revoke`, {
      cookies: [user.cookie],
      form: {},
    });
    expect(revoked.status).toBe(303);
    expect((await api("/v1/me", { cookie: second.cookie })).status).toBe(401);
    expect((await api("/v1/me", { cookie: third.cookie })).status).toBe(200);

    const all = await webPage("/account/sessions/revoke-others", { cookies: [user.cookie], form: {} });
    expect(all.status).toBe(303);
    expect((await api("/v1/me", { cookie: third.cookie })).status).toBe(401);
    expect((await api("/v1/me", { cookie: user.cookie })).status).toBe(200);
  });

  it("another user's session id is not found", async () => {
    const user = await signUp();
    const stranger = await signUp();
    const res = await webPage(`/account/sessions/${stranger.sessionId}/revoke`, {
      cookies: [user.cookie],
      form: {},
    });
    expect(res.status).toBe(404);
    expect((await api("/v1/me", { cookie: stranger.cookie })).status).toBe(200);
  });
});
