/**
 * Attack tests for issue 13's account recovery and email verification: enumeration, tokens, sessions,
 * the verification gate, throttles and inputs. Each test states the secure behaviour. Confirmed breaks
 * fixed here: a sign-in or password change that checked the old password outliving a reset that committed
 * meanwhile (and a new session stored in KV after the reset deleted it), the reset sending a SHA-256 of
 * the new password to Postgres, verifying someone else's sign-up leaving its maker a way in (confirming now
 * takes the account's password: whoever does not know it resets it, which signs everyone else out), and
 * unverified accounts making the platform email invitations to any address. One confirmed break is left to
 * a design decision, pinned as `it.fails`: sign-up then sign-in tells a free address from a taken one.
 */
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createApp } from "../../src/app.ts";
import { webSocketClient } from "../../src/db/client.ts";
import { sha256Hex } from "../../src/lib/crypto.ts";
import { call, problem, roundTrips } from "../support/app.ts";
import { createListing } from "../support/catalog.ts";
import { one } from "../support/db.ts";
import { testConfig } from "../support/env.ts";
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
  uniqueEmail,
  verifyEmail,
} from "../support/identity.ts";
import { emailLink, emailsTo, emailToken } from "../support/mail.ts";
import { accept as acceptQuote, createRfq, quoteBody, rfqBody, sendQuote } from "../support/negotiation.ts";
import { checkout, checkoutBody, newSeller, product, putLine } from "../support/orders.ts";

const NEW_PASSWORD = "a fresh and long passphrase";

const requestReset = (email: string, ip = randomIp()) =>
  api("/v1/auth/password-reset", { body: { email }, headers: { "cf-connecting-ip": ip } });

const confirmReset = (token: string, password = NEW_PASSWORD) =>
  api("/v1/auth/password-reset/confirm", {
    body: { token, password },
    headers: { "cf-connecting-ip": randomIp() },
  });

const login = (email: string, password: string) =>
  api("/v1/auth/login", { body: { email, password }, headers: { "cf-connecting-ip": randomIp() } });

/** Signs in through an app in the test's own context (see `call`), with its bindings optionally replaced. */
const loginHere = (email: string, password: string, bindings?: Record<string, unknown>) =>
  call(
    "/v1/auth/login",
    {
      method: "POST",
      headers: { "content-type": "application/json", "cf-connecting-ip": randomIp() },
      body: JSON.stringify({ email, password }),
    },
    { env: bindings },
  );

/** Resets a user's password through the emailed link. */
async function resetThroughEmail(email: string, password = NEW_PASSWORD) {
  expect((await requestReset(email)).status).toBe(202);
  const res = await confirmReset(await emailToken(email, "password_reset"), password);
  expect(res.status).toBe(204);
}

/** A gate a test opens when it is ready; `reached` resolves when someone waits at it. */
function gate() {
  let arrive!: () => void;
  let release!: () => void;
  const reached = new Promise<void>((resolve) => {
    arrive = resolve;
  });
  const opened = new Promise<void>((resolve) => {
    release = resolve;
  });
  return {
    reached,
    open: () => release(),
    async wait() {
      arrive();
      await opened;
    },
  };
}

