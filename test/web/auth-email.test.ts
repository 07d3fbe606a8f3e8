/**
 * The pages behind emailed links: forgotten password (ask for a link, set a new password), email
 * verification (the confirm page, the banner and its "send a new link", checkout waiting for it) and their
 * guards (same-site forms, links that only work once, looking never uses a link).
 */
import { describe, expect, it } from "vitest";
import {
  api,
  createOrg,
  logIn,
  PASSWORD,
  randomIp,
  register,
  signUp,
  signUpUnverified,
  uniqueEmail,
  verifyEmail,
} from "../support/identity.ts";
import { emailLink, emailsTo, emailToken } from "../support/mail.ts";
import { newSeller, product, putLine } from "../support/orders.ts";
import { form, get, orgCookie, setCookies, webPage } from "../support/web.ts";

const NEW_PASSWORD = "a fresh and long passphrase";

describe("forgotten password pages", () => {
  it("links from sign-in to a form that answers the same for any address", async () => {
    expect(await (await get("/signin")).text()).toContain('href="/forgot-password"');
    const page = await get("/forgot-password");
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('action="/forgot-password"');

    const user = await signUp();
    const known = await form("/forgot-password", { email: user.email }, { ip: randomIp() });
    const unknown = await form("/forgot-password", { email: uniqueEmail("nobody") }, { ip: randomIp() });
    for (const res of [known, unknown]) {
      expect(res.status).toBe(303);
      expect(res.headers.get("location")).toBe("/forgot-password/sent");
    }
    expect(await emailsTo(user.email, "password_reset")).toHaveLength(1);
    const sent = await (await get("/forgot-password/sent")).text();
    expect(sent).toContain("If an account uses that address");
  });

  it("keeps what was typed when the address is not one", async () => {
    const res = await form("/forgot-password", { email: "not an address" });
    expect(res.status).toBe(422);
    expect(await res.text()).toContain('value="not an address"');
  });

  it("refuses a cross-site form", async () => {
    const res = await form("/forgot-password", { email: uniqueEmail() }, { origin: "https://evil.example" });
    expect(res.status).toBe(403);
  });

  it("sets a new password from the emailed link (looking does not use it), then sends the visitor to sign in", async () => {
    const user = await signUp();
    await form("/forgot-password", { email: user.email }, { ip: randomIp() });
    const link = await emailLink(user.email, "password_reset");
    const token = link.searchParams.get("token") ?? "";
    for (let look = 0; look < 2; look++) {
      const page = await get(`${link.pathname}${link.search}`);
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain('action="/reset-password"');
      expect(html).toContain(`value="${token}"`);
    }

    const mismatch = await form("/reset-password", {
      token,
      password: NEW_PASSWORD,
      passwordConfirm: "something else entirely",
    });
    expect(mismatch.status).toBe(422);
    expect(await mismatch.text()).toContain("does not match the new password");

    const weak = await form("/reset-password", { token, password: "short", passwordConfirm: "short" });
    expect(weak.status).toBe(422);
    expect(await weak.text()).toMatch(/id="f-password-error"/);

    const done = await form("/reset-password", {
      token,
      password: NEW_PASSWORD,
      passwordConfirm: NEW_PASSWORD,
    });
    expect(done.status).toBe(303);
    expect(done.headers.get("location")).toBe("/signin?notice=password-reset");
    expect(setCookies(done).session).toBeUndefined();
    expect((await api("/v1/me", { cookie: user.cookie })).status).toBe(401);
    await logIn({ ...user, password: NEW_PASSWORD });

    const reused = await get(`${link.pathname}${link.search}`);
    expect(reused.status).toBe(410);
    expect(await reused.text()).toContain("This link has been used");
    const again = await form("/reset-password", { token, password: PASSWORD, passwordConfirm: PASSWORD });
    expect(again.status).toBe(410);
  });

  it("says when a link is not one of ours", async () => {
    expect((await get("/reset-password?token=nonsense")).status).toBe(404);
    expect((await get(`/reset-password?token=${"x".repeat(43)}`)).status).toBe(404);
    const posted = await form("/reset-password", {
      token: "y".repeat(43),
      password: NEW_PASSWORD,
      passwordConfirm: NEW_PASSWORD,
    });
    expect(posted.status).toBe(400);
    expect(await posted.text()).toContain("This link does not work");
  });

  it("refuses a cross-site reset form and keeps the link usable", async () => {
    const user = await signUp();
    await api("/v1/auth/password-reset", {
      body: { email: user.email },
      headers: { "cf-connecting-ip": randomIp() },
    });
    const token = await emailToken(user.email, "password_reset");
    const cross = await form(
      "/reset-password",
      { token, password: NEW_PASSWORD, passwordConfirm: NEW_PASSWORD },
      { origin: "https://evil.example" },
    );
    expect(cross.status).toBe(403);
    expect((await get(`/reset-password?token=${token}`)).status).toBe(200);
  });
});

