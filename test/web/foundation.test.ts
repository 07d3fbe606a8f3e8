/**
 * The web app's shell: headers (CSP, no-store), friendly errors for people and problem+json for the API,
 * form guards, sign-up / sign-in / sign-out through the same services and cookies as the API, the
 * organisation switcher, and locale formats.
 */
import { describe, expect, it } from "vitest";
import { negotiateLocale } from "../../src/web/format.ts";
import { createOrg, PASSWORD, randomIp, signUp, uniqueEmail } from "../support/identity.ts";
import { emailLink, emailsTo } from "../support/mail.ts";
import { form, get, setCookies } from "../support/web.ts";

describe("page headers and errors", () => {
  it("serves pages with a strict CSP, no-store when private, and no inline script", async () => {
    const res = await get("/signin");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("form-action 'self'");
    // Under no-referrer, browsers post forms with `Origin: null` (the browser journeys caught it).
    expect(res.headers.get("referrer-policy")).toBe("strict-origin");
    const html = await res.text();
    expect(html.startsWith("<!doctype html>")).toBe(true);
    // Only JSON-LD data blocks may be inline; never executable script.
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)(?![^>]*application\/ld\+json)[^>]*>/);
    expect(html).not.toMatch(/\sstyle="/);
  });

  it("gives people a 404 page and API clients problem+json", async () => {
    const page = await get("/no-such-page");
    expect(page.status).toBe(404);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await page.text()).toContain("Page not found");
    const api = await get("/no-such-page", { accept: "application/json" });
    expect(api.status).toBe(404);
    expect(api.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    const v1 = await get("/v1/no-such-thing");
    expect(v1.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  });

  it("refuses a JSON body to a page with 415, and an oversized form with 413", async () => {
    const json = await get("/signin", {}, { method: "POST", body: "{}", contentType: "application/json" });
    expect(json.status).toBe(415);
    expect(json.headers.get("content-type")).toMatch(/^text\/html/);
    const big = await form("/signin", { email: "x".repeat(70_000), password: "y" });
    expect(big.status).toBe(413);
  });
});

describe("sign-up, sign-in and sign-out pages", () => {
  it("signs up with a form; the emailed link's page signs in and lands on organisation set-up", async () => {
    // The page's form itself sends a new account on to organisation set-up (not back to the home page).
    const signUpPage = await (await get("/signup")).text();
    expect(signUpPage).toContain('<input type="hidden" name="next" value="/org/new"/>');
    const email = uniqueEmail("web");
    const res = await form(
      "/signup",
      { name: "Wendy Web", email, password: PASSWORD, next: "" },
      {
        ip: randomIp(),
      },
    );
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/signup/check-inbox");
    expect(setCookies(res).session).toBeUndefined();
    expect(await (await get("/signup/check-inbox")).text()).toContain("Check your inbox");

    const link = await emailLink(email, "email_verification");
    expect(link.searchParams.get("next")).toBe("/org/new");
    const confirm = await get(`${link.pathname}${link.search}`);
    expect(confirm.status).toBe(200);
    const verified = await form("/verify-email", {
      token: link.searchParams.get("token") ?? "",
      next: link.searchParams.get("next") ?? "",
      password: PASSWORD,
    });
    expect(verified.status).toBe(303);
    expect(verified.headers.get("location")).toBe("/org/new?notice=email-verified");
    const cookies = setCookies(verified);
    expect(cookies.session).toMatch(/^__Host-session=ses_/);
    const home = await get("/", { cookie: cookies.session });
    expect(await home.text()).toContain("Wendy Web");
    expect(home.headers.get("cache-control")).toBe("no-store");
  });

  it("keeps what was typed and names the field when sign-up fails", async () => {
    const res = await form("/signup", { name: "Short Pass", email: uniqueEmail("web"), password: "short" });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain('value="Short Pass"');
    expect(html).toMatch(/id="f-password-error"/);
    expect(html).toContain('aria-invalid="true"');
  });

  it("answers a taken address exactly like a new one (its owner is emailed instead)", async () => {
    const user = await signUp();
    const res = await form(
      "/signup",
      { name: "Again", email: user.email, password: PASSWORD },
      { ip: randomIp() },
    );
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/signup/check-inbox");
    expect(setCookies(res).session).toBeUndefined();
    expect(await emailsTo(user.email, "account_exists")).toHaveLength(1);
  });

  it("signs in, returns to a same-site next, and never to another site", async () => {
    const user = await signUp();
    const ok = await form(
      "/signin",
      { email: user.email, password: user.password, next: "/orders" },
      { ip: user.ip },
    );
    expect(ok.status).toBe(303);
    expect(ok.headers.get("location")).toBe("/orders?notice=signed-in");
    // A tab or newline is dropped by browsers while parsing ("/\t/evil" is "//evil"); CR/LF cannot be a header.
    for (const next of [
      "//evil.example/x",
      "https://evil.example/",
      "/\\evil.example",
      "/\t/evil.example",
      "/\r\nX: y",
      "/a b",
    ]) {
      const res = await form(
        "/signin",
        { email: user.email, password: user.password, next },
        { ip: user.ip },
      );
      expect(res.headers.get("location")).toBe("/?notice=signed-in");
    }
  });

  it("answers a wrong password with the same message as an unknown email", async () => {
    const user = await signUp();
    const wrong = await form(
      "/signin",
      { email: user.email, password: "not the password at all" },
      { ip: user.ip },
    );
    const unknown = await form(
      "/signin",
      { email: uniqueEmail("nobody"), password: "whatever it is" },
      { ip: user.ip },
    );
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const message = (html: string) => /<strong>([^<]*)<\/strong>/.exec(html)?.[1];
    const wrongPage = await wrong.text();
    // The sign-in form again, with the email kept, not an error page.
    expect(wrongPage).toContain('action="/signin"');
    expect(wrongPage).toContain(`value="${user.email}"`);
    expect(message(wrongPage)).toBe("Email or password is incorrect.");
    expect(message(await unknown.text())).toBe(message(wrongPage));
    expect(setCookies(wrong).session).toBeUndefined();
  });

  it("refuses a cross-site sign-in form", async () => {
    const user = await signUp();
    const res = await form(
      "/signin",
      { email: user.email, password: user.password },
      { origin: "https://evil.example", ip: user.ip },
    );
    expect(res.status).toBe(403);
    expect(setCookies(res).session).toBeUndefined();
  });

  it("signs out: the session stops working for the API too", async () => {
    const user = await signUp();
    const out = await form("/signout", {}, { cookie: user.cookie });
    expect(out.status).toBe(303);
    expect(setCookies(out).session).toBe("__Host-session=");
    const me = await get("/v1/me", { cookie: user.cookie });
    expect(me.status).toBe(401);
  });

  it("refuses a cross-site sign-out (CSRF) and keeps the session", async () => {
    const user = await signUp();
    const res = await form("/signout", {}, { cookie: user.cookie, origin: "https://evil.example" });
    expect(res.status).toBe(403);
    expect((await get("/v1/me", { cookie: user.cookie })).status).toBe(200);
  });

  it("treats an invalid session cookie as signed out and clears it", async () => {
    const res = await get("/", { cookie: "__Host-session=ses_forged" });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("Sign in");
    expect(setCookies(res).session).toBe("__Host-session=");
  });
});