/** The bodies of every database request (SQL over HTTP) sent while `action` runs. */
async function databaseRequests(action: () => Promise<unknown>): Promise<string[]> {
  const bodies: string[] = [];
  const realFetch = globalThis.fetch;
  const spy = vi.spyOn(globalThis, "fetch").mockImplementation((input, init) => {
    if (typeof init?.body === "string") bodies.push(init.body);
    return realFetch(input, init);
  });
  try {
    await action();
  } finally {
    spy.mockRestore();
  }
  return bodies;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("a sign-in racing a password reset", () => {
  it("never yields a session that outlives the reset (the old password was checked, then the reset committed)", async () => {
    const user = await signUp();
    const atInsert = gate();
    const realFetch = globalThis.fetch;
    // Holds the sign-in's second batch (its session row) until the reset has committed.
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      const body = typeof init?.body === "string" ? init.body : "";
      if (/insert into \\"sessions\\"/.test(body) && body.includes(user.id)) await atInsert.wait();
      return realFetch(input, init);
    });
    // Through an app in this test's own context (the gate's promises cross no request boundary).
    const signingIn = loginHere(user.email, PASSWORD);
    await atInsert.reached;
    await resetThroughEmail(user.email);
    atInsert.open();
    const res = await signingIn;
    vi.restoreAllMocks();

    if (res.status === 200) {
      const { session } = await json<{ session: { token: string } }>(res);
      expect((await api("/v1/me", { token: session.token })).status).toBe(401);
    } else {
      expect(res.status).toBe(401);
    }
    expect((await login(user.email, PASSWORD)).status).toBe(401);
    expect((await login(user.email, NEW_PASSWORD)).status).toBe(200);
  });

  it("never leaves a session readable in KV after the reset revoked it (the sign-in stored it late)", async () => {
    const user = await signUp();
    const atPut = gate();
    const kv = env.SESSIONS;
    const slowKv = new Proxy(kv, {
      get(target, property) {
        if (property === "put") {
          return async (...args: Parameters<KVNamespace["put"]>) => {
            await atPut.wait();
            return target.put(...args);
          };
        }
        const value = Reflect.get(target, property);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const signingIn = loginHere(user.email, PASSWORD, { SESSIONS: slowKv });
    await atPut.reached;
    await resetThroughEmail(user.email);
    atPut.open();
    const res = await signingIn;
    if (res.status === 200) {
      const { session } = await json<{ session: { token: string } }>(res);
      expect((await api("/v1/me", { token: session.token })).status).toBe(401);
    } else {
      expect(res.status).toBe(401);
    }
  });
});

/** Holds a row lock from a separate connection (an interactive transaction) until release(). */
async function holdLock(query: string, params: unknown[]) {
  const client = webSocketClient(testConfig(), "recovery-attack-lock");
  await client.connect();
  await client.query("begin");
  await client.query(query, params);
  return {
    async release() {
      await client.query("commit");
      await client.end();
    },
  };
}

/** Waits until `count` statements of this test database whose text contains `text` wait for a lock. */
async function waitingForLock(text: string, count = 1) {
  for (let n = 0; n < 200; n++) {
    const { waiting } = await one<{ waiting: number }>(
      `select count(*)::int as waiting from pg_stat_activity
       where datname = current_database() and wait_event_type = 'Lock' and strpos(query, $1) > 0`,
      [text],
    );
    if (waiting >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`fewer than ${count} statements with "${text}" ever waited for a lock`);
}

describe("a password change racing a password reset", () => {
  it("never undoes the reset: a change whose check read the old password loses to a reset that commits first", async () => {
    // A thief holds a session and the password; the owner resets through the emailed link meanwhile.
    const user = await signUp();
    expect((await requestReset(user.email)).status).toBe(202);
    const token = await emailToken(user.email, "password_reset");
    const atWrite = gate();
    const realFetch = globalThis.fetch;
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      const body = typeof init?.body === "string" ? init.body : "";
      if (body.includes('update \\"users\\" set \\"password_hash\\"') && body.includes(user.id)) {
        await atWrite.wait();
      }
      return realFetch(input, init);
    });
    const changing = call("/v1/me/password", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${user.token}` },
      body: JSON.stringify({ currentPassword: PASSWORD, newPassword: "the thief's own passphrase" }),
    });
    // The change checked the current password (its first batch claimed an attempt: a login_failures row).
    await atWrite.reached;
    // The reset takes the user's row, then stops at the failure counter this lock holds.
    const lock = await holdLock("select 1 from login_failures where email_normalized = $1 for update", [
      user.email,
    ]);
    const resetting = confirmReset(token);
    await waitingForLock("delete from login_failures");
    // The change's write starts while the reset is open (its session still looks live) and waits for it.
    atWrite.open();
    await waitingForLock("password_hash");
    await lock.release();
    const [change, reset] = await Promise.all([changing, resetting]);
    vi.restoreAllMocks();

    expect(reset.status).toBe(204);
    expect(change.status).toBe(401);
    expect((await login(user.email, "the thief's own passphrase")).status).toBe(401);
    expect((await login(user.email, NEW_PASSWORD)).status).toBe(200);
  });
  it("never leaves the change's new session readable in KV after a reset revoked it", async () => {
    const user = await signUp();
    const atPut = gate();
    const kv = env.SESSIONS;
    const slowKv = new Proxy(kv, {
      get(target, property) {
        if (property === "put") {
          return async (...args: Parameters<KVNamespace["put"]>) => {
            await atPut.wait();
            return target.put(...args);
          };
        }
        const value = Reflect.get(target, property);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const changing = call(
      "/v1/me/password",
      {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${user.token}` },
        body: JSON.stringify({ currentPassword: PASSWORD, newPassword: "the thief's own passphrase" }),
      },
      { env: { SESSIONS: slowKv } },
    );
    // The change committed; the owner resets before the change's new session reaches KV.
    await atPut.reached;
    await resetThroughEmail(user.email);
    atPut.open();
    const change = await changing;
    if (change.status === 200) {
      const { session } = await json<{ session: { token: string } }>(change);
      expect((await api("/v1/me", { token: session.token })).status).toBe(401);
    } else {
      expect(change.status).toBe(401);
    }
    expect((await login(user.email, NEW_PASSWORD)).status).toBe(200);
  });
});

describe("what a reset sends to the database", () => {
  it.each([
    ["a passphrase", "Correct Horse Battery Staple 42"],
    ["a password with an @ (it could be an address)", "Mail me @ the Harbour Office 7"],
  ])("sends no form of the new password (not even its hash) to Postgres: %s", async (_, password) => {
    const user = await signUp();
    expect((await requestReset(user.email)).status).toBe(202);
    const token = await emailToken(user.email, "password_reset");
    const forms = [
      password,
      password.toLowerCase(),
      await sha256Hex(password),
      await sha256Hex(password.toLowerCase()),
      await sha256Hex(password.trim().toLowerCase()),
    ];
    let status = 0;
    const bodies = await databaseRequests(async () => {
      status = (await confirmReset(token, password)).status;
    });
    expect(status).toBe(204);
    expect(bodies).toHaveLength(password.includes("@") ? 2 : 1);
    for (const body of bodies) for (const form of forms) expect(body).not.toContain(form);
    expect((await login(user.email, password)).status).toBe(200);
  });
});

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** A request through an app whose clock reads `now` (JSON body, a fresh client IP). */
function at(now: number, path: string, body: unknown, headers: Record<string, string> = {}) {
  return call(
    path,
    {
      method: "POST",
      headers: { "content-type": "application/json", "cf-connecting-ip": randomIp(), ...headers },
      body: JSON.stringify(body),
    },
    { app: createApp({ now: () => now }) },
  );
}

/** What a response shows an observer, minus what differs on every request (its id, date, DB time). */
async function observable(res: Response) {
  const headers: Record<string, string> = {};
  for (const [name, value] of res.headers) {
    if (name === "x-request-id" || name === "date") continue;
    headers[name] = name === "server-timing" ? value.replace(/dur=[\d.]+/, "dur=*") : value;
  }
  return { status: res.status, headers, body: await res.text() };
}

