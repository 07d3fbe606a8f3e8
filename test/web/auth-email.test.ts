/**
 * The pages behind emailed links: forgotten password (ask for a link, set a new password) and their
 * guards (same-site forms, links that only work once, looking never uses a link).
 */
import { describe, expect, it } from "vitest";
import { api, logIn, PASSWORD, randomIp, signUp, uniqueEmail } from "../support/identity.ts";
import { emailLink, emailsTo, emailToken } from "../support/mail.ts";
import { form, get, setCookies } from "../support/web.ts";

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
