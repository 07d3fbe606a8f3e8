import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import { call, problem, roundTrips } from "../support/app.ts";
import { newSeller } from "../support/catalog.ts";
import { one, sql } from "../support/db.ts";
import {
  api,
  createOrg,
  invitationToken,
  json,
  logIn,
  PASSWORD,
  randomIp,
  register,
  signUp,
  signUpUnverified,
  type TestUser,
  uniqueEmail,
  verifyEmail,
} from "../support/identity.ts";
import { emailLink, emailsTo, emailToken } from "../support/mail.ts";
import { accept as acceptQuote, createRfq, quoteBody, rfqBody, sendQuote } from "../support/negotiation.ts";
import { type Buyer, checkout, product, putLine } from "../support/orders.ts";

const HOUR = 3_600_000;

const signup = (email: string, password = PASSWORD, name = "Someone") =>
  api("/v1/auth/signup", { body: { email, password, name }, headers: { "cf-connecting-ip": randomIp() } });

const verify = (
  token: string,
  options: { cookie?: string; origin?: string; password?: string; ip?: string } = {},
) =>
  api("/v1/auth/verify-email", {
    body: { token, password: options.password ?? PASSWORD },
    cookie: options.cookie,
    headers: {
      "cf-connecting-ip": options.ip ?? randomIp(),
      ...(options.origin ? { origin: options.origin } : {}),
    },
  });

/** The same request through an app whose clock is `now`. */
const verifyAt = (now: number, token: string, password = PASSWORD) =>
  call(
    "/v1/auth/verify-email",
    {
      method: "POST",
      headers: { "content-type": "application/json", "cf-connecting-ip": randomIp() },
      body: JSON.stringify({ token, password }),
    },
    { app: createApp({ now: () => now }) },
  );

const resend = (user: Pick<TestUser, "token">) =>
  api("/v1/auth/verify-email/resend", { method: "POST", token: user.token });

const me = async (user: Pick<TestUser, "token">) =>
  json<{ id: string; emailVerified: boolean }>(await api("/v1/me", { token: user.token }));

async function expectUnverifiedProblem(res: Response, action: string) {
  expect(res.status).toBe(403);
  const body = await problem(res);
  expect(body.type).toBe("urn:problem:email_unverified");
  expect(body.title).toBe("Email address not verified");
  expect(body.detail).toContain(`Verify your email address before you ${action}`);
  expect(body.detail).toContain("/v1/auth/verify-email/resend");
}

describe("sign-up never tells whether an address is taken", () => {
  it("answers a new and a taken address alike, signs nobody in, and emails the owner of the taken one", async () => {
    const owner = await signUp({ name: "Olga Owner" });
    const fresh = uniqueEmail("fresh");
    const created = await signup(fresh);
    const taken = await signup(owner.email.toUpperCase(), "an attacker's passphrase");
    expect(created.status).toBe(202);
    expect(taken.status).toBe(202);
    expect(await created.text()).toBe(await taken.text());
    for (const res of [created, taken]) {
      expect(res.headers.get("set-cookie")).toBeNull();
      expect(roundTrips(res)).toBe(1);
    }

    const [verification] = await emailsTo(fresh);
    expect(verification?.template).toBe("email_verification");
    expect(verification?.data).toMatchObject({ name: "Someone", expiresHours: 24 });
    const link = await emailLink(fresh, "email_verification");
    expect(link.origin).toBe(env.PUBLIC_URL);
    expect(link.pathname).toBe("/verify-email");

    const [notice] = await emailsTo(owner.email, "account_exists");
    expect(notice?.data).toEqual({
      name: "Olga Owner",
      signInUrl: `${env.PUBLIC_URL}/signin`,
      resetUrl: `${env.PUBLIC_URL}/forgot-password`,
    });
    // Nothing of the owner's changed: no second account, the password is still theirs.
    const accounts = await one<{ n: number }>(
      "select count(*)::int as n from users where email_normalized = $1",
      [owner.email],
    );
    expect(accounts.n).toBe(1);
    await logIn(owner);
    expect(await emailsTo(owner.email, "email_verification")).toHaveLength(1);
  });

  it("emails the owner of a taken address at most three times an hour", async () => {
    const owner = await signUp();
    for (let n = 0; n < 5; n++) expect((await signup(owner.email)).status).toBe(202);
    expect(await emailsTo(owner.email, "account_exists")).toHaveLength(3);
  });

  it("starts the new account unverified; it may sign in, and /v1/me says so", async () => {
    const user = await signUpUnverified();
    expect(await me(user)).toMatchObject({ emailVerified: false });
    const token = await emailToken(user.email, "email_verification");
    const stored = await sql().query(
      "select token_hash, expires_at - created_at as ttl from account_tokens where user_id = $1",
      [user.id],
    );
    expect(JSON.stringify(stored)).not.toContain(token);
    expect(stored).toEqual([expect.objectContaining({ ttl: expect.stringMatching(/^(24:00:00|1 day)$/) })]);
  });

  it("refuses bad input and cross-site sign-ups", async () => {
    const cross = await api("/v1/auth/signup", {
      body: { email: uniqueEmail(), password: PASSWORD, name: "X" },
      headers: { origin: "https://evil.example", "cf-connecting-ip": randomIp() },
    });
    expect(cross.status).toBe(403);
    const weak = await signup(uniqueEmail(), "short");
    expect(weak.status).toBe(400);
  });
});