const signupAs = (email: string, password = PASSWORD, name = "Someone") =>
  api("/v1/auth/signup", { body: { email, password, name }, headers: { "cf-connecting-ip": randomIp() } });

describe("enumeration: nothing observable tells a known address from an unknown one", () => {
  it("answers reset requests identically for a verified, an unverified, a throttled and an unknown address", async () => {
    const verified = await signUp();
    const unverified = await register();
    const throttled = await signUp();
    for (let n = 0; n < 3; n++) expect((await requestReset(throttled.email)).status).toBe(202);
    const answers = await Promise.all(
      [verified.email, unverified.email, throttled.email, uniqueEmail("nobody")].map(async (email) =>
        observable(await requestReset(email)),
      ),
    );
    for (const answer of answers.slice(1)) expect(answer).toEqual(answers[0]);
    expect(answers[0]?.headers["set-cookie"]).toBeUndefined();
    expect(answers[0]?.headers["server-timing"]).toContain('desc="1 round trips"');
    // Only the throttled address was spared a fourth email.
    expect(await emailsTo(throttled.email, "password_reset")).toHaveLength(3);
    expect(await emailsTo(unverified.email, "password_reset")).toHaveLength(1);
  });

  it("answers sign-ups identically for a new, a taken, an unverified-taken and an owner-throttled address", async () => {
    const owner = await signUp();
    const pending = await register();
    const throttled = await signUp();
    for (let n = 0; n < 3; n++) expect((await signupAs(throttled.email)).status).toBe(202);
    const answers = await Promise.all(
      [uniqueEmail("fresh"), owner.email, pending.email, throttled.email].map(async (email) =>
        observable(await signupAs(email)),
      ),
    );
    for (const answer of answers.slice(1)) expect(answer).toEqual(answers[0]);
    expect(answers[0]?.headers["set-cookie"]).toBeUndefined();
    expect(await emailsTo(throttled.email, "account_exists")).toHaveLength(3);
  });

  it("sends the web forms to the same page with no cookie, whichever address was typed", async () => {
    const owner = await signUp();
    const { form } = await import("../support/web.ts");
    const signups = await Promise.all(
      [uniqueEmail("fresh"), owner.email].map((email) =>
        form("/signup", { name: "Sam", email, password: PASSWORD, next: "/orders" }, { ip: randomIp() }),
      ),
    );
    const resets = await Promise.all(
      [owner.email, uniqueEmail("nobody")].map((email) =>
        form("/forgot-password", { email }, { ip: randomIp() }),
      ),
    );
    for (const pair of [signups, resets]) {
      const [a, b] = await Promise.all(pair.map(observable));
      expect(a).toEqual(b);
      expect(a?.status).toBe(303);
      expect(a?.headers["set-cookie"]).toBeUndefined();
    }
  });

  // Confirmed, not fixed: an unverified account may sign in (the issue lets it browse and fill a cart), so
  // whoever signs up with an address and then signs in with the same password learns whether the sign-up
  // created the account (200) or the address was already taken (401). It costs the attacker an email to
  // the address per probe (at most 3 an hour to an owner), and 20 sign-ups a minute per IP.
  it.fails("does not tell a free address from a taken one to whoever signs up and then signs in", async () => {
    const owner = await signUp();
    const probe = "an attacker's probing passphrase";
    const statuses: number[] = [];
    for (const email of [uniqueEmail("free"), owner.email]) {
      expect((await signupAs(email, probe)).status).toBe(202);
      statuses.push((await login(email, probe)).status);
    }
    expect(statuses[0]).toBe(statuses[1]);
  });
});

