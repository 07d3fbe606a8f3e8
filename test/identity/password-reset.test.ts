import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import { call, problem, roundTrips } from "../support/app.ts";
import { one, sql } from "../support/db.ts";
import { api, json, logIn, PASSWORD, randomIp, signUp, uniqueEmail } from "../support/identity.ts";
import { emailLink, emailsTo, emailToken } from "../support/mail.ts";

const MINUTE = 60_000;
const NEW_PASSWORD = "a fresh and long passphrase";

const requestReset = (email: string, options: { ip?: string; origin?: string } = {}) =>
  api("/v1/auth/password-reset", {
    body: { email },
    headers: { "cf-connecting-ip": options.ip ?? randomIp() },
    origin: options.origin,
  });

const confirm = (token: string, password = NEW_PASSWORD) =>
  api("/v1/auth/password-reset/confirm", {
    body: { token, password },
    headers: { "cf-connecting-ip": randomIp() },
  });

/** The same request through an app whose clock reads `now`. */
function at(now: number, path: string, body: unknown) {
  return call(
    path,
    {
      method: "POST",
      headers: { "content-type": "application/json", "cf-connecting-ip": randomIp() },
      body: JSON.stringify(body),
    },
    { app: createApp({ now: () => now }) },
  );
}

const login = (email: string, password: string) =>
  api("/v1/auth/login", { body: { email, password }, headers: { "cf-connecting-ip": randomIp() } });

describe("requesting a reset link", () => {
  it("answers an unknown address exactly as a known one, in one round trip, and emails only the account", async () => {
    const user = await signUp();
    const unknown = uniqueEmail("nobody");
    const known = await requestReset(user.email.toUpperCase());
    const stranger = await requestReset(unknown);
    expect(known.status).toBe(202);
    expect(stranger.status).toBe(202);
    expect(await known.text()).toBe(await stranger.text());
    expect(roundTrips(known)).toBe(1);
    expect(roundTrips(stranger)).toBe(1);
    expect(known.headers.get("set-cookie")).toBeNull();

    const [email, ...more] = await emailsTo(user.email, "password_reset");
    expect(more).toHaveLength(0);
    expect(email?.data).toMatchObject({ name: "Test User", expiresMinutes: 30 });
    expect(await emailsTo(unknown)).toHaveLength(0);
  });

  it("links to the configured PUBLIC_URL's reset page, whatever Host the request named, and stores only a hash", async () => {
    const user = await signUp();
    expect((await requestReset(user.email, { origin: "https://attacker.example" })).status).toBe(202);
    const link = await emailLink(user.email, "password_reset");
    expect(link.origin).toBe(env.PUBLIC_URL);
    expect(link.pathname).toBe("/reset-password");
    const token = link.searchParams.get("token") ?? "";
    expect(token).toMatch(/^[\w-]{43}$/);
    const stored = await sql().query(
      "select * from account_tokens where user_id = $1 and purpose = 'password_reset'",
      [user.id],
    );
    expect(stored).toHaveLength(1);
    expect(JSON.stringify(stored)).not.toContain(token);
    const lifetime = await one<{ minutes: number }>(
      "select extract(epoch from expires_at - created_at) / 60 as minutes from account_tokens where user_id = $1 and purpose = 'password_reset'",
      [user.id],
    );
    expect(Number(lifetime.minutes)).toBe(30);
  });

  it("emails an address at most three reset links an hour, answering the same after that", async () => {
    const user = await signUp();
    const answers: string[] = [];
    for (let n = 0; n < 5; n++) {
      const res = await requestReset(user.email);
      expect(res.status).toBe(202);
      answers.push(await res.text());
    }
    expect(new Set(answers).size).toBe(1);
    expect(await emailsTo(user.email, "password_reset")).toHaveLength(3);
    // An hour later the address may be sent links again.
    const later = await at(Date.now() + 61 * MINUTE, "/v1/auth/password-reset", { email: user.email });
    expect(later.status).toBe(202);
    expect(await emailsTo(user.email, "password_reset")).toHaveLength(4);
  });

  it("limits requests per IP with 429 and Retry-After", async () => {
    const ip = randomIp();
    let last: Response | undefined;
    // Fixed one-minute windows: a test straddling a boundary gets a second window's worth.
    for (let n = 0; n < 42; n++) {
      last = await requestReset(uniqueEmail("flood"), { ip });
      if (last.status === 429) break;
      expect(last.status).toBe(202);
    }
    expect(last?.status).toBe(429);
    expect(last?.headers.get("retry-after")).toBe("60");
  });

  it("refuses cross-site browser requests and bad input", async () => {
    const cross = await api("/v1/auth/password-reset", {
      body: { email: uniqueEmail() },
      headers: { origin: "https://evil.example", "cf-connecting-ip": randomIp() },
    });
    expect(cross.status).toBe(403);
    for (const body of [{}, { email: "not an email" }, { email: uniqueEmail(), extra: 1 }]) {
      const res = await api("/v1/auth/password-reset", { body, headers: { "cf-connecting-ip": randomIp() } });
      expect(res.status).toBe(400);
      expect((await problem(res)).type).toBe("urn:problem:validation_failed");
    }
  });
});

