import { describe, expect, it } from "vitest";
import { api, json, randomIp, signUp, uniqueEmail } from "../support/identity.ts";

const orgBody = { name: "Cookie Co", kind: "buyer" };

async function myOrgCount(token: string) {
  const me = await json<{ memberships: unknown[] }>(await api("/v1/me", { token }));
  return me.memberships.length;
}

describe("CSRF: cookie-authenticated writes need a same-origin request", () => {
  it.each([
    ["a cross-site Origin", { origin: "https://evil.example" }],
    ["a null Origin", { origin: "null" }],
    ["no Origin and no Sec-Fetch-Site", {}],
    ["Sec-Fetch-Site: cross-site", { "sec-fetch-site": "cross-site" }],
    ["Sec-Fetch-Site: same-site", { "sec-fetch-site": "same-site" }],
  ])("refuses a JSON write with %s", async (_, headers) => {
    const user = await signUp();
    const res = await api("/v1/orgs", { cookie: user.cookie, body: orgBody, headers });
    expect(res.status).toBe(403);
    expect(await myOrgCount(user.token)).toBe(0);
  });

  it("refuses a cross-site form post", async () => {
    const user = await signUp();
    const res = await api("/v1/orgs", {
      method: "POST",
      cookie: user.cookie,
      headers: { origin: "https://evil.example", "content-type": "application/x-www-form-urlencoded" },
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    const form = await api("/v1/orgs", {
      method: "POST",
      cookie: user.cookie,
      headers: { origin: "https://evil.example", "content-type": "text/plain" },
    });
    expect([403, 415]).toContain(form.status);
    expect(await myOrgCount(user.token)).toBe(0);
  });

  it.each([
    ["its own origin", { origin: "http://api.test" }],
    ["a configured front-end origin", { origin: "http://localhost:8787" }],
    ["Sec-Fetch-Site: same-origin", { "sec-fetch-site": "same-origin" }],
  ])("accepts a write from %s", async (_, headers) => {
    const user = await signUp();
    const res = await api("/v1/orgs", { cookie: user.cookie, body: orgBody, headers });
    expect(res.status).toBe(201);
  });

  it("lets bearer-authenticated clients write from anywhere", async () => {
    const user = await signUp();
    const res = await api("/v1/orgs", {
      token: user.token,
      body: orgBody,
      headers: { origin: "https://partner.example" },
    });
    expect(res.status).toBe(201);
  });

  it("leaves cookie reads alone (CORS keeps other sites from reading them)", async () => {
    const user = await signUp();
    const res = await api("/v1/me", { cookie: user.cookie, headers: { origin: "https://evil.example" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("refuses cross-site sign-in and sign-up (login CSRF)", async () => {
    const user = await signUp();
    const login = await api("/v1/auth/login", {
      body: { email: user.email, password: user.password },
      headers: { origin: "https://evil.example", "cf-connecting-ip": randomIp() },
    });
    expect(login.status).toBe(403);
    const signup = await api("/v1/auth/signup", {
      body: { email: uniqueEmail(), password: user.password, name: "X" },
      headers: { "sec-fetch-site": "cross-site", "cf-connecting-ip": randomIp() },
    });
    expect(signup.status).toBe(403);
  });
});