describe("verifying the address", () => {
  it("verifies with the account's password and signs in like login, in two round trips", async () => {
    const user = await register({ name: "Vera Verified" });
    const res = await verify(await emailToken(user.email, "email_verification"));
    expect(res.status).toBe(200);
    // The password check needs the hash (read with the claim), then the write.
    expect(roundTrips(res)).toBe(2);
    const body = await json<{ user: { email: string; name: string }; session: { token: string } }>(res);
    expect(body.user).toMatchObject({ email: user.email, name: "Vera Verified" });
    const cookies = res.headers.getSetCookie();
    expect(cookies.find((c) => c.startsWith("__Host-session="))).toContain(body.session.token);
    expect(cookies.some((c) => c.startsWith("__Host-device="))).toBe(true);
    expect(await me(body.session)).toMatchObject({ emailVerified: true });
  });

  it("works once: a reused link is 410, and concurrent uses let exactly one through", async () => {
    const user = await register();
    const token = await emailToken(user.email, "email_verification");
    const statuses = (await Promise.all(Array.from({ length: 4 }, () => verify(token)))).map((r) => r.status);
    expect(statuses.sort()).toEqual([200, 410, 410, 410]);
    const again = await verify(token);
    expect(again.status).toBe(410);
    expect((await problem(again)).detail).toBe(
      "This verification link has already been used; sign in to continue.",
    );
  });

  it("expires after 24 hours with 410, and the account stays unverified", async () => {
    const user = await signUpUnverified();
    const token = await emailToken(user.email, "email_verification");
    const late = await verifyAt(Date.now() + 24 * HOUR + 60_000, token);
    expect(late.status).toBe(410);
    expect((await problem(late)).detail).toBe(
      "This verification link has expired; sign in and ask for a new one.",
    );
    expect(await me(user)).toMatchObject({ emailVerified: false });
  });

  it("answers an unknown token with 400, and never takes a reset link for a verification link", async () => {
    expect((await verify("z".repeat(43))).status).toBe(400);
    const user = await signUp();
    await api("/v1/auth/password-reset", {
      body: { email: user.email },
      headers: { "cf-connecting-ip": randomIp() },
    });
    const reset = await emailToken(user.email, "password_reset");
    expect((await verify(reset)).status).toBe(400);
    // …nor a verification link for a reset link.
    const other = await register();
    const verification = await emailToken(other.email, "email_verification");
    const confirm = await api("/v1/auth/password-reset/confirm", {
      body: { token: verification, password: "a fresh and long passphrase" },
      headers: { "cf-connecting-ip": randomIp() },
    });
    expect(confirm.status).toBe(400);
    expect((await verify(verification)).status).toBe(200);
  });

  it("refuses a cross-site verification (it signs in)", async () => {
    const user = await register();
    const token = await emailToken(user.email, "email_verification");
    expect((await verify(token, { origin: "https://evil.example" })).status).toBe(403);
    expect((await verify(token)).status).toBe(200);
  });

  it("refuses a wrong password with 401 in one round trip, leaving the link unused and nothing verified", async () => {
    const user = await signUpUnverified();
    const token = await emailToken(user.email, "email_verification");
    const wrong = await verify(token, { password: "not the password chosen" });
    expect(wrong.status).toBe(401);
    expect(roundTrips(wrong)).toBe(1);
    expect(wrong.headers.get("set-cookie")).toBeNull();
    const body = await problem(wrong);
    expect(body.detail).toContain("The password is incorrect.");
    expect(body.detail).not.toContain(user.email);
    expect(await me(user)).toMatchObject({ emailVerified: false });
    const stored = await one<{ used: boolean }>(
      "select used_at is not null as used from account_tokens where user_id = $1",
      [user.id],
    );
    expect(stored.used).toBe(false);
    expect((await verify(token)).status).toBe(200);
  });

  it("answers a link that cannot be used before looking at the password, and counts nothing for it", async () => {
    const user = await signUp();
    const used = await emailToken(user.email, "email_verification");
    for (const password of [PASSWORD, "not the password chosen"]) {
      expect((await verify(used, { password })).status).toBe(410);
      expect((await verify("z".repeat(43), { password })).status).toBe(400);
    }
    const counted = await one<{ n: number }>(
      "select count(*)::int as n from login_failures where email_normalized = $1",
      [user.email],
    );
    expect(counted.n).toBe(0);
  });

  it("backs off wrong passwords like sign-in: the sixth at once is 429, and sign-in waits too", async () => {
    const user = await signUpUnverified();
    const token = await emailToken(user.email, "email_verification");
    const t0 = Date.now();
    for (let n = 0; n < 5; n++)
      expect((await verifyAt(t0, token, `wrong guess number ${n}`)).status).toBe(401);
    const limited = await verifyAt(t0, token, PASSWORD);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    const login = await call(
      "/v1/auth/login",
      {
        method: "POST",
        headers: { "content-type": "application/json", "cf-connecting-ip": randomIp() },
        body: JSON.stringify({ email: user.email, password: PASSWORD }),
      },
      { app: createApp({ now: () => t0 }) },
    );
    expect(login.status).toBe(429);
    // Once the wait is over, the right password verifies (and clears the count).
    expect((await verifyAt(t0 + 2_000, token, PASSWORD)).status).toBe(200);
    const counted = await one<{ n: number }>(
      "select count(*)::int as n from login_failures where email_normalized = $1",
      [user.email],
    );
    expect(counted.n).toBe(0);
  });

  it("ends every other session of the account (Postgres and KV) and keeps only the new one", async () => {
    const user = await signUpUnverified();
    const other = await logIn(user);
    const res = await verify(await emailToken(user.email, "email_verification"));
    expect(res.status).toBe(200);
    const fresh = await json<{ session: { id: string; token: string } }>(res);
    for (const old of [user, other]) expect((await api("/v1/me", { token: old.token })).status).toBe(401);
    expect(await me(fresh.session)).toMatchObject({ emailVerified: true });
    const live = await sql().query(
      "select id from sessions where user_id = $1 and revoked_at is null order by id",
      [user.id],
    );
    expect(live).toEqual([{ id: fresh.session.id }]);
  });

  it("verifies only the account the link was sent to, whoever is signed in", async () => {
    const other = await signUpUnverified();
    const owner = await register();
    const res = await verify(await emailToken(owner.email, "email_verification"), { cookie: other.cookie });
    expect(res.status).toBe(200);
    expect((await json<{ user: { email: string } }>(res)).user.email).toBe(owner.email);
    expect(await me(other)).toMatchObject({ emailVerified: false });
  });

  it("verifies the address of an account whose password was reset (the link proved it)", async () => {
    const user = await signUpUnverified();
    await api("/v1/auth/password-reset", {
      body: { email: user.email },
      headers: { "cf-connecting-ip": randomIp() },
    });
    const confirm = await api("/v1/auth/password-reset/confirm", {
      body: {
        token: await emailToken(user.email, "password_reset"),
        password: "a fresh and long passphrase",
      },
      headers: { "cf-connecting-ip": randomIp() },
    });
    expect(confirm.status).toBe(204);
    const again = await logIn({ ...user, password: "a fresh and long passphrase" });
    expect(await me(again)).toMatchObject({ emailVerified: true });
    // The verification link sent at sign-up was used up with every other open link.
    expect((await verify(await emailToken(user.email, "email_verification"))).status).toBe(410);
  });
});

