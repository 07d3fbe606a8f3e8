/**
 * Attack tests for issue 13's account recovery and email verification: enumeration, tokens, sessions,
 * the verification gate, throttles and inputs. Each test states the secure behaviour.
 */
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createApp } from "../../src/app.ts";
import { webSocketClient } from "../../src/db/client.ts";
import { sha256Hex } from "../../src/lib/crypto.ts";
import { call } from "../support/app.ts";
import { one } from "../support/db.ts";
import { testConfig } from "../support/env.ts";
import { api, json, PASSWORD, randomIp, signUp } from "../support/identity.ts";
import { emailToken } from "../support/mail.ts";

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

/** Waits until a statement of this test database whose text contains `text` waits for a lock. */
async function waitingForLock(text: string) {
  for (let n = 0; n < 200; n++) {
    const { waiting } = await one<{ waiting: number }>(
      `select count(*)::int as waiting from pg_stat_activity
       where datname = current_database() and wait_event_type = 'Lock' and strpos(query, $1) > 0`,
      [text],
    );
    if (waiting > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`no statement with "${text}" ever waited for a lock`);
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
    expect(bodies.length).toBeGreaterThan(0);
    for (const body of bodies) for (const form of forms) expect(body).not.toContain(form);
    expect((await login(user.email, password)).status).toBe(200);
  });
});

void createApp;
