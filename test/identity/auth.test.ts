import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import { DEVICE_COOKIE_DAYS, issueDevice, verifyDevice } from "../../src/services/identity/devices.ts";
import { currentParams, hashPassword } from "../../src/services/identity/password.ts";
import { call, problem, roundTrips } from "../support/app.ts";
import { one, sql } from "../support/db.ts";
import {
  api,
  deviceCookie,
  json,
  logIn,
  PASSWORD,
  randomIp,
  signUp,
  uniqueEmail,
} from "../support/identity.ts";
import { emailsTo, emailToken } from "../support/mail.ts";

const signupBody = (overrides: Record<string, unknown> = {}) => ({
  email: uniqueEmail(),
  password: PASSWORD,
  name: "Ada Buyer",
  ...overrides,
});

describe("signup", () => {
  it("creates an account whose emailed link signs it in with a secure cookie and returns the token once", async () => {
    const email = uniqueEmail();
    const res = await api("/v1/auth/signup", {
      body: signupBody({ email }),
      headers: { "cf-connecting-ip": randomIp() },
    });
    expect(res.status).toBe(202);
    expect(roundTrips(res)).toBe(1);
    expect(res.headers.get("set-cookie")).toBeNull();
    const verified = await api("/v1/auth/verify-email", {
      body: { token: await emailToken(email, "email_verification"), password: PASSWORD },
      headers: { "cf-connecting-ip": randomIp() },
    });
    expect(verified.status).toBe(200);
    const body = await json<{
      user: { id: string; email: string };
      session: { token: string; expiresAt: string };
    }>(verified);
    expect(body.user.email).toBe(email);
    expect(body.session.token).toMatch(/^ses_[\w-]{22}\.[\w-]{43}$/);
    const cookie = verified.headers.get("set-cookie") ?? "";
    expect(cookie).toContain(`__Host-session=${body.session.token}`);
    for (const attribute of ["Secure", "HttpOnly", "SameSite=Lax", "Path=/"])
      expect(cookie).toContain(attribute);
    expect(cookie).not.toMatch(/Domain=/i);
  });

  it("stores only hashes: no password, no token secret in Postgres or KV", async () => {
    const user = await signUp();
    const row = await one<{ password_hash: string }>("select password_hash from users where id = $1", [
      user.id,
    ]);
    // The cost is the suite's (PASSWORD_HASH_COST=test); production's is asserted below.
    expect(row.password_hash).toMatch(/^scrypt\$N=\d+,r=\d+,p=\d+\$/);
    expect(row.password_hash).not.toContain(PASSWORD);
    const secret = user.token.split(".")[1] ?? "";
    const { env } = await import("cloudflare:workers");
    const stored = await env.SESSIONS.get(`session:${user.sessionId}`);
    expect(stored).not.toContain(secret);
    expect(
      JSON.stringify(await sql().query("select * from sessions where id = $1", [user.sessionId])),
    ).not.toContain(secret);
  });

  it("creates nothing for an address already registered, whatever its case, and answers as for a new one", async () => {
    const email = uniqueEmail();
    await signUp({ email });
    const res = await api("/v1/auth/signup", {
      body: signupBody({ email: email.toUpperCase() }),
      headers: { "cf-connecting-ip": randomIp() },
    });
    expect(res.status).toBe(202);
    const accounts = await one<{ n: number }>(
      "select count(*)::int as n from users where email_normalized = $1",
      [email],
    );
    expect(accounts.n).toBe(1);
    expect(await emailsTo(email, "account_exists")).toHaveLength(1);
  });

  it.each([
    ["too short", "Sh0rt!", "must be at least 8 characters"],
    ["too long", "x".repeat(257), "must be at most 256 characters"],
    ["too common", "Password123", "is one of the most common passwords; choose another"],
  ])("refuses a password that is %s", async (_, password, message) => {
    const res = await api("/v1/auth/signup", {
      body: signupBody({ password }),
      headers: { "cf-connecting-ip": randomIp() },
    });
    expect(res.status).toBe(400);
    expect((await problem(res)).errors).toEqual([{ field: "body.password", message }]);
  });

  it("counts password length in characters, not bytes", async () => {
    const res = await api("/v1/auth/signup", {
      body: signupBody({ password: "🔐".repeat(256) }),
      headers: { "cf-connecting-ip": randomIp() },
    });
    expect(res.status).toBe(202);
  });

  it.each([
    ["missing fields", {}, ["body.email", "body.name", "body.password"]],
    ["wrong types", { email: 42, password: true, name: null }, ["body.email", "body.name", "body.password"]],
    ["a malformed email", signupBody({ email: "not-an-email" }), ["body.email"]],
    ["a huge name", signupBody({ name: "n".repeat(10_000) }), ["body.name"]],
    ["control characters", signupBody({ name: "evil\u0000name" }), ["body.name"]],
    ["extra fields", signupBody({ platformAdmin: true }), ["body"]],
  ])("answers %s with 400 naming each field", async (_, body, fields) => {
    const res = await api("/v1/auth/signup", { body, headers: { "cf-connecting-ip": randomIp() } });
    expect(res.status).toBe(400);
    expect((await problem(res)).errors?.map((e) => e.field).sort()).toEqual(fields);
  });

  it("keeps unicode names intact", async () => {
    const user = await signUp({ name: "Zoë Łukasz 山田 🏭" });
    expect((await json<{ name: string }>(await api("/v1/me", { token: user.token }))).name).toBe(
      "Zoë Łukasz 山田 🏭",
    );
  });
});