describe("asking for a new link", () => {
  it("emails a new link; using one uses up the others", async () => {
    const user = await signUpUnverified();
    const first = await emailToken(user.email, "email_verification");
    const res = await resend(user);
    expect(res.status).toBe(202);
    expect(roundTrips(res)).toBe(1);
    const second = await emailToken(user.email, "email_verification");
    expect(second).not.toBe(first);
    expect((await verify(second)).status).toBe(200);
    expect((await verify(first)).status).toBe(410);
  });

  it("sends at most three an hour per address, sign-up's included (429 with Retry-After)", async () => {
    const user = await signUpUnverified();
    expect((await resend(user)).status).toBe(202);
    expect((await resend(user)).status).toBe(202);
    const limited = await resend(user);
    expect(limited.status).toBe(429);
    const wait = Number(limited.headers.get("retry-after"));
    expect(wait).toBeGreaterThan(3000);
    expect(wait).toBeLessThanOrEqual(3600);
    expect(await emailsTo(user.email, "email_verification")).toHaveLength(3);
  });

  it("answers 409 once the address is verified, 401 anonymously and 403 to an API key", async () => {
    const user = await signUp();
    const verified = await resend(user);
    expect(verified.status).toBe(409);
    expect((await problem(verified)).detail).toBe("Your email address is already verified.");
    expect((await api("/v1/auth/verify-email/resend", { method: "POST" })).status).toBe(401);

    const org = await createOrg(user);
    const key = await json<{ key: string }>(
      await api(`/v1/orgs/${org.id}/api-keys`, {
        token: user.token,
        body: { name: "ci", scopes: ["org:read"] },
      }),
    );
    expect((await api("/v1/auth/verify-email/resend", { method: "POST", token: key.key })).status).toBe(403);
  });

  it("refuses a cross-site resend from a cookie session", async () => {
    const user = await signUpUnverified();
    const res = await api("/v1/auth/verify-email/resend", {
      method: "POST",
      cookie: user.cookie,
      headers: { origin: "https://evil.example" },
    });
    expect(res.status).toBe(403);
  });
});