describe("organisation switcher", () => {
  it("switches only to an organisation the visitor belongs to", async () => {
    const user = await signUp({ name: "Switching Sam" });
    const first = await createOrg(user, "buyer", "First Buyer Ltd");
    const second = await createOrg(user, "seller", "Second Seller BV");
    const stranger = await signUp();
    const theirs = await createOrg(stranger, "buyer", "Not Yours GmbH");

    const mine = await form("/org/switch", { orgId: second.id, next: "/" }, { cookie: user.cookie });
    expect(mine.status).toBe(303);
    const orgCookie = setCookies(mine).org;
    expect(orgCookie).toBe(`__Host-org=${second.id}`);
    const page = await (await get("/", { cookie: `${user.cookie}; ${orgCookie}` })).text();
    expect(page).toMatch(/class="menu-org">Second Seller BV</);

    const foreign = await form("/org/switch", { orgId: theirs.id, next: "/" }, { cookie: user.cookie });
    expect(setCookies(foreign).org).toBeUndefined();
    // A forged cookie naming a foreign organisation is ignored: the first own organisation acts.
    const forged = await (await get("/", { cookie: `${user.cookie}; __Host-org=${theirs.id}` })).text();
    expect(forged).not.toContain("Not Yours GmbH");
    expect(forged).toMatch(/class="menu-org">First Buyer Ltd</);
    expect(first.id).not.toBe(theirs.id);
  });

  it("follows an email's link to the organisation it is about, only one the visitor belongs to", async () => {
    const user = await signUp({ name: "Linked Lena" });
    await createOrg(user, "buyer", "Lena Buyer Ltd");
    const second = await createOrg(user, "seller", "Lena Seller BV");
    const stranger = await signUp();
    const theirs = await createOrg(stranger, "buyer", "Not Lena's GmbH");

    const open = (org: string, next: string, cookie?: string) =>
      get(`/org/open?org=${org}&next=${encodeURIComponent(next)}`, cookie ? { cookie } : {});
    const mine = await open(second.id, "/org", user.cookie);
    expect(mine.status).toBe(303);
    expect(mine.headers.get("location")).toBe("/org");
    expect(setCookies(mine).org).toBe(`__Host-org=${second.id}`);
    const foreign = await open(theirs.id, "/org", user.cookie);
    expect(foreign.headers.get("location")).toBe("/org");
    expect(setCookies(foreign).org).toBeUndefined();
    const offsite = await open(second.id, "//evil.example/x", user.cookie);
    expect(offsite.headers.get("location")).toBe("/");
    const anonymous = await open(second.id, "/org");
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get("location")).toMatch(/^\/signin\?next=%2Forg%2Fopen/);
  });
});

describe("formats follow Accept-Language", () => {
  it("negotiates from a fixed list with q-values and a fallback", () => {
    expect(negotiateLocale("de-DE,de;q=0.9,en;q=0.8")).toBe("de-DE");
    expect(negotiateLocale("fr-CA;q=0.9, nl;q=0.95")).toBe("nl-NL");
    expect(negotiateLocale("en-US")).toBe("en-US");
    expect(negotiateLocale("xx, *;q=0.1")).toBe("en-GB");
    expect(negotiateLocale(undefined)).toBe("en-GB");
    expect(negotiateLocale("de;q=0")).toBe("en-GB");
  });

  it("names the format locale on the page", async () => {
    const html = await (await get("/signin", { "accept-language": "de-DE,de;q=0.9" })).text();
    expect(html).toContain("Formats: de-DE");
  });
});