describe("links: single use, exact lifetimes, one purpose", () => {
  it("lets a reset link work until the 30th minute and not at it (API and page agree)", async () => {
    const user = await signUp();
    const t0 = Date.now();
    expect((await at(t0, "/v1/auth/password-reset", { email: user.email })).status).toBe(202);
    const token = await emailToken(user.email, "password_reset");
    const confirmAt = (now: number, password = NEW_PASSWORD) =>
      at(now, "/v1/auth/password-reset/confirm", { token, password });
    const pageAt = (now: number) =>
      call(`/reset-password?token=${token}`, {}, { app: createApp({ now: () => now }) });
    expect((await pageAt(t0 + 30 * MINUTE)).status).toBe(410);
    expect((await pageAt(t0 + 30 * MINUTE - 1)).status).toBe(200);
    const late = await confirmAt(t0 + 30 * MINUTE);
    expect(late.status).toBe(410);
    expect((await json<{ detail: string }>(late)).detail).toContain("expired");
    // A password with an "@" is checked against the address first (its own round trip): the same answer.
    const lateAt = await confirmAt(t0 + 30 * MINUTE, "reach me @ the harbour office");
    expect(lateAt.status).toBe(410);
    expect((await json<{ detail: string }>(lateAt)).detail).toContain("expired");
    expect((await confirmAt(t0 + 30 * MINUTE - 1)).status).toBe(204);
  });

  it("lets a verification link work until the 24th hour and not at it", async () => {
    const t0 = Date.now();
    const email = uniqueEmail("clock");
    expect((await at(t0, "/v1/auth/signup", { email, password: PASSWORD, name: "Clock" })).status).toBe(202);
    const token = await emailToken(email, "email_verification");
    const body = { token, password: PASSWORD };
    expect((await at(t0 + 24 * HOUR, "/v1/auth/verify-email", body)).status).toBe(410);
    expect((await at(t0 + 24 * HOUR - 1, "/v1/auth/verify-email", body)).status).toBe(200);
  });

  it("lets exactly one of two different open links of an account set the password at once (no deadlock)", async () => {
    const user = await signUp();
    expect((await requestReset(user.email)).status).toBe(202);
    const first = await emailToken(user.email, "password_reset");
    expect((await requestReset(user.email)).status).toBe(202);
    const second = await emailToken(user.email, "password_reset");
    // Both confirmations start while the account's row is busy, then run into each other.
    const lock = await holdLock("select 1 from users where id = $1 for no key update", [user.id]);
    const a = confirmReset(first, "first passphrase set");
    await waitingForLock("users");
    const b = confirmReset(second, "second passphrase set");
    await waitingForLock("users", 2);
    await lock.release();
    const statuses = [(await a).status, (await b).status];
    expect(statuses).toEqual([204, 410]);
    expect((await login(user.email, "second passphrase set")).status).toBe(401);
    expect((await login(user.email, "first passphrase set")).status).toBe(200);
  });

  it("queues a reset and a verification of one account at once (no deadlock); no session row outlives the reset", async () => {
    const user = await register();
    const { id } = await one<{ id: string }>("select id from users where email_normalized = $1", [
      user.email,
    ]);
    expect((await requestReset(user.email)).status).toBe(202);
    const reset = await emailToken(user.email, "password_reset");
    const verification = await emailToken(user.email, "email_verification");
    const lock = await holdLock("select 1 from users where id = $1 for no key update", [id]);
    const confirming = confirmReset(reset);
    await waitingForLock("users");
    // Its first round trip (the password check) takes no lock; its write then queues behind the reset.
    const verifying = api("/v1/auth/verify-email", {
      body: { token: verification, password: PASSWORD },
      headers: { "cf-connecting-ip": randomIp() },
    });
    await waitingForLock("users", 2);
    await lock.release();
    const [confirmed, verified] = await Promise.all([confirming, verifying]);
    expect(confirmed.status).toBe(204);
    // The reset went first and used up the account's other links.
    expect(verified.status).toBe(410);
    const open = await one<{ n: number }>(
      "select count(*)::int as n from sessions where user_id = $1 and revoked_at is null",
      [id],
    );
    expect(open.n).toBe(0);
  });

  it("never opens one purpose's link on the other purpose's page", async () => {
    const { get } = await import("../support/web.ts");
    const user = await signUp();
    expect((await requestReset(user.email)).status).toBe(202);
    const reset = await emailToken(user.email, "password_reset");
    const pending = await register();
    const verification = await emailToken(pending.email, "email_verification");
    expect((await get(`/verify-email?token=${reset}`)).status).toBe(404);
    expect((await get(`/reset-password?token=${verification}`)).status).toBe(404);
    // Both still work for their own purpose.
    expect((await get(`/verify-email?token=${verification}`)).status).toBe(200);
    expect((await confirmReset(reset)).status).toBe(204);
  });

  it("never uses a link on GET or HEAD, however often a scanner opens it", async () => {
    const { get, webPage } = await import("../support/web.ts");
    const user = await register();
    const verify = await emailLink(user.email, "email_verification");
    const owner = await signUp();
    expect((await requestReset(owner.email)).status).toBe(202);
    const reset = await emailLink(owner.email, "password_reset");
    for (const link of [verify, reset]) {
      const path = `${link.pathname}${link.search}`;
      for (let n = 0; n < 3; n++) expect((await get(path)).status).toBe(200);
      const head = await webPage(path, { headers: { "sec-purpose": "prefetch" } });
      expect(head.status).toBe(200);
      const { exports } = await import("cloudflare:workers");
      expect((await exports.default.fetch(`http://api.test${path}`, { method: "HEAD" })).status).toBe(200);
    }
    const open = await one<{ n: number }>(
      "select count(*)::int as n from account_tokens where user_id in ($1, $2) and used_at is null",
      [
        (await one<{ id: string }>("select id from users where email_normalized = $1", [user.email])).id,
        owner.id,
      ],
    );
    expect(open.n).toBe(2);
  });

  it("keeps a link's token out of Referer, caches and log lines", async () => {
    const { get } = await import("../support/web.ts");
    const user = await register();
    const token = await emailToken(user.email, "email_verification");
    const lines: string[] = [];
    for (const method of ["log", "info", "warn", "error", "debug"] as const) {
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        lines.push(args.map(String).join(" "));
      });
    }
    // The test suite logs warnings only: these requests log at the production level, every request line.
    const logged = { env: { LOG_LEVEL: "info" } };
    const pages = await Promise.all(
      [`/verify-email?token=${token}`, `/reset-password?token=${token}`, `/verify-email?token=${token}x`].map(
        (path) => call(path, { headers: { accept: "text/html" } }, logged),
      ),
    );
    const posted = await call(
      "/reset-password",
      {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", origin: "http://api.test" },
        body: new URLSearchParams({
          token,
          password: NEW_PASSWORD,
          passwordConfirm: NEW_PASSWORD,
        }).toString(),
      },
      logged,
    );
    const api400 = await call(
      "/v1/auth/password-reset/confirm",
      {
        method: "POST",
        headers: { "content-type": "application/json", "cf-connecting-ip": randomIp() },
        body: JSON.stringify({ token, password: NEW_PASSWORD }),
      },
      logged,
    );
    vi.restoreAllMocks();
    for (const res of [...pages, posted]) {
      expect(res.headers.get("referrer-policy")).toMatch(/^(no-referrer|strict-origin|same-origin)$/);
      expect(res.headers.get("cache-control")).toContain("no-store");
    }
    expect(api400.status).toBe(400);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).not.toContain(token);
    // The page the link opens names nothing outside this origin that a browser would fetch.
    const html = await (await get(`/verify-email?token=${token}`)).text();
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
  });
});