describe("what waits for a verified address", () => {
  /** An unverified person's buyer organisation with a product of another seller in its cart. */
  async function unverifiedBuyer(): Promise<{ buyer: Buyer; variantId: string; user: TestUser }> {
    const user = await signUpUnverified();
    const org = await createOrg(user, "buyer", "Unverified Buying Co");
    const seller = await newSeller();
    const { variantId } = await product(seller);
    const buyer = { owner: user, orgId: org.id };
    expect((await putLine(buyer, variantId, 20)).status).toBe(200);
    return { buyer, variantId, user };
  }

  it("lets an unverified buyer fill a cart but not check out, until the address is verified", async () => {
    const { buyer, user } = await unverifiedBuyer();
    const refused = await checkout(buyer);
    await expectUnverifiedProblem(refused, "check out");
    expect(roundTrips(refused)).toBe(1);
    const cart = await api(`/v1/orgs/${buyer.orgId}/cart`, { token: user.token });
    expect((await json<{ sellers: unknown[] }>(cart)).sellers).toHaveLength(1);

    // Verifying ends the session the buyer signed in with: the new one checks out.
    const verified = await verifyEmail(user);
    expect((await checkout({ ...buyer, owner: verified })).status).toBe(201);
  });

  it("lets no unverified buyer accept a quote, until the address is verified", async () => {
    const { buyer, user } = await unverifiedBuyer();
    const seller = await newSeller();
    const rfq = await createRfq(buyer, rfqBody({ sellerOrgId: seller.orgId }));
    const quote = await sendQuote(
      seller,
      rfq.id,
      quoteBody([{ title: "M8 x 40 hex bolts, A4", quantity: 5000, unitPriceMinor: 390 }]),
    );
    await expectUnverifiedProblem(await acceptQuote(buyer, quote.id, 1), "accept quotes");
    const verified = await verifyEmail(user);
    expect((await acceptQuote({ ...buyer, owner: verified }, quote.id, 1)).status).toBe(201);
  });

  it("lets nobody join an organisation with an address they have not proved", async () => {
    const owner = await signUp();
    const org = await createOrg(owner);
    const invited = uniqueEmail("invited");
    expect(
      (
        await api(`/v1/orgs/${org.id}/invitations`, {
          token: owner.token,
          body: { email: invited, role: "buyer" },
        })
      ).status,
    ).toBe(201);
    // Someone without access to the invited inbox signs up with its address and signs in with a password.
    const squatter = await signUpUnverified({ email: invited, password: "the squatter's passphrase" });
    const token = await invitationToken(invited);
    const refused = await api(`/v1/invitations/${token}/accept`, { method: "POST", token: squatter.token });
    await expectUnverifiedProblem(refused, "accept invitations");
    expect((await api(`/v1/orgs/${org.id}`, { token: squatter.token })).status).toBe(404);

    // The person who reads that inbox cannot confirm the link without the squatter's password: they reset
    // it (which verifies the address and signs the squatter out), sign in and join.
    const link = await emailToken(invited, "email_verification");
    expect((await verify(link, { password: PASSWORD })).status).toBe(401);
    await api("/v1/auth/password-reset", {
      body: { email: invited },
      headers: { "cf-connecting-ip": randomIp() },
    });
    const reset = await api("/v1/auth/password-reset/confirm", {
      body: { token: await emailToken(invited, "password_reset"), password: "the inbox owner's passphrase" },
      headers: { "cf-connecting-ip": randomIp() },
    });
    expect(reset.status).toBe(204);
    expect((await api("/v1/me", { token: squatter.token })).status).toBe(401);
    const owner2 = await logIn({ ...squatter, password: "the inbox owner's passphrase" });
    const accepted = await api(`/v1/invitations/${token}/accept`, { method: "POST", token: owner2.token });
    expect(accepted.status).toBe(200);
  });

  it("lets no unverified owner make the platform email invitations, until verified (one round trip)", async () => {
    const user = await signUpUnverified();
    const org = await createOrg(user, "buyer", "Totally Real Bank");
    const target = uniqueEmail("target");
    const invite = (token: string) =>
      api(`/v1/orgs/${org.id}/invitations`, { token, body: { email: target, role: "owner" } });
    const refused = await invite(user.token);
    await expectUnverifiedProblem(refused, "send invitations");
    expect(roundTrips(refused)).toBe(1);
    const stored = await one<{ n: number }>("select count(*)::int as n from invitations where org_id = $1", [
      org.id,
    ]);
    expect(stored.n).toBe(0);
    expect(await emailsTo(target)).toHaveLength(0);

    const verified = await verifyEmail(user);
    expect((await invite(verified.token)).status).toBe(201);
    expect(await emailsTo(target, "invitation")).toHaveLength(1);
  });

  it("lets an unverified seller draft listings but not submit them for review, until verified", async () => {
    const user = await signUpUnverified();
    const org = await createOrg(user, "seller");
    const seller = { owner: user, orgId: org.id };
    const { createListing } = await import("../support/catalog.ts");
    const listing = await createListing(seller);
    const submit = (token: string) =>
      api(`/v1/orgs/${org.id}/listings/${listing.id}/submit`, { method: "POST", token });
    await expectUnverifiedProblem(await submit(user.token), "submit listings for review");
    const verified = await verifyEmail(user);
    expect((await submit(verified.token)).status).toBe(200);
  });

  it("lets only verified people create API keys; a key then checks out without a person to verify", async () => {
    const { buyer, user } = await unverifiedBuyer();
    const create = (token: string) =>
      api(`/v1/orgs/${buyer.orgId}/api-keys`, {
        token,
        body: { name: "erp", scopes: ["orders:read", "orders:write"] },
      });
    await expectUnverifiedProblem(await create(user.token), "create API keys");
    const verified = await verifyEmail(user);
    const created = await create(verified.token);
    expect(created.status).toBe(201);
    const key = (await json<{ key: string }>(created)).key;
    await api(`/v1/orgs/${buyer.orgId}/spending-limits/api-keys`, {
      method: "PUT",
      token: (await logIn(user)).token,
      body: { limits: [{ currency: "EUR", perOrderMinor: 10_000_000 }] },
    });
    // The owner's session (which reads the cart's ETag) is the one verification signed in.
    expect((await checkout({ ...buyer, owner: verified }, undefined, undefined, key)).status).toBe(201);
  });

  it("keeps the 404 for outsiders ahead of the unverified address", async () => {
    const { buyer } = await unverifiedBuyer();
    const outsider = await signUpUnverified();
    expect((await checkout(buyer, undefined, undefined, outsider.token)).status).toBe(404);
  });
});