describe("login", () => {
  it("issues a new session in two round trips (claim and read, then write)", async () => {
    const user = await signUp();
    const again = await logIn(user);
    expect(again.token).not.toBe(user.token);
    expect(roundTrips(again.res)).toBe(2);
    expect((await api("/v1/me", { token: again.token })).status).toBe(200);
    expect((await api("/v1/me", { token: user.token })).status).toBe(200);
  });

  it("accepts the email in any case and surrounding spaces", async () => {
    const user = await signUp();
    await logIn({ ...user, email: `  ${user.email.toUpperCase()} ` });
  });

  it("gives a wrong password and an unknown email the same answer", async () => {
    const user = await signUp();
    const wrong = await api("/v1/auth/login", {
      body: { email: user.email, password: "not the password" },
      headers: { "cf-connecting-ip": randomIp() },
    });
    const unknown = await api("/v1/auth/login", {
      body: { email: uniqueEmail(), password: "not the password" },
      headers: { "cf-connecting-ip": randomIp() },
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const [a, b] = [await problem(wrong), await problem(unknown)];
    expect({ ...a, requestId: undefined }).toEqual({ ...b, requestId: undefined });
    expect(roundTrips(wrong)).toBe(roundTrips(unknown));
  });

  it("backs off an account after repeated failures, even for the right password", async () => {
    const user = await signUp();
    for (let attempt = 0; attempt < 5; attempt++) {
      const res = await api("/v1/auth/login", {
        body: { email: user.email, password: "wrong password!" },
        headers: { "cf-connecting-ip": randomIp() },
      });
      expect(res.status).toBe(401);
    }
    const blocked = await api("/v1/auth/login", {
      body: { email: user.email, password: user.password },
      headers: { "cf-connecting-ip": randomIp() },
    });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(
      (
        await one<{ failures: number }>("select failures from login_failures where email_normalized = $1", [
          user.email,
        ])
      ).failures,
    ).toBe(5);
  });

  it.skipIf(env.DATABASE_KIND !== "postgres")(
    "lets exactly one of 30 parallel wrong logins be checked once the backoff window opens (real Postgres)",
    async () => {
      const user = await signUp();
      // In backoff: 6 failures mean a 2 s wait after the last one, which ended 10 s ago, so the window is open.
      await sql().query(
        "insert into login_failures (email_normalized, failures, last_failure_at) values ($1, 6, now() - interval '10 seconds')",
        [user.email],
      );
      const responses = await Promise.all(
        Array.from({ length: 30 }, () =>
          api("/v1/auth/login", {
            body: { email: user.email, password: "wrong password!" },
            headers: { "cf-connecting-ip": randomIp() },
          }),
        ),
      );
      const statuses = responses.map((res) => res.status);
      expect(statuses.filter((status) => status === 401)).toHaveLength(1);
      expect(statuses.filter((status) => status === 429)).toHaveLength(29);
      for (const res of responses.filter((r) => r.status === 429)) {
        expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
      }
      const row = await one<{ failures: number }>(
        "select failures from login_failures where email_normalized = $1",
        [user.email],
      );
      expect(row.failures).toBe(7);
    },
  );

  it.skipIf(env.DATABASE_KIND !== "postgres")(
    "checks exactly the five free attempts of 30 parallel wrong logins on a fresh account (real Postgres)",
    async () => {
      const email = uniqueEmail("fresh");
      const responses = await Promise.all(
        Array.from({ length: 30 }, () =>
          api("/v1/auth/login", {
            body: { email, password: "wrong password!" },
            headers: { "cf-connecting-ip": randomIp() },
          }),
        ),
      );
      const statuses = responses.map((res) => res.status);
      expect(statuses.filter((status) => status === 401)).toHaveLength(5);
      expect(statuses.filter((status) => status === 429)).toHaveLength(25);
    },
  );

  it("resets the failure count after a successful login", async () => {
    const user = await signUp();
    await api("/v1/auth/login", {
      body: { email: user.email, password: "wrong password!" },
      headers: { "cf-connecting-ip": randomIp() },
    });
    await logIn(user);
    const rows = await sql().query("select 1 from login_failures where email_normalized = $1", [user.email]);
    expect(rows).toHaveLength(0);
  });

  it("limits attempts per IP with 429 and Retry-After", async () => {
    const ip = randomIp();
    const statuses: number[] = [];
    // The limiter counts in fixed one-minute windows: if the test straddles a boundary the count restarts,
    // so keep going for up to a second window's worth of attempts.
    for (let attempt = 0; attempt < 42; attempt++) {
      const res = await api("/v1/auth/login", {
        body: { email: uniqueEmail(), password: "whatever it is" },
        headers: { "cf-connecting-ip": ip },
      });
      statuses.push(res.status);
      if (res.status === 429) {
        expect(res.headers.get("retry-after")).toBe("60");
        break;
      }
    }
    expect(statuses.slice(0, 20).every((status) => status === 401)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
  });

  it("hashes with the full cost unless configured otherwise (the suite runs with PASSWORD_HASH_COST=test)", async () => {
    const email = uniqueEmail();
    const res = await call(
      "/v1/auth/signup",
      {
        method: "POST",
        headers: { "content-type": "application/json", "cf-connecting-ip": randomIp() },
        body: JSON.stringify(signupBody({ email })),
      },
      { env: { PASSWORD_HASH_COST: undefined } },
    );
    expect(res.status).toBe(202);
    const row = await one<{ password_hash: string }>(
      "select password_hash from users where email_normalized = $1",
      [email.toLowerCase()],
    );
    expect(row.password_hash).toMatch(/^scrypt\$N=16384,r=8,p=5\$/);
  });

  it("rehashes a password stored with outdated parameters", async () => {
    const user = await signUp();
    const weak = await hashPassword(user.password, { N: 1024, r: 8, p: 1, keyLength: 32 });
    await sql().query("update users set password_hash = $1 where id = $2", [weak, user.id]);
    // Signs in with production's cost, whose parameters the hash must be brought up to.
    const fullCost = await call(
      "/v1/auth/login",
      {
        method: "POST",
        headers: { "content-type": "application/json", "cf-connecting-ip": user.ip },
        body: JSON.stringify({ email: user.email, password: user.password }),
      },
      { env: { PASSWORD_HASH_COST: "full" } },
    );
    expect(fullCost.status).toBe(200);
    const row = await one<{ password_hash: string }>("select password_hash from users where id = $1", [
      user.id,
    ]);
    expect(row.password_hash).toMatch(
      new RegExp(`^scrypt\\$N=${currentParams.N},r=${currentParams.r},p=${currentParams.p}\\$`),
    );
    await logIn(user);
  });

  it("answers bad input with 400", async () => {
    const res = await api("/v1/auth/login", {
      body: { email: "x", extra: 1 },
      headers: { "cf-connecting-ip": randomIp() },
    });
    expect(res.status).toBe(400);
    expect((await problem(res)).errors?.map((e) => e.field).sort()).toEqual([
      "body",
      "body.email",
      "body.password",
    ]);
  });
});

describe("device cookies: a browser that signed in before is not held out by failures elsewhere", () => {
  const attempt = (email: string, password: string, cookie?: string) =>
    api("/v1/auth/login", { body: { email, password }, cookie, headers: { "cf-connecting-ip": randomIp() } });

  /** The attacker's way of holding an account: one wrong password each time the 15-minute block ends. */
  async function holdOut(email: string) {
    await sql().query(
      `insert into login_failures (email_normalized, failures, last_failure_at)
       values ($1, 20, now() - interval '15 minutes 1 second')
       on conflict (email_normalized, device) do update set failures = 20, last_failure_at = excluded.last_failure_at`,
      [email],
    );
    expect((await attempt(email, "attacker guess")).status).toBe(401);
  }

  it("issues a long-lived __Host-device cookie (HttpOnly, Secure, SameSite=Strict) at sign-in", async () => {
    const user = await signUp();
    const res = await attempt(user.email, user.password);
    expect(res.status).toBe(200);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith("__Host-device=")) ?? "";
    for (const attribute of ["Secure", "HttpOnly", "SameSite=Strict", "Path=/"])
      expect(cookie).toContain(attribute);
    expect(cookie).not.toMatch(/Domain=/i);
    const maxAge = Number(/Max-Age=(\d+)/.exec(cookie)?.[1]);
    expect(maxAge).toBeGreaterThanOrEqual(180 * 86_400);
    // Nothing in it is a secret of the account: no session token, no password.
    expect(cookie).not.toContain(user.password);
    expect(cookie).not.toContain((await json<{ session: { token: string } }>(res)).session.token);
  });

  it("lets the victim's browser sign in while an attacker holds the account in backoff; others still wait", async () => {
    const victim = await signUp();
    const device = deviceCookie(await attempt(victim.email, victim.password));
    await holdOut(victim.email);

    const elsewhere = await attempt(victim.email, victim.password);
    expect(elsewhere.status).toBe(429);
    expect(Number(elsewhere.headers.get("retry-after"))).toBeGreaterThan(800);

    const trusted = await attempt(victim.email, victim.password, device);
    expect(trusted.status).toBe(200);
    expect(roundTrips(trusted)).toBe(2);
    // The victim's sign-in does not hand the attacker fresh attempts.
    expect((await attempt(victim.email, "attacker guess")).status).toBe(429);
    // The browser keeps its trust: the re-issued cookie works again.
    expect((await attempt(victim.email, victim.password, deviceCookie(trusted))).status).toBe(200);
  });

  it("lets a changed password through on the trusted browser while held out", async () => {
    const victim = await signUp();
    const device = deviceCookie(await attempt(victim.email, victim.password));
    await holdOut(victim.email);
    const res = await api("/v1/me/password", {
      token: victim.token,
      cookie: device,
      body: { currentPassword: victim.password, newPassword: "a much better passphrase" },
    });
    expect(res.status).toBe(200);
    const bearerOnly = await api("/v1/me/password", {
      token: (await json<{ session: { token: string } }>(res)).session.token,
      body: { currentPassword: "a much better passphrase", newPassword: "yet another passphrase" },
    });
    expect(bearerOnly.status).toBe(429);
  });

  it("counts failures made with a device cookie against that cookie only", async () => {
    const victim = await signUp();
    const stolen = deviceCookie(await attempt(victim.email, victim.password));
    // A clock that stands still: the backoff window (1 s after the 5th failure) cannot open mid-test.
    const frozen = Date.now();
    const app = createApp({ now: () => frozen });
    const withStolen = (password: string) =>
      call(
        "/v1/auth/login",
        {
          method: "POST",
          headers: { "content-type": "application/json", cookie: stolen, "cf-connecting-ip": randomIp() },
          body: JSON.stringify({ email: victim.email, password }),
        },
        { app },
      );
    for (let n = 0; n < 5; n++) expect((await withStolen(`guess ${n}`)).status).toBe(401);
    const limited = await withStolen(victim.password);
    expect(limited.status).toBe(429);
    // Untrusted clients have their own count, untouched by the cookie's failures.
    expect((await attempt(victim.email, victim.password)).status).toBe(200);
  });

  it("honours a device cookie only until it expires, and only under the secret that signed it", async () => {
    const secret = "a test secret of at least thirty-two characters";
    const userId = crypto.randomUUID();
    const now = Date.now();
    const issued = await issueDevice(secret, userId, now);
    expect(await verifyDevice(secret, issued.value, now)).toEqual({ userId, deviceId: issued.deviceId });
    const lifetime = DEVICE_COOKIE_DAYS * 86_400_000;
    expect(await verifyDevice(secret, issued.value, now + lifetime - 1000)).toBeDefined();
    expect(await verifyDevice(secret, issued.value, now + lifetime)).toBeUndefined();
    expect(await verifyDevice(`${secret}!`, issued.value, now)).toBeUndefined();
    const later = issued.value.replace(/\.(\d+)\./, (_, at: string) => `.${Number(at) + 86_400}.`);
    expect(await verifyDevice(secret, later, now)).toBeUndefined();
  });

  it.each([
    ["missing", undefined],
    ["too short", "short secret"],
  ])("refuses a DEVICE_COOKIE_SECRET that is %s, naming it (never its value)", async (_, value) => {
    const res = await call("/health", {}, { env: { DEVICE_COOKIE_SECRET: value } });
    expect(res.status).toBe(500);
    const body = await problem(res);
    expect(body.type).toBe("urn:problem:misconfigured");
    expect(body.errors?.map((e) => e.field)).toEqual(["DEVICE_COOKIE_SECRET"]);
    expect(JSON.stringify(body)).not.toContain("short secret");
  });

  it("trusts a cookie only for its own account, and only as issued", async () => {
    const victim = await signUp();
    const other = await signUp();
    const othersDevice = deviceCookie(await attempt(other.email, other.password));
    await holdOut(victim.email);
    expect((await attempt(victim.email, victim.password, othersDevice)).status).toBe(429);

    const device = deviceCookie(await attempt(other.email, other.password));
    const [name, value = ""] = device.split("=");
    const tampered = `${name}=${value.slice(0, -2)}${value.endsWith("AA") ? "BB" : "AA"}`;
    const swapped = `${name}=${value.replace(other.id, victim.id)}`;
    for (const cookie of [tampered, swapped, "__Host-device=junk", `__Host-device=${"x".repeat(5000)}`]) {
      const res = await attempt(victim.email, victim.password, cookie);
      expect(res.status).toBe(429);
    }
  });
});

describe("logout", () => {
  it("ends the session and clears the cookie", async () => {
    const user = await signUp();
    const res = await api("/v1/auth/logout", { method: "POST", token: user.token });
    expect(res.status).toBe(204);
    expect(res.headers.get("set-cookie")).toMatch(/__Host-session=;.*Max-Age=0/);
    expect((await api("/v1/me", { token: user.token })).status).toBe(401);
  });

  it("needs a session", async () => {
    const res = await api("/v1/auth/logout", { method: "POST" });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toContain("Bearer");
  });
});