describe("sessions around verification and reset", () => {
  it("signs in on verification with __Host- cookies that are Secure, HttpOnly and SameSite, never cached", async () => {
    const user = await register();
    const res = await api("/v1/auth/verify-email", {
      body: { token: await emailToken(user.email, "email_verification"), password: PASSWORD },
      headers: { "cf-connecting-ip": randomIp() },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const cookies = res.headers.getSetCookie();
    const session = cookies.find((c) => c.startsWith("__Host-session="));
    const device = cookies.find((c) => c.startsWith("__Host-device="));
    for (const cookie of [session, device]) {
      expect(cookie).toMatch(/; Path=\/(;|$)/);
      expect(cookie).toMatch(/; Secure(;|$)/);
      expect(cookie).toMatch(/; HttpOnly(;|$)/);
      expect(cookie).not.toMatch(/; Domain=/i);
    }
    expect(session).toMatch(/; SameSite=Lax(;|$)/);
    expect(device).toMatch(/; SameSite=Strict(;|$)/);
  });

  it("ends every session on reset but leaves the organisation's API keys working (keys act for the org)", async () => {
    const user = await signUp();
    const other = await logIn(user);
    const org = await createOrg(user);
    const key = await json<{ key: string }>(
      await api(`/v1/orgs/${org.id}/api-keys`, {
        token: user.token,
        body: { name: "erp", scopes: ["org:read"] },
      }),
    );
    await resetThroughEmail(user.email);
    for (const session of [user, other])
      expect((await api("/v1/me", { token: session.token })).status).toBe(401);
    // A key is revoked by an owner or admin of its organisation, not by a person's password reset.
    expect((await api(`/v1/orgs/${org.id}`, { token: key.key })).status).toBe(200);
  });

  // Pre-account hijacking: someone signs up with another person's address and a password of theirs, and
  // stays signed in. The link proves the inbox, not who chose the password, so confirming it takes the
  // password: the inbox's owner cannot confirm without it and resets it instead, which sets their password,
  // verifies the address and ends every session: the squatter's session and password no longer get in.
  it("leaves whoever signed up with someone else's address no way in once its owner verifies it", async () => {
    const victim = uniqueEmail("victim");
    const squatter = await signUpUnverified({ email: victim, password: "the squatter's passphrase" });
    // The owner of the inbox opens the link sent at that sign-up; confirming needs a password they never
    // chose (guessing it counts like failed sign-ins), and a wrong one leaves the link and account as they were.
    const link = await emailToken(victim, "email_verification");
    const guess = await api("/v1/auth/verify-email", {
      body: { token: link, password: "whatever the owner might try" },
      headers: { "cf-connecting-ip": randomIp() },
    });
    expect(guess.status).toBe(401);
    expect(guess.headers.getSetCookie()).toEqual([]);
    const confirmPage = await (
      await (await import("../support/web.ts")).get(`/verify-email?token=${link}`)
    ).text();
    expect(confirmPage).toContain('href="/forgot-password"');
    expect((await api("/v1/me", { token: squatter.token })).status).toBe(200);

    // So they reset it: the address is verified with their password, and everyone else is signed out.
    await resetThroughEmail(victim, "the inbox owner's passphrase");
    const meAsSquatter = await api("/v1/me", { token: squatter.token });
    const squatterSignsIn = await login(victim, "the squatter's passphrase");
    expect([meAsSquatter.status, squatterSignsIn.status]).toEqual([401, 401]);
    // The link the squatter's sign-up sent is used up, whoever holds it.
    const replay = await api("/v1/auth/verify-email", {
      body: { token: link, password: "the squatter's passphrase" },
      headers: { "cf-connecting-ip": randomIp() },
    });
    expect(replay.status).toBe(410);
    const owner = await login(victim, "the inbox owner's passphrase");
    expect(owner.status).toBe(200);
    const { session } = await json<{ session: { token: string } }>(owner);
    const me = await json<{ emailVerified: boolean }>(await api("/v1/me", { token: session.token }));
    expect(me.emailVerified).toBe(true);
  });

  it("ends the squatter's session even when the inbox's owner confirms with the squatter's password", async () => {
    // Whoever confirms with the right password is the account's only session afterwards: a squatter who
    // talked the owner into it (or an owner who signed up twice) keeps no earlier session alive.
    const email = uniqueEmail("shared");
    const early = await signUpUnverified({ email, password: "the squatter's passphrase" });
    const verified = await verifyEmail({ email, password: "the squatter's passphrase", ip: randomIp() });
    expect((await api("/v1/me", { token: early.token })).status).toBe(401);
    expect((await api("/v1/me", { token: verified.token })).status).toBe(200);
  });
});

describe("the verification gate: refused whole, in one round trip, on every path", () => {
  async function expectUnverified(res: Response) {
    expect(res.status).toBe(403);
    const body = await problem(res);
    expect(body.type).toBe("urn:problem:email_unverified");
    expect(roundTrips(res)).toBe(1);
  }

  /** An unverified owner of a buyer org with a cart line from a published listing. */
  async function unverifiedBuyer() {
    const user = await signUpUnverified();
    const org = await createOrg(user, "buyer", "Unproven Buyers");
    const seller = await newSeller();
    const { variantId } = await product(seller, { stock: 1000 });
    const buyer = { owner: user, orgId: org.id };
    expect((await putLine(buyer, variantId, 20)).status).toBe(200);
    return { user, buyer, seller, variantId };
  }

  it("stores nothing of a refused checkout: its Idempotency-Key works once the address is verified", async () => {
    const { user, buyer, variantId } = await unverifiedBuyer();
    const key = crypto.randomUUID();
    await expectUnverified(await checkout(buyer, checkoutBody, key));
    const stored = await one<{ orders: number; keys: number; stock: number }>(
      `select (select count(*)::int from orders where buyer_org_id = $1) as orders,
        (select count(*)::int from idempotency_keys where org_id = $1) as keys,
        (select stock from listing_variants where id = $2) as stock`,
      [buyer.orgId, variantId],
    );
    expect(stored).toEqual({ orders: 0, keys: 0, stock: 1000 });
    const verified = await verifyEmail(user);
    expect((await checkout({ ...buyer, owner: verified }, checkoutBody, key, verified.token)).status).toBe(
      201,
    );
  });

  it("stores nothing of a refused quote acceptance: the same key accepts it once verified", async () => {
    const { user, buyer } = await unverifiedBuyer();
    const seller = await newSeller();
    const rfq = await createRfq(buyer, rfqBody({ sellerOrgId: seller.orgId }));
    const quote = await sendQuote(
      seller,
      rfq.id,
      quoteBody([{ title: "M8 x 40 hex bolts, A4", quantity: 5000, unitPriceMinor: 390 }]),
    );
    const key = crypto.randomUUID();
    await expectUnverified(await acceptQuote(buyer, quote.id, 1, key));
    const state = await one<{ status: string }>("select status::text from quotes where id = $1", [quote.id]);
    expect(state.status).not.toBe("accepted");
    const verified = await verifyEmail(user);
    expect((await acceptQuote(buyer, quote.id, 1, key, verified.token)).status).toBe(201);
  });

  it("refuses invitations, submissions and API keys in one round trip, writing nothing", async () => {
    const owner = await signUp();
    const org = await createOrg(owner);
    const user = await signUpUnverified();
    await api(`/v1/orgs/${org.id}/invitations`, {
      token: owner.token,
      body: { email: user.email, role: "buyer" },
    });
    await expectUnverified(
      await api(`/v1/invitations/${await invitationToken(user.email)}/accept`, {
        method: "POST",
        token: user.token,
      }),
    );
    const invitation = await one<{ accepted: boolean }>(
      "select accepted_at is not null as accepted from invitations where org_id = $1 and email_normalized = $2",
      [org.id, user.email],
    );
    expect(invitation.accepted).toBe(false);

    const own = await createOrg(user, "seller", "Unproven Sellers");
    // Sending one would have the platform email any address an organisation and inviter name of their choosing.
    const target = uniqueEmail("target");
    await expectUnverified(
      await api(`/v1/orgs/${own.id}/invitations`, {
        token: user.token,
        body: { email: target, role: "owner" },
      }),
    );
    expect(await emailsTo(target)).toEqual([]);
    const listing = await createListing({ owner: user, orgId: own.id });
    await expectUnverified(
      await api(`/v1/orgs/${own.id}/listings/${listing.id}/submit`, { method: "POST", token: user.token }),
    );
    await expectUnverified(
      await api(`/v1/orgs/${own.id}/api-keys`, {
        token: user.token,
        body: { name: "erp", scopes: ["org:read"] },
      }),
    );
    const after = await one<{ status: string; version: number; keys: number; invitations: number }>(
      `select l.status::text, l.version, (select count(*)::int from api_keys where org_id = $2) as keys,
         (select count(*)::int from invitations where org_id = $2) as invitations
       from listings l where l.id = $1`,
      [listing.id, own.id],
    );
    expect(after).toEqual({ status: "draft", version: listing.version, keys: 0, invitations: 0 });
  });

  it("refuses the same on every web form: invitations, listing submission, API key, quote acceptance", async () => {
    const { form, orgCookie } = await import("../support/web.ts");
    const owner = await signUp();
    const org = await createOrg(owner);
    const user = await signUpUnverified();
    await api(`/v1/orgs/${org.id}/invitations`, {
      token: owner.token,
      body: { email: user.email, role: "buyer" },
    });
    const invite = await form(
      "/invitations/accept",
      { token: await invitationToken(user.email) },
      { cookie: user.cookie },
    );
    expect(invite.status).toBe(403);
    expect(await invite.text()).toContain("Verify your email address before you accept invitations");

    const own = await createOrg(user, "both", "Unproven Traders");
    const cookie = `${user.cookie}; ${orgCookie(own.id)}`;
    const target = uniqueEmail("target");
    const sent = await form("/org/invitations", { orgId: own.id, email: target, role: "buyer" }, { cookie });
    expect(sent.status).toBe(403);
    expect(await sent.text()).toContain("Verify your email address before you send invitations");
    const listing = await createListing({ owner: user, orgId: own.id });
    const submit = await form(
      `/seller/listings/${listing.id}/submit`,
      { version: String(listing.version) },
      { cookie },
    );
    expect(submit.status).toBe(403);
    expect(await submit.text()).toContain("Verify your email address before you submit listings");

    const key = await form("/org/api-keys", { orgId: own.id, name: "erp", scopes: "org:read" }, { cookie });
    expect(key.status).toBe(403);
    expect(await key.text()).toContain("Verify your email address before you create API keys");

    const seller = await newSeller();
    const rfq = await createRfq({ owner: user, orgId: own.id }, rfqBody({ sellerOrgId: seller.orgId }));
    const quote = await sendQuote(
      seller,
      rfq.id,
      quoteBody([{ title: "M8 x 40 hex bolts, A4", quantity: 5000, unitPriceMinor: 390 }]),
    );
    const accepted = await form(
      `/quotes/${quote.id}/accept`,
      {
        idempotencyKey: crypto.randomUUID(),
        version: "1",
        "shippingAddress.name": "Goods In",
        "shippingAddress.line1": "Dock 4",
        "shippingAddress.city": "Hamburg",
        "shippingAddress.postalCode": "20457",
        "shippingAddress.country": "DE",
      },
      { cookie },
    );
    expect(accepted.status).toBe(403);
    expect(await accepted.text()).toContain("Verify your email address before you accept quotes");
    const written = await one<{ n: number }>(
      `select (select count(*)::int from memberships where user_id = $1 and org_id = $2)
        + (select count(*)::int from api_keys where org_id = $3)
        + (select count(*)::int from invitations where org_id = $3)
        + (select count(*)::int from orders where buyer_org_id = $3) as n`,
      [user.id, org.id, own.id],
    );
    expect(written.n).toBe(0);
  });

  it("is not bypassed by changing the password: only the emailed link (or a reset) verifies", async () => {
    const { user, buyer } = await unverifiedBuyer();
    const change = await api("/v1/me/password", {
      token: user.token,
      body: { currentPassword: PASSWORD, newPassword: "another long passphrase" },
    });
    expect(change.status).toBe(200);
    const { session } = await json<{ session: { token: string } }>(change);
    const me = await json<{ emailVerified: boolean }>(await api("/v1/me", { token: session.token }));
    expect(me.emailVerified).toBe(false);
    await expectUnverified(
      await checkout(
        { ...buyer, owner: { ...user, token: session.token } },
        checkoutBody,
        undefined,
        session.token,
      ),
    );
  });
});

describe("throttles hold under parallel requests and cannot lock the owner out", () => {
  it("sends at most three reset emails to one address however many requests arrive at once", async () => {
    const user = await signUp();
    const answers = await Promise.all(Array.from({ length: 10 }, () => requestReset(user.email)));
    expect(answers.map((res) => res.status)).toEqual(Array(10).fill(202));
    expect(await emailsTo(user.email, "password_reset")).toHaveLength(3);
    const tokens = await one<{ n: number }>(
      "select count(*)::int as n from account_tokens where user_id = $1 and purpose = 'password_reset'",
      [user.id],
    );
    expect(tokens.n).toBe(3);
  });

  it("creates one account for parallel sign-ups of one new address, and emails a taken one's owner at most three times", async () => {
    const email = uniqueEmail("burst");
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, n) => signupAs(email, `${PASSWORD} ${n}`)),
    );
    expect(answers.map((res) => res.status)).toEqual(Array(6).fill(202));
    const accounts = await one<{ n: number }>(
      "select count(*)::int as n from users where email_normalized = $1",
      [email],
    );
    expect(accounts.n).toBe(1);
    expect(await emailsTo(email, "email_verification")).toHaveLength(1);
    expect(await emailsTo(email, "account_exists")).toHaveLength(3);
  });

  it("sends at most three verification emails an hour however many resends arrive at once", async () => {
    const user = await signUpUnverified();
    const answers = await Promise.all(
      Array.from({ length: 6 }, () =>
        api("/v1/auth/verify-email/resend", { method: "POST", token: user.token }),
      ),
    );
    expect(answers.filter((res) => res.status === 202)).toHaveLength(2);
    expect(answers.filter((res) => res.status === 429)).toHaveLength(4);
    expect(await emailsTo(user.email, "email_verification")).toHaveLength(3);
  });

  it("leaves the owner a working link while someone else spends the address's hourly resets", async () => {
    const user = await signUp();
    const t0 = Date.now();
    // Someone asks for three links for the owner's address; each reaches the owner's inbox.
    for (let n = 0; n < 3; n++) {
      expect((await at(t0 + n * 1000, "/v1/auth/password-reset", { email: user.email })).status).toBe(202);
    }
    // The owner's own request ten minutes later sends nothing new…
    expect((await at(t0 + 10 * MINUTE, "/v1/auth/password-reset", { email: user.email })).status).toBe(202);
    expect(await emailsTo(user.email, "password_reset")).toHaveLength(3);
    // …but the newest link in the inbox works for them.
    const token = await emailToken(user.email, "password_reset");
    const done = await at(t0 + 10 * MINUTE, "/v1/auth/password-reset/confirm", {
      token,
      password: NEW_PASSWORD,
    });
    expect(done.status).toBe(204);
    // An hour after the first, the address gets links again.
    expect((await at(t0 + HOUR + 1000, "/v1/auth/password-reset", { email: user.email })).status).toBe(202);
    expect(await emailsTo(user.email, "password_reset")).toHaveLength(4);
  });
});