describe("email verification pages", () => {
  it("confirms with the password and a button (looking does not use the link), signs in and goes where sign-up was headed", async () => {
    const user = await register({ name: "Page Person" });
    const link = await emailLink(user.email, "email_verification");
    const token = link.searchParams.get("token") ?? "";
    for (let look = 0; look < 2; look++) {
      const page = await get(`/verify-email?token=${token}&next=${encodeURIComponent("/orders")}`);
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain(user.email);
      expect(html).toContain('action="/verify-email"');
      expect(html).toContain('<input type="hidden" name="next" value="/orders"/>');
      // A labelled password field above the button, and the way out for whoever does not know it.
      const input = /<input[^>]*name="password"[^>]*>/.exec(html)?.[0] ?? "";
      expect(input).toContain('type="password"');
      expect(input).toContain('id="f-password"');
      expect(input).toContain('autocomplete="current-password"');
      expect(html).toContain('<label for="f-password">Password</label>');
      expect(html.indexOf(input)).toBeLessThan(html.indexOf("Confirm and sign in"));
      expect(html).toMatch(/<a href="\/forgot-password">Forgot your password\? Reset it instead<\/a>/);
    }
    const cross = await form(
      "/verify-email",
      { token, next: "/orders", password: PASSWORD },
      { origin: "https://evil.example" },
    );
    expect(cross.status).toBe(403);

    const done = await form("/verify-email", { token, next: "/orders", password: PASSWORD });
    expect(done.status).toBe(303);
    expect(done.headers.get("location")).toBe("/orders?notice=email-verified");
    const { session, device } = setCookies(done);
    expect(session).toMatch(/^__Host-session=ses_/);
    expect(device).toMatch(/^__Host-device=/);
    const home = await (await get("/", { cookie: session })).text();
    expect(home).toContain("Page Person");
    expect(home).not.toContain("Verify your email address.");

    const used = await get(`/verify-email?token=${token}`);
    expect(used.status).toBe(410);
    expect(await used.text()).toContain("This link has been used");
    expect((await form("/verify-email", { token, password: PASSWORD })).status).toBe(410);
  });

  it("shows the form again after a wrong or missing password, with the link still unused", async () => {
    const user = await register();
    const token = await emailToken(user.email, "email_verification");
    const ip = randomIp();
    const empty = await form("/verify-email", { token, next: "/orders" }, { ip });
    expect(empty.status).toBe(422);
    expect(await empty.text()).toMatch(/id="f-password-error"/);

    const wrong = await form(
      "/verify-email",
      { token, next: "/orders", password: "not the one chosen" },
      { ip },
    );
    expect(wrong.status).toBe(401);
    expect(setCookies(wrong).session).toBeUndefined();
    const html = await wrong.text();
    expect(html).toContain("The password is incorrect.");
    expect(html).toContain(user.email);
    expect(html).toContain('<input type="hidden" name="next" value="/orders"/>');
    expect(html).toContain('href="/forgot-password"');

    const done = await form("/verify-email", { token, next: "/orders", password: PASSWORD }, { ip });
    expect(done.status).toBe(303);
    expect(done.headers.get("location")).toBe("/orders?notice=email-verified");
  });

  it("never sends anyone to another site after verifying", async () => {
    const user = await register();
    const token = await emailToken(user.email, "email_verification");
    const done = await form("/verify-email", { token, next: "//evil.example/x", password: PASSWORD });
    expect(done.headers.get("location")).toBe("/?notice=email-verified");
  });

  it("says when a link is not one of ours", async () => {
    expect((await get("/verify-email?token=nope")).status).toBe(404);
    expect((await get(`/verify-email?token=${"q".repeat(43)}`)).status).toBe(404);
    expect((await form("/verify-email", { token: "q".repeat(43), password: PASSWORD })).status).toBe(400);
  });

  it("carries an invitation through sign-up: the emailed link leads back to it", async () => {
    const owner = await signUp();
    const org = await createOrg(owner, "both", "Invite Carriers");
    const email = uniqueEmail("invited");
    await api(`/v1/orgs/${org.id}/invitations`, { token: owner.token, body: { email, role: "buyer" } });
    const accept = await emailLink(email, "invitation");
    const acceptPath = `${accept.pathname}${accept.search}`;
    const res = await form(
      "/signup",
      { name: "Ivy Invited", email, password: PASSWORD, next: acceptPath },
      { ip: randomIp() },
    );
    expect(res.headers.get("location")).toBe("/signup/check-inbox");
    const link = await emailLink(email, "email_verification");
    expect(link.searchParams.get("next")).toBe(acceptPath);
  });

  it("shows unverified visitors a banner whose button sends a new link, back to the same page", async () => {
    const user = await signUpUnverified();
    const page = await (await get("/search", { cookie: user.cookie })).text();
    expect(page).toContain("Verify your email address.");
    expect(page).toContain('action="/verify-email/resend"');
    expect(page).toContain('<input type="hidden" name="next" value="/search"/>');

    const sent = await form("/verify-email/resend", { next: "/search" }, { cookie: user.cookie });
    expect(sent.status).toBe(303);
    expect(sent.headers.get("location")).toBe("/search?notice=verification-sent");
    expect(await emailsTo(user.email, "email_verification")).toHaveLength(2);
    await form("/verify-email/resend", { next: "/search" }, { cookie: user.cookie });
    const throttled = await form("/verify-email/resend", { next: "/search" }, { cookie: user.cookie });
    expect(throttled.headers.get("location")).toBe("/search?notice=verification-throttled");

    const cross = await form(
      "/verify-email/resend",
      { next: "/search" },
      { cookie: user.cookie, origin: "https://evil.example" },
    );
    expect(cross.status).toBe(403);

    const verified = await verifyEmail(user);
    expect(await (await get("/search", { cookie: verified.cookie })).text()).not.toContain(
      "Verify your email address.",
    );
    const already = await form("/verify-email/resend", { next: "/search" }, { cookie: verified.cookie });
    expect(already.headers.get("location")).toBe("/search?notice=email-already-verified");
  });

  it("sends anonymous visitors who press the button to sign in", async () => {
    const res = await form("/verify-email/resend", { next: "/search" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toMatch(/^\/signin\?next=/);
  });

  it("tells an unverified buyer at checkout why the order waits, and refuses the post with the same reason", async () => {
    const user = await signUpUnverified();
    const org = await createOrg(user, "buyer", "Waiting Buyers");
    const seller = await newSeller();
    const { variantId } = await product(seller);
    expect((await putLine({ owner: user, orgId: org.id }, variantId, 20)).status).toBe(200);
    const cookies = [user.cookie, orgCookie(org.id)];
    const page = await webPage("/checkout", { cookies });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("Verify your email address to place orders");
    expect(html).not.toMatch(/<button[^>]*>\s*Place order/);
    const key = /name="idempotencyKey" value="([^"]+)"/.exec(html)?.[1] ?? "";
    const version = (/name="cartVersion" value="([^"]+)"/.exec(html)?.[1] ?? "").replaceAll("&quot;", '"');
    const posted = await webPage("/checkout", {
      cookies,
      form: {
        idempotencyKey: key,
        cartVersion: version,
        paymentTerms: "net30",
        "shippingAddress.name": "Goods In",
        "shippingAddress.line1": "Dock 4",
        "shippingAddress.city": "Hamburg",
        "shippingAddress.postalCode": "20457",
        "shippingAddress.country": "DE",
      },
    });
    expect(posted.status).toBe(403);
    expect(await posted.text()).toContain("Verify your email address before you check out");

    const verified = await verifyEmail(user);
    const after = await (
      await webPage("/checkout", { cookies: [verified.cookie, orgCookie(org.id)] })
    ).text();
    expect(after).toMatch(/<button[^>]*>\s*Place order/);
  });
});