describe("setting a new password with the link", () => {
  it("changes the password in one round trip and ends every session of the account", async () => {
    const user = await signUp();
    const other = await logIn(user);
    await requestReset(user.email);
    const res = await confirm(await emailToken(user.email, "password_reset"));
    expect(res.status).toBe(204);
    expect(roundTrips(res)).toBe(1);
    expect(res.headers.get("set-cookie")).toBeNull();

    for (const session of [user, other]) {
      expect((await api("/v1/me", { token: session.token })).status).toBe(401);
      expect((await api("/v1/me", { cookie: session.cookie })).status).toBe(401);
    }
    const open = await sql().query("select id from sessions where user_id = $1 and revoked_at is null", [
      user.id,
    ]);
    expect(open).toHaveLength(0);
    expect((await login(user.email, PASSWORD)).status).toBe(401);
    expect((await login(user.email, NEW_PASSWORD)).status).toBe(200);
  });

  it("works once: a reused link is 410 and changes nothing", async () => {
    const user = await signUp();
    await requestReset(user.email);
    const token = await emailToken(user.email, "password_reset");
    expect((await confirm(token)).status).toBe(204);
    const again = await confirm(token, "someone else's passphrase");
    expect(again.status).toBe(410);
    expect(await problem(again)).toMatchObject({
      type: "urn:problem:gone",
      detail: "This password reset link has already been used; ask for a new one.",
    });
    expect((await login(user.email, NEW_PASSWORD)).status).toBe(200);
  });

  it("lets exactly one of several concurrent uses of a link through", async () => {
    const user = await signUp();
    await requestReset(user.email);
    const token = await emailToken(user.email, "password_reset");
    const statuses = (
      await Promise.all(Array.from({ length: 5 }, (_, n) => confirm(token, `${NEW_PASSWORD} ${n}`)))
    ).map((res) => res.status);
    expect(statuses.filter((status) => status === 204)).toHaveLength(1);
    expect(statuses.filter((status) => status === 410)).toHaveLength(4);
  });

  it("expires after 30 minutes with 410", async () => {
    const user = await signUp();
    await requestReset(user.email);
    const token = await emailToken(user.email, "password_reset");
    const late = await at(Date.now() + 31 * MINUTE, "/v1/auth/password-reset/confirm", {
      token,
      password: NEW_PASSWORD,
    });
    expect(late.status).toBe(410);
    expect((await problem(late)).detail).toBe("This password reset link has expired; ask for a new one.");
    expect((await login(user.email, PASSWORD)).status).toBe(200);
  });

  it("answers an unknown token with 400", async () => {
    const res = await confirm("x".repeat(43));
    expect(res.status).toBe(400);
    expect((await problem(res)).detail).toBe("This password reset link is not valid; ask for a new one.");
  });

  it("stops every other link of the account from working", async () => {
    const user = await signUp();
    await requestReset(user.email);
    const first = await emailToken(user.email, "password_reset");
    await requestReset(user.email);
    const second = await emailToken(user.email, "password_reset");
    expect(second).not.toBe(first);
    expect((await confirm(second)).status).toBe(204);
    expect((await confirm(first, "yet another passphrase")).status).toBe(410);
  });

  it.each([
    ["too short", "Sh0rt!", "must be at least 8 characters"],
    ["too common", "Password123", "is one of the most common passwords; choose another"],
  ])("refuses a password that is %s and keeps the link usable", async (_, password, message) => {
    const user = await signUp();
    await requestReset(user.email);
    const token = await emailToken(user.email, "password_reset");
    const res = await confirm(token, password);
    expect(res.status).toBe(400);
    expect((await problem(res)).errors).toEqual([{ field: "body.password", message }]);
    expect((await confirm(token)).status).toBe(204);
  });

  it("refuses the account's own email address as the password and keeps the link usable", async () => {
    const user = await signUp();
    await requestReset(user.email);
    const token = await emailToken(user.email, "password_reset");
    const res = await confirm(token, ` ${user.email.toUpperCase()} `);
    expect(res.status).toBe(400);
    expect((await problem(res)).errors).toEqual([
      { field: "body.password", message: "must not be your email address" },
    ]);
    expect((await confirm(token)).status).toBe(204);
  });

  it("clears the failed sign-ins that held the account in backoff", async () => {
    const user = await signUp();
    await sql().query(
      `insert into login_failures (email_normalized, failures, last_failure_at) values ($1, 20, now())
       on conflict (email_normalized, device) do update set failures = 20, last_failure_at = now()`,
      [user.email],
    );
    expect((await login(user.email, PASSWORD)).status).toBe(429);
    await requestReset(user.email);
    expect((await confirm(await emailToken(user.email, "password_reset"))).status).toBe(204);
    expect((await login(user.email, NEW_PASSWORD)).status).toBe(200);
  });

  it("refuses bad input and cross-site requests with clear problems", async () => {
    for (const body of [{}, { token: "", password: NEW_PASSWORD }, { token: "t", password: 1 }]) {
      const res = await api("/v1/auth/password-reset/confirm", {
        body,
        headers: { "cf-connecting-ip": randomIp() },
      });
      expect(res.status).toBe(400);
    }
    const cross = await api("/v1/auth/password-reset/confirm", {
      body: { token: "x".repeat(43), password: NEW_PASSWORD },
      headers: { origin: "https://evil.example", "cf-connecting-ip": randomIp() },
    });
    expect(cross.status).toBe(403);
    expect(await json(cross)).toMatchObject({ status: 403 });
  });

  it("is undone by no link asked for before a password change", async () => {
    const user = await signUp();
    expect((await requestReset(user.email, { ip: randomIp() })).status).toBe(202);
    const token = await emailToken(user.email, "password_reset");
    const change = await api("/v1/me/password", {
      token: user.token,
      body: { currentPassword: PASSWORD, newPassword: "the owner's own new passphrase" },
    });
    expect(change.status).toBe(200);
    const stale = await confirm(token);
    expect(stale.status).toBe(410);
    expect((await login(user.email, "the owner's own new passphrase")).status).toBe(200);
  });
});