describe("inputs: every odd request gets a clear 4xx problem, never a 500", () => {
  const long = (n: number, char = "a") => char.repeat(n);
  const cases: [string, string, unknown][] = [
    ["signup", "/v1/auth/signup", {}],
    ["signup", "/v1/auth/signup", { email: `${long(250)}@x.example`, password: PASSWORD, name: "A" }],
    ["signup", "/v1/auth/signup", { email: "ünïcode@exämple.de", password: PASSWORD, name: "A" }],
    ["signup", "/v1/auth/signup", { email: "a@b.example\u0000", password: PASSWORD, name: "A" }],
    ["signup", "/v1/auth/signup", { email: uniqueEmail(), password: long(257), name: "A" }],
    ["signup", "/v1/auth/signup", { email: uniqueEmail(), password: long(100_000), name: "A" }],
    ["signup", "/v1/auth/signup", { email: uniqueEmail(), password: "\u0000".repeat(12), name: "A" }],
    ["signup", "/v1/auth/signup", { email: uniqueEmail(), password: "\ud800\ud800\ud800\ud800x", name: "A" }],
    ["signup", "/v1/auth/signup", { email: uniqueEmail(), password: PASSWORD, name: "\u202e\u0007bell" }],
    ["signup", "/v1/auth/signup", { email: uniqueEmail(), password: PASSWORD, name: long(101) }],
    ["signup", "/v1/auth/signup", { email: [uniqueEmail()], password: PASSWORD, name: "A" }],
    ["signup", "/v1/auth/signup", { email: uniqueEmail(), password: 12345678, name: "A" }],
    ["reset", "/v1/auth/password-reset", { email: null }],
    ["reset", "/v1/auth/password-reset", { email: "@" }],
    ["reset", "/v1/auth/password-reset", { email: `${long(300)}@x.example` }],
    ["reset", "/v1/auth/password-reset", { email: { $ne: "" } }],
    ["reset", "/v1/auth/password-reset", []],
    ["reset", "/v1/auth/password-reset", "x@y.example"],
    ["confirm", "/v1/auth/password-reset/confirm", { token: long(201), password: NEW_PASSWORD }],
    ["confirm", "/v1/auth/password-reset/confirm", { token: "ä".repeat(43), password: NEW_PASSWORD }],
    ["confirm", "/v1/auth/password-reset/confirm", { token: "' or 1=1 --", password: NEW_PASSWORD }],
    ["confirm", "/v1/auth/password-reset/confirm", { token: "x".repeat(43), password: long(5000) }],
    [
      "confirm",
      "/v1/auth/password-reset/confirm",
      { token: "x".repeat(43), password: "@@@@ not an address" },
    ],
    ["confirm", "/v1/auth/password-reset/confirm", { token: "x".repeat(43) }],
    ["verify", "/v1/auth/verify-email", { token: long(201) }],
    ["verify", "/v1/auth/verify-email", { token: "" }],
    ["verify", "/v1/auth/verify-email", { token: 42 }],
    ["verify", "/v1/auth/verify-email", { token: "\u0000".repeat(43) }],
    ["verify", "/v1/auth/verify-email", { token: "x".repeat(43), extra: true }],
    ["verify", "/v1/auth/verify-email", { token: "x".repeat(43) }],
    ["verify", "/v1/auth/verify-email", { token: "x".repeat(43), password: 42 }],
    ["verify", "/v1/auth/verify-email", { token: "x".repeat(43), password: "" }],
    ["verify", "/v1/auth/verify-email", { token: "x".repeat(43), password: long(5000) }],
    ["verify", "/v1/auth/verify-email", { token: "x".repeat(43), password: "\u0000".repeat(12) }],
  ];
  it.each(cases)("%s %s %j", async (_, path, body) => {
    const res = await api(path, { body, headers: { "cf-connecting-ip": randomIp() } });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect((await problem(res)).status).toBe(res.status);
  });

  it("answers junk bodies, wrong types and oversized bodies with problems", async () => {
    const raw = (path: string, body: string, type: string) =>
      call(path, { method: "POST", headers: { "content-type": type, "cf-connecting-ip": randomIp() }, body });
    for (const path of [
      "/v1/auth/signup",
      "/v1/auth/password-reset",
      "/v1/auth/password-reset/confirm",
      "/v1/auth/verify-email",
    ]) {
      for (const [body, type] of [
        ["{", "application/json"],
        ["null", "application/json"],
        ['{"email":"a@b.example"', "application/json"],
        ["email=a@b.example", "application/x-www-form-urlencoded"],
        ["x", "text/plain"],
        [`{"email":"${"a".repeat(2_000_000)}@b.example"}`, "application/json"],
      ] as const) {
        const res = await raw(path, body, type);
        expect(res.status, `${path} ${type} ${body.slice(0, 20)}`).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
        expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
      }
    }
  });

  it("re-renders the web forms with the problem for odd input, never a 500", async () => {
    const { form, get } = await import("../support/web.ts");
    const posts: [string, Record<string, string>][] = [
      ["/forgot-password", { email: "a".repeat(5000) }],
      ["/forgot-password", { email: "ünïcode@exämple.de" }],
      ["/forgot-password", {}],
      ["/signup", { name: "A", email: `${"a".repeat(300)}@x.example`, password: PASSWORD }],
      ["/signup", { name: "\u0007", email: uniqueEmail(), password: PASSWORD }],
      ["/signup", { name: "A", email: uniqueEmail(), password: "a".repeat(300) }],
      [
        "/reset-password",
        { token: "x".repeat(43), password: "a".repeat(300), passwordConfirm: "a".repeat(300) },
      ],
      ["/reset-password", { token: "x".repeat(43), password: "a".repeat(2000), passwordConfirm: "b" }],
      ["/reset-password", { token: "x".repeat(5000), password: NEW_PASSWORD, passwordConfirm: NEW_PASSWORD }],
      ["/reset-password", {}],
      ["/verify-email", { token: "x".repeat(5000) }],
      ["/verify-email", { token: "x".repeat(43), next: "https://evil.example/" }],
      ["/verify-email", {}],
    ];
    for (const [path, fields] of posts) {
      const res = await form(path, fields, { ip: randomIp() });
      expect(res.status, `${path} ${JSON.stringify(fields).slice(0, 60)}`).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    }
    for (const path of [
      `/reset-password?token=${"x".repeat(10_000)}`,
      "/reset-password",
      "/verify-email?token=%00%ff",
      `/verify-email?token=${"y".repeat(43)}&next=${"z".repeat(10_000)}`,
    ]) {
      const res = await get(path);
      expect(res.status, path.slice(0, 40)).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    }
  });
});
